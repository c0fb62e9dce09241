#include "protocols/service_url.hpp"

#include <cctype>

namespace quire {

namespace {

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}

bool strip_scheme(std::string_view& url, std::string_view scheme) {
  if (url.size() < scheme.size() + 3 || url.substr(0, scheme.size()) != scheme ||
      url.substr(scheme.size(), 3) != "://")
    return false;
  url.remove_prefix(scheme.size() + 3);
  return true;
}

}  // namespace

bool parse_service_url(std::string_view url, std::string_view plain, std::string_view tls_scheme, bool& tls) {
  std::string_view rest = url;
  if (strip_scheme(rest, plain))
    tls = false;
  else if (strip_scheme(rest, tls_scheme))
    tls = true;
  else
    return false;
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty()) return false;
  if (rest[0] == '[') {  // an IPv6 literal
    const size_t close = rest.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    for (char c : rest.substr(1, close - 1))
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) return false;
    rest = rest.substr(close + 1);
  } else {
    size_t n = 0;
    while (n < rest.size() && host_char(rest[n])) ++n;
    if (n == 0) return false;
    rest = rest.substr(n);
  }
  if (rest.empty()) return true;
  if (rest[0] != ':' || rest.size() < 2 || rest.size() > 6) return false;
  unsigned port = 0;
  for (char c : rest.substr(1)) {
    if (c < '0' || c > '9') return false;
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  return port >= 1 && port <= 65535;
}

}  // namespace quire
