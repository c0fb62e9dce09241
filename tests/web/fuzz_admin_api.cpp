// Fuzz entry point for the admin API's request handling: the JSON body
// parsers and validators, the query strings, the {name} and {id} path
// segments and the Basic credentials, behind route_admin_api() with the
// in-memory fake services.
//
// Input: byte 0 picks what the rest is ('0'..'U', modulo 38):
//   0 POST /api/v1/users body          8 the Authorization header of whoami
//   1 PATCH /api/v1/users/alice body   9 the query of GET /api/v1/jobs
//   2 PUT .../alice/password body      : the path after /api/v1/jobs/
//   3 POST .../alice/cards body        ; POST .../alice/credit body
//   4 DELETE .../alice/cards body      < PUT .../alice/delegates body
//   5 PUT /api/v1/users/alice/pin body = POST /api/v1/terminals body
//   6 the query of GET /api/v1/users   > the query of GET .../alice/ledger
//   7 the path after /api/v1/users/    ? the path after DELETE /api/v1/terminals/
//   @ POST /api/v1/printers body       D the path after GET /api/v1/queues/
//   A PATCH .../printers/lab-1 body    E POST /api/v1/jobs/4/reprint body
//   B POST /api/v1/queues body         F the path after DELETE /api/v1/printers/
//   C PATCH /api/v1/queues/secure body G the path after GET /api/v1/printers/
//   H POST /api/v1/prices body         L the path after GET /api/v1/prices/
//   I PATCH .../prices/standard body   M the path after DELETE /api/v1/projects/
//   J POST /api/v1/projects body       N the path after GET /api/v1/projects, as alice
//   K PATCH .../projects/open body       (a user: the projects she may charge)
//   O POST /api/v1/quotas body         Q the path after GET /api/v1/quotas/
//   P PATCH .../quotas/staff body      R the path after DELETE /api/v1/quotas/
//   S POST /api/v1/directory/sync body T the path after GET /api/v1/directory
//   U the path after POST /api/v1/users/ (pin/generate, enrolment-code), as alice
// byte 1 picks the size of the pieces a body arrives in; the rest is the
// body, query, path or header.
//
// Beyond "no crash": exactly one answer, a status from 200 to 599, a JSON
// body whenever there is one, and never the administrator's password, a
// job's PIN hash, a terminal's token or a device URI's credentials in it (a
// token shows only in the answer that registers its terminal).
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>

#include "api_test_util.hpp"
#include "fake_accounting_service.hpp"
#include "fake_directory_service.hpp"
#include "fake_fleet_service.hpp"
#include "fake_printer_service.hpp"

namespace {

constexpr const char* admin_password = "fuzz-root-secret";

constexpr quire::testing::fuzz_target targets[] = {
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
    {"POST", "/api/v1/printers"},
    {"PATCH", "/api/v1/printers/lab-1"},
    {"POST", "/api/v1/queues"},
    {"PATCH", "/api/v1/queues/secure"},
    {"GET", "/api/v1/queues/"},
    {"POST", "/api/v1/jobs/4/reprint"},
    {"DELETE", "/api/v1/printers/"},
    {"GET", "/api/v1/printers/"},
    {"POST", "/api/v1/prices"},
    {"PATCH", "/api/v1/prices/standard"},
    {"POST", "/api/v1/projects"},
    {"PATCH", "/api/v1/projects/open"},
    {"GET", "/api/v1/prices/"},
    {"DELETE", "/api/v1/projects/"},
    {"GET", "/api/v1/projects"},
    {"POST", "/api/v1/quotas"},
    {"PATCH", "/api/v1/quotas/staff"},
    {"GET", "/api/v1/quotas/"},
    {"DELETE", "/api/v1/quotas/"},
    {"POST", "/api/v1/directory/sync"},
    {"GET", "/api/v1/directory"},
    {"POST", "/api/v1/users/"},
};

// The targets whose input is the rest of the path (the others take it as
// the body, or, for whoami, as the Authorization header).
bool takes_path(size_t which) {
  return which == 6 || which == 7 || which == 9 || which == 10 || which == 14 || which == 15 || which == 20 ||
         which == 22 || which == 23 || (which >= 28 && which <= 30) || which == 33 || which == 34 || which == 36 || which == 37;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quire;
  auto input = testing::read_fuzz_case(data, size, std::size(targets));
  if (!input) return 0;
  const auto& [which, step, rest] = *input;

  testing::fake_user_service service;
  service.add("root", admin_password, true);
  service.add("alice", "alice-password", false).record.groups = {"staff"};
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
  testing::fake_printer_service printers;
  printers.add("lab-1");
  printers.add("lab-2");
  testing::fake_fleet_service fleet;
  fleet.add_printer("lab-1", "ipps://scan:fuzz-uri-secret@printer.example/ipp/print");
  fleet.add_printer("lab-2", "socket://192.0.2.2:9100", record_origin::api);
  fleet.add_queue("secure", queue_type::pull, {"lab-1"});
  fleet.add_price_list("standard", 10, 50).sizes = {{"iso_a3_297x420mm", {20, 100, -1, -1}}};
  fleet.add_price_list("cheap", 5, 20, record_origin::api);
  fleet.add_project("open", {});
  fleet.add_project("staff-only", {"staff"}, record_origin::api);
  fleet.add_project("board", {"board"}, record_origin::api);
  fleet.add_quota("everyone", {"*"}, {}, 100);
  fleet.add_quota("staff", {"staff"}, {"alice"}, 500, record_origin::api);
  testing::fake_directory_service directory;
  directory.view.running = rest.size() % 2 == 1;  // a sync asked for may find one running
  directory.view.last = testing::fake_directory_service::report(false, INT64_MAX - 4000, "fuzz: \xff not UTF-8");
  directory.view.last->problems = {"uid=x\x01", ""};
  directory.view.last->problem_count = UINT64_MAX;
  directory.view.last_full = testing::fake_directory_service::report(true, INT64_MIN);
  web::api_options options;
  options.max_body_bytes = 4096;

  std::string method = targets[which].method;
  std::string target = targets[which].path;
  std::string body;
  std::string authorization = "Basic " + web::base64_encode(std::string("root:") + admin_password);
  if (takes_path(which))
    target += rest;
  else if (which == 8)
    authorization = rest;
  else
    body = rest;
  service.accounts["alice"].record.email = "alice@uni.test";
  if (which == 30 || which == 37) authorization = "Basic " + web::base64_encode("alice:alice-password");
  // Chunked: the body's size shows only as it arrives.
  http::request_head head =
      testing::make_head(method, target, body, "application/json", true, {{"Authorization", authorization}});

  auto box = std::make_shared<testing::api_reply>();
  io::request_info info{head, "192.0.2.1", "127.0.0.1:8631", true};
  testing::drive(web::route_admin_api(info, testing::capture(box), service, jobs, options, &accounting, &printers,
                                      nullptr, nullptr, nullptr, nullptr, &fleet, &directory),
                 *box, body, step);

  // The administrator's password, a job's PIN hash, a terminal's token, a
  // device URI's credentials, a generated PIN (unless the input itself named
  // it, e.g. as a new user's name).
  std::string mailed = service.sent_pins.count("alice@uni.test") ? service.sent_pins["alice@uni.test"] : "fuzz-no-pin";
  if (!testing::reply_is_sound(*box, rest,
                               {admin_password, "fuzz-pin-hash", "fuzz-terminal-secret", "fuzz-uri-secret",
                                mailed.c_str()}))
    __builtin_trap();
  return 0;
}
