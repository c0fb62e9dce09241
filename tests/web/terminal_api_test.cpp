#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api_test_util.hpp"
#include "fake_terminal_service.hpp"
#include "web/terminal_api.hpp"

using namespace quire;
using namespace quire::testing;

namespace {

constexpr const char* terminal_token = "terminal-token-0001";
const std::string challenge = "Bearer realm=\"quire-terminal\"";

struct term_request {
  std::string method = "GET";
  std::string target = "/api/v1/terminal";
  std::string body;
  std::optional<std::string> authorization;  // default: the harness's terminal
  std::optional<std::string> session;        // default: the harness's session, if any
  std::optional<std::string> content_type;   // default: application/json when there is a body
  bool chunked = false;
  bool no_authorization = false;
};

using term_reply = api_reply;

// Drives route_terminal_api() as the HTTP server would (api_test_util.hpp),
// and keeps every response body so that a test can search them all for
// secrets.
class terminal_harness {
 public:
  fake_terminal_service svc;
  web::terminal_api_options options;
  std::string peer = "192.0.2.9";
  bool secure = true;
  std::string session;  // sent as Quire-Session when set
  std::vector<std::string> bodies;

  std::shared_ptr<term_reply> start(const term_request& r) {
    auto box = std::make_shared<term_reply>();
    std::vector<http::header> headers;
    if (!r.no_authorization)
      headers.push_back({"Authorization", r.authorization.value_or(std::string("Bearer ") + terminal_token)});
    std::string s = r.session.value_or(session);
    if (!s.empty()) headers.push_back({"Quire-Session", s});
    http::request_head head = make_head(r.method, r.target, r.body, r.content_type, r.chunked, std::move(headers));
    io::request_info info{head, peer, "127.0.0.1:8631", secure};
    drive(web::route_terminal_api(info, capture(box), svc, options), *box, r.body);
    return box;
  }

  term_reply send(const term_request& r) {
    auto reply = *start(r);
    bodies.push_back(reply.response.body);
    return reply;
  }
  term_reply call(const std::string& method, const std::string& target, const std::string& body = "") {
    return send(make_request<term_request>(method, target, body));
  }
  /// Logs alice in by card and keeps the session.
  term_reply login(const std::string& body = R"({"card":"CARD1"})") {
    auto r = call("POST", "/api/v1/terminal/sessions", body);
    if (r.status() == 201) session = r.json()["session"].get<std::string>();
    return r;
  }
};

}  // namespace

TEST_CASE("terminal routing: only /api/v1/terminal paths, JSON 404, 405 with Allow, bad ids 400") {
  terminal_harness h;
  CHECK(web::is_terminal_api_path("/api/v1/terminal"));
  CHECK(web::is_terminal_api_path("/api/v1/terminal/session/jobs/1"));
  CHECK_FALSE(web::is_terminal_api_path("/api/v1/terminals"));
  CHECK_FALSE(web::is_terminal_api_path("/api/v1/users"));

  auto other = h.call("GET", "/api/v1/whoami");
  CHECK_FALSE(other.handler);
  CHECK(other.answers == 0);  // not ours: the caller routes it

  for (const char* path : {"/api/v1/terminal/", "/api/v1/terminal/x", "/api/v1/terminal/session/",
                           "/api/v1/terminal/sessions/1",
                           "/api/v1/terminal/session/jobs/", "/api/v1/terminal/session/jobs/1/x"}) {
    CAPTURE(path);
    auto r = h.call("GET", path);
    CHECK(r.answers == 1);
    CHECK(r.status() == 404);
    CHECK(r.error() == "not_found");
    CHECK(r.response.content_type == "application/json");
    CHECK(r.header("Cache-Control") == "no-store");
  }
  struct wrong {
    const char* method;
    const char* path;
    const char* allow;
  };
  for (auto w : {wrong{"POST", "/api/v1/terminal", "GET"}, wrong{"GET", "/api/v1/terminal/sessions", "POST"},
                 wrong{"PUT", "/api/v1/terminal/session", "GET, DELETE"},
                 wrong{"DELETE", "/api/v1/terminal/session/jobs", "GET"},
                 wrong{"GET", "/api/v1/terminal/session/release", "POST"},
                 wrong{"GET", "/api/v1/terminal/session/jobs/7", "DELETE"}}) {
    CAPTURE(w.path);
    auto r = h.call(w.method, w.path);
    CHECK(r.status() == 405);
    CHECK(r.error() == "method_not_allowed");
    CHECK(r.header("Allow") == w.allow);
  }
  for (const char* id : {"0", "-1", "x", "1.5", "18446744073709551616", "%zz"}) {
    CAPTURE(id);
    auto r = h.call("DELETE", std::string("/api/v1/terminal/session/jobs/") + id);
    CHECK(r.status() == 400);
  }
  auto route = web::match_terminal_route("DELETE", "/api/v1/terminal/session/jobs/%34%32");
  CHECK(route.status == 0);
  CHECK(route.what == web::terminal_endpoint::delete_job);
  CHECK(route.job == 42);
  CHECK(h.svc.calls.empty());  // refused at the head: nobody was asked anything
}

TEST_CASE("terminal transport: plain HTTP gets 403 before the token is looked at, unless loopback is allowed") {
  terminal_harness h;
  h.secure = false;
  auto r = h.call("GET", "/api/v1/terminal");
  CHECK(r.status() == 403);
  CHECK(r.error() == "https_required");
  h.peer = "127.0.0.1";
  CHECK(h.call("GET", "/api/v1/terminal").status() == 403);
  CHECK(h.svc.calls.empty());
  h.options.allow_plain_loopback = true;
  CHECK(h.call("GET", "/api/v1/terminal").status() == 200);
  h.peer = "198.51.100.3";
  CHECK(h.call("GET", "/api/v1/terminal").status() == 403);
}

TEST_CASE("terminal token: missing or malformed 401 with the Bearer challenge, wrong 401, blocked 429") {
  terminal_harness h;
  term_request none;
  none.no_authorization = true;
  auto r = h.send(none);
  CHECK(r.status() == 401);
  CHECK(r.error() == "unauthorized");
  CHECK(r.header("WWW-Authenticate") == challenge);
  for (std::string header : {std::string("Basic dGVybWluYWw6eA=="), std::string("Bearer"), std::string("Bearer short"),
                             std::string("Bearer ") + std::string(257, 'a'), std::string("Bearer terminal token 0001x"),
                             std::string("Bearer terminal-token-\x01" "001")}) {
    CAPTURE(header);
    term_request bad;
    bad.authorization = header;
    r = h.send(bad);
    CHECK(r.status() == 401);
    CHECK(r.header("WWW-Authenticate") == challenge);
  }
  CHECK(h.svc.calls.empty());

  term_request wrong;
  wrong.authorization = "Bearer terminal-token-9999";
  r = h.send(wrong);
  CHECK(r.status() == 401);
  CHECK(r.error() == "unauthorized");
  CHECK(r.header("WWW-Authenticate") == challenge);
  CHECK(h.svc.calls == std::vector<std::string>{"authenticate_terminal"});
  CHECK(h.svc.last_peer == "192.0.2.9");

  h.svc.terminals[terminal_token].revoked = true;
  CHECK(h.call("GET", "/api/v1/terminal").status() == 401);
  h.svc.terminals[terminal_token].revoked = false;

  h.svc.blocked_peers.insert(h.peer);
  r = h.call("GET", "/api/v1/terminal");
  CHECK(r.status() == 429);
  CHECK(r.error() == "limit_exceeded");
  CHECK(r.json()["message"] == "blocked for 60 s");  // the service's: it says for how long
  h.svc.blocked_peers.clear();

  term_request lower;
  lower.authorization = std::string("bearer  ") + terminal_token + " ";
  CHECK(h.send(lower).status() == 200);
}

TEST_CASE("terminal sessions: no Quire-Session 401 no_session at the head, a closed one 401 session_closed") {
  terminal_harness h;
  for (const char* target : {"/api/v1/terminal/session", "/api/v1/terminal/session/jobs"}) {
    auto r = h.call("GET", target);
    CHECK(r.status() == 401);
    CHECK(r.error() == "no_session");
    CHECK(r.header("WWW-Authenticate") == challenge);
  }
  for (std::string bad : {std::string(129, 'a'), std::string("a b"), std::string("tok;en"), std::string("é")}) {
    term_request req;
    req.target = "/api/v1/terminal/session";
    req.session = bad;
    CHECK(h.send(req).error() == "no_session");
  }
  CHECK(h.svc.calls.empty());

  h.session = "sess-404-nobody";
  auto r = h.call("GET", "/api/v1/terminal/session/jobs");
  CHECK(r.status() == 401);
  CHECK(r.error() == "session_closed");
  r = h.call("POST", "/api/v1/terminal/session/release", R"({"all":true})");
  CHECK(r.error() == "session_closed");
  CHECK(h.call("DELETE", "/api/v1/terminal/session").error() == "session_closed");

  // A session is bound to its terminal.
  REQUIRE(h.login().status() == 201);
  h.svc.terminals["terminal-token-0002"] = {{"t2", "lab-2"}, false};
  term_request other;
  other.target = "/api/v1/terminal/session";
  other.authorization = "Bearer terminal-token-0002";
  CHECK(h.send(other).error() == "session_closed");
}

TEST_CASE("terminal bodies: 413 by length or as it arrives, 415 without JSON, 400 for a body where none belongs") {
  terminal_harness h;
  h.options.max_body_bytes = 64;
  std::string big = R"({"card":")" + std::string(100, 'A') + "\"}";
  auto r = h.call("POST", "/api/v1/terminal/sessions", big);
  CHECK(r.status() == 413);
  CHECK(r.error() == "payload_too_large");
  term_request chunked;
  chunked.method = "POST";
  chunked.target = "/api/v1/terminal/sessions";
  chunked.body = big;
  chunked.chunked = true;
  CHECK(h.send(chunked).status() == 413);

  term_request text;
  text.method = "POST";
  text.target = "/api/v1/terminal/sessions";
  text.body = R"({"card":"CARD1"})";
  text.content_type = "text/plain";
  CHECK(h.send(text).status() == 415);
  text.content_type = "Application/JSON; charset=utf-8";
  CHECK(h.send(text).status() == 201);
  h.svc.calls.clear();

  r = h.call("GET", "/api/v1/terminal", "{}");
  CHECK(r.status() == 400);
  term_request get_chunked;
  get_chunked.body = "{}";
  get_chunked.chunked = true;
  CHECK(h.send(get_chunked).status() == 400);
  CHECK(h.svc.calls.empty());  // all refused before authentication

  CHECK(h.call("GET", "/api/v1/terminal?x=1").status() == 400);
  CHECK(h.call("GET", "/api/v1/terminal?").status() == 200);
}

TEST_CASE("GET /api/v1/terminal describes the terminal, its printer and its login methods") {
  terminal_harness h;
  auto r = h.call("GET", "/api/v1/terminal");
  REQUIRE(r.status() == 200);
  auto j = r.json();
  CHECK(j["terminal"] == "t1");
  CHECK(j["printer"] == "lab-1");
  CHECK(j["location"] == "Room 1.23");
  CHECK(j["login"]["card"] == true);
  CHECK(j["login"]["card_requires_pin"] == false);
  CHECK(j["currency"] == "EUR");
  CHECK(r.header("Cache-Control") == "no-store");
  CHECK(h.svc.calls == std::vector<std::string>{"authenticate_terminal", "describe t1"});

  h.svc.fail_next = error(errc::unavailable, "printer lab-1 is not configured");
  r = h.call("GET", "/api/v1/terminal");
  CHECK(r.status() == 503);
  CHECK(r.error() == "unavailable");
}

TEST_CASE("POST /api/v1/terminal/sessions opens a session by each method, failures are 401 or 429") {
  terminal_harness h;
  for (const char* body : {R"({"card":"CARD1"})", R"({"pin":"123456"})", R"({"user":"alice","password":"secret-pw"})",
                           R"({"card":"CARD1","pin":"123456"})"}) {
    CAPTURE(body);
    auto r = h.call("POST", "/api/v1/terminal/sessions", body);
    REQUIRE(r.status() == 201);
    auto j = r.json();
    CHECK(j["session"].is_string());
    CHECK(web::valid_session_token(j["session"].get<std::string>()));
    CHECK(j["user"] == "alice");
    CHECK(j["printer"] == "lab-1");
    CHECK(j["account"]["available"] == 480);
    CHECK(j["projects"] == nlohmann::json({"physics", "chemistry"}));
  }
  CHECK(h.svc.last_login.card == "CARD1");
  CHECK(h.svc.last_login.pin == "123456");

  for (const char* body : {R"({"card":"CARD2"})", R"({"pin":"654321"})", R"({"user":"alice","password":"wrong"})",
                           R"({"card":"CARD1","pin":"000000"})"}) {
    CAPTURE(body);
    auto r = h.call("POST", "/api/v1/terminal/sessions", body);
    CHECK(r.status() == 401);
    CHECK(r.error() == "login_failed");
    CHECK(r.header("WWW-Authenticate") == challenge);
  }
  h.svc.methods.card_requires_pin = true;
  CHECK(h.call("POST", "/api/v1/terminal/sessions", R"({"card":"CARD1"})").status() == 401);
  h.svc.logins_locked = true;
  auto r = h.call("POST", "/api/v1/terminal/sessions", R"({"card":"CARD1","pin":"123456"})");
  CHECK(r.status() == 429);
  CHECK(r.error() == "limit_exceeded");
}

TEST_CASE("login bodies are validated after the terminal is authenticated") {
  terminal_harness h;
  for (const char* body : {R"({"card":"CARD1","user":"alice"})", R"({"card":"CARD1","x":1})",
                           R"({"card":"CARD1","card":"CARD2"})", R"({"user":"alice"})", R"({"password":"secret-pw"})",
                           R"({})", R"([])", R"({"pin":123456})", R"({"pin":"12"})", R"({"card":""})", "not json"}) {
    CAPTURE(body);
    h.svc.calls.clear();
    auto r = h.call("POST", "/api/v1/terminal/sessions", body);
    CHECK(r.status() == 400);
    CHECK(r.error() == "invalid_argument");
    CHECK(h.svc.calls == std::vector<std::string>{"authenticate_terminal"});
  }
  term_request unauth;
  unauth.method = "POST";
  unauth.target = "/api/v1/terminal/sessions";
  unauth.body = R"({"card":1})";
  unauth.authorization = "Bearer terminal-token-9999";
  CHECK(h.send(unauth).status() == 401);  // no validation help for an unknown terminal
}

TEST_CASE("a session: get it, list its jobs, release, delete one, close it") {
  terminal_harness h;
  REQUIRE(h.login().status() == 201);
  auto r = h.call("GET", "/api/v1/terminal/session");
  REQUIRE(r.status() == 200);
  CHECK_FALSE(r.json().contains("session"));
  CHECK(r.json()["user"] == "alice");
  CHECK(r.json()["expires"] == "2023-11-14T22:14:20.000Z");

  r = h.call("GET", "/api/v1/terminal/session/jobs");
  REQUIRE(r.status() == 200);
  auto jobs = r.json()["jobs"];
  REQUIRE(jobs.size() == 5);  // alice's four and bob's delegated one; not carol's
  CHECK(jobs[0]["id"] == 101);
  CHECK(jobs[0]["colour"] == true);
  CHECK(jobs[0]["price_text"] == "0.60 EUR");
  CHECK(jobs[0]["age_s"] == 90);
  CHECK(jobs[1]["colour"] == false);
  CHECK(jobs[2]["needs_pin"] == true);
  CHECK(jobs[3]["delegated"] == true);
  CHECK(jobs[4]["priced"] == false);
  CHECK(jobs[4]["price_text"].is_null());

  h.svc.refuse[102] = error(errc::not_possible, "the printer is out of paper");
  r = h.call("POST", "/api/v1/terminal/session/release",
             R"({"jobs":[101,102,103],"project":"physics","pins":{"103":"2468"}})");
  REQUIRE(r.status() == 200);
  auto results = r.json()["results"];
  REQUIRE(results.size() == 3);
  CHECK(results[0] == nlohmann::json({{"job", 101}, {"ok", true}, {"error", nullptr}, {"message", ""},
                                      {"price", 60}, {"price_text", "0.60 EUR"}}));
  CHECK(results[1]["ok"] == false);
  CHECK(results[1]["error"] == "not_possible");
  CHECK(results[1]["message"] == "the printer is out of paper");
  CHECK(results[2]["ok"] == true);
  CHECK(r.json()["account"]["reserved"] == 100);
  CHECK(h.svc.last_release.project == "physics");
  CHECK(h.svc.last_release.pins.at(103) == "2468");
  CHECK(h.svc.calls.back() == "release t1 101,102,103");

  r = h.call("POST", "/api/v1/terminal/session/release", R"({"jobs":[102],"project":"biology"})");
  CHECK(r.status() == 400);  // the service refuses the project
  r = h.call("POST", "/api/v1/terminal/session/release", R"({"all":true})");
  REQUIRE(r.status() == 200);
  CHECK(h.svc.calls.back() == "release t1 all");

  h.svc.add_job(107, "alice", "late.pdf", 1, 0, 10);
  CHECK(h.call("DELETE", "/api/v1/terminal/session/jobs/107").status() == 204);
  CHECK(h.svc.jobs.count(107) == 0);
  r = h.call("DELETE", "/api/v1/terminal/session/jobs/106");  // carol's
  CHECK(r.status() == 403);
  r = h.call("DELETE", "/api/v1/terminal/session/jobs/107");  // gone
  CHECK(r.status() == 409);

  r = h.call("DELETE", "/api/v1/terminal/session");
  CHECK(r.status() == 204);
  CHECK(r.response.body.empty());
  CHECK(r.header("Cache-Control") == "no-store");
  CHECK(h.call("GET", "/api/v1/terminal/session").error() == "session_closed");
}

TEST_CASE("release bodies are validated before the service hears of them") {
  terminal_harness h;
  REQUIRE(h.login().status() == 201);
  std::string many = R"({"jobs":[)";
  for (int i = 1; i <= 1001; ++i) many.append(i > 1 ? "," : "").append(std::to_string(i));
  many += "]}";
  for (std::string body : {many, std::string(R"({"jobs":[1,2,1]})"), std::string(R"({"jobs":[101],"project":""})"),
                           std::string(R"({"jobs":[101],"project":"a\u0001b"})"),
                           std::string(R"({"jobs":[103],"pins":{"abc":"2468"}})"),
                           std::string(R"({"jobs":[103],"pins":{"103":"24x8"}})"),
                           std::string(R"({"jobs":[101],"x":1})"),
                           std::string(R"({"jobs":[101],"jobs":[102]})"), std::string(R"({"jobs":[]})"),
                           std::string(R"({"all":false})"), std::string(R"({"all":true,"jobs":[1]})")}) {
    CAPTURE(body);
    h.svc.calls.clear();
    auto r = h.call("POST", "/api/v1/terminal/session/release", body);
    CHECK(r.status() == 400);
    CHECK(r.error() == "invalid_argument");
    CHECK(h.svc.calls == std::vector<std::string>{"authenticate_terminal"});
  }
}

TEST_CASE("no response ever holds the terminal token, a card id, a PIN or a password") {
  terminal_harness h;
  h.login(R"({"card":"CARD1","pin":"123456"})");
  h.login(R"({"user":"alice","password":"secret-pw"})");
  h.call("POST", "/api/v1/terminal/sessions", R"({"card":"CARD1","user":"alice","password":"secret-pw"})");
  h.call("POST", "/api/v1/terminal/sessions", R"({"pin":"999999"})");
  h.call("POST", "/api/v1/terminal/sessions", R"({"card":"CARD1","pin":"123456","pin":"123456"})");
  h.call("POST", "/api/v1/terminal/sessions", R"({"secret-pw":"CARD1"})");
  h.call("GET", "/api/v1/terminal");
  h.call("GET", "/api/v1/terminal/session");
  h.call("GET", "/api/v1/terminal/session/jobs");
  h.call("POST", "/api/v1/terminal/session/release", R"({"jobs":[103],"pins":{"103":"1357"}})");
  h.call("POST", "/api/v1/terminal/session/release", R"({"jobs":[103],"pins":{"103":"2468x"}})");
  h.call("POST", "/api/v1/terminal/session/release", R"({"jobs":[103],"pins":{"103":"2468"}})");
  term_request wrong;
  wrong.authorization = "Bearer terminal-token-0001-wrong";
  h.send(wrong);
  REQUIRE(h.bodies.size() == 13);
  for (const auto& body : h.bodies) {
    CAPTURE(body);
    for (const char* secret : {terminal_token, "CARD1", "123456", "secret-pw", "2468", "1357"})
      CHECK(body.find(secret) == std::string::npos);
  }
}

TEST_CASE("the handler may be destroyed before the service answers") {
  terminal_harness h;
  h.svc.deferred = true;
  term_request r;
  r.method = "POST";
  r.target = "/api/v1/terminal/sessions";
  r.body = R"({"card":"CARD1"})";
  auto reply = h.start(r);  // the handler is gone once start() returns
  CHECK(reply->answers == 0);
  h.svc.run_pending();  // authenticate_terminal answers; open_session is queued
  CHECK(reply->answers == 0);
  h.svc.run_pending();
  CHECK(reply->answers == 1);
  CHECK(reply->status() == 201);

  // A handler destroyed before the end of its body never calls the service.
  http::request_head head;
  head.method = "POST";
  head.target = "/api/v1/terminal/sessions";
  head.headers = {{"Authorization", std::string("Bearer ") + terminal_token}, {"Content-Type", "application/json"}};
  head.has_content_length = true;
  head.content_length = 40;
  io::request_info info{head, "192.0.2.9", "", true};
  int answers = 0;
  h.svc.calls.clear();
  auto handler = web::route_terminal_api(info, [&](io::http_response) { ++answers; }, h.svc, h.options);
  REQUIRE(handler);
  handler->on_body("{\"card\":");
  handler.reset();
  h.svc.run_pending();
  CHECK(answers == 0);
  CHECK(h.svc.calls.empty());
}
