// The credential and peer facet of api_request.hpp: HTTP Basic (RFC 7617),
// API tokens and the session cookie as a request's head carries them, and
// whether a peer is on the loopback interface. Split from api_request.cpp
// (routing and query strings) by facet; the declarations stay there.
#include <arpa/inet.h>
#include <strings.h>

#include <cstring>

#include "protocols/base64.hpp"
#include "storage/credentials.hpp"
#include "storage/users.hpp"
#include "web/api_request.hpp"
#include "web/session_service.hpp"
#include "web/terminal_api.hpp"
#include "web/token_json.hpp"
#include "web/token_service.hpp"

namespace quire::web {
basic_credentials::~basic_credentials() {
  wipe(user);
  wipe(password);
}

std::string base64_encode(std::string_view bytes) { return quire::base64_encode(bytes, base64_padding::required); }

request_credentials::~request_credentials() {
  wipe(api_token);
  wipe(session_token);
}

status read_credentials(const http::request_head& head, bool cookies, bool api_tokens, request_credentials& out) {
  const std::string* authorization = head.find("Authorization");
  if (!authorization) {
    if (cookies)
      if (const std::string* h = head.find("Cookie")) out.session_token = session_cookie_of(*h);
    if (out.session_token.empty()) return error(errc::permission_denied, "authentication required");
    return {};
  }
  if (api_tokens && authorization_credentials(*authorization, "bearer")) {
    // A script's API token (token_service.hpp).
    auto token = parse_bearer_token(*authorization);
    if (!token.ok() || token->rfind(api_token_prefix, 0) != 0)
      return error(errc::permission_denied, "the Bearer credential is not an API token (qt_...)");
    out.api_token = std::move(*token);
    return {};
  }
  auto basic = parse_basic_authorization(*authorization);
  if (!basic.ok()) return error(errc::permission_denied, basic.err().message);
  out.basic = std::move(*basic);
  return {};
}

std::optional<std::string_view> authorization_credentials(std::string_view value, std::string_view scheme) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (value.size() <= scheme.size() || ::strncasecmp(value.data(), scheme.data(), scheme.size()) != 0 ||
      value[scheme.size()] != ' ')
    return std::nullopt;
  value.remove_prefix(scheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

result<basic_credentials> parse_basic_authorization(std::string_view value) {
  auto bad = [](const char* why) { return error(errc::invalid_argument, why); };
  auto encoded = authorization_credentials(value, "basic");
  if (!encoded) return bad("the Authorization header must use the Basic scheme");

  std::string decoded;
  if (!quire::base64_decode(*encoded, decoded, base64_padding::required))
    return bad("the Basic credentials are not valid base64");
  basic_credentials c;
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) {
    wipe(decoded);
    return bad("the Basic credentials have no ':' between user and password");
  }
  c.user = decoded.substr(0, colon);
  c.password = decoded.substr(colon + 1);
  wipe(decoded);
  if (validate_user_name(c.user)) return bad("the Basic credentials name no valid user");
  if (c.password.empty() || c.password.size() > max_password_bytes ||
      c.password.find('\0') != std::string::npos)
    return bad("the Basic credentials carry no acceptable password");
  return c;
}

bool is_loopback_address(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string h(host);
  unsigned char buf[16];
  if (::inet_pton(AF_INET, h.c_str(), buf) == 1) return buf[0] == 127;
  if (::inet_pton(AF_INET6, h.c_str(), buf) == 1) {
    static constexpr unsigned char loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static constexpr unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(buf, loopback, 16) == 0) return true;
    return std::memcmp(buf, mapped, 12) == 0 && buf[12] == 127;
  }
  return false;
}

}  // namespace quire::web
