#include "devices/directory/ldap_text.hpp"

#include <cstdio>

#include "protocols/civil.hpp"

namespace quire::ldap {
namespace {

bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

bool digits(std::string_view s, size_t at, size_t n, unsigned& out) {
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

const int64_t min_time = days_from_civil(0, 1, 1) * 86400;
const int64_t max_time = days_from_civil(9999, 12, 31) * 86400 + 86399;

}  // namespace

std::string escape_filter_value(std::string_view value) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '*' || c == '(' || c == ')' || c == '\\' || c == '\0') {
      const auto b = static_cast<unsigned char>(c);
      out += '\\';
      out += hex[b >> 4];
      out += hex[b & 15];
    } else {
      out += c;
    }
  }
  return out;
}

std::string generalized_time(int64_t unix_seconds) {
  const int64_t t = unix_seconds < min_time   ? min_time
                    : unix_seconds > max_time ? max_time
                                              : unix_seconds;
  int64_t days = t / 86400;
  int64_t secs = t % 86400;
  if (secs < 0) {  // floor, not truncation, before 1970
    secs += 86400;
    days -= 1;
  }
  const auto [y, m, d] = civil_from_days(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u%02d%02d%02dZ", static_cast<int>(y), m, d,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

bool parse_generalized_time(std::string_view s, int64_t& unix_seconds) {
  // RFC 4517 3.3.13 also allows omitting minutes and seconds and a local
  // offset; directories send the full UTC form, and refusing the rest keeps
  // a sync watermark from ever being misread.
  if (s.size() < 15 || s.back() != 'Z') return false;
  unsigned y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || !digits(s, 4, 2, mo) || !digits(s, 6, 2, d) || !digits(s, 8, 2, h) ||
      !digits(s, 10, 2, mi) || !digits(s, 12, 2, sec))
    return false;
  const std::string_view rest = s.substr(14, s.size() - 15);
  if (!rest.empty()) {
    if ((rest[0] != '.' && rest[0] != ',') || rest.size() < 2) return false;
    for (char c : rest.substr(1))
      if (c < '0' || c > '9') return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
    return false;
  unix_seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
  return true;
}

std::string lower_dn(std::string_view dn) {
  std::string out;
  out.reserve(dn.size());
  size_t spaces = 0;      // unescaped spaces seen but not yet written
  bool after_sep = true;  // at the start, or just after a separator
  for (size_t i = 0; i < dn.size(); ++i) {
    const char c = dn[i];
    if (c == ' ') {
      ++spaces;
      continue;
    }
    const bool sep = c == ',' || c == '+' || c == '=';
    // Spaces between two value characters belong to the value; spaces next
    // to a separator or at either end are padding.
    if (!sep && !after_sep) out.append(spaces, ' ');
    spaces = 0;
    out += lower(c);
    after_sep = sep;
    if (c == '\\' && i + 1 < dn.size()) out += lower(dn[++i]);  // "\," "\ " stay
  }
  return out;
}

}  // namespace quire::ldap
