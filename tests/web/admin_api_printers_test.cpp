// The printer endpoints of the admin API: the printers' live state and
// device, and their page counters, with route_admin_api()'s printer_service.
#include <doctest/doctest.h>

#include <chrono>

#include "api_test_util.hpp"
#include "fake_printer_service.hpp"

using namespace quire;
using namespace quire::testing;
using nlohmann::json;

namespace {

// api_harness with a printer service (or none, `with_printers` off).
struct printers_harness {
  fake_user_service users;
  fake_job_service jobs;
  fake_printer_service printers;
  web::api_options options;
  bool with_printers = true;

  printers_harness() {
    users.add("root", "root-password-1", true);
    users.add("alice", "alice-password-1");
    auto& lab1 = printers.add("lab-1");
    lab1.location = "Room 101";
    lab1.info = "HP by the door";
    lab1.state = web::printer_run_state::stopped;
    lab1.state_message = "the printer reports it has a paper jam";
    lab1.reasons = {"media-jam-error", "toner-low-warning"};
    lab1.queued = 2;
    lab1.delivered = 40;
    auto& d = lab1.device;
    d.monitored = true;
    d.online = true;
    d.last_seen_ms = 1714552200250;  // 2024-05-01T08:30:00.250Z
    d.address = "192.0.2.10:161";
    d.description = "HP LaserJet M507";
    d.name = "lab1-hp";
    d.serial = "CNB1234567";
    d.life_count = 123456;
    d.device_state = 3;
    d.printer_state = 3;
    d.supplies = {{"Black Toner", web::supply_kind::consumed, 3, 100, 8, 8, web::supply_state::low},
                  {"Waste Toner Box", web::supply_kind::receptacle, 4, -2, -3, std::nullopt, web::supply_state::ok}};
    d.alerts = {{web::alert_severity::critical, 8, 5, "Paper jam in tray 2"}};
    printers.add("lab-2");
  }

  /// Sends a request with this Authorization header (none without one);
  /// the handler is destroyed right after on_end() (as the server may).
  std::shared_ptr<api_reply> send_with(const std::string& method, const std::string& target,
                                       const std::optional<std::string>& authorization) {
    auto box = std::make_shared<api_reply>();
    std::vector<http::header> headers;
    if (authorization) headers.push_back({"Authorization", *authorization});
    http::request_head head = make_head(method, target, "", std::nullopt, false, std::move(headers));
    io::request_info info{head, "192.0.2.7", "127.0.0.1:8631", true};
    auto* p = with_printers ? &printers : nullptr;
    drive(web::route_admin_api(info, capture(box), users, jobs, options, nullptr, p), *box, "");
    return box;
  }

  /// Sends a request as `as` ("" for no Authorization header).
  std::shared_ptr<api_reply> start(const std::string& method, const std::string& target,
                                   const std::string& as = "root") {
    if (as.empty()) return send_with(method, target, std::nullopt);
    return send_with(method, target, basic(as, users.accounts.at(as).password));
  }

  api_reply get(const std::string& target, const std::string& as = "root") { return *start("GET", target, as); }
};

int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

TEST_CASE("GET /api/v1/printers: every printer with its state and device, sorted by name") {
  printers_harness h;
  auto r = h.get("/api/v1/printers");
  REQUIRE(r.status() == 200);
  CHECK(r.header("Cache-Control") == "no-store");
  auto list = r.json()["printers"];
  REQUIRE(list.size() == 2);
  CHECK(list[0] == json::parse(R"({"name":"lab-1","location":"Room 101","info":"HP by the door",
    "state":"stopped","state_message":"the printer reports it has a paper jam",
    "reasons":["media-jam-error","toner-low-warning"],"queued":2,"delivered":40,
    "device":{"monitored":true,"online":true,"last_seen_ms":1714552200250,"address":"192.0.2.10:161",
      "description":"HP LaserJet M507","name":"lab1-hp","serial":"CNB1234567","life_count":123456,
      "device_state":"warning","printer_state":"idle",
      "supplies":[{"description":"Black Toner","kind":"consumed","type":3,"level":8,"max_capacity":100,
                   "percent":8,"state":"low"},
                  {"description":"Waste Toner Box","kind":"receptacle","type":4,"level":-3,"max_capacity":-2,
                   "percent":null,"state":"ok"}],
      "alerts":[{"severity":"critical","code":8,"group":5,"description":"Paper jam in tray 2"}],
      "truncated":false}})"));
  // Not monitored, never seen: no life_count, last_seen_ms null, empty tables.
  CHECK(list[1] == json::parse(R"({"name":"lab-2","location":"","info":"","state":"idle","state_message":"",
    "reasons":[],"queued":0,"delivered":0,
    "device":{"monitored":false,"online":false,"last_seen_ms":null,"address":"","description":"","name":"",
      "serial":"","device_state":"unknown","printer_state":"unknown","supplies":[],"alerts":[],
      "truncated":false}})"));
  CHECK(h.printers.calls == std::vector<std::string>{"list"});

  h.printers.printers.clear();
  r = h.get("/api/v1/printers");
  REQUIRE(r.status() == 200);
  CHECK(r.json() == json::parse(R"({"printers":[]})"));
}

TEST_CASE("GET /api/v1/printers/{name}: one printer, 404 for one the site does not have") {
  printers_harness h;
  auto r = h.get("/api/v1/printers/lab-1");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["name"] == "lab-1");
  CHECK(r.json()["device"]["supplies"].size() == 2);
  CHECK(h.printers.calls.back() == "get lab-1");
  // A valid name may be escaped: it is decoded first.
  CHECK(h.get("/api/v1/printers/lab%2D2").json()["name"] == "lab-2");

  r = h.get("/api/v1/printers/lab-9");
  CHECK(r.status() == 404);
  CHECK(r.error() == "not_found");
  CHECK(r.message() == "there is no printer lab-9");
}

TEST_CASE("printer names: anything but 1 to 64 of A-Z a-z 0-9 _ . - is 404, and the service never hears of it") {
  printers_harness h;
  const std::string long_name(65, 'p');
  const std::vector<std::string> targets = {
      "/api/v1/printers/lab%201",          "/api/v1/printers/lab 1",
      "/api/v1/printers/a%2Fb",            "/api/v1/printers/%zz",
      "/api/v1/printers/%",                "/api/v1/printers/",
      "/api/v1/printers//counters",        "/api/v1/printers/caf%C3%A9",
      "/api/v1/printers/" + long_name,     "/api/v1/printers/" + long_name + "/counters",
      "/api/v1/printers/lab%201/counters", "/api/v1/printers/lab-1/x",
      "/api/v1/printers/lab-1/counters/x", "/api/v1/printers/lab-1/",
      "/api/v1/printers/a/b"};
  for (const auto& target : targets) {
    CAPTURE(target);
    for (const char* as : {"root", ""}) {
      auto r = h.get(target, as);
      CHECK(r.answers == 1);
      CHECK(r.status() == 404);
      CHECK(r.error() == "not_found");
    }
  }
  CHECK(h.printers.calls.empty());
  CHECK(h.users.calls.empty());  // not even authenticated
  CHECK(h.get("/api/v1/printers/" + std::string(64, 'p')).status() == 404);  // valid: the service's 404
  CHECK(h.printers.calls.size() == 1);
}

TEST_CASE("printers: 401 without or with wrong credentials, 403 for a non-administrator, 405 for other methods") {
  printers_harness h;
  for (const char* target : {"/api/v1/printers", "/api/v1/printers/lab-1", "/api/v1/printers/lab-1/counters"}) {
    CAPTURE(target);
    auto r = h.get(target, "");
    CHECK(r.status() == 401);
    CHECK(r.error() == "unauthorized");
    CHECK(r.header("WWW-Authenticate") == "Basic realm=\"Quire\", charset=\"UTF-8\"");

    r = *h.send_with("GET", target, basic("root", "not-the-password"));
    CHECK(r.status() == 401);
    CHECK(r.header("WWW-Authenticate") == "Basic realm=\"Quire\", charset=\"UTF-8\"");
    CHECK(h.send_with("GET", target, std::string("Bearer abc"))->status() == 401);

    r = h.get(target, "alice");
    CHECK(r.status() == 403);
    CHECK(r.error() == "forbidden");

    // The fleet endpoints (admin_api_fleet_test.cpp) share two of these paths.
    r = *h.start("PUT", target);
    CHECK(r.status() == 405);
    std::string_view t = target;
    CHECK(r.header("Allow") == (t == "/api/v1/printers"         ? "GET, POST"
                                : t == "/api/v1/printers/lab-1" ? "GET, PATCH, DELETE"
                                                                : "GET"));
  }
  CHECK(h.start("DELETE", "/api/v1/printers/lab-1/counters")->status() == 405);
  CHECK(h.printers.calls.empty());
}

TEST_CASE("GET /api/v1/printers/{name}/counters: from, to and limit, with their defaults") {
  printers_harness h;
  for (int64_t t : {1000, 2000, 3000, 4000}) h.printers.snapshots["lab-1"].push_back({t, uint64_t(t) * 10, "CNB1", 7});

  int64_t before = wall_ms();
  auto r = h.get("/api/v1/printers/lab-1/counters");
  int64_t after = wall_ms();
  REQUIRE(r.status() == 200);
  CHECK(r.json() == json::parse(R"({"printer":"lab-1","counters":[
    {"time_ms":1000,"life_count":10000,"serial":"CNB1","delivered":7},
    {"time_ms":2000,"life_count":20000,"serial":"CNB1","delivered":7},
    {"time_ms":3000,"life_count":30000,"serial":"CNB1","delivered":7},
    {"time_ms":4000,"life_count":40000,"serial":"CNB1","delivered":7}]})"));
  // The defaults: from 0, to now + 1, limit 1000.
  std::string call = h.printers.calls.back();
  REQUIRE(call.rfind("counters lab-1 0 ", 0) == 0);
  int64_t to = std::stoll(call.substr(17, call.rfind(' ') - 17));
  CHECK(to >= before + 1);
  CHECK(to <= after + 1);
  CHECK(call.substr(call.rfind(' ')) == " 1000");

  r = h.get("/api/v1/printers/lab-1/counters?from=2000&to=4000&limit=1");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["counters"].size() == 1);
  CHECK(r.json()["counters"][0]["time_ms"] == 2000);
  CHECK(h.printers.calls.back() == "counters lab-1 2000 4000 1");
  CHECK(h.get("/api/v1/printers/lab-1/counters?limit=10000").status() == 200);
  CHECK(h.printers.calls.back().substr(h.printers.calls.back().rfind(' ')) == " 10000");
  CHECK(h.get("/api/v1/printers/lab-1/counters?to=1").status() == 200);
  CHECK(h.printers.calls.back() == "counters lab-1 0 1 1000");

  r = h.get("/api/v1/printers/lab-2/counters");
  REQUIRE(r.status() == 200);
  CHECK(r.json() == json::parse(R"({"printer":"lab-2","counters":[]})"));
  CHECK(h.get("/api/v1/printers/lab-9/counters").status() == 404);
}

TEST_CASE("GET /api/v1/printers/{name}/counters: a bad query is 400 with a reason, before the service") {
  printers_harness h;
  struct bad_query {
    const char* query;
    const char* says;
  };
  for (const auto& q : std::initializer_list<bad_query>{
           {"limit=0", "limit must be 1 to 10000"},
           {"limit=10001", "limit must be 1 to 10000"},
           {"limit=-1", "limit must be 1 to 10000"},
           {"limit=x", "limit must be 1 to 10000"},
           {"limit=", "limit must be 1 to 10000"},
           {"limit=1.5", "limit must be 1 to 10000"},
           {"from=-1", "from must be milliseconds"},
           {"from=abc", "from must be milliseconds"},
           {"from=", "from must be milliseconds"},
           {"from=1e3", "from must be milliseconds"},
           {"from=+5", "from must be milliseconds"},
           {"from=99999999999999999999", "from must be milliseconds"},
           {"to=-5", "to must be milliseconds"},
           {"to=0x10", "to must be milliseconds"},
           {"from=5&to=5", "from must be before to"},
           {"from=6&to=5", "from must be before to"},
           {"to=0", "from must be before to"},
           {"from=1&from=2", "twice"},
           {"after=3", "unknown query parameter"},
           {"from=%zz", "malformed"},
       }) {
    CAPTURE(q.query);
    auto r = h.get(std::string("/api/v1/printers/lab-1/counters?") + q.query);
    CHECK(r.status() == 400);
    CHECK(r.error() == "invalid_argument");
    CHECK(r.message().find(q.says) != std::string::npos);
  }
  // The other printer endpoints take no query.
  CHECK(h.get("/api/v1/printers?limit=5").status() == 400);
  CHECK(h.get("/api/v1/printers/lab-1?from=0").status() == 400);
  CHECK(h.printers.calls.empty());
  // Authorization comes before the query.
  CHECK(h.get("/api/v1/printers/lab-1/counters?limit=0", "alice").status() == 403);
}

TEST_CASE("parse_counters_query: defaults and bounds") {
  auto q = web::parse_counters_query("", 5000);
  REQUIRE(q.ok());
  CHECK(q->from_ms == 0);
  CHECK(q->to_ms == 5001);
  CHECK(q->limit == web::counters_default_limit);
  q = web::parse_counters_query("from=10&to=9223372036854775807&limit=10000", 5000);
  REQUIRE(q.ok());
  CHECK(q->from_ms == 10);
  CHECK(q->to_ms == INT64_MAX);
  CHECK(q->limit == 10000);
  q = web::parse_counters_query("", INT64_MAX);  // no overflow
  REQUIRE(q.ok());
  CHECK(q->to_ms == INT64_MAX);
  CHECK_FALSE(web::parse_counters_query("from=10", 5).ok());  // past "now": nothing to ask for
  CHECK(web::parse_counters_query("from=10&to=11", 5).ok());
}

TEST_CASE("printers: service errors keep their status, and without a service every endpoint is 503") {
  printers_harness h;
  h.printers.fail_next = error(errc::timeout, "printer lab-1 did not answer in time");
  auto r = h.get("/api/v1/printers/lab-1/counters");
  CHECK(r.status() == 503);
  CHECK(r.error() == "timeout");
  CHECK(r.message() == "printer lab-1 did not answer in time");
  h.printers.fail_next = error(errc::internal, "boom");
  CHECK(h.get("/api/v1/printers").status() == 500);

  h.with_printers = false;
  for (const char* target : {"/api/v1/printers", "/api/v1/printers/lab-1", "/api/v1/printers/lab-1/counters"}) {
    CAPTURE(target);
    r = h.get(target);
    CHECK(r.answers == 1);
    CHECK(r.status() == 503);
    CHECK(r.error() == "unavailable");
    CHECK(h.get(target, "alice").status() == 403);  // authorization still first
  }
  CHECK(h.get("/api/v1/printers/lab%201").status() == 404);
}

TEST_CASE("printers: late answers arrive once, after the handler is gone") {
  printers_harness h;
  h.printers.deferred = true;
  for (const char* target : {"/api/v1/printers", "/api/v1/printers/lab-1", "/api/v1/printers/lab-1/counters"}) {
    CAPTURE(target);
    auto reply = h.start("GET", target);
    CHECK(reply->answers == 0);
    h.printers.run_pending();
    CHECK(reply->answers == 1);
    CHECK(reply->status() == 200);
  }
}
