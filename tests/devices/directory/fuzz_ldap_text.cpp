// Fuzz entry point for the pure LDAP text helpers (ldap_text.hpp): filter
// escaping must leave no raw special byte and decode back to the input,
// GeneralizedTime must round trip whatever it accepts, and lower_dn must be
// idempotent, never longer than its input and free of ASCII capitals.
#include <cstdint>
#include <string>

#include "devices/directory/ldap_text.hpp"

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

void check_escape(std::string_view in) {
  const std::string out = quire::ldap::escape_filter_value(in);
  std::string back;
  for (size_t i = 0; i < out.size(); ++i) {
    const char c = out[i];
    if (c == '*' || c == '(' || c == ')' || c == '\0') __builtin_trap();
    if (c != '\\') {
      back += c;
      continue;
    }
    if (i + 2 >= out.size()) __builtin_trap();  // a cut escape
    const int hi = hex(out[i + 1]), lo = hex(out[i + 2]);
    if (hi < 0 || lo < 0) __builtin_trap();
    back += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  if (back != in) __builtin_trap();
}

void check_time(std::string_view in) {
  int64_t t = 0;
  if (!quire::ldap::parse_generalized_time(in, t)) return;
  // Accepted: 14 digits, maybe a fraction, 'Z'. Formatting gives them back.
  if (quire::ldap::generalized_time(t) != std::string(in.substr(0, 14)) + "Z") __builtin_trap();
  int64_t again = 0;
  if (!quire::ldap::parse_generalized_time(quire::ldap::generalized_time(t), again) || again != t)
    __builtin_trap();
}

void check_dn(std::string_view in) {
  const std::string key = quire::ldap::lower_dn(in);
  if (key.size() > in.size()) __builtin_trap();
  for (char c : key)
    if (c >= 'A' && c <= 'Z') __builtin_trap();
  if (quire::ldap::lower_dn(key) != key) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_escape(text);
  check_time(text);
  check_dn(text);
  // Formatting any 8 bytes as a time stays parseable.
  if (size >= 8) {
    int64_t t = 0;
    for (int i = 0; i < 8; ++i) t = static_cast<int64_t>((static_cast<uint64_t>(t) << 8) | data[i]);
    int64_t back = 0;
    if (!quire::ldap::parse_generalized_time(quire::ldap::generalized_time(t), back))
      __builtin_trap();
  }
  return 0;
}
