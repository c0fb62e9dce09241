#include "web/api_common.hpp"

#include <strings.h>

#include "storage/credentials.hpp"
#include "web/api_json.hpp"
#include "web/api_request.hpp"

namespace quire::web {

int http_status_for(errc code) noexcept {
  switch (code) {
    case errc::ok: return 200;
    case errc::invalid_argument: return 400;
    case errc::unsupported: return 400;
    case errc::permission_denied: return 403;
    case errc::not_found: return 404;
    case errc::already_exists: return 409;
    case errc::not_possible: return 409;
    case errc::limit_exceeded: return 429;
    case errc::busy:
    case errc::not_accepting:
    case errc::timeout:
    case errc::unavailable:
    case errc::shutting_down: return 503;
    default: return 500;
  }
}

namespace {

constexpr std::string_view json_type = "application/json";

}  // namespace

io::http_response json_response(int status, std::string body) {
  io::http_response r;
  r.status = status;
  r.content_type = std::string(json_type);
  r.body = std::move(body);
  r.headers = {{"Cache-Control", "no-store"}, {"X-Content-Type-Options", "nosniff"}};
  return r;
}

io::http_response error_response(int status, std::string_view code, std::string_view message) {
  return json_response(status, error_json(code, message));
}

io::http_response unauthorized_response(std::string_view code, std::string_view message, std::string_view challenge) {
  auto r = error_response(401, code, message);
  r.headers.push_back({"WWW-Authenticate", std::string(challenge)});
  return r;
}

io::http_response login_failure(const error& e,
                                const std::function<io::http_response(std::string_view)>& unauthorized) {
  switch (e.code) {
    case errc::permission_denied:
    case errc::not_found:
    case errc::invalid_argument:
      return unauthorized("unknown user or wrong password");
    case errc::limit_exceeded:
      return error_response(429, "limit_exceeded", "too many failed logins: try again later");
    default:
      return service_error(e);
  }
}

io::http_response no_content() {
  io::http_response r;
  r.status = 204;
  r.headers = {{"Cache-Control", "no-store"}};
  return r;
}

io::http_response service_error(const error& e) {
  return error_response(http_status_for(e.code), to_string(e.code), e.message);
}

io::http_response invalid(const error& e) { return error_response(400, "invalid_argument", e.message); }

io::http_response too_large(size_t limit) {
  return error_response(413, "payload_too_large", "the body exceeds " + std::to_string(limit) + " bytes");
}

io::http_response internal_error() {
  return error_response(500, "internal", "the request failed inside the server");
}

std::optional<io::http_response> route_refusal(int status, std::string_view message, std::string_view allow) {
  if (status == 0) return std::nullopt;
  if (status == 404) return error_response(404, "not_found", message);
  if (status == 405) {
    auto r = error_response(405, "method_not_allowed", message);
    r.headers.push_back({"Allow", std::string(allow)});
    return r;
  }
  return error_response(status, "invalid_argument", message);
}

bool is_json_type(const std::string* value) {
  if (!value) return false;
  std::string_view v(*value);
  v = v.substr(0, v.find(';'));
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  return v.size() == json_type.size() && ::strncasecmp(v.data(), json_type.data(), v.size()) == 0;
}

std::optional<io::http_response> check_transport(const io::request_info& info, bool allow_plain_loopback,
                                                 std::string_view api) {
  if (info.secure || (allow_plain_loopback && is_loopback_address(info.peer_host))) return std::nullopt;
  return error_response(403, "https_required", "the " + std::string(api) + " is served over HTTPS only");
}

std::optional<io::http_response> check_body_head(const http::request_head& head, bool takes_body,
                                                 size_t max_body_bytes) {
  bool has_body = head.chunked || (head.has_content_length && head.content_length > 0);
  if (head.has_content_length && head.content_length > max_body_bytes) return too_large(max_body_bytes);
  if (takes_body && !is_json_type(head.find("Content-Type")))
    return error_response(415, "unsupported_media_type", "send the body as application/json");
  if (!takes_body && has_body && !head.chunked)
    return error_response(400, "invalid_argument", "this request takes no body");
  return std::nullopt;
}

std::string_view query_of(std::string_view target) {
  size_t q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

std::unique_ptr<io::request_handler> refuse(const io::responder& respond, io::http_response r) {
  respond(std::move(r));
  return nullptr;
}

api_exchange::~api_exchange() { wipe(body); }

bool collect_body(api_exchange& x, std::string_view bytes) {
  if (!x.takes_body) {
    x.reply(invalid(error(errc::invalid_argument, "this request takes no body")));
    return false;
  }
  if (bytes.size() > x.max_body_bytes - x.body.size()) {
    x.reply(too_large(x.max_body_bytes));
    return false;
  }
  x.body.append(bytes);
  return true;
}

}  // namespace quire::web
