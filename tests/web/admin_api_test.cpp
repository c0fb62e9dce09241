#include <doctest/doctest.h>

#include "api_test_util.hpp"

using namespace quire;
using namespace quire::testing;

namespace {

api_request as(const std::string& user, const std::string& password, std::string method, std::string target,
               std::string body = "") {
  auto r = make_request<api_request>(std::move(method), std::move(target), std::move(body));
  r.authorization = basic(user, password);
  return r;
}

}  // namespace

TEST_CASE("routing: only /api/v1 paths are the API's, unknown ones get JSON 404, wrong methods 405") {
  api_harness h;
  CHECK(web::is_admin_api_path("/api/v1"));
  CHECK(web::is_admin_api_path("/api/v1/users"));
  CHECK_FALSE(web::is_admin_api_path("/api/v10"));
  CHECK_FALSE(web::is_admin_api_path("/api"));
  CHECK_FALSE(web::is_admin_api_path("/ipp/print/x"));

  auto other = h.get("/metrics");
  CHECK_FALSE(other.handler);
  CHECK(other.answers == 0);  // not ours: the caller routes it

  for (const char* path : {"/api/v1", "/api/v1/", "/api/v1/nothing", "/api/v1/users/", "/api/v1/users/bob/x",
                           "/api/v1/users/bob/cards/1234"}) {
    CAPTURE(path);
    auto r = h.get(path);
    CHECK(r.answers == 1);
    CHECK(r.status() == 404);
    CHECK(r.error() == "not_found");
    CHECK(r.response.content_type == "application/json");
  }

  auto r = h.call("DELETE", "/api/v1/users");
  CHECK(r.status() == 405);
  CHECK(r.header("Allow") == "GET, POST");
  r = h.call("GET", "/api/v1/users/bob/password");
  CHECK(r.status() == 405);
  CHECK(r.header("Allow") == "PUT");
  r = h.call("HEAD", "/api/v1/whoami");
  CHECK(r.status() == 405);
  CHECK(h.service.calls.empty());  // refused at the head: nobody was asked anything
}

TEST_CASE("authentication: missing, malformed or wrong credentials get 401 with a Basic challenge") {
  api_harness h;
  const std::string challenge = "Basic realm=\"Quire\", charset=\"UTF-8\"";

  api_request none;
  none.no_authorization = true;
  auto r = h.send(none);
  CHECK(r.status() == 401);
  CHECK(r.header("WWW-Authenticate") == challenge);
  CHECK(r.error() == "unauthorized");

  for (std::string header : {std::string("Bearer abc"), std::string("Basic"), std::string("Basic !!!!"),
                             "Basic " + web::base64_encode("no-colon"), "Basic " + web::base64_encode("root:")}) {
    CAPTURE(header);
    api_request bad;
    bad.authorization = header;
    r = h.send(bad);
    CHECK(r.status() == 401);
    CHECK(r.header("WWW-Authenticate") == challenge);
  }
  CHECK(h.service.calls.empty());

  // Wrong password, unknown user, disabled user: one indistinguishable answer.
  auto wrong = h.send(as("root", "not-the-password", "GET", "/api/v1/whoami"));
  auto unknown = h.send(as("nobody", "whatever-pass", "GET", "/api/v1/whoami"));
  h.service.accounts["alice"].record.disabled = true;
  auto disabled = h.send(as("alice", "alice-password-1", "GET", "/api/v1/whoami"));
  for (const auto* x : {&wrong, &unknown, &disabled}) {
    CHECK(x->status() == 401);
    CHECK(x->header("WWW-Authenticate") == challenge);
    CHECK(x->response.body == wrong.response.body);
  }
  CHECK(h.service.last_peer == "192.0.2.7");
}

TEST_CASE("authentication: a blocked login gets 429, and the scheme name is case-insensitive") {
  api_harness h;
  h.service.blocked.insert("root");
  auto r = h.get("/api/v1/whoami");
  CHECK(r.status() == 429);
  CHECK(r.error() == "limit_exceeded");
  h.service.blocked.clear();

  api_request lower;
  lower.authorization = "basic " + web::base64_encode("root:root-password-1");
  CHECK(h.send(lower).status() == 200);
}

TEST_CASE("authorization: whoami is for anyone authenticated, everything else for administrators") {
  api_harness h;
  auto me = h.send(as("alice", "alice-password-1", "GET", "/api/v1/whoami"));
  REQUIRE(me.status() == 200);
  CHECK(me.json() == nlohmann::json({{"name", "alice"}, {"admin", false}}));
  CHECK(me.header("Cache-Control") == "no-store");

  auto root = h.get("/api/v1/whoami");
  CHECK(root.json()["admin"] == true);

  struct admin_only {
    const char* method;
    const char* target;
    const char* body;
  };
  for (auto c : std::initializer_list<admin_only>{
           {"GET", "/api/v1/users", ""},
           {"POST", "/api/v1/users", R"({"name":"x"})"},
           {"GET", "/api/v1/users/root", ""},
           {"PATCH", "/api/v1/users/alice", R"({"admin":true})"},
           {"DELETE", "/api/v1/users/root", ""},
           {"PUT", "/api/v1/users/alice/password", R"({"password":"abcdefgh"})"},
           {"POST", "/api/v1/users/alice/cards", R"({"card_id":"04A1"})"},
           {"DELETE", "/api/v1/users/alice/cards", R"({"card_id":"04A1"})"},
           {"PUT", "/api/v1/users/root/pin", R"({"pin":"1234"})"},
           {"DELETE", "/api/v1/users/root/pin", ""},
           {"POST", "/api/v1/users/root/pin/generate", ""},
           {"POST", "/api/v1/users/root/enrolment-code", ""}}) {
    CAPTURE(c.method);
    CAPTURE(c.target);
    h.service.calls.clear();
    auto r = h.send(as("alice", "alice-password-1", c.method, c.target, c.body));
    CHECK(r.status() == 403);
    CHECK(r.error() == "forbidden");
    CHECK(h.service.calls == std::vector<std::string>{"authenticate alice"});
  }
  CHECK_FALSE(h.service.accounts["alice"].record.admin);
}

TEST_CASE("transport: plain HTTP is refused before any credential is looked at, except from loopback when allowed") {
  api_harness h;
  h.secure = false;
  h.peer = "198.51.100.3";
  auto r = h.get("/api/v1/whoami");
  CHECK(r.status() == 403);
  CHECK(r.error() == "https_required");
  CHECK(h.service.calls.empty());

  h.peer = "127.0.0.1";
  CHECK(h.get("/api/v1/whoami").status() == 403);  // allow_plain_loopback is off by default

  h.options.allow_plain_loopback = true;
  for (const char* peer : {"127.0.0.1", "127.3.2.1", "::1", "::ffff:127.0.0.1"}) {
    CAPTURE(peer);
    h.peer = peer;
    CHECK(h.get("/api/v1/whoami").status() == 200);
  }
  for (const char* peer : {"198.51.100.3", "::2", "10.0.0.1", "localhost", ""}) {
    CAPTURE(peer);
    h.peer = peer;
    CHECK(h.get("/api/v1/whoami").status() == 403);
  }

  h.secure = true;  // TLS: from anywhere
  h.peer = "198.51.100.3";
  CHECK(h.get("/api/v1/whoami").status() == 200);
}

TEST_CASE("GET /api/v1/users lists in pages with a next cursor") {
  api_harness h;
  for (const char* n : {"bob", "carol", "dave", "erin"}) h.service.add(n, "pw-" + std::string(n) + "-123");
  // Users: alice bob carol dave erin root.
  auto r = h.get("/api/v1/users?limit=4");
  REQUIRE(r.status() == 200);
  auto j = r.json();
  REQUIRE(j["users"].size() == 4);
  CHECK(j["users"][0]["name"] == "alice");
  CHECK(j["next"] == "dave");

  r = h.get("/api/v1/users?after=dave&limit=4");
  j = r.json();
  REQUIRE(j["users"].size() == 2);
  CHECK(j["users"][1]["name"] == "root");
  CHECK(j["next"].is_null());

  r = h.get("/api/v1/users");
  CHECK(r.json()["users"].size() == 6);
  CHECK(h.service.calls.back() == "list_users after '' limit 100 by root");

  for (const char* bad : {"/api/v1/users?limit=0", "/api/v1/users?limit=1001", "/api/v1/users?limit=x",
                          "/api/v1/users?limit=-1", "/api/v1/users?limit=5&limit=6", "/api/v1/users?sort=name",
                          "/api/v1/users?after=%zz", "/api/v1/users?after=%01"}) {
    CAPTURE(bad);
    auto e = h.get(bad);
    CHECK(e.status() == 400);
    CHECK(e.error() == "invalid_argument");
  }
  CHECK(h.get("/api/v1/users?after=a+b&limit=1000").status() == 200);
}

TEST_CASE("POST /api/v1/users creates a user: 201, Location, and the password reaches only the service") {
  api_harness h;
  auto r = h.call("POST", "/api/v1/users",
                  R"({"name":"bob smith","display_name":"Bob Smith","groups":["staff","print"],"admin":false,)"
                  R"("password":"s3cret-bob-pass"})");
  REQUIRE(r.status() == 201);
  CHECK(r.header("Location") == "/api/v1/users/bob%20smith");
  auto j = r.json();
  CHECK(j["name"] == "bob smith");
  CHECK(j["display_name"] == "Bob Smith");
  CHECK(j["groups"] == nlohmann::json({"staff", "print"}));
  CHECK(j["password"] == true);
  CHECK(j["cards"] == 0);
  CHECK(j["pin"] == false);
  CHECK(r.response.body.find("s3cret-bob-pass") == std::string::npos);
  CHECK(h.service.accounts["bob smith"].password == "s3cret-bob-pass");

  auto again = h.call("POST", "/api/v1/users", R"({"name":"bob smith"})");
  CHECK(again.status() == 409);
  CHECK(again.error() == "already_exists");

  auto nopass = h.call("POST", "/api/v1/users", R"({"name":"kiosk"})");
  CHECK(nopass.status() == 201);
  CHECK(nopass.json()["password"] == false);
}

TEST_CASE("GET, PATCH and DELETE /api/v1/users/{name}") {
  api_harness h;
  auto r = h.get("/api/v1/users/alice");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["display_name"] == "User alice");
  CHECK(h.get("/api/v1/users/nobody").status() == 404);
  CHECK(h.get("/api/v1/users/nobody").error() == "not_found");

  r = h.call("PATCH", "/api/v1/users/alice", R"({"display_name":"Alice A.","groups":[],"admin":true})");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["display_name"] == "Alice A.");
  CHECK(r.json()["admin"] == true);
  CHECK(h.service.accounts["alice"].record.admin);

  r = h.call("DELETE", "/api/v1/users/alice");
  CHECK(r.status() == 204);
  CHECK(r.response.body.empty());
  CHECK(h.service.accounts.count("alice") == 0);
  CHECK(h.call("DELETE", "/api/v1/users/alice").status() == 404);

  // The last enabled administrator stays: the service says not_possible.
  r = h.call("DELETE", "/api/v1/users/root");
  CHECK(r.status() == 409);
  CHECK(r.error() == "not_possible");
  r = h.call("PATCH", "/api/v1/users/root", R"({"disabled":true})");
  CHECK(r.status() == 409);
}

TEST_CASE("names in paths are percent-decoded and validated") {
  api_harness h;
  h.service.add("a b/c", "pw-abc-12345");
  CHECK(h.get("/api/v1/users/a%20b%2Fc").status() == 200);
  CHECK(h.get("/api/v1/users/%C3%A9mile").status() == 404);  // valid UTF-8 name, no such user
  for (const char* bad : {"/api/v1/users/%zz", "/api/v1/users/a%0", "/api/v1/users/%00", "/api/v1/users/%07bell",
                          "/api/v1/users/%FF"}) {
    CAPTURE(bad);
    auto r = h.get(bad);
    CHECK(r.status() == 400);
    CHECK(r.error() == "invalid_argument");
  }
  std::string long_name(65, 'x');
  CHECK(h.get("/api/v1/users/" + long_name).status() == 400);
}

TEST_CASE("credentials: password, cards and PIN go to the service and never come back") {
  api_harness h;
  auto r = h.call("PUT", "/api/v1/users/alice/password", R"({"password":"new-Alice-pass-9"})");
  CHECK(r.status() == 204);
  CHECK(h.service.accounts["alice"].password == "new-Alice-pass-9");

  CHECK(h.call("POST", "/api/v1/users/alice/cards", R"({"card_id":"04:A2:3B:9C"})").status() == 204);
  CHECK(h.call("POST", "/api/v1/users/alice/cards", R"({"card_id":"0099887766"})").status() == 204);
  CHECK(h.call("PUT", "/api/v1/users/alice/pin", R"({"pin":"0042"})").status() == 204);
  CHECK(h.service.accounts["alice"].cards.count("04:A2:3B:9C"));
  CHECK(h.service.accounts["alice"].pin == "0042");

  for (const auto& reply : {h.get("/api/v1/users/alice"), h.get("/api/v1/users")}) {
    REQUIRE(reply.status() == 200);
    for (const char* secret : {"new-Alice-pass-9", "04:A2:3B:9C", "0099887766", "0042", "alice-password-1",
                               "root-password-1"}) {
      CAPTURE(secret);
      CHECK(reply.response.body.find(secret) == std::string::npos);
    }
  }
  auto j = h.get("/api/v1/users/alice").json();
  CHECK(j["cards"] == 2);
  CHECK(j["pin"] == true);
  CHECK(j["password"] == true);
  CHECK_FALSE(j.contains("password_hash"));

  // A card of another user, a taken PIN, too many cards: 409, 409, 429.
  h.service.add("bob", "pw-bob-123456");
  r = h.call("POST", "/api/v1/users/bob/cards", R"({"card_id":"0099887766"})");
  CHECK(r.status() == 409);
  CHECK(r.response.body.find("0099887766") == std::string::npos);
  CHECK(h.call("PUT", "/api/v1/users/bob/pin", R"({"pin":"0042"})").status() == 409);
  for (int i = 0; i < 4; ++i)
    h.call("POST", "/api/v1/users/bob/cards", R"({"card_id":"B)" + std::to_string(i) + R"("})");
  CHECK(h.call("POST", "/api/v1/users/bob/cards", R"({"card_id":"B9"})").status() == 429);

  CHECK(h.call("DELETE", "/api/v1/users/alice/cards", R"({"card_id":"04:A2:3B:9C"})").status() == 204);
  CHECK(h.call("DELETE", "/api/v1/users/alice/cards", R"({"card_id":"04:A2:3B:9C"})").status() == 404);
  CHECK(h.call("DELETE", "/api/v1/users/alice/pin").status() == 204);
  CHECK_FALSE(h.service.accounts["alice"].pin);
  CHECK(h.get("/api/v1/users/alice").json()["cards"] == 1);
  CHECK(h.call("PUT", "/api/v1/users/nobody/password", R"({"password":"abcdefgh"})").status() == 404);
}

TEST_CASE("validation: bodies are strict JSON objects and errors name the field, not the value") {
  api_harness h;
  struct bad_case {
    const char* method;
    const char* target;
    std::string body;
    const char* message_part;
  };
  std::vector<bad_case> cases = {
      {"POST", "/api/v1/users", "{", "not valid JSON"},
      {"POST", "/api/v1/users", "[]", "JSON object"},
      {"POST", "/api/v1/users", "\"bob\"", "JSON object"},
      {"POST", "/api/v1/users", R"({"name":"bob","name":"eve"})", "twice"},
      {"POST", "/api/v1/users", R"({"display_name":"Bob"})", "\"name\" is required"},
      {"POST", "/api/v1/users", R"({"name":42})", "\"name\" must be a string"},
      {"POST", "/api/v1/users", R"({"name":""})", "user name"},
      {"POST", "/api/v1/users", R"({"name":"bo\u0007b"})", "user name"},
      {"POST", "/api/v1/users", R"({"name":"bob","admin":"yes"})", "\"admin\" must be true or false"},
      {"POST", "/api/v1/users", R"({"name":"bob","groups":"staff"})", "array of strings"},
      {"POST", "/api/v1/users", R"({"name":"bob","groups":["a","a"]})", "twice"},
      {"POST", "/api/v1/users", R"({"name":"bob","groups":[["a"]]})", "array of strings"},
      {"POST", "/api/v1/users", R"({"name":"bob","password":""})", "must not be empty"},
      {"POST", "/api/v1/users", R"({"name":"bob","password_hash":"$scrypt$..."})", "unknown field \"password_hash\""},
      {"POST", "/api/v1/users", R"({"name":"bob","cards":2})", "unknown field \"cards\""},
      {"POST", "/api/v1/users", R"({"name":"bob","x":[[[[[[[[[[1]]]]]]]]]]})", "nests deeper"},
      {"POST", "/api/v1/users", "{\"name\":\"b\xff\"}", "not valid JSON"},
      {"POST", "/api/v1/users", R"({"name":"bob"} {"name":"eve"})", "not valid JSON"},
      {"PATCH", "/api/v1/users/alice", "{}", "changes nothing"},
      {"PATCH", "/api/v1/users/alice", R"({"name":"eve"})", "cannot be renamed"},
      {"PATCH", "/api/v1/users/alice", R"({"password":"abcdefgh"})", "/password"},
      {"PATCH", "/api/v1/users/alice", R"({"display_name":null})", "must be a string"},
      {"PUT", "/api/v1/users/alice/password", R"({})", "\"password\" is required"},
      {"PUT", "/api/v1/users/alice/password", R"({"password":123456})", "must be a string"},
      {"PUT", "/api/v1/users/alice/password", R"({"password":"ab","extra":1})", "unknown field \"extra\""},
      {"POST", "/api/v1/users/alice/cards", R"({"card_id":""})", "printable ASCII"},
      {"POST", "/api/v1/users/alice/cards", R"({"card_id":"04 A2"})", "printable ASCII"},
      {"POST", "/api/v1/users/alice/cards", R"({"card_id":12345})", "must be a string"},
      {"POST", "/api/v1/users/alice/cards", R"({"card_id":")" + std::string(129, 'A') + "\"}", "printable ASCII"},
      {"PUT", "/api/v1/users/alice/pin", R"({"pin":1234})", "quote it"},
      {"PUT", "/api/v1/users/alice/pin", R"({"pin":"12a4"})", "digits"},
      {"PUT", "/api/v1/users/alice/pin", R"({"pin":"123"})", "4 to 16 digits"},
      {"PUT", "/api/v1/users/alice/pin", R"({"pin":"12345678901234567"})", "4 to 16 digits"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.method);
    CAPTURE(c.body);
    h.service.calls.clear();
    auto r = h.call(c.method, c.target, c.body);
    CHECK(r.status() == 400);
    CHECK(r.error() == "invalid_argument");
    CHECK(r.message().find(c.message_part) != std::string::npos);
    CHECK(h.service.calls == std::vector<std::string>{"authenticate root"});  // validated before any change
  }
  CHECK(h.service.accounts.count("bob") == 0);
}

TEST_CASE("validation: rejected secrets and odd field names are not echoed") {
  api_harness h;
  for (std::string body : {std::string(R"({"password":"hunter2-)") + std::string(2000, 'x') + "\"}",
                           std::string(R"({"password":"hunter2\u0000x"})"),
                           std::string(R"({"password":"hunter2", "hunter2-as-key":1})"),
                           std::string(R"({"password":"hunter2",)")}) {
    auto r = h.call("PUT", "/api/v1/users/alice/password", body);
    CHECK(r.status() == 400);
    CHECK(r.response.body.find("hunter2") == std::string::npos);
  }
  auto r = h.call("PUT", "/api/v1/users/alice/pin", R"({"pin":"98765x"})");
  CHECK(r.response.body.find("98765") == std::string::npos);
  r = h.call("POST", "/api/v1/users/alice/cards", R"({"card_id":"SECRET CARD"})");
  CHECK(r.response.body.find("SECRET") == std::string::npos);
  CHECK(h.service.accounts["alice"].password == "alice-password-1");
}

TEST_CASE("media type and bodies: JSON only where a body belongs") {
  api_harness h;
  api_request r;
  r.method = "POST";
  r.target = "/api/v1/users";
  r.body = R"({"name":"bob"})";
  r.content_type = "text/plain";
  CHECK(h.send(r).status() == 415);
  r.content_type = "application/x-www-form-urlencoded";  // a cross-site form cannot send JSON
  CHECK(h.send(r).status() == 415);
  r.content_type = "Application/JSON; charset=utf-8";
  CHECK(h.send(r).status() == 201);

  api_request no_type;
  no_type.method = "PUT";
  no_type.target = "/api/v1/users/alice/pin";
  no_type.body = R"({"pin":"1234"})";
  no_type.content_type = "";
  CHECK(h.send(no_type).status() == 415);

  auto get_with_body = h.call("GET", "/api/v1/users/alice", "{}");
  CHECK(get_with_body.status() == 400);
  api_request chunked_get;
  chunked_get.target = "/api/v1/users/alice";
  chunked_get.body = "x";
  chunked_get.chunked = true;
  chunked_get.content_type = "application/json";
  CHECK(h.send(chunked_get).status() == 400);
  CHECK(h.get("/api/v1/users/alice?x=1").status() == 400);
}

TEST_CASE("body size: over max_body_bytes is 413, by Content-Length at the head or while chunks arrive") {
  api_harness h;
  h.options.max_body_bytes = 1024;
  std::string big = R"({"name":"bob","display_name":")" + std::string(2000, 'a') + "\"}";
  auto r = h.call("POST", "/api/v1/users", big);
  CHECK(r.status() == 413);
  CHECK(r.error() == "payload_too_large");
  CHECK(h.service.calls.empty());

  api_request chunked;
  chunked.method = "POST";
  chunked.target = "/api/v1/users";
  chunked.body = big;
  chunked.chunked = true;
  chunked.piece = 100;
  r = h.send(chunked);
  CHECK(r.status() == 413);
  CHECK(r.answers == 1);
  CHECK(h.service.calls.empty());

  chunked.body = R"({"name":"bob"})";
  chunked.piece = 3;
  CHECK(h.send(chunked).status() == 201);

  h.options.max_body_bytes = 64 * 1024;
  std::string fits = R"({"name":"carol","display_name":")" + std::string(300, 'c') + "\"}";
  CHECK(h.call("POST", "/api/v1/users", fits).status() == 400);  // read whole, then refused: display name > 256
}

TEST_CASE("service errors map to HTTP statuses and keep their message") {
  api_harness h;
  struct mapping {
    errc code;
    int status;
  };
  for (auto m : {mapping{errc::invalid_argument, 400}, mapping{errc::permission_denied, 403},
                 mapping{errc::not_found, 404}, mapping{errc::already_exists, 409}, mapping{errc::not_possible, 409},
                 mapping{errc::limit_exceeded, 429}, mapping{errc::busy, 503}, mapping{errc::unavailable, 503},
                 mapping{errc::shutting_down, 503}, mapping{errc::timeout, 503}, mapping{errc::io_error, 500},
                 mapping{errc::corruption, 500}, mapping{errc::internal, 500}}) {
    CAPTURE(to_string(m.code));
    CHECK(web::http_status_for(m.code) == m.status);
    h.service.fail_next = error(m.code, "the store said so");
    auto r = h.get("/api/v1/users/alice");
    CHECK(r.status() == m.status);
    CHECK(r.error() == to_string(m.code));
    CHECK(r.message() == "the store said so");
  }
}

TEST_CASE("asynchronous answers: the handler may be gone, the response arrives once") {
  api_harness h;
  h.service.deferred = true;
  auto reply = h.start([] {
    api_request r;
    r.method = "POST";
    r.target = "/api/v1/users";
    r.body = R"({"name":"late","password":"late-password"})";
    return r;
  }());
  CHECK(reply->answers == 0);  // waiting for authenticate
  h.service.run_pending();     // authenticate answers, create_user is queued
  CHECK(reply->answers == 0);
  h.service.run_pending();
  CHECK(reply->answers == 1);
  CHECK(reply->status() == 201);
  CHECK(h.service.accounts.count("late") == 1);

  // A handler destroyed before the end of its body never calls the service.
  api_request partial;
  partial.method = "POST";
  partial.target = "/api/v1/users";
  partial.body = R"({"name":"never"})";
  http::request_head head;
  head.method = "POST";
  head.target = "/api/v1/users";
  head.headers = {{"Authorization", basic("root", "root-password-1")}, {"Content-Type", "application/json"}};
  head.has_content_length = true;
  head.content_length = 100;
  io::request_info info{head, "192.0.2.7", "", true};
  int answers = 0;
  auto handler = web::route_admin_api(info, [&](io::http_response) { ++answers; }, h.service, h.jobs, h.options);
  REQUIRE(handler);
  handler->on_body("{\"name\":");
  handler.reset();
  h.service.run_pending();
  CHECK(answers == 0);
  CHECK(h.service.accounts.count("never") == 0);
}
