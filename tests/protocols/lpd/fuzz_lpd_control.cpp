// Fuzz entry point for the LPD control file parser (RFC 1179 section 7).
#include <cstdint>
#include <string>

#include "protocols/lpd/control_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  quire::lpd::control_limits lim;
  lim.max_lines = 200;
  auto cf = quire::lpd::parse_control_file(text, lim);
  if (!cf) {
    if (cf.err().message.empty()) __builtin_trap();
    return 0;
  }
  if (cf->host.empty() || cf->user.empty()) __builtin_trap();
  if (cf->user.size() > 255 || cf->display_name().size() > 255) __builtin_trap();
  for (const auto& f : cf->data_files())
    if (cf->copies_of(f) == 0) __builtin_trap();
  for (const auto& e : cf->entries) (void)quire::lpd::to_string(e.format());
  return 0;
}
