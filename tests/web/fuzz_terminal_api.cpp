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
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>

#include "api_test_util.hpp"
#include "fake_terminal_service.hpp"
#include "web/terminal_api.hpp"
#include "web/terminal_json.hpp"

namespace {

constexpr const char* token = "terminal-token-0001";
constexpr const char* job_pin = "97531864";  // longer than any byte offset a message may quote

constexpr quire::testing::fuzz_target targets[] = {
    {"POST", "/api/v1/terminal/sessions"}, {"POST", "/api/v1/terminal/session/release"},
    {"GET", "/api/v1/terminal"},           {"DELETE", "/api/v1/terminal"},
    {"GET", "/api/v1/terminal"},           {"GET", "/api/v1/terminal/session/jobs"},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quire;
  auto input = testing::read_fuzz_case(data, size, std::size(targets));
  if (!input) return 0;
  const auto& [which, step, rest] = *input;

  // The pure parsers first, on their own: a result or an error, never a throw.
  (void)web::parse_login(rest, web::credential_limits{});
  (void)web::parse_release(rest);
  (void)web::match_terminal_route("DELETE", std::string(web::terminal_api_root) + rest);

  testing::fake_terminal_service service;
  service.sessions["sess-fuzz"] = {"t1", "alice"};
  service.jobs[103].pin = job_pin;
  web::terminal_api_options options;
  options.max_body_bytes = 4096;

  std::string method = targets[which].method;
  std::string target = targets[which].path;
  std::string body;
  std::string authorization = std::string("Bearer ") + token;
  std::string session = "sess-fuzz";
  if (which == 2 || which == 3)
    target += rest;
  else if (which == 4)
    authorization = rest;
  else if (which == 5)
    session = rest;
  else
    body = rest;
  // Chunked: the body's size shows only as it arrives.
  http::request_head head = testing::make_head(method, target, body, "application/json", true,
                                               {{"Authorization", authorization}, {"Quire-Session", session}});

  if (!web::is_terminal_api_path(head.path())) return 0;  // another router's
  auto box = std::make_shared<testing::api_reply>();
  io::request_info info{head, "192.0.2.1", "127.0.0.1:8631", true};
  testing::drive(web::route_terminal_api(info, testing::capture(box), service, options), *box, body, step);

  if (!testing::reply_is_sound(*box, rest, {token, "CARD1", "123456", "secret-pw", job_pin})) __builtin_trap();
  return 0;
}
