// The directory sync's endpoints of the admin API: its state and last
// reports (GET /api/v1/directory) and a sync started now (POST
// /api/v1/directory/sync), through route_admin_api()'s directory_service
// (admin_api.hpp, directory_json.hpp), by administrators only; 404 where
// no directory is configured.
#include <doctest/doctest.h>

#include <tuple>

#include "fake_directory_service.hpp"
#include "fleet_api_harness.hpp"
#include "web/directory_json.hpp"

using namespace quire;
using namespace quire::testing;
using nlohmann::json;

namespace {

struct directory_harness : fleet_api_harness {
  fake_directory_service fake;

  directory_harness() {
    users.add("root", "root-password-1", true);
    users.add("bob", "bob-password-1");
    directory = &fake;
  }
};

constexpr const char* no_directory = "no directory is configured ([directory] in quire.toml)";

}  // namespace

TEST_CASE("match_route: the directory endpoints, their methods and who may call them") {
  auto get = web::match_route("GET", "/api/v1/directory");
  REQUIRE(get.status == 0);
  CHECK(get.what == web::endpoint::get_directory);
  auto sync = web::match_route("POST", "/api/v1/directory/sync");
  REQUIRE(sync.status == 0);
  CHECK(sync.what == web::endpoint::sync_directory);
  CHECK(web::match_route("POST", "/api/v1/directory").allow == "GET");
  CHECK(web::match_route("GET", "/api/v1/directory/sync").allow == "POST");
  CHECK(web::match_route("GET", "/api/v1/directory/").status == 404);
  CHECK(web::match_route("POST", "/api/v1/directory/sync/x").status == 404);
  for (auto e : {web::endpoint::get_directory, web::endpoint::sync_directory}) {
    CAPTURE(web::to_string(e));
    CHECK(web::needs_directory(e));
    CHECK(web::needs_admin(e));
    CHECK(!web::needs_fleet(e));
    CHECK(!web::needs_accounting(e));
    CHECK(!web::takes_query(e));
  }
  CHECK(!web::takes_body(web::endpoint::get_directory));
  CHECK(web::takes_body(web::endpoint::sync_directory));
  CHECK(web::body_optional(web::endpoint::sync_directory));
  CHECK(std::string(web::to_string(web::endpoint::sync_directory)) == "POST /api/v1/directory/sync");
}

TEST_CASE("directory: administrators only, users get 403, no credentials 401") {
  directory_harness h;
  using request = std::tuple<const char*, const char*, const char*>;
  for (const auto& [method, path, body] : {request{"GET", "/api/v1/directory", ""},
                                           request{"POST", "/api/v1/directory/sync", "{}"},
                                           request{"POST", "/api/v1/directory/sync", ""}}) {
    CAPTURE(method);
    CAPTURE(body);
    auto r = h.send(method, path, body, "bob");
    CHECK(r.status() == 403);
    CHECK(r.error() == "forbidden");
    r = h.send(method, path, body, "");
    CHECK(r.status() == 401);
    CHECK(!r.header("WWW-Authenticate").empty());
  }
  // Neither reached the service.
  CHECK(h.fake.calls.empty());
  CHECK(!h.fake.view.running);
}

TEST_CASE("directory: without a directory service both endpoints answer 404") {
  directory_harness h;
  h.directory = nullptr;
  using request = std::tuple<const char*, const char*, const char*>;
  for (const auto& [method, path, body] : {request{"GET", "/api/v1/directory", ""},
                                           request{"POST", "/api/v1/directory/sync", R"({"full":true})"},
                                           request{"POST", "/api/v1/directory/sync", ""}}) {
    CAPTURE(method);
    auto r = h.send(method, path, body);
    CHECK(r.status() == 404);
    CHECK(r.error() == "not_found");
    CHECK(r.message() == no_directory);
  }
  // Who may ask is still checked first.
  CHECK(h.send("GET", "/api/v1/directory", "", "bob").status() == 403);
  CHECK(h.send("GET", "/api/v1/directory", "", "").status() == 401);
}

TEST_CASE("GET /api/v1/directory: every field, and null reports before the first sync") {
  directory_harness h;
  auto r = h.send("GET", "/api/v1/directory");
  REQUIRE(r.status() == 200);
  CHECK(r.json() == json::parse(R"({"url":"ldaps://ldap.example.edu","base_dn":"dc=example,dc=edu",
    "running":false,"running_full":false,"entries_read":0,"started_ms":0,"last_full_ms":0,"next_ms":0,
    "watermark":"","last":null,"last_full":null})"));
  // The order of the fields is the documented one.
  CHECK(r.response.body.rfind(R"({"url":)", 0) == 0);
  CHECK(h.fake.calls == std::vector<std::string>{"directory_status"});
  CHECK(h.send("GET", "/api/v1/directory?x=1").status() == 400);
  CHECK(h.send("GET", "/api/v1/directory", "{}").status() == 400);
}

TEST_CASE("GET /api/v1/directory: a running sync, a failed last one with problems, the last full one") {
  directory_harness h;
  auto& v = h.fake.view;
  v.running = true;
  v.running_full = false;
  v.entries_read = 42;
  v.started_ms = 1'700'000'100'000;
  v.last_full_ms = 1'699'990'000'000;
  v.next_ms = 1'700'000'900'000;
  v.watermark = "20231114221320Z";
  v.last = fake_directory_service::report(false, 1'700'000'000'000, "ldap: server down (81)");
  v.last->problem_count = 3;
  v.last->problems = {"uid=x,ou=people: no uid", "uid=y,ou=people: name \"y\" taken by a Quire user"};
  v.last_full = fake_directory_service::report(true, 1'699'990'000'000);

  auto r = h.send("GET", "/api/v1/directory");
  REQUIRE(r.status() == 200);
  auto j = r.json();
  CHECK(j["running"] == true);
  CHECK(j["running_full"] == false);
  CHECK(j["entries_read"] == 42);
  CHECK(j["started_ms"] == 1'700'000'100'000);
  CHECK(j["last_full_ms"] == 1'699'990'000'000);
  CHECK(j["next_ms"] == 1'700'000'900'000);
  CHECK(j["watermark"] == "20231114221320Z");
  CHECK(j["last"] == json::parse(R"j({"full":false,"started_ms":1700000000000,"finished_ms":1700000004000,
    "error":"ldap: server down (81)","users_read":120,"groups_read":8,"created":3,"updated":5,"unchanged":112,
    "gone":1,"returned":0,"cards_added":2,"cards_removed":1,"problem_count":3,
    "problems":["uid=x,ou=people: no uid","uid=y,ou=people: name \"y\" taken by a Quire user"]})j"));
  // A report that applied shows a null error and an empty list of problems.
  CHECK(j["last_full"]["error"].is_null());
  CHECK(j["last_full"]["full"] == true);
  CHECK(j["last_full"]["problems"] == json::array());
  CHECK(j["last_full"]["problem_count"] == 0);
  CHECK(json::parse(web::directory_report_json(*v.last)) == j["last"]);
}

TEST_CASE("GET /api/v1/directory: a service error maps as elsewhere") {
  directory_harness h;
  h.fake.fail_next = error(errc::unavailable, "the directory sync is not running");
  auto r = h.send("GET", "/api/v1/directory");
  CHECK(r.status() == 503);
  CHECK(r.message() == "the directory sync is not running");
  h.fake.fail_next = error(errc::internal, "broken");
  CHECK(h.send("GET", "/api/v1/directory").status() == 500);
}

TEST_CASE("POST /api/v1/directory/sync: an empty body and {} are incremental, {\"full\":true} full") {
  directory_harness h;
  auto r = h.send("POST", "/api/v1/directory/sync");
  REQUIRE(r.status() == 202);
  CHECK(r.json() == json::parse(R"({"started":true})"));
  CHECK(h.fake.calls.back() == "start_sync incremental");
  CHECK(h.fake.view.running);

  h.fake.view.running = false;
  r = h.send("POST", "/api/v1/directory/sync", "{}");
  REQUIRE(r.status() == 202);
  CHECK(r.json()["started"] == true);
  CHECK(h.fake.calls.back() == "start_sync incremental");

  h.fake.view.running = false;
  r = h.send("POST", "/api/v1/directory/sync", R"({"full":false})");
  REQUIRE(r.status() == 202);
  CHECK(h.fake.calls.back() == "start_sync incremental");

  h.fake.view.running = false;
  r = h.send("POST", "/api/v1/directory/sync", R"({"full":true})");
  REQUIRE(r.status() == 202);
  CHECK(r.json()["started"] == true);
  CHECK(h.fake.calls.back() == "start_sync full");
  CHECK(h.fake.view.running_full);
}

TEST_CASE("POST /api/v1/directory/sync: started false while one runs") {
  directory_harness h;
  h.fake.view.running = true;
  auto r = h.send("POST", "/api/v1/directory/sync", R"({"full":true})");
  REQUIRE(r.status() == 202);
  CHECK(r.json() == json::parse(R"({"started":false})"));
  CHECK(h.fake.full_queued);
}

TEST_CASE("POST /api/v1/directory/sync: a bad body is 400 naming the field, and the service is not asked") {
  directory_harness h;
  struct bad_body {
    const char* body;
    const char* message;
  };
  for (const auto& b : {bad_body{R"({"full":"yes"})", "field \"full\" must be true or false"},
                        bad_body{R"({"full":1})", "field \"full\" must be true or false"},
                        bad_body{R"({"full":null})", "field \"full\" must be true or false"},
                        bad_body{R"({"fulll":true})", "unknown field \"fulll\""},
                        bad_body{R"({"full":true,"why":"now"})", "unknown field \"why\""}}) {
    CAPTURE(b.body);
    auto r = h.send("POST", "/api/v1/directory/sync", b.body);
    CHECK(r.status() == 400);
    CHECK(r.error() == "invalid_argument");
    CHECK(r.message() == b.message);
  }
  for (const char* body : {"[]", "true", R"({"full":true,"full":false})", "{", "null"}) {
    CAPTURE(body);
    CHECK(h.send("POST", "/api/v1/directory/sync", body).status() == 400);
  }
  CHECK(h.fake.calls.empty());
  CHECK(!h.fake.view.running);
}

TEST_CASE("POST /api/v1/directory/sync: a service error maps as elsewhere, and a deferred answer arrives") {
  directory_harness h;
  h.fake.fail_next = error(errc::shutting_down, "the server is stopping");
  CHECK(h.send("POST", "/api/v1/directory/sync").status() == 503);

  // The handler is gone before the service answers (as the server may).
  h.fake.deferred = true;
  auto box = h.start("POST", "/api/v1/directory/sync", R"({"full":true})");
  CHECK(box->answers == 0);
  h.fake.run_pending();
  CHECK(box->answers == 1);
  CHECK(box->status() == 202);
  CHECK(box->json()["started"] == true);
}

TEST_CASE("directory: a sync is audited with its kind, reads and refusals to unknown callers are not") {
  directory_harness h;
  CHECK(h.send("POST", "/api/v1/directory/sync", R"({"full":true})").status() == 202);
  CHECK(h.send("POST", "/api/v1/directory/sync").status() == 202);  // running: started false
  CHECK(h.send("POST", "/api/v1/directory/sync", R"({"full":"yes"})").status() == 400);
  CHECK(h.send("POST", "/api/v1/directory/sync", "{}", "bob").status() == 403);
  CHECK(h.send("POST", "/api/v1/directory/sync", "{}", "").status() == 401);
  CHECK(h.send("GET", "/api/v1/directory").status() == 200);
  REQUIRE(h.audit.entries.size() == 4);
  const std::string action = "POST /api/v1/directory/sync";
  CHECK(h.audit.entries[0] == audit_record{0, "root", action, "full", 202, "192.0.2.7"});
  CHECK(h.audit.entries[1] == audit_record{0, "root", action, "incremental", 202, "192.0.2.7"});
  CHECK(h.audit.entries[2] == audit_record{0, "root", action, "", 400, "192.0.2.7"});
  CHECK(h.audit.entries[3] == audit_record{0, "bob", action, "", 403, "192.0.2.7"});

  // Without a directory the refusal is audited too (an administrator asked).
  h.directory = nullptr;
  CHECK(h.send("POST", "/api/v1/directory/sync").status() == 404);
  REQUIRE(h.audit.entries.size() == 5);
  CHECK(h.audit.entries[4].status == 404);
}

TEST_CASE("parse_sync_request and sync_started_json") {
  CHECK(!web::parse_sync_request("")->full);
  CHECK(!web::parse_sync_request("{}")->full);
  CHECK(web::parse_sync_request(R"({"full":true})")->full);
  CHECK(!web::parse_sync_request(R"({"full":false})")->full);
  CHECK(!web::parse_sync_request(" ").ok());
  CHECK(web::sync_started_json(false) == R"({"started":false})");
  CHECK(web::sync_started_json(true) == R"({"started":true})");
}
