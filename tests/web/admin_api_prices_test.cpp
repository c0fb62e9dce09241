// The price-list and project endpoints of the admin API: read, added,
// changed and removed at run time through route_admin_api()'s
// fleet_service, and the projects a user may charge (admin_api.hpp,
// fleet_json.hpp).
#include <doctest/doctest.h>

#include "fleet_api_harness.hpp"
#include "web/fleet_json.hpp"

using namespace quire;
using namespace quire::testing;
using nlohmann::json;

namespace {

struct prices_harness : fleet_api_harness {
  prices_harness() {
    users.add("root", "root-password-1", true);
    users.add("alice", "alice-password-1");  // in no group
    users.add("bob", "bob-password-1").record.groups = {"staff", "lab"};
    fleet.add_printer("lab-1", "socket://192.0.2.10").price_list = "standard";
    fleet.add_price_list("standard", 10, 50);
    fleet.add_price_list("cheap", 5, 20, record_origin::api);
    fleet.add_project("open", {});                       // every user
    fleet.add_project("everyone", {"*"}, record_origin::api);
    fleet.add_project("staff-only", {"staff"});
    fleet.add_project("board", {"board", "finance"});
  }
};

std::vector<std::string> names_in(const json& list, const char* key) {
  std::vector<std::string> out;
  for (const auto& e : list[key]) out.push_back(e["name"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("match_route: the price-list and project endpoints, their methods, names and who may call them") {
  struct route {
    const char* method;
    const char* path;
    web::endpoint what;
    const char* name;
  };
  for (const auto& r : {route{"GET", "/api/v1/prices", web::endpoint::list_prices, ""},
                        route{"POST", "/api/v1/prices", web::endpoint::create_price_list, ""},
                        route{"GET", "/api/v1/prices/standard", web::endpoint::get_price_list, "standard"},
                        route{"PATCH", "/api/v1/prices/std.2", web::endpoint::update_price_list, "std.2"},
                        route{"DELETE", "/api/v1/prices/a%2Db", web::endpoint::delete_price_list, "a-b"},
                        route{"GET", "/api/v1/projects", web::endpoint::list_projects, ""},
                        route{"POST", "/api/v1/projects", web::endpoint::create_project, ""},
                        route{"GET", "/api/v1/projects/p1", web::endpoint::get_project, "p1"},
                        route{"PATCH", "/api/v1/projects/p1", web::endpoint::update_project, "p1"},
                        route{"DELETE", "/api/v1/projects/p_1", web::endpoint::delete_project, "p_1"}}) {
    CAPTURE(r.path);
    auto m = web::match_route(r.method, r.path);
    REQUIRE(m.status == 0);
    CHECK(m.what == r.what);
    CHECK(m.user == r.name);
    CHECK(web::needs_fleet(r.what));
    CHECK(web::needs_admin(r.what) == (r.what != web::endpoint::list_projects));
    CHECK(web::is_user_endpoint(r.what) == (r.what == web::endpoint::list_projects));
    bool body = r.what == web::endpoint::create_price_list || r.what == web::endpoint::update_price_list ||
                r.what == web::endpoint::create_project || r.what == web::endpoint::update_project;
    CHECK(web::takes_body(r.what) == body);
    CHECK(!web::takes_query(r.what));
    CHECK(!web::body_optional(r.what));
  }
  CHECK(web::match_route("PUT", "/api/v1/prices").allow == "GET, POST");
  CHECK(web::match_route("PUT", "/api/v1/projects").allow == "GET, POST");
  CHECK(web::match_route("POST", "/api/v1/prices/standard").allow == "GET, PATCH, DELETE");
  CHECK(web::match_route("PUT", "/api/v1/projects/p1").allow == "GET, PATCH, DELETE");
  for (const char* bad : {"/api/v1/prices/a%20b", "/api/v1/prices/", "/api/v1/prices/a/b", "/api/v1/projects/",
                          "/api/v1/projects/x/y", "/api/v1/projects/%zz", "/api/v1/projects/caf%C3%A9"}) {
    CAPTURE(bad);
    CHECK(web::match_route("GET", bad).status == 404);
  }
  CHECK(web::match_route("GET", std::string("/api/v1/prices/").append(65, 'a')).status == 404);
  CHECK(web::match_route("GET", std::string("/api/v1/prices/").append(64, 'a')).status == 0);
  CHECK(std::string(web::to_string(web::endpoint::update_price_list)) == "PATCH /api/v1/prices/{name}");
  CHECK(std::string(web::to_string(web::endpoint::list_projects)) == "GET /api/v1/projects");
  CHECK(web::valid_price_list_name("standard"));
  CHECK(!web::valid_project_name("a b"));
}

TEST_CASE("POST /api/v1/prices: 201 with the record and its Location, short media names stored as PWG names") {
  prices_harness h;
  auto r = h.send("POST", "/api/v1/prices",
                  R"({"name":"colour-lab","per":"impression","mono":8,"colour":40,"duplex_mono":6,
                      "duplex_colour":-1,"sizes":[{"media":"a3","mono":16,"colour":80},
                      {"media":"na_letter_8.5x11in","mono":9,"colour":45,"duplex_mono":7,"duplex_colour":30}],
                      "mono_only":false})");
  REQUIRE(r.status() == 201);
  CHECK(r.header("Location") == "/api/v1/prices/colour-lab");
  CHECK(r.json() == json::parse(R"({"name":"colour-lab","per":"impression","mono":8,"colour":40,"duplex_mono":6,
    "duplex_colour":-1,"sizes":[{"media":"iso_a3_297x420mm","mono":16,"colour":80,"duplex_mono":-1,
    "duplex_colour":-1},{"media":"na_letter_8.5x11in","mono":9,"colour":45,"duplex_mono":7,"duplex_colour":30}],
    "mono_only":false,"origin":"api"})"));
  const auto& stored = h.fleet.prices.at("colour-lab");
  CHECK(stored.origin == record_origin::api);
  REQUIRE(stored.sizes.size() == 2);
  CHECK(stored.sizes[0].first == "iso_a3_297x420mm");
  CHECK(stored.sizes[0].second == price_rate{16, 80, -1, -1});

  // Only the name is required: the defaults are the record's.
  r = h.send("POST", "/api/v1/prices", R"({"name":"free"})");
  REQUIRE(r.status() == 201);
  CHECK(r.json() == json::parse(R"({"name":"free","per":"sheet","mono":0,"colour":0,"duplex_mono":-1,
    "duplex_colour":-1,"sizes":[],"mono_only":false,"origin":"api"})"));
  r = h.send("POST", "/api/v1/prices", R"({"name":"grey","mono":3,"mono_only":true,"sizes":[{"media":"a4"}]})");
  REQUIRE(r.status() == 201);
  CHECK(r.json()["mono_only"] == true);
  CHECK(r.json()["sizes"][0] ==
        json::parse(R"({"media":"iso_a4_210x297mm","mono":0,"colour":0,"duplex_mono":-1,"duplex_colour":-1})"));

  r = h.send("POST", "/api/v1/prices", R"({"name":"standard"})");
  CHECK(r.status() == 409);
  CHECK(r.error() == "already_exists");
  // The service judges the range: its refusal is a 400 with its message.
  r = h.send("POST", "/api/v1/prices", R"({"name":"neg","mono":-5})");
  CHECK(r.status() == 400);
  CHECK(r.message() == "a rate is out of range (0 to 1000000000)");
  CHECK(h.fleet.prices.count("neg") == 0);
}

TEST_CASE("GET, PATCH and DELETE /api/v1/prices: the list, one, 200 with the record, 204, 404 and 409") {
  prices_harness h;
  auto r = h.send("GET", "/api/v1/prices");
  REQUIRE(r.status() == 200);
  CHECK(names_in(r.json(), "prices") == std::vector<std::string>{"cheap", "standard"});
  CHECK(r.json()["prices"][1] == json::parse(R"({"name":"standard","per":"sheet","mono":10,"colour":50,
    "duplex_mono":-1,"duplex_colour":-1,"sizes":[],"mono_only":false,"origin":"config"})"));
  r = h.send("GET", "/api/v1/prices/cheap");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["origin"] == "api");
  CHECK(h.send("GET", "/api/v1/prices/nope").status() == 404);

  r = h.send("PATCH", "/api/v1/prices/cheap", R"({"colour":25,"sizes":[{"media":"letter","mono":6}]})");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["colour"] == 25);
  CHECK(r.json()["mono"] == 5);  // untouched
  CHECK(r.json()["sizes"][0]["media"] == "na_letter_8.5x11in");
  REQUIRE(h.fleet.price_patches.size() == 1);
  const auto& patch = h.fleet.price_patches[0];
  CHECK(patch.colour == 25);
  CHECK(!patch.mono);
  CHECK(!patch.per);
  REQUIRE(patch.sizes);
  CHECK(patch.sizes->size() == 1);
  // "sizes": [] removes them all; mono_only false turns it off.
  r = h.send("PATCH", "/api/v1/prices/cheap", R"({"sizes":[],"mono_only":false,"per":"impression"})");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["sizes"] == json::array());
  CHECK(r.json()["per"] == "impression");
  CHECK(h.fleet.price_patches[1].mono_only == false);
  CHECK(h.send("PATCH", "/api/v1/prices/nope", R"({"mono":1})").status() == 404);

  // standard is the configuration file's and lab-1 names it; cheap is free to go.
  r = h.send("DELETE", "/api/v1/prices/standard");
  CHECK(r.status() == 409);
  CHECK(r.error() == "not_possible");
  r = h.send("DELETE", "/api/v1/prices/cheap");
  CHECK(r.status() == 204);
  CHECK(r.response.body.empty());
  CHECK(h.fleet.prices.count("cheap") == 0);
  CHECK(h.send("DELETE", "/api/v1/prices/cheap").status() == 404);
  CHECK(h.send("DELETE", "/api/v1/prices/standard", "{}").status() == 400);  // takes no body
  CHECK(h.send("GET", "/api/v1/prices?x=1").status() == 400);                // takes no query
}

TEST_CASE("price-list bodies: wrong types, numbers that are no int64, bad sizes are 400 naming the field") {
  prices_harness h;
  struct bad_body {
    const char* method;
    const char* target;
    const char* body;
    const char* message;
  };
  std::string sixty_five = R"({"name":"x","sizes":[)";
  for (int i = 0; i < 65; ++i) sixty_five.append(i ? "," : "").append(R"({"media":"a4"})");
  sixty_five.append("]}");
  std::string long_media = R"({"name":"x","sizes":[{"media":")";
  long_media.append(65, 'a').append(R"("}]})");
  for (const auto& b : {
           bad_body{"POST", "/api/v1/prices", R"({"mono":1})", "field \"name\" is required"},
           bad_body{"POST", "/api/v1/prices", R"({"name":"a b"})",
                    "field \"name\" must be 1 to 64 of A-Z a-z 0-9 _ . -"},
           bad_body{"POST", "/api/v1/prices", R"({"name":"x","origin":"api"})",
                    "field \"origin\" is the server's: it cannot be set"},
           bad_body{"POST", "/api/v1/prices", R"({"name":"x","currency":"EUR"})", "unknown field \"currency\""},
           bad_body{"POST", "/api/v1/prices", R"({"name":"x","mono":1.5})",
                    "field \"mono\" must be a whole number of minor units"},
           bad_body{"POST", "/api/v1/prices", R"({"name":"x","colour":"10"})",
                    "field \"colour\" must be a whole number of minor units"},
           bad_body{"POST", "/api/v1/prices", R"({"name":"x","duplex_mono":9223372036854775808})",
                    "field \"duplex_mono\" must be a whole number of minor units"},
           bad_body{"POST", "/api/v1/prices", R"({"name":"x","duplex_colour":1e30})",
                    "field \"duplex_colour\" must be a whole number of minor units"},
           bad_body{"POST", "/api/v1/prices", R"({"name":"x","per":"page"})",
                    "field \"per\" must be \"sheet\" or \"impression\""},
           bad_body{"POST", "/api/v1/prices", R"({"name":"x","mono_only":1})",
                    "field \"mono_only\" must be true or false"},
           bad_body{"POST", "/api/v1/prices", R"({"name":"x","sizes":{"media":"a4"}})",
                    "field \"sizes\" must be an array of {\"media\", \"mono\", \"colour\", ...}"},
           bad_body{"POST", "/api/v1/prices", sixty_five.c_str(), "field \"sizes\" may list at most 64 media sizes"},
           bad_body{"POST", "/api/v1/prices", R"({"name":"x","sizes":["a4"]})",
                    "field \"sizes[0]\" must be an object with \"media\" and rates"},
           bad_body{"POST", "/api/v1/prices", R"({"name":"x","sizes":[{"media":"a4"},{"mono":1}]})",
                    "field \"sizes[1].media\" is required"},
           bad_body{"POST", "/api/v1/prices", R"({"name":"x","sizes":[{"media":"A4"}]})",
                    "field \"sizes[0].media\" must be a media name of 1 to 64 of a-z 0-9 _ . - (a4, "
                    "iso_a4_210x297mm)"},
           bad_body{"POST", "/api/v1/prices", long_media.c_str(),
                    "field \"sizes[0].media\" must be a media name of 1 to 64 of a-z 0-9 _ . - (a4, "
                    "iso_a4_210x297mm)"},
           bad_body{"POST", "/api/v1/prices", R"({"name":"x","sizes":[{"media":"a4","colour":2.0}]})",
                    "field \"sizes[0].colour\" must be a whole number of minor units"},
           bad_body{"POST", "/api/v1/prices", R"({"name":"x","sizes":[{"media":"a4","paper":"x"}]})",
                    "unknown field \"paper\" in \"sizes[0]\""},
           bad_body{"PATCH", "/api/v1/prices/standard", R"({"name":"other"})",
                    "field \"name\" cannot be changed: remove the price list and add it again"},
           bad_body{"PATCH", "/api/v1/prices/standard", R"({"origin":"api"})",
                    "field \"origin\" is the server's: it cannot be set"},
           bad_body{"PATCH", "/api/v1/prices/standard", "{}",
                    "the body changes nothing: give per, mono, colour, duplex_mono, duplex_colour, sizes or "
                    "mono_only"},
           bad_body{"PATCH", "/api/v1/prices/standard", "[]", "the body must be a JSON object"},
       }) {
    CAPTURE(b.body);
    auto r = h.send(b.method, b.target, b.body);
    CHECK(r.status() == 400);
    CHECK(r.error() == "invalid_argument");
    CHECK(r.message() == b.message);
  }
  CHECK(h.fleet.calls.empty());
  // The largest and smallest int64 pass the API; the service judges them.
  auto ok = web::parse_price_list_patch(R"({"mono":9223372036854775807,"colour":-9223372036854775808})");
  REQUIRE(ok.ok());
  CHECK(*ok->mono == INT64_MAX);
  CHECK(*ok->colour == INT64_MIN);
}

TEST_CASE("projects: GET, POST, PATCH and DELETE by administrators, with every field") {
  prices_harness h;
  auto r = h.send("GET", "/api/v1/projects");
  REQUIRE(r.status() == 200);
  CHECK(names_in(r.json(), "projects") == std::vector<std::string>{"board", "everyone", "open", "staff-only"});
  CHECK(r.json()["projects"][0] == json::parse(R"({"name":"board","description":"Project board",
    "groups":["board","finance"],"origin":"config"})"));
  CHECK(std::find(h.users.calls.begin(), h.users.calls.end(), "get_user root by root") == h.users.calls.end());
  r = h.send("GET", "/api/v1/projects/staff-only");
  REQUIRE(r.status() == 200);
  CHECK(r.json() == json::parse(R"({"name":"staff-only","description":"Project staff-only","groups":["staff"],
    "origin":"config"})"));
  CHECK(h.send("GET", "/api/v1/projects/nope").status() == 404);

  r = h.send("POST", "/api/v1/projects", R"({"name":"thesis","description":"PhD printing","groups":["phd","lab"]})");
  REQUIRE(r.status() == 201);
  CHECK(r.header("Location") == "/api/v1/projects/thesis");
  CHECK(r.json() == json::parse(R"({"name":"thesis","description":"PhD printing","groups":["phd","lab"],
    "origin":"api"})"));
  CHECK(h.fleet.projects.at("thesis").origin == record_origin::api);
  r = h.send("POST", "/api/v1/projects", R"({"name":"bare"})");
  REQUIRE(r.status() == 201);
  CHECK(r.json() == json::parse(R"({"name":"bare","description":"","groups":[],"origin":"api"})"));
  CHECK(h.send("POST", "/api/v1/projects", R"({"name":"bare"})").status() == 409);

  r = h.send("PATCH", "/api/v1/projects/thesis", R"({"groups":[]})");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["groups"] == json::array());
  CHECK(r.json()["description"] == "PhD printing");
  REQUIRE(h.fleet.project_patches.size() == 1);
  CHECK(!h.fleet.project_patches[0].description);
  CHECK(h.fleet.project_patches[0].groups == std::vector<std::string>{});
  CHECK(h.send("PATCH", "/api/v1/projects/nope", R"({"description":"x"})").status() == 404);

  CHECK(h.send("DELETE", "/api/v1/projects/open").status() == 409);  // the configuration file's
  CHECK(h.send("DELETE", "/api/v1/projects/thesis").status() == 204);
  CHECK(h.send("DELETE", "/api/v1/projects/thesis").status() == 404);
}

TEST_CASE("project bodies: bad groups, descriptions and names are 400 naming the field") {
  prices_harness h;
  struct bad_body {
    const char* method;
    const char* target;
    const char* body;
    const char* message;
  };
  json many = json::array();
  for (int i = 0; i < 257; ++i) many.push_back(std::string("g").append(std::to_string(i)));
  std::string too_many = json{{"name", "x"}, {"groups", many}}.dump();
  std::string long_text = json{{"description", std::string(web::max_fleet_text_bytes + 1, 'd')}}.dump();
  for (const auto& b : {
           bad_body{"POST", "/api/v1/projects", R"({"description":"x"})", "field \"name\" is required"},
           bad_body{"POST", "/api/v1/projects", R"({"name":"p/1"})",
                    "field \"name\" must be 1 to 64 of A-Z a-z 0-9 _ . -"},
           bad_body{"POST", "/api/v1/projects", R"({"name":"p","origin":"config"})",
                    "field \"origin\" is the server's: it cannot be set"},
           bad_body{"POST", "/api/v1/projects", R"({"name":"p","owner":"bob"})", "unknown field \"owner\""},
           bad_body{"POST", "/api/v1/projects", R"({"name":"p","groups":"staff"})",
                    "field \"groups\" must be an array of group names"},
           bad_body{"POST", "/api/v1/projects", R"({"name":"p","groups":["staff",""]})",
                    "field \"groups\" must hold group names of 1 to 64 characters without control characters"},
           bad_body{"POST", "/api/v1/projects", R"({"name":"p","groups":["a\u0001"]})",
                    "field \"groups\" must hold group names of 1 to 64 characters without control characters"},
           bad_body{"POST", "/api/v1/projects", R"({"name":"p","groups":[7]})",
                    "field \"groups\" must hold group names of 1 to 64 characters without control characters"},
           bad_body{"POST", "/api/v1/projects", R"({"name":"p","groups":["staff","staff"]})",
                    "field \"groups\" names a group twice"},
           bad_body{"POST", "/api/v1/projects", R"({"name":"p","groups":["*"]})",
                    "field \"groups\": \"*\" is for quotas; no groups means every user"},
           bad_body{"POST", "/api/v1/projects", too_many.c_str(), "field \"groups\" may list at most 256 groups"},
           bad_body{"POST", "/api/v1/projects", R"({"name":"p","description":3})",
                    "field \"description\" must be a string"},
           bad_body{"PATCH", "/api/v1/projects/open", long_text.c_str(),
                    "field \"description\" must be at most 1024 bytes of text without control characters"},
           bad_body{"PATCH", "/api/v1/projects/open", R"({"description":"a\nb"})",
                    "field \"description\" must be at most 1024 bytes of text without control characters"},
           bad_body{"PATCH", "/api/v1/projects/open", R"({"name":"shut"})",
                    "field \"name\" cannot be changed: remove the project and add it again"},
           bad_body{"PATCH", "/api/v1/projects/open", "{}", "the body changes nothing: give description or groups"},
       }) {
    CAPTURE(b.body);
    auto r = h.send(b.method, b.target, b.body);
    CHECK(r.status() == 400);
    CHECK(r.error() == "invalid_argument");
    CHECK(r.message() == b.message);
  }
  CHECK(h.fleet.calls.empty());
}

TEST_CASE("GET /api/v1/projects for a user: only what they may charge, by name and description") {
  prices_harness h;
  // alice is in no group: the projects open to every user.
  auto r = h.send("GET", "/api/v1/projects", "", "alice");
  REQUIRE(r.status() == 200);
  CHECK(r.json() == json::parse(R"({"projects":[{"name":"everyone","description":"Project everyone"},
    {"name":"open","description":"Project open"}]})"));
  // bob is in staff and lab: those and staff's own, never board's.
  r = h.send("GET", "/api/v1/projects", "", "bob");
  REQUIRE(r.status() == 200);
  CHECK(names_in(r.json(), "projects") == std::vector<std::string>{"everyone", "open", "staff-only"});
  auto listed = r.json();  // kept: a range-for over r.json()["projects"] would read a destroyed temporary
  for (const auto& p : listed["projects"]) {
    CHECK(!p.contains("groups"));
    CHECK(!p.contains("origin"));
  }
  // The user's groups come from their own record, which the user service
  // lets them read (the fake refuses anyone else's, as the server does).
  CHECK(h.users.calls.back() == "get_user bob by bob");
  h.users.accounts.at("alice").record.groups = {"finance"};
  r = h.send("GET", "/api/v1/projects", "", "alice");
  CHECK(names_in(r.json(), "projects") == std::vector<std::string>{"board", "everyone", "open"});

  // Failures of either service are the answer.
  h.users.fail_next = error(errc::unavailable, "users busy");
  r = h.send("GET", "/api/v1/projects", "", "alice");
  CHECK(r.status() == 503);
  CHECK(r.message() == "users busy");
  h.fleet.fail_next = error(errc::unavailable, "fleet busy");
  r = h.send("GET", "/api/v1/projects", "", "alice");
  CHECK(r.status() == 503);
  CHECK(r.message() == "fleet busy");

  // Late answers from both arrive once, after the handler is gone.
  h.users.deferred = true;
  h.fleet.deferred = true;
  auto late = h.start("GET", "/api/v1/projects", "", "bob");
  // authenticate is deferred too: run until everything has answered.
  for (int i = 0; i < 4 && late->answers == 0; ++i) {
    h.users.run_pending();
    h.fleet.run_pending();
  }
  CHECK(late->answers == 1);
  CHECK(late->status() == 200);
  CHECK(names_in(late->json(), "projects") == std::vector<std::string>{"everyone", "open", "staff-only"});
}

TEST_CASE("prices and projects: 401 without credentials, 403 for a user, and the service never hears of it") {
  prices_harness h;
  struct call {
    const char* method;
    const char* target;
    const char* body;
  };
  for (const auto& c : {call{"GET", "/api/v1/prices", ""}, call{"GET", "/api/v1/prices/standard", ""},
                        call{"POST", "/api/v1/prices", R"({"name":"x"})"},
                        call{"PATCH", "/api/v1/prices/standard", R"({"mono":1})"},
                        call{"DELETE", "/api/v1/prices/cheap", ""}, call{"GET", "/api/v1/projects/open", ""},
                        call{"POST", "/api/v1/projects", R"({"name":"x"})"},
                        call{"PATCH", "/api/v1/projects/open", R"({"description":"x"})"},
                        call{"DELETE", "/api/v1/projects/everyone", ""}}) {
    CAPTURE(c.target);
    auto r = h.send(c.method, c.target, c.body, "");
    CHECK(r.status() == 401);
    CHECK(!r.header("WWW-Authenticate").empty());
    r = h.send(c.method, c.target, c.body, "bob");
    CHECK(r.status() == 403);
    CHECK(r.error() == "forbidden");
  }
  CHECK(h.send("GET", "/api/v1/projects", "", "").status() == 401);
  CHECK(h.fleet.calls.empty());
  CHECK(h.fleet.prices.size() == 2);
  CHECK(h.fleet.projects.size() == 4);
}

TEST_CASE("prices and projects: service errors keep their status, and without a fleet service 503") {
  prices_harness h;
  struct failure {
    errc code;
    int status;
  };
  struct call {
    const char* method;
    const char* target;
    const char* body;
  };
  const call calls[] = {
      {"GET", "/api/v1/prices", ""},          {"GET", "/api/v1/prices/standard", ""},
      {"POST", "/api/v1/prices", R"({"name":"x"})"}, {"PATCH", "/api/v1/prices/standard", R"({"mono":1})"},
      {"DELETE", "/api/v1/prices/cheap", ""}, {"GET", "/api/v1/projects", ""},
      {"GET", "/api/v1/projects/open", ""},   {"POST", "/api/v1/projects", R"({"name":"x"})"},
      {"PATCH", "/api/v1/projects/open", R"({"groups":[]})"}, {"DELETE", "/api/v1/projects/everyone", ""}};
  for (const auto& c : calls) {
    for (const auto& f : {failure{errc::already_exists, 409}, failure{errc::not_possible, 409},
                          failure{errc::not_found, 404}, failure{errc::invalid_argument, 400},
                          failure{errc::unavailable, 503}}) {
      CAPTURE(c.target);
      CAPTURE(f.status);
      h.fleet.fail_next = error(f.code, "the service says no");
      auto r = h.send(c.method, c.target, c.body);
      CHECK(r.status() == f.status);
      CHECK(r.error() == to_string(f.code));
      CHECK(r.message() == "the service says no");
    }
  }
  h.with_fleet = false;
  for (const auto& c : calls) {
    CAPTURE(c.target);
    auto r = h.send(c.method, c.target, c.body);
    CHECK(r.status() == 503);
    CHECK(r.message() == "this server does not change its fleet at run time");
  }
  // A user asking for the projects they may charge gets the same 503; the
  // administrators' endpoints refuse them first.
  CHECK(h.send("GET", "/api/v1/projects", "", "bob").status() == 503);
  CHECK(h.send("GET", "/api/v1/prices", "", "bob").status() == 403);
}

TEST_CASE("prices and projects: the audit log names the price list or project, a create's from its body") {
  prices_harness h;
  CHECK(h.send("POST", "/api/v1/prices", R"({"name":"p1","mono":2})").status() == 201);
  CHECK(h.send("PATCH", "/api/v1/prices/p1", R"({"colour":4})").status() == 200);
  CHECK(h.send("DELETE", "/api/v1/prices/p1").status() == 204);
  CHECK(h.send("POST", "/api/v1/projects", R"({"name":"thesis"})").status() == 201);
  CHECK(h.send("PATCH", "/api/v1/projects/thesis", R"({"name":"x"})").status() == 400);
  CHECK(h.send("DELETE", "/api/v1/projects/thesis").status() == 204);
  CHECK(h.send("POST", "/api/v1/prices", R"({"mono":1})").status() == 400);  // no name to audit
  CHECK(h.send("GET", "/api/v1/prices/standard").status() == 200);           // reads are not audited
  CHECK(h.send("GET", "/api/v1/projects", "", "bob").status() == 200);
  REQUIRE(h.audit.entries.size() == 7);
  auto is = [&](size_t i, const char* action, const char* target, int status) {
    const auto& e = h.audit.entries[i];
    CAPTURE(i);
    CHECK(e.actor == "root");
    CHECK(e.action == action);
    CHECK(e.target == target);
    CHECK(e.status == status);
  };
  is(0, "POST /api/v1/prices", "p1", 201);
  is(1, "PATCH /api/v1/prices/{name}", "p1", 200);
  is(2, "DELETE /api/v1/prices/{name}", "p1", 204);
  is(3, "POST /api/v1/projects", "thesis", 201);
  is(4, "PATCH /api/v1/projects/{name}", "thesis", 400);
  is(5, "DELETE /api/v1/projects/{name}", "thesis", 204);
  is(6, "POST /api/v1/prices", "", 400);
}

TEST_CASE("fleet_json: price lists and projects rendered, lists in the order given") {
  price_list_record l;
  l.name = "std";
  l.per = "impression";
  l.base = {1, 2, 3, 4};
  l.sizes = {{"iso_a3_297x420mm", {5, 6, -1, -1}}};
  l.mono_only = true;
  l.origin = record_origin::api;
  CHECK(json::parse(web::price_list_record_json(l)) ==
        json::parse(R"({"name":"std","per":"impression","mono":1,"colour":2,"duplex_mono":3,"duplex_colour":4,
          "sizes":[{"media":"iso_a3_297x420mm","mono":5,"colour":6,"duplex_mono":-1,"duplex_colour":-1}],
          "mono_only":true,"origin":"api"})"));
  CHECK(web::price_list_list_json({}) == R"({"prices":[]})");
  // What the API renders, it parses back to the same record.
  auto body = json::parse(web::price_list_record_json(l));
  body.erase("origin");
  auto again = web::parse_new_price_list(body.dump());
  REQUIRE(again.ok());
  CHECK(*again == l);

  project_record p;
  p.name = "thesis";
  p.description = "PhD";
  p.groups = {"phd"};
  CHECK(web::project_record_json(p) == R"({"name":"thesis","description":"PhD","groups":["phd"],"origin":"config"})");
  CHECK(web::project_list_json({p}, false) == R"({"projects":[{"name":"thesis","description":"PhD"}]})");
  CHECK(web::project_list_json({p, p}, true) ==
        R"({"projects":[{"name":"thesis","description":"PhD","groups":["phd"],"origin":"config"},)"
        R"({"name":"thesis","description":"PhD","groups":["phd"],"origin":"config"}]})");
}
