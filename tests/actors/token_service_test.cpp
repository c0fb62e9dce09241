// API tokens over a real store: made, checked as Bearer credentials, listed,
// expired, revoked, capped; and their JSON.
#include <doctest/doctest.h>

#include <future>

#include "actors/token_service_adapter.hpp"
#include "storage/store.hpp"
#include "test_util.hpp"
#include "web/token_json.hpp"

using namespace quire;
using quire::testing::temp_dir;

namespace {

struct fixture {
  temp_dir dir;
  std::unique_ptr<store> st;
  int64_t now = 1'000'000;
  std::unique_ptr<web::token_service> tokens;
  web::principal root{"root", true};

  fixture() {
    store::options o;
    o.data_dir = dir.path();
    auto s = store::open(o);
    REQUIRE(s.ok());
    st = std::move(s.value());
    add_user("alice", false, false);
    add_user("root", true, false);
    tokens = make_token_service(*st, [this] { return now; });
  }
  void add_user(const std::string& name, bool admin, bool disabled) {
    user_record u;
    u.name = name;
    u.admin = admin;
    u.disabled = disabled;
    write_batch b;
    b.put_user(u);
    std::promise<status> p;
    st->commit(std::move(b), [&p](const status& s) { p.set_value(s); });
    REQUIRE_FALSE(p.get_future().get());
  }
  template <class T, class Call>
  T wait(Call call) {
    std::promise<T> p;
    call([&p](T r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }
  result<web::new_api_token> create(const std::string& user, int64_t expires_ms = 0) {
    return wait<result<web::new_api_token>>(
        [&](auto cb) { tokens->create_token(root, user, "script", expires_ms, cb); });
  }
  result<web::principal> auth(const std::string& token) {
    return wait<result<web::principal>>([&](auto cb) { tokens->authenticate(token, cb); });
  }
  result<std::vector<web::api_token_view>> list(const std::string& user) {
    return wait<result<std::vector<web::api_token_view>>>([&](auto cb) { tokens->list_tokens(root, user, cb); });
  }
  status revoke(const std::string& user, const std::string& id) {
    return wait<status>([&](auto cb) { tokens->revoke_token(root, user, id, cb); });
  }
};

}  // namespace

TEST_CASE("api tokens: made once, then they authenticate as their user until revoked") {
  fixture f;
  auto made = f.create("alice");
  REQUIRE(made.ok());
  CHECK(made->token.rfind("qt_", 0) == 0);
  CHECK(made->token.size() == 46);
  CHECK(web::valid_token_id(made->view.id));
  CHECK(made->view.user == "alice");
  CHECK(made->view.created_by == "root");
  CHECK(made->view.created_ms == f.now);
  auto who = f.auth(made->token);
  REQUIRE(who.ok());
  CHECK(who->name == "alice");
  CHECK_FALSE(who->admin);
  // Near misses are refused with one answer.
  for (std::string bad : {made->token + "x", made->token.substr(0, 45), std::string("qt_"), std::string()}) {
    auto r = f.auth(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::permission_denied);
  }
  auto listed = f.list("alice");
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].id == made->view.id);
  CHECK(f.list("nobody").err().code == errc::not_found);
  CHECK(f.revoke("alice", "000000000000").code == errc::not_found);
  CHECK(f.revoke("root", made->view.id).code == errc::not_found);  // not root's token
  CHECK_FALSE(f.revoke("alice", made->view.id));
  CHECK(f.auth(made->token).err().code == errc::permission_denied);
  CHECK(f.list("alice")->empty());
}

TEST_CASE("api tokens: an expired token, or one of a disabled or deleted user, is refused") {
  fixture f;
  auto expiring = f.create("alice", f.now + 1000);
  REQUIRE(expiring.ok());
  CHECK(f.auth(expiring->token).ok());
  f.now += 1000;
  CHECK(f.auth(expiring->token).err().code == errc::permission_denied);
  auto lasting = f.create("alice");
  REQUIRE(lasting.ok());
  f.add_user("alice", true, false);  // made administrator: the token follows
  CHECK(f.auth(lasting->token)->admin);
  f.add_user("alice", false, true);  // disabled
  CHECK(f.auth(lasting->token).err().code == errc::permission_denied);
  CHECK(f.create("nobody").err().code == errc::not_found);
}

TEST_CASE("api tokens: at most max_api_tokens_per_user per user") {
  fixture f;
  for (size_t i = 0; i < web::max_api_tokens_per_user; ++i) REQUIRE(f.create("alice").ok());
  CHECK(f.create("alice").err().code == errc::limit_exceeded);
  CHECK(f.create("root").ok());
}

TEST_CASE("api tokens: the request body and the JSON") {
  auto ok = web::parse_token_request(R"({"name": "backup ☃", "expires_days": 90})");
  REQUIRE(ok.ok());
  CHECK(ok->name == "backup ☃");
  CHECK(ok->expires_days == 90);
  CHECK(web::parse_token_request(R"({"name": "x"})")->expires_days == 0);
  for (const char* bad : {R"({})", R"({"name": ""})", R"({"name": "a\u0001b"})", R"({"name": 5})",
                          R"({"name": "x", "expires_days": 0})", R"({"name": "x", "expires_days": 3651})",
                          R"({"name": "x", "expires_days": 1.5})", R"({"name": "x", "token": "qt_"})",
                          R"([])"}) {
    CAPTURE(bad);
    CHECK_FALSE(web::parse_token_request(bad).ok());
  }
  CHECK_FALSE(web::parse_token_request("{\"name\": \"" + std::string(65, 'a') + "\"}").ok());
  CHECK(web::valid_token_id("0123456789ab"));
  CHECK_FALSE(web::valid_token_id("0123456789AB"));
  CHECK_FALSE(web::valid_token_id("0123456789a"));
  web::new_api_token t{{"0123456789ab", "alice", "ci", "root", 1700000000000, 0}, "qt_secret"};
  auto made = web::new_token_json(t);
  CHECK(made.find("\"token\":\"qt_secret\"") != std::string::npos);
  CHECK(made.find("\"expires\":null") != std::string::npos);
  auto listed = web::token_list_json({t.view});
  CHECK(listed.find("qt_secret") == std::string::npos);
  CHECK(listed.find("\"id\":\"0123456789ab\"") != std::string::npos);
}
