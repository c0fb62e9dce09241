// endpoint: the "host:port" a listener binds. Only IP literals (and
// "localhost") are accepted: resolving a name here would make loading the
// configuration depend on DNS, and a listener bound to whatever a name
// resolved to at start-up is a surprise nobody wants.
#include <arpa/inet.h>

#include <cstring>

#include "config/config.hpp"
#include "config/config_internal.hpp"

namespace quire {

namespace {

// The canonical text of an IP literal (inet_ntop's), or "" if `host` is not
// one of `family`.
std::string canonical_ip(int family, const std::string& host) {
  unsigned char addr[sizeof(struct in6_addr)];
  char text[INET6_ADDRSTRLEN];
  if (inet_pton(family, host.c_str(), addr) != 1) return {};
  if (inet_ntop(family, addr, text, sizeof text) == nullptr) return {};
  return text;
}

}  // namespace

std::string endpoint::to_string() const {
  std::string p = std::to_string(port);
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + p;
  return host + ":" + p;
}

result<endpoint> endpoint::parse(const std::string& text) {
  auto fail = [&](const char* problem) {
    return error{errc::invalid_argument,
                 std::string(problem) + ", got '" + detail::shown(text) + "'"};
  };
  std::string host;
  std::string port;
  endpoint out;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos) return fail("expected [IPv6 address]:port");
    host = text.substr(1, close - 1);
    if (close + 1 == text.size()) return fail("missing port");
    if (text[close + 1] != ':') return fail("expected host:port");
    port = text.substr(close + 2);
    if (host.empty()) return fail("missing host");
    out.host = canonical_ip(AF_INET6, host);
    if (out.host.empty()) return fail("expected an IPv6 address in brackets");
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos) return fail("expected host:port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string::npos)
      return fail("an IPv6 address needs brackets, as in [::1]:8631");
    if (host.empty()) return fail("missing host");
    out.host = host == "localhost" ? "127.0.0.1" : canonical_ip(AF_INET, host);
    if (out.host.empty()) return fail("the host must be an IP address or localhost");
  }
  if (port.empty()) return fail("missing port");
  uint32_t value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return fail("the port must be a number");
    value = value * 10 + static_cast<uint32_t>(c - '0');
    if (value > 65535) return fail("the port must be between 0 and 65535");
  }
  out.port = static_cast<uint16_t>(value);
  return out;
}

namespace detail {

result<endpoint> parse_listen(std::string_view key, const std::string& text) {
  auto ep = endpoint::parse(text);
  if (!ep) return invalid(std::string(key) + ": " + ep.err().message);
  return ep;
}

}  // namespace detail

}  // namespace quire
