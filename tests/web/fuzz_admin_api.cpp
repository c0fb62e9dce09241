// Fuzz entry point for the admin API's request handling: the JSON body
// parsers and validators, the query strings, the {name} and {id} path
// segments and the Basic credentials, behind route_admin_api() with the
// in-memory fake services.
//
// Input: byte 0 picks what the rest is ('0'..'?', modulo 16):
//   0 POST /api/v1/users body          8 the Authorization header of whoami
//   1 PATCH /api/v1/users/alice body   9 the query of GET /api/v1/jobs
//   2 PUT .../alice/password body      : the path after /api/v1/jobs/
//   3 POST .../alice/cards body        ; POST .../alice/credit body
//   4 DELETE .../alice/cards body      < PUT .../alice/delegates body
//   5 PUT /api/v1/users/alice/pin body = POST /api/v1/terminals body
//   6 the query of GET /api/v1/users   > the query of GET .../alice/ledger
//   7 the path after /api/v1/users/    ? the path after DELETE /api/v1/terminals/
// byte 1 picks the size of the pieces a body arrives in; the rest is the
// body, query, path or header.
//
// Beyond "no crash": exactly one answer, a status from 200 to 599, a JSON
// body whenever there is one, and never the administrator's password, a
// job's PIN hash or a terminal's token in it (a token shows only in the
// answer that registers its terminal).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "fake_accounting_service.hpp"
#include "fake_job_service.hpp"
#include "fake_user_service.hpp"
#include "web/admin_api.hpp"

namespace {

constexpr const char* admin_password = "fuzz-root-secret";

struct target {
  const char* method;
  const char* path;
};
constexpr target targets[] = {
    {"POST", "/api/v1/users"},
    {"PATCH", "/api/v1/users/alice"},
    {"PUT", "/api/v1/users/alice/password"},
    {"POST", "/api/v1/users/alice/cards"},
    {"DELETE", "/api/v1/users/alice/cards"},
    {"PUT", "/api/v1/users/alice/pin"},
    {"GET", "/api/v1/users?"},
    {"GET", "/api/v1/users/"},
    {"GET", "/api/v1/whoami"},
    {"GET", "/api/v1/jobs?"},
    {"GET", "/api/v1/jobs/"},
    {"POST", "/api/v1/users/alice/credit"},
    {"PUT", "/api/v1/users/alice/delegates"},
    {"POST", "/api/v1/terminals"},
    {"GET", "/api/v1/users/alice/ledger?"},
    {"DELETE", "/api/v1/terminals/"},
};
constexpr size_t target_count = sizeof(targets) / sizeof(targets[0]);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quire;
  if (size < 2) return 0;
  size_t which = static_cast<uint8_t>(data[0] - '0') % target_count;
  size_t step = 1 + data[1] % 64;
  std::string rest(reinterpret_cast<const char*>(data) + 2, size - 2);

  testing::fake_user_service service;
  service.add("root", admin_password, true);
  service.add("alice", "alice-password", false);
  testing::fake_job_service jobs;
  for (uint64_t id = 1; id <= 5; ++id) {
    auto& j = jobs.add(id, id % 2 ? "alice" : "root", id < 4 ? "secure" : "demo",
                       id < 3 ? job_state::held : job_state::done);
    j.pin_hash = "hmac:fuzz-pin-hash";
    j.page_ranges = {1, 2, 5};
    j.price.status = static_cast<uint8_t>(id % 3);
    j.price.low = -static_cast<int64_t>(id);
    j.price.high = INT64_MAX;
    j.created_ms = static_cast<int64_t>(id) * 1000000000000;
  }
  testing::fake_accounting_service accounting;
  accounting.add_user("root");
  accounting.add_user("alice", 1250);
  accounting.add_user("bob", INT64_MAX);
  accounting.delegates["alice"] = {"bob"};
  accounting.add_terminal("kiosk", "lab-1").token = "fuzz-terminal-secret";
  ledger_entry charge;
  charge.account = "alice";
  charge.job_id = 1;
  charge.amount = INT64_MIN;
  charge.time_ms = INT64_MAX;
  accounting.ledgers["alice"] = {charge};
  web::api_options options;
  options.max_body_bytes = 4096;

  http::request_head head;
  head.method = targets[which].method;
  head.target = targets[which].path;
  std::string body;
  std::string authorization = "Basic " + web::base64_encode(std::string("root:") + admin_password);
  if (which == 6 || which == 7 || which == 9 || which == 10 || which == 14 || which == 15)
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
      service, jobs, options, &accounting);
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
    if (response.body.find("fuzz-pin-hash") != std::string::npos && rest.find("fuzz-pin-hash") == std::string::npos)
      __builtin_trap();
    static constexpr const char* kiosk_token = "fuzz-terminal-secret";
    if (response.body.find(kiosk_token) != std::string::npos && rest.find(kiosk_token) == std::string::npos)
      __builtin_trap();
  }
  return 0;
}
