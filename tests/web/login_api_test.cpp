#include <doctest/doctest.h>

#include "api_test_util.hpp"
#include "fake_session_service.hpp"
#include "web/login_api.hpp"
#include "web/session_table.hpp"

using namespace quire;
using namespace quire::testing;

namespace {

struct login_harness {
  fake_user_service users;
  fake_job_service jobs;
  fake_session_service sessions;
  web::api_options options;
  bool secure = true;

  login_harness() {
    users.add("root", "root-password-1", true);
    users.add("alice", "alice-password-1", false);
  }

  api_reply send(const std::string& method, const std::string& target, const std::string& body,
                 std::vector<http::header> headers) {
    auto box = std::make_shared<api_reply>();
    http::request_head head = make_head(method, target, body, std::nullopt, false, std::move(headers));
    io::request_info info{head, "192.0.2.7", "127.0.0.1:8631", secure};
    std::string_view path = head.path();
    auto handler = web::is_login_path(path)
                       ? web::route_login(info, capture(box), users, sessions, options)
                       : web::route_admin_api(info, capture(box), users, jobs, options, nullptr, nullptr, &sessions);
    drive(std::move(handler), *box, body);
    return *box;
  }

  api_reply login(const std::string& user, const std::string& password) {
    return send("POST", "/api/v1/login", R"({"user":")" + user + R"(","password":")" + password + R"("})", {});
  }
};

std::string cookie_value(const std::string& set_cookie) {
  auto semi = set_cookie.find(';');
  auto eq = set_cookie.find('=');
  return set_cookie.substr(eq + 1, semi - eq - 1);
}

}  // namespace

TEST_CASE("session table: sliding idle timeout, absolute limit, oldest dropped past the per-user cap") {
  web::session_limits lim;
  lim.idle_ms = 100;
  lim.absolute_ms = 250;
  lim.per_user = 2;
  web::session_table t(lim);
  t.create("h1", web::web_session{"alice", false, "c1", 0, 0}, 0);
  CHECK(t.verify("h1", 90) != nullptr);
  CHECK(t.verify("h1", 180) != nullptr);  // slid from 90
  CHECK(t.verify("h1", 250) == nullptr);  // absolute limit
  CHECK(t.size() == 0);
  t.create("h2", web::web_session{"alice", false, "c2", 0, 0}, 300);
  CHECK(t.verify("h2", 400) == nullptr);  // idle
  t.create("a", web::web_session{"bob", false, "x", 0, 0}, 500);
  t.create("b", web::web_session{"bob", false, "y", 0, 0}, 501);
  t.create("c", web::web_session{"bob", false, "z", 0, 0}, 502);
  CHECK(t.verify("a", 503) == nullptr);
  CHECK(t.verify("b", 503) != nullptr);
  CHECK(t.verify("c", 503) != nullptr);
  CHECK(t.end("b"));
  CHECK_FALSE(t.end("b"));
}

TEST_CASE("cookie parsing finds quire_session among other cookies") {
  CHECK(web::session_cookie_of("quire_session=abc") == "abc");
  CHECK(web::session_cookie_of("a=1; quire_session=abc-_; b=2") == "abc-_");
  CHECK(web::session_cookie_of("xquire_session=abc") == "");
  CHECK(web::session_cookie_of("") == "");
  CHECK(web::same_secret("abc", "abc"));
  CHECK_FALSE(web::same_secret("abc", "abd"));
  CHECK_FALSE(web::same_secret("abc", "ab"));
}

TEST_CASE("login sets an HttpOnly SameSite=Strict cookie, Secure over TLS, and answers the CSRF token") {
  login_harness h;
  auto r = h.login("alice", "alice-password-1");
  REQUIRE(r.status() == 200);
  std::string set = r.header("Set-Cookie");
  CHECK(set.rfind("quire_session=token-1; ", 0) == 0);
  CHECK(set.find("; Path=/") != std::string::npos);
  CHECK(set.find("; HttpOnly") != std::string::npos);
  CHECK(set.find("; SameSite=Strict") != std::string::npos);
  CHECK(set.find("; Secure") != std::string::npos);
  auto j = r.json();
  CHECK(j["user"] == "alice");
  CHECK(j["admin"] == false);
  CHECK(j["csrf_token"] == "csrf-1");
  CHECK(j["expires_ms"].get<int64_t>() > h.sessions.now_ms);
  CHECK(web::session_set_cookie("t", false).find("Secure") == std::string::npos);
}

TEST_CASE("login with a wrong password or an unknown user is 401 with one message") {
  login_harness h;
  auto a = h.login("alice", "wrong-password");
  auto b = h.login("nobody", "wrong-password");
  CHECK(a.status() == 401);
  CHECK(b.status() == 401);
  CHECK(a.message() == b.message());
  CHECK(a.header("Set-Cookie").empty());
  CHECK(a.response.body.find("wrong-password") == std::string::npos);
  CHECK(h.login("alice", "").status() == 400);
  CHECK(h.send("GET", "/api/v1/login", "", {}).status() == 405);
}

TEST_CASE("the session cookie authenticates, state changes need X-CSRF-Token, logout ends it") {
  login_harness h;
  auto r = h.login("root", "root-password-1");
  REQUIRE(r.status() == 200);
  std::string cookie = "quire_session=" + cookie_value(r.header("Set-Cookie"));
  std::string csrf = r.json()["csrf_token"];

  auto who = h.send("GET", "/api/v1/whoami", "", {{"Cookie", cookie}});
  CHECK(who.status() == 200);
  CHECK(who.json()["name"] == "root");

  std::string body = R"({"name":"carol"})";
  auto no_csrf = h.send("POST", "/api/v1/users", body, {{"Cookie", cookie}});
  CHECK(no_csrf.status() == 403);
  CHECK(no_csrf.error() == "csrf_required");
  auto bad_csrf = h.send("POST", "/api/v1/users", body, {{"Cookie", cookie}, {"X-CSRF-Token", "csrf-9"}});
  CHECK(bad_csrf.status() == 403);
  auto ok = h.send("POST", "/api/v1/users", body, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  CHECK(ok.status() == 201);

  auto out = h.send("POST", "/api/v1/logout", "", {{"Cookie", cookie}});
  CHECK(out.status() == 204);
  CHECK(out.header("Set-Cookie").find("Max-Age=0") != std::string::npos);
  CHECK(h.send("GET", "/api/v1/whoami", "", {{"Cookie", cookie}}).status() == 401);
  CHECK(h.send("GET", "/api/v1/whoami", "", {{"Cookie", "quire_session=forged"}}).status() == 401);
}

TEST_CASE("a session times out after 30 minutes idle") {
  login_harness h;
  auto r = h.login("alice", "alice-password-1");
  std::string cookie = "quire_session=" + cookie_value(r.header("Set-Cookie"));
  h.sessions.now_ms += 29 * 60 * 1000;
  CHECK(h.send("GET", "/api/v1/whoami", "", {{"Cookie", cookie}}).status() == 200);
  h.sessions.now_ms += 31 * 60 * 1000;
  CHECK(h.send("GET", "/api/v1/whoami", "", {{"Cookie", cookie}}).status() == 401);
}
