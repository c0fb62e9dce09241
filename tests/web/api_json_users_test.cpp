// A user's e-mail address and where the user comes from (Quire itself, or
// the directory sync): how user_json shows them, how POST and PATCH
// /api/v1/users take an address, and what they refuse.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "api_test_util.hpp"
#include "web/api_json.hpp"

using namespace quire;
using namespace quire::web;
using quire::testing::api_harness;
using nlohmann::json;

TEST_CASE("user_json: a Quire user has source quire, an empty dn and no directory state") {
  user_info u;
  u.record.name = "bob";
  u.record.email = "bob@example.edu";
  auto j = json::parse(user_json(u));
  CHECK(j["email"] == "bob@example.edu");
  CHECK(j["source"] == "quire");
  CHECK(j["dn"] == "");
  CHECK(j["directory_state"].is_null());
}

TEST_CASE("user_json: a directory user shows its dn and state") {
  for (const char* state : {"active", "disabled", "gone"}) {
    CAPTURE(state);
    user_info u;
    u.record.name = "jdoe";
    u.record.source = "directory";
    u.record.dn = "uid=jdoe,ou=people,dc=example,dc=edu";
    u.record.directory_state = state;
    auto j = json::parse(user_json(u));
    CHECK(j["email"] == "");
    CHECK(j["source"] == "directory");
    CHECK(j["dn"] == "uid=jdoe,ou=people,dc=example,dc=edu");
    CHECK(j["directory_state"] == state);
  }
}

TEST_CASE("check_email: empty, or one @ between two parts, at most 254 bytes, no spaces or controls") {
  for (std::string ok : {std::string(), std::string("a@b"), std::string("j.doe+print@mail.example.edu"),
                         std::string("\xc3\xa9@example.org"), std::string(64, 'x') + "@" + std::string(189, 'y')}) {
    CAPTURE(ok);
    CHECK(!check_email(ok));
  }
  for (std::string bad : {std::string("no-at"), std::string("two@@example.org"), std::string("a@b@c"),
                          std::string("@example.org"), std::string("bob@"), std::string("bob @example.org"),
                          std::string("bob@example.org "), std::string("tab\t@x.org"), std::string("nl@x.org\n"),
                          std::string("del\x7f@x.org"), std::string("c1\xc2\x85@x.org"),
                          std::string(64, 'x') + "@" + std::string(190, 'y')}) {
    CAPTURE(bad);
    auto s = check_email(bad);
    REQUIRE(s);
    CHECK(s.code == errc::invalid_argument);
    CHECK(s.message.find("field \"email\"") == 0);
  }
}

TEST_CASE("parse_new_user and parse_user_patch: email") {
  auto r = parse_new_user(R"({"name":"bob","email":"bob@example.edu"})");
  REQUIRE(r.ok());
  CHECK(r->user.email == "bob@example.edu");
  CHECK(parse_new_user(R"({"name":"bob"})")->user.email.empty());
  CHECK(parse_new_user(R"({"name":"bob","email":""})").ok());
  CHECK(parse_new_user(R"({"name":"bob","email":7})").err().message == "field \"email\" must be a string");
  CHECK(!parse_new_user(R"({"name":"bob","email":"bob"})").ok());

  auto p = parse_user_patch("bob", R"({"email":"b@x.org"})");
  REQUIRE(p.ok());
  CHECK(p->email == std::optional<std::string>("b@x.org"));
  CHECK(!p->empty());
  p = parse_user_patch("bob", R"({"email":""})");  // clears it
  REQUIRE(p.ok());
  CHECK(p->email == std::optional<std::string>(""));
  p = parse_user_patch("bob", R"({"admin":true})");
  REQUIRE(p.ok());
  CHECK(!p->email);
  CHECK(!parse_user_patch("bob", R"({"email":null})").ok());
  CHECK(parse_user_patch("bob", "{}").err().message ==
        "the body changes nothing: give display_name, groups, admin, disabled or email");
  // What the directory decides is not the API's to set.
  for (const char* body : {R"({"source":"quire"})", R"({"dn":"uid=x"})", R"({"directory_state":"active"})"}) {
    CAPTURE(body);
    CHECK(!parse_user_patch("bob", body).ok());
    CHECK(!parse_new_user(std::string(R"({"name":"bob",)") + (body + 1)).ok());
  }
}

TEST_CASE("POST and PATCH /api/v1/users carry the address to the service and show it back") {
  api_harness h;
  auto r = h.call("POST", "/api/v1/users", R"({"name":"carol","email":"carol@example.edu"})");
  REQUIRE(r.status() == 201);
  CHECK(r.json()["email"] == "carol@example.edu");
  CHECK(r.json()["source"] == "quire");
  CHECK(r.json()["directory_state"].is_null());
  CHECK(h.service.accounts.at("carol").record.email == "carol@example.edu");

  r = h.call("PATCH", "/api/v1/users/carol", R"({"email":"c@example.org"})");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["email"] == "c@example.org");
  r = h.call("PATCH", "/api/v1/users/carol", R"({"email":""})");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["email"] == "");

  // A directory user, as the sync stored it.
  auto& d = h.service.add("jdoe", "jdoe-password-1");
  d.record.source = "directory";
  d.record.dn = "uid=jdoe,ou=people,dc=example,dc=edu";
  d.record.directory_state = "gone";
  r = h.get("/api/v1/users/jdoe");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["source"] == "directory");
  CHECK(r.json()["dn"] == "uid=jdoe,ou=people,dc=example,dc=edu");
  CHECK(r.json()["directory_state"] == "gone");
  r = h.get("/api/v1/users");
  REQUIRE(r.status() == 200);
  bool seen = false;
  const json list = r.json();
  for (const auto& u : list["users"])
    if (u["name"] == "jdoe") seen = u["directory_state"] == "gone";
  CHECK(seen);
}

TEST_CASE("POST and PATCH /api/v1/users: a bad address is 400 naming the field") {
  api_harness h;
  for (const char* email : {R"("two@@x.org")", R"("no at")", R"("x y@z.org")", R"("a@b\u0001")", "true", "[]"}) {
    CAPTURE(email);
    auto r = h.call("POST", "/api/v1/users", std::string(R"({"name":"dave","email":)") + email + "}");
    CHECK(r.status() == 400);
    CHECK(r.message().find("field \"email\"") == 0);
    r = h.call("PATCH", "/api/v1/users/alice", std::string(R"({"email":)") + email + "}");
    CHECK(r.status() == 400);
    CHECK(r.message().find("field \"email\"") == 0);
  }
  std::string longest = std::string(R"({"email":")") + std::string(250, 'a') + "@b.c\"}";  // 254 bytes
  CHECK(h.call("PATCH", "/api/v1/users/alice", longest).status() == 200);
  std::string too_long = std::string(R"({"email":")") + std::string(251, 'a') + "@b.c\"}";
  CHECK(h.call("PATCH", "/api/v1/users/alice", too_long).status() == 400);
  CHECK(h.service.accounts.count("dave") == 0);
}
