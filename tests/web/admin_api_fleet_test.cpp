// The fleet endpoints of the admin API: printers and queues added, changed
// and removed at run time through route_admin_api()'s fleet_service, a
// printer's settings beside its state, and reprint (admin_api.hpp,
// fleet_json.hpp).
#include <doctest/doctest.h>

#include "fleet_api_harness.hpp"
#include "web/fleet_json.hpp"

using namespace quire;
using namespace quire::testing;
using nlohmann::json;

namespace {

// A device URI with credentials: no answer may show them.
constexpr const char* secret_uri = "ipps://scan:hunter2-secret@printer.example:631/ipp/print";

struct fleet_harness : fleet_api_harness {
  fleet_harness() {
    users.add("root", "root-password-1", true);
    users.add("alice", "alice-password-1");
    printers.add("lab-1").location = "Room 101";
    printers.add("lab-2");
    fleet.add_printer("lab-1", secret_uri).location = "Room 101";
    fleet.add_printer("lab-2", "socket://192.0.2.20:9100", record_origin::api);
    fleet.add_queue("secure", queue_type::pull, {"lab-1", "lab-2"});
  }
};

bool shows_secret(const api_reply& r) { return r.response.body.find("hunter2-secret") != std::string::npos; }

}  // namespace

TEST_CASE("match_route: the fleet endpoints, their methods, names and who may call them") {
  struct route {
    const char* method;
    const char* path;
    web::endpoint what;
    const char* name;
  };
  for (const auto& r : {route{"POST", "/api/v1/printers", web::endpoint::create_printer, ""},
                        route{"PATCH", "/api/v1/printers/lab-1", web::endpoint::update_printer, "lab-1"},
                        route{"DELETE", "/api/v1/printers/lab%2D1", web::endpoint::delete_printer, "lab-1"},
                        route{"GET", "/api/v1/queues/secure", web::endpoint::get_queue, "secure"},
                        route{"POST", "/api/v1/queues", web::endpoint::create_queue, ""},
                        route{"PATCH", "/api/v1/queues/secure", web::endpoint::update_queue, "secure"},
                        route{"DELETE", "/api/v1/queues/secure", web::endpoint::delete_queue, "secure"},
                        route{"POST", "/api/v1/jobs/7/reprint", web::endpoint::reprint_job, ""}}) {
    CAPTURE(r.path);
    auto m = web::match_route(r.method, r.path);
    REQUIRE(m.status == 0);
    CHECK(m.what == r.what);
    CHECK(m.user == r.name);
    CHECK(web::needs_admin(r.what) == (r.what != web::endpoint::reprint_job));
    CHECK(web::needs_fleet(r.what) == (r.what != web::endpoint::reprint_job));
  }
  CHECK(web::match_route("POST", "/api/v1/jobs/7/reprint").job == 7);
  CHECK(web::match_route("PUT", "/api/v1/printers").allow == "GET, POST");
  CHECK(web::match_route("PUT", "/api/v1/queues").allow == "GET, POST");
  CHECK(web::match_route("PUT", "/api/v1/queues/secure").allow == "GET, PATCH, DELETE");
  CHECK(web::match_route("POST", "/api/v1/printers/lab-1").allow == "GET, PATCH, DELETE");
  CHECK(web::match_route("GET", "/api/v1/jobs/7/reprint").allow == "POST");
  CHECK(web::match_route("GET", "/api/v1/queues/a%20b").status == 404);
  CHECK(web::match_route("GET", "/api/v1/queues/").status == 404);
  CHECK(web::match_route("GET", "/api/v1/queues/a/b").status == 404);
  CHECK(web::match_route("DELETE", std::string("/api/v1/printers/").append(65, 'a')).status == 404);
  for (auto e : {web::endpoint::create_printer, web::endpoint::update_printer, web::endpoint::create_queue,
                 web::endpoint::update_queue, web::endpoint::reprint_job}) {
    CHECK(web::takes_body(e));
    CHECK(web::body_optional(e) == (e == web::endpoint::reprint_job));
  }
  for (auto e : {web::endpoint::delete_printer, web::endpoint::delete_queue, web::endpoint::get_queue}) {
    CHECK(!web::takes_body(e));
    CHECK(!web::takes_query(e));
  }
  CHECK(!web::needs_admin(web::endpoint::list_queues));
  CHECK(std::string(web::to_string(web::endpoint::reprint_job)) == "POST /api/v1/jobs/{id}/reprint");
  CHECK(std::string(web::to_string(web::endpoint::delete_queue)) == "DELETE /api/v1/queues/{name}");
  CHECK(web::last_endpoint == web::endpoint::revoke_terminal);
}

TEST_CASE("POST /api/v1/printers: 201 with the record and its Location, origin api, URI redacted") {
  fleet_harness h;
  auto r = h.send("POST", "/api/v1/printers",
                  R"({"name":"lab-3","device_uri":"ipp://bob:pa55-word@192.0.2.30/ipp/print","location":"Room 3",
                      "info":"by the door","make_and_model":"HP M507","language":"application/pdf",
                      "price_list":"standard"})");
  REQUIRE(r.status() == 201);
  CHECK(r.header("Location") == "/api/v1/printers/lab-3");
  CHECK(r.json() == json::parse(R"({"name":"lab-3","device_uri":"ipp://***@192.0.2.30/ipp/print",
    "language":"application/pdf","location":"Room 3","info":"by the door","make_and_model":"HP M507",
    "price_list":"standard","origin":"api"})"));
  CHECK(r.response.body.find("pa55-word") == std::string::npos);
  // The service got the URI whole: only what is shown is redacted.
  CHECK(h.fleet.printers.at("lab-3").device_uri == "ipp://bob:pa55-word@192.0.2.30/ipp/print");
  CHECK(h.fleet.printers.at("lab-3").origin == record_origin::api);

  // Only name and device_uri are required; the language defaults as config/'s does.
  r = h.send("POST", "/api/v1/printers", R"({"name":"lab-4","device_uri":"socket://192.0.2.40"})");
  REQUIRE(r.status() == 201);
  CHECK(r.json()["language"] == "application/octet-stream");
  CHECK(r.json()["price_list"] == "");

  r = h.send("POST", "/api/v1/printers", R"({"name":"lab-4","device_uri":"socket://192.0.2.41"})");
  CHECK(r.status() == 409);
  CHECK(r.error() == "already_exists");
}

TEST_CASE("PATCH and DELETE /api/v1/printers/{name}: 200 with the record, 204, 404 and 409") {
  fleet_harness h;
  auto r = h.send("PATCH", "/api/v1/printers/lab-2", R"({"location":"Room 2","price_list":""})");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["location"] == "Room 2");
  CHECK(r.json()["name"] == "lab-2");
  REQUIRE(h.fleet.printer_patches.size() == 1);
  CHECK(h.fleet.printer_patches[0].location == "Room 2");
  CHECK(h.fleet.printer_patches[0].price_list == "");
  CHECK(!h.fleet.printer_patches[0].device_uri);

  CHECK(h.send("PATCH", "/api/v1/printers/nope", R"({"info":"x"})").status() == 404);
  // lab-2 is in use by a queue; lab-1 is the configuration file's.
  r = h.send("DELETE", "/api/v1/printers/lab-2");
  CHECK(r.status() == 409);
  CHECK(r.error() == "not_possible");
  CHECK(h.send("DELETE", "/api/v1/printers/lab-1").status() == 409);
  h.fleet.queues.clear();
  r = h.send("DELETE", "/api/v1/printers/lab-2");
  CHECK(r.status() == 204);
  CHECK(r.response.body.empty());
  CHECK(h.fleet.printers.count("lab-2") == 0);
  CHECK(h.send("DELETE", "/api/v1/printers/lab-2").status() == 404);
  CHECK(h.send("DELETE", "/api/v1/printers/lab-1", "{}").status() == 400);  // takes no body
}

TEST_CASE("GET /api/v1/printers/{name}: the state with its settings, the state alone without them") {
  fleet_harness h;
  auto r = h.send("GET", "/api/v1/printers/lab-1");
  REQUIRE(r.status() == 200);
  auto j = r.json();
  CHECK(j["location"] == "Room 101");
  CHECK(j["state"] == "idle");
  CHECK(j["settings"] == json::parse(R"({"name":"lab-1","device_uri":"ipps://***@printer.example:631/ipp/print",
    "language":"application/pdf","location":"Room 101","info":"","make_and_model":"","price_list":"",
    "origin":"config"})"));
  CHECK(!shows_secret(r));

  // The fleet does not know it (yet, or any more): the state alone.
  h.fleet.printers.erase("lab-1");
  r = h.send("GET", "/api/v1/printers/lab-1");
  REQUIRE(r.status() == 200);
  CHECK(!r.json().contains("settings"));
  CHECK(r.json()["name"] == "lab-1");
  // Another failure of the fleet service is the answer.
  h.fleet.fail_next = error(errc::unavailable, "busy");
  CHECK(h.send("GET", "/api/v1/printers/lab-2").status() == 503);
  // Without a fleet service: the state alone, as before.
  h.with_fleet = false;
  r = h.send("GET", "/api/v1/printers/lab-2");
  REQUIRE(r.status() == 200);
  CHECK(!r.json().contains("settings"));
  // A printer the state does not know is 404 whatever the fleet says.
  h.with_fleet = true;
  CHECK(h.send("GET", "/api/v1/printers/lab-9").status() == 404);
}

TEST_CASE("queues: GET, POST, PATCH and DELETE by administrators, GET /api/v1/queues unchanged") {
  fleet_harness h;
  auto r = h.send("GET", "/api/v1/queues/secure");
  REQUIRE(r.status() == 200);
  CHECK(r.json() == json::parse(R"({"name":"secure","type":"pull","printers":["lab-1","lab-2"],"location":"",
    "info":"","authentication":false,"failover":false,"origin":"config"})"));
  CHECK(h.send("GET", "/api/v1/queues/nope").status() == 404);

  r = h.send("POST", "/api/v1/queues",
             R"({"name":"fast","type":"group","printers":["lab-2","lab-1"],"location":"Hall","info":"quick",
                 "authentication":true,"failover":true})");
  REQUIRE(r.status() == 201);
  CHECK(r.header("Location") == "/api/v1/queues/fast");
  CHECK(r.json() == json::parse(R"({"name":"fast","type":"group","printers":["lab-2","lab-1"],"location":"Hall",
    "info":"quick","authentication":true,"failover":true,"origin":"api"})"));
  CHECK(h.fleet.queues.at("fast").auth_required);
  CHECK(h.send("POST", "/api/v1/queues", R"({"name":"fast","type":"pull"})").status() == 409);
  // The service's own refusal: a printer it does not have.
  r = h.send("POST", "/api/v1/queues", R"({"name":"q2","type":"direct","printers":["lab-9"]})");
  CHECK(r.status() == 400);
  CHECK(r.message() == "there is no printer lab-9");

  r = h.send("PATCH", "/api/v1/queues/fast", R"({"type":"direct","printers":["lab-1"],"failover":false})");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["type"] == "direct");
  CHECK(r.json()["printers"] == json::array({"lab-1"}));
  CHECK(r.json()["failover"] == false);
  CHECK(r.json()["authentication"] == true);  // untouched
  REQUIRE(h.fleet.queue_patches.size() == 1);
  CHECK(h.fleet.queue_patches[0].type == queue_type::direct);
  CHECK(!h.fleet.queue_patches[0].auth_required);

  CHECK(h.send("DELETE", "/api/v1/queues/secure").status() == 409);  // the configuration file's
  CHECK(h.send("DELETE", "/api/v1/queues/fast").status() == 204);
  CHECK(h.send("DELETE", "/api/v1/queues/fast").status() == 404);

  // The users' listing is still the job service's, for every user.
  h.jobs.queues = {{"secure", "pull", "Secure print", {"lab-1"}}};
  r = h.send("GET", "/api/v1/queues", "", "alice");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["queues"][0]["name"] == "secure");
  CHECK(std::find(h.fleet.calls.begin(), h.fleet.calls.end(), "list_queues") == h.fleet.calls.end());
}

TEST_CASE("fleet endpoints: 401 without credentials, 403 for a user, and the service never hears of it") {
  fleet_harness h;
  struct call {
    const char* method;
    const char* target;
    const char* body;
  };
  for (const auto& c : {call{"POST", "/api/v1/printers", R"({"name":"x","device_uri":"socket://h"})"},
                        call{"PATCH", "/api/v1/printers/lab-1", R"({"info":"x"})"},
                        call{"DELETE", "/api/v1/printers/lab-1", ""}, call{"GET", "/api/v1/queues/secure", ""},
                        call{"POST", "/api/v1/queues", R"({"name":"q","type":"pull"})"},
                        call{"PATCH", "/api/v1/queues/secure", R"({"info":"x"})"},
                        call{"DELETE", "/api/v1/queues/secure", ""}}) {
    CAPTURE(c.target);
    auto r = h.send(c.method, c.target, c.body, "");
    CHECK(r.status() == 401);
    CHECK(!r.header("WWW-Authenticate").empty());
    r = h.send(c.method, c.target, c.body, "alice");
    CHECK(r.status() == 403);
    CHECK(r.error() == "forbidden");
  }
  CHECK(h.fleet.calls.empty());
  CHECK(h.fleet.printers.size() == 2);
  CHECK(h.fleet.queues.size() == 1);
}

TEST_CASE("fleet bodies: unknown key, wrong type, bad name, bad type, missing field are 400 with a clear message") {
  fleet_harness h;
  struct bad_body {
    const char* method;
    const char* target;
    const char* body;
    const char* message;
  };
  for (const auto& b : {
           bad_body{"POST", "/api/v1/printers", R"({"name":"x","device_uri":"socket://h","colour":true})",
                    "unknown field \"colour\""},
           bad_body{"POST", "/api/v1/printers", R"({"name":"x","device_uri":42})",
                    "field \"device_uri\" must be a string"},
           bad_body{"POST", "/api/v1/printers", R"({"name":"lab 1","device_uri":"socket://h"})",
                    "field \"name\" must be 1 to 64 of A-Z a-z 0-9 _ . -"},
           bad_body{"POST", "/api/v1/printers", R"({"name":"x"})", "field \"device_uri\" is required"},
           bad_body{"POST", "/api/v1/printers", R"({"device_uri":"socket://h"})", "field \"name\" is required"},
           bad_body{"POST", "/api/v1/printers", R"({"name":"x","device_uri":"socket://h","origin":"config"})",
                    "field \"origin\" is the server's: it cannot be set"},
           bad_body{"POST", "/api/v1/printers", R"({"name":"x","device_uri":"no scheme"})",
                    "field \"device_uri\" must be a URI (scheme://...) of 1 to 2048 bytes without spaces"},
           bad_body{"PATCH", "/api/v1/printers/lab-1", R"({"name":"lab-9"})",
                    "field \"name\" cannot be changed: remove the printer and add it again"},
           bad_body{"PATCH", "/api/v1/printers/lab-1", "{}",
                    "the body changes nothing: give device_uri, language, location, info, make_and_model or "
                    "price_list"},
           bad_body{"PATCH", "/api/v1/printers/lab-1", R"({"location":"a\u0007b"})",
                    "field \"location\" must be at most 1024 bytes of text without control characters"},
           bad_body{"POST", "/api/v1/queues", R"({"name":"q","type":"fifo"})",
                    "field \"type\" must be \"pull\", \"direct\" or \"group\""},
           bad_body{"POST", "/api/v1/queues", R"({"name":"q"})", "field \"type\" is required"},
           bad_body{"POST", "/api/v1/queues", R"({"name":"q/1","type":"pull"})",
                    "field \"name\" must be 1 to 64 of A-Z a-z 0-9 _ . -"},
           bad_body{"POST", "/api/v1/queues", R"({"name":"q","type":"pull","printers":"lab-1"})",
                    "field \"printers\" must be an array of printer names"},
           bad_body{"POST", "/api/v1/queues", R"({"name":"q","type":"pull","printers":["lab 1"]})",
                    "field \"printers\" must hold printer names of 1 to 64 of A-Z a-z 0-9 _ . -"},
           bad_body{"POST", "/api/v1/queues", R"({"name":"q","type":"pull","printers":["a","a"]})",
                    "field \"printers\" names a printer twice"},
           bad_body{"PATCH", "/api/v1/queues/secure", R"({"authentication":"yes"})",
                    "field \"authentication\" must be true or false"},
           bad_body{"PATCH", "/api/v1/queues/secure", R"({"type":1})",
                    "field \"type\" must be \"pull\", \"direct\" or \"group\""},
           bad_body{"PATCH", "/api/v1/queues/secure", R"({"printers":[],"printers":[]})",
                    "a key appears twice in one object"},
       }) {
    CAPTURE(b.body);
    auto r = h.send(b.method, b.target, b.body);
    CHECK(r.status() == 400);
    CHECK(r.error() == "invalid_argument");
    CHECK(r.message() == b.message);
  }
  CHECK(h.fleet.calls.empty());
}

TEST_CASE("fleet_json: the limits of text, device URIs and printer lists") {
  std::string at_limit(web::max_fleet_text_bytes, 'a');
  CHECK(web::parse_printer_patch(json{{"info", at_limit}}.dump()).ok());
  CHECK(!web::parse_printer_patch(json{{"info", at_limit + "a"}}.dump()).ok());
  std::string uri = std::string("socket://").append(web::max_device_uri_bytes - 9, 'h');
  CHECK(web::parse_printer_patch(json{{"device_uri", uri}}.dump()).ok());
  CHECK(!web::parse_printer_patch(json{{"device_uri", uri + "h"}}.dump()).ok());
  CHECK(!web::parse_printer_patch(R"({"language":""})").ok());
  CHECK(web::parse_printer_patch(R"({"price_list":""})").ok());

  json many = json::array();
  for (size_t i = 0; i < web::max_queue_printers; ++i) many.push_back(std::string("p").append(std::to_string(i)));
  auto q = web::parse_new_queue(json{{"name", "q"}, {"type", "group"}, {"printers", many}}.dump());
  REQUIRE(q.ok());
  CHECK(q->printers.size() == web::max_queue_printers);
  CHECK(q->origin == record_origin::api);
  many.push_back("one-more");
  auto over = web::parse_queue_patch(json{{"printers", many}}.dump());
  REQUIRE(!over.ok());
  CHECK(over.err().message == "field \"printers\" may list at most 256 printers");
  auto defaults = web::parse_new_queue(R"({"name":"q","type":"direct"})");
  REQUIRE(defaults.ok());
  CHECK(defaults->printers.empty());
  CHECK(!defaults->auth_required);
  CHECK(web::parse_queue_type("group") == queue_type::group);
  CHECK(!web::parse_queue_type("Group"));
}

TEST_CASE("redact_device_uri: the user-info becomes ***, the rest stays") {
  CHECK(web::redact_device_uri("ipp://bob:pw@host/ipp/print") == "ipp://***@host/ipp/print");
  CHECK(web::redact_device_uri("ipps://token@host:631") == "ipps://***@host:631");
  CHECK(web::redact_device_uri("ipp://a:p@ss@host/x@y") == "ipp://***@host/x@y");  // the authority's last '@'
  CHECK(web::redact_device_uri("socket://192.0.2.1:9100") == "socket://192.0.2.1:9100");
  CHECK(web::redact_device_uri("ipp://host/path@x") == "ipp://host/path@x");  // '@' past the authority
  CHECK(web::redact_device_uri("ipp://host?u=a@b") == "ipp://host?u=a@b");
  CHECK(web::redact_device_uri("file:/tmp/a@b") == "file:/tmp/a@b");
  CHECK(web::redact_device_uri("") == "");
  CHECK(web::redact_device_uri("smb://u:p@") == "smb://***@");
}

TEST_CASE("redact_device_uris_in: the user-info of URIs a message quotes, whole or cut short") {
  CHECK(web::redact_device_uris_in("device_uri: unknown scheme, got 'foo://bob:pw@host/x'") ==
        "device_uri: unknown scheme, got 'foo://***@host/x'");
  CHECK(web::redact_device_uris_in("got 'ipp://bob:averylongpassw...'") == "got 'ipp://***...'");
  CHECK(web::redact_device_uris_in("a ipp://u:p@h and ipps://v:q@k:1 b") == "a ipp://***@h and ipps://***@k:1 b");
  CHECK(web::redact_device_uris_in("there is no printer lab-1") == "there is no printer lab-1");
  CHECK(web::redact_device_uris_in("socket://192.0.2.1:9100 is busy") == "socket://192.0.2.1:9100 is busy");
  // The request's own user-info, wherever the message quotes it.
  CHECK(web::redact_device_uris_in("user bob:s3cret is refused", "ipp://bob:s3cret@h/") ==
        "user *** is refused");
  CHECK(web::redact_device_uris_in("no user-info here", "ipp://h/") == "no user-info here");
}

TEST_CASE("fleet: a device URI's credentials are in no answer") {
  fleet_harness h;
  std::vector<api_reply> replies;
  replies.push_back(h.send("GET", "/api/v1/printers/lab-1"));
  replies.push_back(h.send("PATCH", "/api/v1/printers/lab-1", R"({"info":"x"})"));
  replies.push_back(h.send("PATCH", "/api/v1/printers/lab-2", json{{"device_uri", secret_uri}}.dump()));
  replies.push_back(h.send("POST", "/api/v1/printers", json{{"name", "lab-5"}, {"device_uri", secret_uri}}.dump()));
  // Refused bodies do not quote the URI either.
  replies.push_back(h.send("POST", "/api/v1/printers",
                           json{{"name", "lab 6"}, {"device_uri", secret_uri}}.dump()));
  replies.push_back(h.send("POST", "/api/v1/printers",
                           json{{"name", "lab-6"}, {"device_uri", std::string(secret_uri) + " x"}}.dump()));
  replies.push_back(h.send("PATCH", "/api/v1/printers/lab-1",
                           json{{"device_uri", secret_uri}, {"extra", 1}}.dump()));
  replies.push_back(h.send("GET", "/api/v1/printers"));
  // A service's refusal that quotes the URI (config/'s checks do).
  h.fleet.fail_next = error(errc::invalid_argument, std::string("device_uri: unsupported scheme, got '")
                                                        .append(secret_uri).append("'"));
  replies.push_back(h.send("POST", "/api/v1/printers", json{{"name", "lab-7"}, {"device_uri", secret_uri}}.dump()));
  h.fleet.fail_next = error(errc::invalid_argument, "the credentials scan:hunter2-secret are refused");
  replies.push_back(h.send("PATCH", "/api/v1/printers/lab-1", json{{"device_uri", secret_uri}}.dump()));
  for (const auto& r : replies) {
    CAPTURE(r.response.body);
    CHECK(r.status() >= 200);
    CHECK(!shows_secret(r));
  }
  CHECK(replies[0].status() == 200);
  CHECK(replies[3].status() == 201);
  CHECK(replies[3].json()["device_uri"] == "ipps://***@printer.example:631/ipp/print");
  CHECK(replies[8].status() == 400);
  CHECK(replies[8].message() == "device_uri: unsupported scheme, got 'ipps://***@printer.example:631/ipp/print'");
  CHECK(replies[9].message() == "the credentials *** are refused");
}

TEST_CASE("fleet: service errors keep their status, and without a fleet service every endpoint is 503") {
  fleet_harness h;
  struct failure {
    errc code;
    int status;
  };
  for (const auto& f : {failure{errc::already_exists, 409}, failure{errc::not_possible, 409},
                        failure{errc::not_found, 404}, failure{errc::invalid_argument, 400},
                        failure{errc::unavailable, 503}}) {
    h.fleet.fail_next = error(f.code, "the service says no");
    auto r = h.send("PATCH", "/api/v1/queues/secure", R"({"info":"x"})");
    CHECK(r.status() == f.status);
    CHECK(r.message() == "the service says no");
  }
  h.with_fleet = false;
  struct call {
    const char* method;
    const char* target;
    const char* body;
  };
  for (const auto& c : {call{"POST", "/api/v1/printers", "{}"}, call{"PATCH", "/api/v1/printers/lab-1", "{}"},
                        call{"DELETE", "/api/v1/printers/lab-1", ""}, call{"GET", "/api/v1/queues/secure", ""},
                        call{"POST", "/api/v1/queues", "{}"}, call{"PATCH", "/api/v1/queues/secure", "{}"},
                        call{"DELETE", "/api/v1/queues/secure", ""}}) {
    CAPTURE(c.target);
    auto r = h.send(c.method, c.target, c.body);
    CHECK(r.status() == 503);
    CHECK(r.message() == "this server does not change its fleet at run time");
    // A user is refused first: whether the server changes its fleet is no business of theirs.
    CHECK(h.send(c.method, c.target, c.body, "alice").status() == 403);
  }
}

TEST_CASE("fleet: the audit log names the printer or queue, a create's from its body") {
  fleet_harness h;
  CHECK(h.send("POST", "/api/v1/printers", R"({"name":"lab-3","device_uri":"socket://h"})").status() == 201);
  CHECK(h.send("PATCH", "/api/v1/printers/lab-3", R"({"info":"i"})").status() == 200);
  CHECK(h.send("DELETE", "/api/v1/printers/lab-3").status() == 204);
  CHECK(h.send("POST", "/api/v1/queues", R"({"name":"q1","type":"pull"})").status() == 201);
  CHECK(h.send("PATCH", "/api/v1/queues/q1", R"({"name":"q2"})").status() == 400);
  CHECK(h.send("DELETE", "/api/v1/queues/q1").status() == 204);
  CHECK(h.send("POST", "/api/v1/queues", R"({"type":"pull"})").status() == 400);  // no name to audit
  CHECK(h.send("GET", "/api/v1/queues/secure").status() == 200);                   // reads are not audited
  REQUIRE(h.audit.entries.size() == 7);
  auto is = [&](size_t i, const char* action, const char* target, int status) {
    const auto& e = h.audit.entries[i];
    CAPTURE(i);
    CHECK(e.actor == "root");
    CHECK(e.action == action);
    CHECK(e.target == target);
    CHECK(e.status == status);
  };
  is(0, "POST /api/v1/printers", "lab-3", 201);
  is(1, "PATCH /api/v1/printers/{name}", "lab-3", 200);
  is(2, "DELETE /api/v1/printers/{name}", "lab-3", 204);
  is(3, "POST /api/v1/queues", "q1", 201);
  is(4, "PATCH /api/v1/queues/{name}", "q1", 400);
  is(5, "DELETE /api/v1/queues/{name}", "q1", 204);
  is(6, "POST /api/v1/queues", "", 400);
}

TEST_CASE("fleet: late answers arrive once, after the handler is gone") {
  fleet_harness h;
  h.fleet.deferred = true;
  auto created = h.start("POST", "/api/v1/queues", R"({"name":"q1","type":"pull"})");
  auto removed = h.start("DELETE", "/api/v1/printers/lab-1");
  auto shown = h.start("GET", "/api/v1/printers/lab-2");  // the state at once, the settings later
  CHECK(created->answers == 0);
  CHECK(removed->answers == 0);
  CHECK(shown->answers == 0);
  h.fleet.run_pending();
  CHECK(created->answers == 1);
  CHECK(created->status() == 201);
  CHECK(removed->answers == 1);
  CHECK(removed->status() == 409);
  CHECK(shown->answers == 1);
  CHECK(shown->response.status == 200);
  CHECK(shown->json()["settings"]["device_uri"] == "socket://192.0.2.20:9100");
}

TEST_CASE("POST /api/v1/jobs/{id}/reprint: a release with reprint set, for the owner or an administrator") {
  fleet_harness h;
  h.jobs.add(1, "alice", "secure", job_state::done);
  h.jobs.add(2, "root", "secure", job_state::done);
  h.jobs.add(3, "alice", "secure", job_state::held);
  auto r = h.send("POST", "/api/v1/jobs/1/reprint", "", "alice");  // no body: {}
  REQUIRE(r.status() == 200);
  CHECK(r.json()["state"] == "queued");
  REQUIRE(h.jobs.releases.size() == 1);
  CHECK(h.jobs.releases[0].reprint);
  CHECK(h.jobs.calls.back() == "reprint_job 1 by alice");

  r = h.send("POST", "/api/v1/jobs/1/reprint", R"({"printer":"lab-2","project":"p1"})", "root");
  CHECK(r.status() == 409);  // queued now: not ended
  CHECK(h.jobs.releases.back().reprint);
  CHECK(h.jobs.releases.back().printer == "lab-2");
  CHECK(h.jobs.releases.back().project == "p1");

  CHECK(h.send("POST", "/api/v1/jobs/2/reprint", "", "alice").status() == 404);  // another user's job
  CHECK(h.send("POST", "/api/v1/jobs/3/reprint", "", "alice").status() == 409);  // held: release it instead
  CHECK(h.send("POST", "/api/v1/jobs/2/reprint", R"({"copies":2})", "root").status() == 400);
  CHECK(h.send("POST", "/api/v1/jobs/2/reprint", "", "").status() == 401);
  // A release stays a release.
  CHECK(h.send("POST", "/api/v1/jobs/3/release", "", "alice").status() == 200);
  CHECK(!h.jobs.releases.back().reprint);
  // Audited under the job's id.
  REQUIRE(!h.audit.entries.empty());
  CHECK(h.audit.entries[0].action == "POST /api/v1/jobs/{id}/reprint");
  CHECK(h.audit.entries[0].target == "1");
}
