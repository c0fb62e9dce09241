// Fuzz entry point for job-identity sniffing: any prefix of any document.
#include <cstdint>
#include <string>

#include "protocols/sniff/job_identity.hpp"
#include "protocols/sniff/printable_text.hpp"

namespace {

void check_value(const std::optional<std::string>& v) {
  if (!v) return;
  if (v->empty() || v->size() > quire::sniff::max_text_bytes) __builtin_trap();
  if (!quire::sniff::valid_utf8(*v)) __builtin_trap();
  for (char c : *v)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) __builtin_trap();
  if (v->front() == ' ' || v->back() == ' ') __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view head(reinterpret_cast<const char*>(data),
                        size < quire::sniff::sniff_window ? size : quire::sniff::sniff_window);
  auto id = quire::sniff::sniff(head);
  if (id.data_offset > head.size()) __builtin_trap();
  check_value(id.pjl_user);
  check_value(id.pjl_job_name);
  check_value(id.dsc_for);
  check_value(id.dsc_title);
  if (quire::sniff::mime(id.lang) == nullptr) __builtin_trap();
  auto chosen = quire::sniff::choose(quire::sniff::rule{}, quire::sniff::user_candidates(id));
  if (chosen && chosen->empty()) __builtin_trap();
  return 0;
}
