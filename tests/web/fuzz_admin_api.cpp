// Fuzz entry point for the admin API's request handling: the JSON body
// parsers and validators, the query string, the {name} path segment and
// the Basic credentials, behind route_admin_api() with the in-memory fake
// service.
//
// Input: byte 0 picks what the rest is ('0'..'8', modulo 9):
//   0 POST /api/v1/users body          5 PUT /api/v1/users/alice/pin body
//   1 PATCH /api/v1/users/alice body   6 the query of GET /api/v1/users
//   2 PUT .../alice/password body      7 the path after /api/v1/users/
//   3 POST .../alice/cards body        8 the Authorization header of whoami
//   4 DELETE .../alice/cards body
// byte 1 picks the size of the pieces a body arrives in; the rest is the
// body, query, path or header.
//
// Beyond "no crash": exactly one answer, a status from 200 to 599, a JSON
// body whenever there is one, and never the administrator's password in it.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "fake_user_service.hpp"
#include "web/admin_api.hpp"

namespace {

constexpr const char* admin_password = "fuzz-root-secret";

struct target {
  const char* method;
  const char* path;
};
constexpr target targets[] = {
    {"POST", "/api/v1/users"},           {"PATCH", "/api/v1/users/alice"},     {"PUT", "/api/v1/users/alice/password"},
    {"POST", "/api/v1/users/alice/cards"}, {"DELETE", "/api/v1/users/alice/cards"}, {"PUT", "/api/v1/users/alice/pin"},
    {"GET", "/api/v1/users?"},           {"GET", "/api/v1/users/"},            {"GET", "/api/v1/whoami"},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quire;
  if (size < 2) return 0;
  size_t which = static_cast<uint8_t>(data[0] - '0') % 9;
  size_t step = 1 + data[1] % 64;
  std::string rest(reinterpret_cast<const char*>(data) + 2, size - 2);

  testing::fake_user_service service;
  service.add("root", admin_password, true);
  service.add("alice", "alice-password", false);
  web::api_options options;
  options.max_body_bytes = 4096;

  http::request_head head;
  head.method = targets[which].method;
  head.target = targets[which].path;
  std::string body;
  std::string authorization = "Basic " + web::base64_encode(std::string("root:") + admin_password);
  if (which == 6 || which == 7)
    head.target += rest;
  else if (which == 8)
    authorization = rest;
  else
    body = rest;
  head.headers.push_back({"Authorization", authorization});
  head.headers.push_back({"Content-Type", "application/json"});
  head.chunked = true;  // the body's size shows only as it arrives

  int answers = 0;
  io::http_response response;
  io::request_info info{head, "192.0.2.1", "127.0.0.1:8631", true};
  auto handler = web::route_admin_api(
      info,
      [&](io::http_response r) {
        if (++answers == 1) response = std::move(r);
      },
      service, options);
  if (handler) {
    for (size_t at = 0; at < body.size() && answers == 0; at += step)
      handler->on_body(std::string_view(body).substr(at, step));
    if (answers == 0) handler->on_end();
  }
  handler.reset();

  if (answers != 1) __builtin_trap();
  if (response.status < 200 || response.status > 599) __builtin_trap();
  if (!response.body.empty()) {
    if (nlohmann::json::parse(response.body, nullptr, false).is_discarded()) __builtin_trap();
    // (Unless the input itself named it, e.g. as a new user's name.)
    if (response.body.find(admin_password) != std::string::npos && rest.find(admin_password) == std::string::npos)
      __builtin_trap();
  }
  return 0;
}
