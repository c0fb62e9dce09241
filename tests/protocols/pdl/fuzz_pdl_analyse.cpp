// Fuzz entry point for document analysis. The first byte picks the declared
// format (which must never matter for safety) and, in its high bit, whether
// the content scan runs; the rest is the document. Limits are small so that
// the fuzzer reaches them.
#include <cstdint>
#include <string_view>

#include "protocols/pdl/analysis.hpp"
#include "protocols/pdl/units.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* declared[] = {"application/pdf", "application/postscript",
                                   "application/vnd.hp-pclxl", "image/pwg-raster",
                                   "image/urf", "image/jpeg", "text/plain", ""};
  std::string_view doc(reinterpret_cast<const char*>(data) + 1, size - 1);
  quire::pdl::limits lim;
  lim.max_pages = 2000;
  lim.max_content_bytes_per_page = 1 << 20;
  lim.max_content_bytes_total = 4 << 20;
  lim.scan_content = (data[0] & 0x80) == 0;
  auto r = quire::pdl::analyse(doc, declared[data[0] % 8], lim);
  if (!r.ok()) return 0;
  const auto& a = *r;
  if (a.pages > lim.max_pages) __builtin_trap();
  if (!a.page_list.empty() && a.page_list.size() != a.pages) __builtin_trap();
  if (a.colour_pages() + a.mono_pages() + a.uncertain_pages().size() != a.pages) __builtin_trap();
  auto u = quire::pdl::count_units(a, {2, 2, true});
  if (u.colour_impressions + u.mono_impressions != u.impressions) __builtin_trap();
  return 0;
}
