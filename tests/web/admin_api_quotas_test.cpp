// The quota endpoints of the admin API: read, added, changed and removed
// at run time through route_admin_api()'s fleet_service (admin_api.hpp,
// fleet_json.hpp), by administrators only.
#include <doctest/doctest.h>

#include "fleet_api_harness.hpp"
#include "web/fleet_json.hpp"

using namespace quire;
using namespace quire::testing;
using nlohmann::json;

namespace {

struct quotas_harness : fleet_api_harness {
  quotas_harness() {
    users.add("root", "root-password-1", true);
    users.add("bob", "bob-password-1").record.groups = {"staff"};
    fleet.add_quota("everyone", {"*"}, {}, 100);  // the configuration file's
    fleet.add_quota("staff", {"staff"}, {"alice"}, 500, record_origin::api).period = "week";
  }
};

std::vector<std::string> names_in(const json& list) {
  std::vector<std::string> out;
  for (const auto& e : list["quotas"]) out.push_back(e["name"].get<std::string>());
  return out;
}

// {"name":"q","sheets":1,"<key>":[...]} with `count` distinct names.
std::string with_names(const char* key, int count) {
  json names = json::array();
  for (int i = 0; i < count; ++i) names.push_back(std::string("n").append(std::to_string(i)));
  return json{{"name", "q"}, {"sheets", 1}, {key, names}}.dump();
}

}  // namespace

TEST_CASE("match_route: the quota endpoints, their methods, names and who may call them") {
  struct route {
    const char* method;
    const char* path;
    web::endpoint what;
    const char* name;
  };
  for (const auto& r : {route{"GET", "/api/v1/quotas", web::endpoint::list_quotas, ""},
                        route{"POST", "/api/v1/quotas", web::endpoint::create_quota, ""},
                        route{"GET", "/api/v1/quotas/students", web::endpoint::get_quota, "students"},
                        route{"PATCH", "/api/v1/quotas/q.2", web::endpoint::update_quota, "q.2"},
                        route{"DELETE", "/api/v1/quotas/a%2Db", web::endpoint::delete_quota, "a-b"}}) {
    CAPTURE(r.path);
    auto m = web::match_route(r.method, r.path);
    REQUIRE(m.status == 0);
    CHECK(m.what == r.what);
    CHECK(m.user == r.name);
    CHECK(web::needs_fleet(r.what));
    CHECK(web::needs_admin(r.what));
    CHECK(!web::is_user_endpoint(r.what));
    CHECK(!web::is_self_service(r.what));
    CHECK(web::takes_body(r.what) ==
          (r.what == web::endpoint::create_quota || r.what == web::endpoint::update_quota));
    CHECK(!web::takes_query(r.what));
    CHECK(!web::body_optional(r.what));
  }
  CHECK(web::match_route("PUT", "/api/v1/quotas").allow == "GET, POST");
  CHECK(web::match_route("POST", "/api/v1/quotas/students").allow == "GET, PATCH, DELETE");
  for (const char* bad : {"/api/v1/quotas/a%20b", "/api/v1/quotas/", "/api/v1/quotas/a/b", "/api/v1/quotas/%zz",
                          "/api/v1/quotas/caf%C3%A9", "/api/v1/quotas/*"}) {
    CAPTURE(bad);
    CHECK(web::match_route("GET", bad).status == 404);
  }
  CHECK(web::match_route("GET", "/api/v1/quotas/a%20b").message == "no such quota");
  CHECK(web::match_route("GET", std::string("/api/v1/quotas/").append(65, 'q')).status == 404);
  CHECK(web::match_route("GET", std::string("/api/v1/quotas/").append(64, 'q')).status == 0);
  CHECK(std::string(web::to_string(web::endpoint::update_quota)) == "PATCH /api/v1/quotas/{name}");
  CHECK(std::string(web::to_string(web::endpoint::list_quotas)) == "GET /api/v1/quotas");
  CHECK(web::valid_quota_name("students"));
  CHECK(!web::valid_quota_name("a b"));
  // The collections beside it still route as before.
  CHECK(web::match_route("GET", "/api/v1/prices/a%20b").message == "no such price list");
  CHECK(web::match_route("DELETE", "/api/v1/projects/x").what == web::endpoint::delete_project);
}

TEST_CASE("POST /api/v1/quotas: 201 with the record and its Location, defaults, '*' for every user") {
  quotas_harness h;
  auto r = h.send("POST", "/api/v1/quotas",
                  R"({"name":"students","groups":["students","*"],"users":["jdoe","caf\u00e9"],"period":"day",
                      "sheets":100000000})");
  REQUIRE(r.status() == 201);
  CHECK(r.header("Location") == "/api/v1/quotas/students");
  CHECK(r.json() == json::parse(R"({"name":"students","groups":["students","*"],"users":["jdoe","caf\u00e9"],
    "period":"day","sheets":100000000,"origin":"api"})"));
  const auto& stored = h.fleet.quotas.at("students");
  CHECK(stored.origin == record_origin::api);
  CHECK(stored.sheets == 100000000);
  CHECK(stored.groups == std::vector<std::string>{"students", "*"});
  CHECK(h.fleet.calls.back() == "create_quota students");

  // Only name, sheets and someone are needed: the period is a month.
  r = h.send("POST", "/api/v1/quotas", R"({"name":"all","groups":["*"],"sheets":1})");
  REQUIRE(r.status() == 201);
  CHECK(r.json() ==
        json::parse(R"({"name":"all","groups":["*"],"users":[],"period":"month","sheets":1,"origin":"api"})"));
  r = h.send("POST", "/api/v1/quotas", R"({"name":"one","users":["jdoe"],"sheets":20,"period":"year"})");
  REQUIRE(r.status() == 201);
  CHECK(r.json()["groups"] == json::array());
  CHECK(r.json()["period"] == "year");
  for (const char* period : {"week", "month"}) {
    CAPTURE(period);
    json body = {{"name", std::string("p-").append(period)}, {"users", {"jdoe"}}, {"sheets", 5}, {"period", period}};
    CHECK(h.send("POST", "/api/v1/quotas", body.dump()).status() == 201);
  }
  // Sheets at the bottom of the range; 256 of each list.
  CHECK(h.send("POST", "/api/v1/quotas", with_names("groups", 256)).status() == 201);
  h.fleet.quotas.erase("q");
  CHECK(h.send("POST", "/api/v1/quotas", with_names("users", 256)).status() == 201);

  r = h.send("POST", "/api/v1/quotas", R"({"name":"staff","groups":["x"],"sheets":3})");
  CHECK(r.status() == 409);
  CHECK(r.error() == "already_exists");
  CHECK(h.fleet.quotas.at("staff").sheets == 500);
}

TEST_CASE("GET, PATCH and DELETE /api/v1/quotas: the list, one, 200 with the record, 204, 404 and 409") {
  quotas_harness h;
  auto r = h.send("GET", "/api/v1/quotas");
  REQUIRE(r.status() == 200);
  CHECK(names_in(r.json()) == std::vector<std::string>{"everyone", "staff"});
  CHECK(r.json()["quotas"][0] == json::parse(R"({"name":"everyone","groups":["*"],"users":[],"period":"month",
    "sheets":100,"origin":"config"})"));
  r = h.send("GET", "/api/v1/quotas/staff");
  REQUIRE(r.status() == 200);
  CHECK(r.json() == json::parse(R"({"name":"staff","groups":["staff"],"users":["alice"],"period":"week",
    "sheets":500,"origin":"api"})"));
  r = h.send("GET", "/api/v1/quotas/nope");
  CHECK(r.status() == 404);
  CHECK(r.message() == "there is no quota nope");
  h.fleet.quotas.clear();
  CHECK(h.send("GET", "/api/v1/quotas").response.body == R"({"quotas":[]})");
}

TEST_CASE("PATCH /api/v1/quotas/{name}: what it names changes, the service judges an emptied list") {
  quotas_harness h;
  auto r = h.send("PATCH", "/api/v1/quotas/staff", R"({"sheets":750,"period":"month"})");
  REQUIRE(r.status() == 200);
  CHECK(r.header("Location").empty());
  CHECK(r.json() == json::parse(R"({"name":"staff","groups":["staff"],"users":["alice"],"period":"month",
    "sheets":750,"origin":"api"})"));
  REQUIRE(h.fleet.quota_patches.size() == 1);
  const auto& patch = h.fleet.quota_patches[0];
  CHECK(patch.sheets == 750u);
  CHECK(patch.period == "month");
  CHECK(!patch.groups);
  CHECK(!patch.users);

  // Lists replace the record's; [] empties one, which the record's other list allows.
  r = h.send("PATCH", "/api/v1/quotas/staff", R"({"users":[],"groups":["*","staff"]})");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["users"] == json::array());
  CHECK(r.json()["groups"] == json::parse(R"(["*","staff"])"));
  CHECK(h.fleet.quota_patches[1].users == std::vector<std::string>{});
  // Emptying the only list left is the service's to refuse (400 with its message).
  r = h.send("PATCH", "/api/v1/quotas/staff", R"({"groups":[]})");
  CHECK(r.status() == 400);
  CHECK(r.error() == "invalid_argument");
  CHECK(r.message() == "a quota needs at least one group (\"*\": every user) or user");
  CHECK(h.fleet.calls.back() == "update_quota staff");
  CHECK(h.fleet.quotas.at("staff").groups == std::vector<std::string>{"*", "staff"});
  // A config quota changes too (the file wins again at the next start).
  CHECK(h.send("PATCH", "/api/v1/quotas/everyone", R"({"sheets":200})").status() == 200);
  CHECK(h.send("PATCH", "/api/v1/quotas/nope", R"({"sheets":1})").status() == 404);
}

TEST_CASE("DELETE /api/v1/quotas/{name}: 204, 404, and the configuration file's refused with 409") {
  quotas_harness h;
  auto r = h.send("DELETE", "/api/v1/quotas/everyone");
  CHECK(r.status() == 409);
  CHECK(r.error() == "not_possible");
  CHECK(h.fleet.quotas.count("everyone") == 1);
  r = h.send("DELETE", "/api/v1/quotas/staff");
  CHECK(r.status() == 204);
  CHECK(r.response.body.empty());
  CHECK(h.fleet.quotas.count("staff") == 0);
  CHECK(h.send("DELETE", "/api/v1/quotas/staff").status() == 404);
  CHECK(h.send("DELETE", "/api/v1/quotas/everyone", "{}").status() == 400);  // takes no body
  CHECK(h.send("GET", "/api/v1/quotas?x=1").status() == 400);                // takes no query
}

TEST_CASE("quota bodies: sheets, period, groups, users and names are 400 naming the field") {
  quotas_harness h;
  struct bad_body {
    const char* method;
    const char* target;
    std::string body;
    const char* message;
  };
  const char* sheets_rule = "field \"sheets\" must be a whole number from 1 to 100000000";
  const char* period_rule = "field \"period\" must be \"day\", \"week\", \"month\" or \"year\"";
  const char* group_rule = "field \"groups\" must hold group names of 1 to 64 characters without control characters";
  const char* user_rule = "field \"users\" must hold user names of 1 to 64 characters without control characters";
  const char* nobody = "a quota needs at least one group (\"*\": every user) or user";
  const char* post = "/api/v1/quotas";
  const char* patch = "/api/v1/quotas/staff";
  std::string long_name = json{{"name", "q"}, {"sheets", 1}, {"users", {std::string(65, 'u')}}}.dump();
  for (const auto& b : {
           bad_body{"POST", post, R"({"sheets":1,"groups":["*"]})", "field \"name\" is required"},
           bad_body{"POST", post, R"({"name":"a b","sheets":1,"groups":["*"]})",
                    "field \"name\" must be 1 to 64 of A-Z a-z 0-9 _ . -"},
           bad_body{"POST", post, R"({"name":7,"sheets":1})", "field \"name\" must be a string"},
           bad_body{"POST", post, R"({"name":"q","groups":["*"]})", "field \"sheets\" is required"},
           bad_body{"POST", post, R"({"name":"q","groups":["*"],"sheets":0})", sheets_rule},
           bad_body{"POST", post, R"({"name":"q","groups":["*"],"sheets":100000001})", sheets_rule},
           bad_body{"POST", post, R"({"name":"q","groups":["*"],"sheets":-1})", sheets_rule},
           bad_body{"POST", post, R"({"name":"q","groups":["*"],"sheets":18446744073709551616})", sheets_rule},
           bad_body{"POST", post, R"({"name":"q","groups":["*"],"sheets":-9223372036854775808})", sheets_rule},
           bad_body{"POST", post, R"({"name":"q","groups":["*"],"sheets":1.0})", sheets_rule},
           bad_body{"POST", post, R"({"name":"q","groups":["*"],"sheets":"10"})", sheets_rule},
           bad_body{"POST", post, R"({"name":"q","groups":["*"],"sheets":null})", sheets_rule},
           bad_body{"POST", post, R"({"name":"q","groups":["*"],"sheets":1,"period":"fortnight"})", period_rule},
           bad_body{"POST", post, R"({"name":"q","groups":["*"],"sheets":1,"period":"Month"})", period_rule},
           bad_body{"POST", post, R"({"name":"q","groups":["*"],"sheets":1,"period":""})", period_rule},
           bad_body{"POST", post, R"({"name":"q","groups":["*"],"sheets":1,"period":3})",
                    "field \"period\" must be a string"},
           bad_body{"POST", post, R"({"name":"q","sheets":1})", nobody},
           bad_body{"POST", post, R"({"name":"q","sheets":1,"groups":[],"users":[]})", nobody},
           bad_body{"POST", post, R"({"name":"q","sheets":1,"groups":"staff"})",
                    "field \"groups\" must be an array of group names"},
           bad_body{"POST", post, R"({"name":"q","sheets":1,"groups":["staff",""]})", group_rule},
           bad_body{"POST", post, R"({"name":"q","sheets":1,"groups":["a\u0001"]})", group_rule},
           bad_body{"POST", post, R"({"name":"q","sheets":1,"groups":[7]})", group_rule},
           bad_body{"POST", post, R"({"name":"q","sheets":1,"groups":["*","*"]})",
                    "field \"groups\" names a group twice"},
           bad_body{"POST", post, R"({"name":"q","sheets":1,"groups":["s","t","s"]})",
                    "field \"groups\" names a group twice"},
           bad_body{"POST", post, with_names("groups", 257), "field \"groups\" may list at most 256 groups"},
           bad_body{"POST", post, R"({"name":"q","sheets":1,"users":"jdoe"})",
                    "field \"users\" must be an array of user names"},
           bad_body{"POST", post, R"({"name":"q","sheets":1,"users":[""]})", user_rule},
           bad_body{"POST", post, R"({"name":"q","sheets":1,"users":[null]})", user_rule},
           bad_body{"POST", post, long_name, user_rule},
           bad_body{"POST", post, R"({"name":"q","sheets":1,"users":["jdoe","jdoe"]})",
                    "field \"users\" names a user twice"},
           bad_body{"POST", post, R"({"name":"q","sheets":1,"users":["*"]})",
                    "field \"users\": \"*\" (every user) is for \"groups\""},
           bad_body{"POST", post, with_names("users", 257), "field \"users\" may list at most 256 users"},
           bad_body{"POST", post, R"({"name":"q","sheets":1,"groups":["*"],"origin":"api"})",
                    "field \"origin\" is the server's: it cannot be set"},
           bad_body{"POST", post, R"({"name":"q","sheets":1,"groups":["*"],"owner":"x"})", "unknown field \"owner\""},
           bad_body{"POST", post, R"({"name":"q","sheets":1,"sheets":2,"groups":["*"]})",
                    "a key appears twice in one object"},
           bad_body{"POST", post, "[]", "the body must be a JSON object"},
           bad_body{"PATCH", patch, R"({"name":"other"})",
                    "field \"name\" cannot be changed: remove the quota and add it again"},
           bad_body{"PATCH", patch, R"({"origin":"api"})", "field \"origin\" is the server's: it cannot be set"},
           bad_body{"PATCH", patch, "{}", "the body changes nothing: give groups, users, period or sheets"},
           bad_body{"PATCH", patch, R"({"groups":[],"users":[]})", nobody},
           bad_body{"PATCH", patch, R"({"sheets":0})", sheets_rule},
           bad_body{"PATCH", patch, R"({"sheets":100000001})", sheets_rule},
           bad_body{"PATCH", patch, R"({"period":"hour"})", period_rule},
           bad_body{"PATCH", patch, R"({"users":["a","a"]})", "field \"users\" names a user twice"},
           bad_body{"PATCH", patch, R"({"groups":["g","g"]})", "field \"groups\" names a group twice"},
           bad_body{"PATCH", patch, R"({"users":["*"]})", "field \"users\": \"*\" (every user) is for \"groups\""},
           bad_body{"PATCH", patch, R"({"limit":5})", "unknown field \"limit\""},
       }) {
    CAPTURE(b.body);
    auto r = h.send(b.method, b.target, b.body);
    CHECK(r.status() == 400);
    CHECK(r.error() == "invalid_argument");
    CHECK(r.message() == b.message);
  }
  CHECK(h.fleet.calls.empty());
}

TEST_CASE("fleet_json: parse_new_quota and parse_quota_patch, the boundaries") {
  auto q = web::parse_new_quota(R"({"name":"q","groups":["*"],"sheets":100000000})");
  REQUIRE(q.ok());
  CHECK(q->sheets == 100000000u);
  CHECK(q->period == "month");
  CHECK(q->origin == record_origin::api);
  q = web::parse_new_quota(R"({"name":"q","users":["u"],"sheets":1})");
  REQUIRE(q.ok());
  CHECK(q->sheets == 1u);
  CHECK(!web::parse_new_quota(R"({"name":"q","users":["u"],"sheets":0})").ok());
  CHECK(!web::parse_new_quota(R"({"name":"q","users":["u"],"sheets":100000001})").ok());
  // "*" is a group here (every user), and a user's name may hold one.
  CHECK(web::parse_new_quota(R"({"name":"q","groups":["*"],"users":["a*"],"sheets":3})").ok());

  auto p = web::parse_quota_patch(R"({"groups":[]})");
  REQUIRE(p.ok());
  CHECK(p->groups == std::vector<std::string>{});
  CHECK(!p->users);
  p = web::parse_quota_patch(R"({"users":[],"groups":["*"]})");
  REQUIRE(p.ok());
  CHECK(p->users == std::vector<std::string>{});
  p = web::parse_quota_patch(R"({"sheets":1,"period":"day","users":["x"]})");
  REQUIRE(p.ok());
  CHECK(p->sheets == 1u);
  CHECK(p->period == "day");
  for (const char* period : {"day", "week", "month", "year"}) CHECK(web::valid_quota_period(period));
  for (const char* period : {"", "days", "DAY", "quarter"}) CHECK(!web::valid_quota_period(period));
}

TEST_CASE("quotas: 401 without credentials, 403 for a user, and the service never hears of it") {
  quotas_harness h;
  struct call {
    const char* method;
    const char* target;
    const char* body;
  };
  for (const auto& c : {call{"GET", "/api/v1/quotas", ""}, call{"GET", "/api/v1/quotas/staff", ""},
                        call{"POST", "/api/v1/quotas", R"({"name":"x","groups":["*"],"sheets":1})"},
                        call{"PATCH", "/api/v1/quotas/staff", R"({"sheets":1})"},
                        call{"DELETE", "/api/v1/quotas/staff", ""}}) {
    CAPTURE(c.method);
    CAPTURE(c.target);
    auto r = h.send(c.method, c.target, c.body, "");
    CHECK(r.status() == 401);
    CHECK(!r.header("WWW-Authenticate").empty());
    r = h.send(c.method, c.target, c.body, "bob");
    CHECK(r.status() == 403);
    CHECK(r.error() == "forbidden");
  }
  CHECK(h.fleet.calls.empty());
  CHECK(h.fleet.quotas.size() == 2);
  CHECK(h.fleet.quotas.at("staff").sheets == 500);
}

TEST_CASE("quotas: service errors keep their status, late answers arrive once, and without a fleet 503") {
  quotas_harness h;
  struct failure {
    errc code;
    int status;
  };
  struct call {
    const char* method;
    const char* target;
    const char* body;
  };
  const call calls[] = {{"GET", "/api/v1/quotas", ""},
                        {"GET", "/api/v1/quotas/staff", ""},
                        {"POST", "/api/v1/quotas", R"({"name":"x","groups":["*"],"sheets":1})"},
                        {"PATCH", "/api/v1/quotas/staff", R"({"sheets":2})"},
                        {"DELETE", "/api/v1/quotas/staff", ""}};
  for (const auto& c : calls) {
    for (const auto& f : {failure{errc::already_exists, 409}, failure{errc::not_possible, 409},
                          failure{errc::not_found, 404}, failure{errc::invalid_argument, 400},
                          failure{errc::unavailable, 503}}) {
      CAPTURE(c.method);
      CAPTURE(f.status);
      h.fleet.fail_next = error(f.code, "the service says no");
      auto r = h.send(c.method, c.target, c.body);
      CHECK(r.status() == f.status);
      CHECK(r.error() == to_string(f.code));
      CHECK(r.message() == "the service says no");
    }
  }
  CHECK(h.fleet.quotas.count("x") == 0);

  h.fleet.deferred = true;
  for (const auto& c : calls) {
    CAPTURE(c.method);
    auto late = h.start(c.method, c.target, c.body);
    CHECK(late->answers == 0);
    h.fleet.run_pending();
    CHECK(late->answers == 1);
    CHECK(late->status() < 300);
  }
  h.fleet.deferred = false;

  h.with_fleet = false;
  for (const auto& c : calls) {
    CAPTURE(c.method);
    auto r = h.send(c.method, c.target, c.body);
    CHECK(r.status() == 503);
    CHECK(r.message() == "this server does not change its fleet at run time");
  }
  CHECK(h.send("GET", "/api/v1/quotas", "", "bob").status() == 403);
}

TEST_CASE("quotas: the audit log names the quota, a create's from its body, and not reads") {
  quotas_harness h;
  CHECK(h.send("POST", "/api/v1/quotas", R"({"name":"q1","groups":["*"],"sheets":10})").status() == 201);
  CHECK(h.send("PATCH", "/api/v1/quotas/q1", R"({"sheets":20})").status() == 200);
  CHECK(h.send("PATCH", "/api/v1/quotas/q1", R"({"sheets":0})").status() == 400);
  CHECK(h.send("DELETE", "/api/v1/quotas/q1").status() == 204);
  CHECK(h.send("DELETE", "/api/v1/quotas/everyone").status() == 409);
  CHECK(h.send("POST", "/api/v1/quotas", R"({"sheets":1})").status() == 400);  // no name to audit
  CHECK(h.send("POST", "/api/v1/quotas", R"({"name":"q2","sheets":0,"groups":["*"]})").status() == 400);
  CHECK(h.send("GET", "/api/v1/quotas/staff").status() == 200);  // reads are not audited
  CHECK(h.send("GET", "/api/v1/quotas").status() == 200);
  CHECK(h.send("GET", "/api/v1/quotas", "", "bob").status() == 403);    // nor refused ones
  CHECK(h.send("PATCH", "/api/v1/quotas/staff", R"({"sheets":1})", "bob").status() == 403);
  REQUIRE(h.audit.entries.size() == 8);
  auto is = [&](size_t i, const char* actor, const char* action, const char* target, int status) {
    const auto& e = h.audit.entries[i];
    CAPTURE(i);
    CHECK(e.actor == actor);
    CHECK(e.action == action);
    CHECK(e.target == target);
    CHECK(e.status == status);
  };
  is(0, "root", "POST /api/v1/quotas", "q1", 201);
  is(1, "root", "PATCH /api/v1/quotas/{name}", "q1", 200);
  is(2, "root", "PATCH /api/v1/quotas/{name}", "q1", 400);
  is(3, "root", "DELETE /api/v1/quotas/{name}", "q1", 204);
  is(4, "root", "DELETE /api/v1/quotas/{name}", "everyone", 409);
  is(5, "root", "POST /api/v1/quotas", "", 400);
  is(6, "root", "POST /api/v1/quotas", "", 400);  // refused before it names anything
  is(7, "bob", "PATCH /api/v1/quotas/{name}", "staff", 403);
}

TEST_CASE("fleet_json: quotas rendered, lists in the order given, and parsed back") {
  quota_record q;
  q.name = "students";
  q.groups = {"students", "*"};
  q.users = {"jdoe"};
  q.period = "week";
  q.sheets = 300;
  q.origin = record_origin::api;
  CHECK(web::quota_record_json(q) == R"({"name":"students","groups":["students","*"],"users":["jdoe"],)"
                                     R"("period":"week","sheets":300,"origin":"api"})");
  CHECK(web::quota_list_json({}) == R"({"quotas":[]})");
  quota_record other;
  other.name = "a";
  other.users = {"x"};
  other.sheets = 1;
  auto list = json::parse(web::quota_list_json({q, other}));
  CHECK(names_in(list) == std::vector<std::string>{"students", "a"});
  CHECK(list["quotas"][1]["origin"] == "config");
  // What the API renders, it parses back to the same record.
  auto body = json::parse(web::quota_record_json(q));
  body.erase("origin");
  auto again = web::parse_new_quota(body.dump());
  REQUIRE(again.ok());
  CHECK(*again == q);
}
