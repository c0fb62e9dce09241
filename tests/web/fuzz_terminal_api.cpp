// Fuzz entry point for the terminal API's request handling: the login and
// release body parsers, the path router (with its {id} segment), the Bearer
// token and the Quire-Session header, behind route_terminal_api() with the
// in-memory fake service.
//
// Input: byte 0 picks what the rest is ('0'..'5', modulo 6):
//   0 POST /api/v1/terminal/sessions body      3 the path after /api/v1/terminal, DELETE
//   1 POST /api/v1/terminal/session/release    4 the Authorization header of GET /api/v1/terminal
//   2 the path after /api/v1/terminal, GET     5 the Quire-Session header of GET .../session/jobs
// byte 1 picks the size of the pieces a body arrives in; the rest is the
// body, path or header.
//
// Beyond "no crash": exactly one answer, a status from 200 to 599, a JSON
// body whenever there is one, and never the terminal token, alice's card,
// PIN or password, or a job's PIN in it (unless the input itself held it).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "fake_terminal_service.hpp"
#include "web/terminal_api.hpp"
#include "web/terminal_json.hpp"

namespace {

constexpr const char* token = "terminal-token-0001";
constexpr const char* job_pin = "97531864";  // longer than any byte offset a message may quote
constexpr const char* secrets[] = {token, "CARD1", "123456", "secret-pw", job_pin};

struct target {
  const char* method;
  const char* path;
};
constexpr target targets[] = {
    {"POST", "/api/v1/terminal/sessions"}, {"POST", "/api/v1/terminal/session/release"},
    {"GET", "/api/v1/terminal"},           {"DELETE", "/api/v1/terminal"},
    {"GET", "/api/v1/terminal"},           {"GET", "/api/v1/terminal/session/jobs"},
};
constexpr size_t target_count = sizeof(targets) / sizeof(targets[0]);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quire;
  if (size < 2) return 0;
  size_t which = static_cast<uint8_t>(data[0] - '0') % target_count;
  size_t step = 1 + data[1] % 64;
  std::string rest(reinterpret_cast<const char*>(data) + 2, size - 2);

  // The pure parsers first, on their own: a result or an error, never a throw.
  (void)web::parse_login(rest, web::credential_limits{});
  (void)web::parse_release(rest);
  (void)web::match_terminal_route("DELETE", std::string(web::terminal_api_root) + rest);

  testing::fake_terminal_service service;
  service.sessions["sess-fuzz"] = {"t1", "alice"};
  service.jobs[103].pin = job_pin;
  web::terminal_api_options options;
  options.max_body_bytes = 4096;

  http::request_head head;
  head.method = targets[which].method;
  head.target = targets[which].path;
  std::string body;
  std::string authorization = std::string("Bearer ") + token;
  std::string session = "sess-fuzz";
  if (which == 2 || which == 3)
    head.target += rest;
  else if (which == 4)
    authorization = rest;
  else if (which == 5)
    session = rest;
  else
    body = rest;
  head.headers.push_back({"Authorization", authorization});
  head.headers.push_back({"Quire-Session", session});
  head.headers.push_back({"Content-Type", "application/json"});
  head.chunked = true;  // the body's size shows only as it arrives

  int answers = 0;
  io::http_response response;
  io::request_info info{head, "192.0.2.1", "127.0.0.1:8631", true};
  if (!web::is_terminal_api_path(head.path())) return 0;  // another router's
  auto handler = web::route_terminal_api(
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
    for (const char* secret : secrets)
      if (response.body.find(secret) != std::string::npos && rest.find(secret) == std::string::npos)
        __builtin_trap();
  }
  return 0;
}
