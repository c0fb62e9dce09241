// The user directory against a real store: password logins, the cache that
// spares scrypt, and the limiter after repeated failures. Real threads: the
// scrypt hashers are detached actors.
#include <doctest/doctest.h>

#include <caf/all.hpp>

#include <atomic>
#include <future>

#include "actors/directory_rules.hpp"
#include "actors/user_directory.hpp"
#include "storage/credentials.hpp"
#include "storage/store.hpp"
#include "test_util.hpp"

using namespace quire;
using quire::testing::temp_dir;

namespace {

struct fixture {
  temp_dir dir;
  std::unique_ptr<store> st;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  int64_t now = 1'000'000;
  std::atomic<int> scrypts{0};
  user_directory_actor users;

  fixture() {
    store::options o;
    o.data_dir = dir.path();
    auto s = store::open(o);
    REQUIRE(s.ok());
    st = std::move(s.value());
    add_user("alice", "correct horse", false);
    add_user("root", "admin pass", true);
    register_message_types(cfg);
    cfg.set("logger.verbosity", caf::atom("quiet"));
    sys = std::make_unique<caf::actor_system>(cfg);
    user_directory_options uo;
    uo.limits.max_user_failures = 3;
    uo.now_ms = [this] { return now; };
    uo.on_scrypt = [this] { scrypts += 1; };
    users = spawn_user_directory(*sys, *st, uo);
  }

  ~fixture() {
    caf::anon_send_exit(users, caf::exit_reason::user_shutdown);
    sys.reset();
  }

  void add_user(const std::string& name, const std::string& password, bool admin) {
    user_record u;
    u.name = name;
    u.admin = admin;
    auto h = hash_password(password);
    REQUIRE(h.ok());
    u.password_hash = *h;
    write_batch b;
    b.put_user(u);
    std::promise<status> p;
    st->commit(std::move(b), [&p](const status& s) { p.set_value(s); });
    REQUIRE_FALSE(p.get_future().get());
  }

  // The directory's answer: the requester, or the errc.
  std::pair<requester, errc> login(const std::string& user, const std::string& password,
                                   const std::string& peer = "127.0.0.1") {
    caf::scoped_actor self{*sys};
    std::pair<requester, errc> out{{}, errc::ok};
    self->request(users, std::chrono::seconds(10), auth_atom::value, user, password, peer)
        .receive([&](requester& r) { out.first = r; }, [&](caf::error& e) { out.second = code_of(e); });
    return out;
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "a right password logs in with the user's administrator flag") {
  auto [who, e] = login("alice", "correct horse");
  CHECK(e == errc::ok);
  CHECK(who.user == "alice");
  CHECK_FALSE(who.admin);
  auto [admin, e2] = login("root", "admin pass");
  CHECK(e2 == errc::ok);
  CHECK(admin.admin);
}

TEST_CASE_FIXTURE(fixture, "a wrong password and an unknown user get the same answer") {
  CHECK(login("alice", "wrong").second == errc::permission_denied);
  CHECK(login("nobody", "x").second == errc::permission_denied);
  CHECK(login("alice", "").second == errc::permission_denied);
}

TEST_CASE_FIXTURE(fixture, "a verified password is served from the cache") {
  REQUIRE(login("alice", "correct horse").second == errc::ok);
  CHECK(scrypts == 1);
  for (int i = 0; i < 20; ++i) REQUIRE(login("alice", "correct horse").second == errc::ok);
  CHECK(scrypts == 1);
  // The cache does not accept another password for the same user.
  CHECK(login("alice", "correct horsf").second == errc::permission_denied);
  CHECK(scrypts == 2);
  // After its ttl the password is checked again.
  now += 10 * 60 * 1000;
  CHECK(login("alice", "correct horse").second == errc::ok);
  CHECK(scrypts == 3);
}

TEST_CASE_FIXTURE(fixture, "repeated failures block the user for a while, even with the right password") {
  for (int i = 0; i < 3; ++i) REQUIRE(login("alice", "guess" + std::to_string(i)).second == errc::permission_denied);
  CHECK(login("alice", "correct horse").second == errc::limit_exceeded);
  CHECK(login("root", "admin pass").second == errc::ok);  // others are not blocked
  now += 3600 * 1000;
  CHECK(login("alice", "correct horse").second == errc::ok);
}

TEST_CASE_FIXTURE(fixture, "a user reads their own record, an administrator anyone's, nobody else") {
  caf::scoped_actor self{*sys};
  auto get = [&](const std::string& by, bool admin, const std::string& name) {
    user_request r;
    r.op = user_op::get;
    r.by = requester{by, admin};
    r.name = name;
    errc code = errc::ok;
    std::string got;
    self->request(users, std::chrono::seconds(10), users_atom::value, r)
        .receive([&](std::vector<user_info_msg>& v) { got = v.empty() ? "" : v.front().record.name; },
                 [&](caf::error& e) { code = code_of(e); });
    return std::make_pair(got, code);
  };
  CHECK(get("alice", false, "alice") == std::make_pair(std::string("alice"), errc::ok));
  CHECK(get("root", true, "alice") == std::make_pair(std::string("alice"), errc::ok));
  CHECK(get("alice", false, "root").second == errc::permission_denied);
  CHECK(get("alice", false, "nobody").second == errc::permission_denied);
}

// --- directory sync plans ---------------------------------------------------

namespace {

errc apply(fixture& f, directory_plan plan) {
  caf::scoped_actor self{*f.sys};
  errc code = errc::ok;
  self->request(f.users, std::chrono::seconds(10), apply_atom::value,
                directory_plan_ptr(std::make_shared<const directory_plan>(std::move(plan))))
      .receive([](bool) {}, [&](caf::error& e) { code = code_of(e); });
  return code;
}

planned_user from_directory(const std::string& name, int64_t before_ms) {
  planned_user u;
  u.before_ms = before_ms;
  u.after.name = name;
  u.after.source = "directory";
  u.after.dn = "uid=" + name + ",ou=people,dc=uni,dc=test";
  u.after.directory_state = "active";
  u.after.updated_ms = 5;
  return u;
}

errc update(fixture& f, const std::string& name, std::function<void(user_request&)> set) {
  caf::scoped_actor self{*f.sys};
  user_request r;
  r.op = user_op::update;
  r.by = requester{"root", true};
  r.name = name;
  set(r);
  errc code = errc::ok;
  self->request(f.users, std::chrono::seconds(10), users_atom::value, r)
      .receive([](std::vector<user_info_msg>&) {}, [&](caf::error& e) { code = code_of(e); });
  return code;
}

}  // namespace

TEST_CASE_FIXTURE(fixture, "a directory plan is applied whole with its cards and state, or refused whole") {
  std::string card = st->credential_key(credential_kind::card, "4711");
  directory_plan plan;
  plan.users.push_back(from_directory("dora", -1));
  plan.users.push_back(from_directory("eve", -1));
  plan.users[0].after.directory_cards = {card};
  plan.cards.push_back({true, card, "dora"});
  plan.meta.emplace_back("directory_sync", "state bytes");
  REQUIRE(apply(*this, plan) == errc::ok);
  CHECK(st->get_user("dora").ok());
  CHECK(st->find_credential(credential_kind::card, "4711").value() == "dora");
  CHECK(st->get_meta("directory_sync").value() == "state bytes");

  // Planned from an older dora (updated_ms 4, stored 5): nothing is written,
  // not even the new user in the same plan.
  directory_plan stale;
  stale.users.push_back(from_directory("dora", 4));
  stale.users.push_back(from_directory("fay", -1));
  CHECK(apply(*this, stale) == errc::busy);
  CHECK_FALSE(st->get_user("fay").ok());
  // A card planned for someone while another holds it: refused.
  directory_plan taken;
  taken.users.push_back(from_directory("fay", -1));
  taken.cards.push_back({true, card, "fay"});
  CHECK(apply(*this, taken) == errc::busy);
  // ... unless the same plan takes it from its holder first.
  directory_plan moved;
  auto dora = from_directory("dora", 5);
  dora.after.updated_ms = 6;
  moved.users.push_back(dora);
  moved.users.push_back(from_directory("fay", -1));
  moved.cards.push_back({false, card, "dora"});
  moved.cards.push_back({true, card, "fay"});
  REQUIRE(apply(*this, moved) == errc::ok);
  CHECK(st->find_credential(credential_kind::card, "4711").value() == "fay");
}

TEST_CASE_FIXTURE(fixture, "a directory user's name, groups, e-mail and password are the directory's") {
  directory_plan plan;
  plan.users.push_back(from_directory("dora", -1));
  plan.users[0].after.email = "dora@uni.test";
  REQUIRE(apply(*this, plan) == errc::ok);
  CHECK(update(*this, "dora", [](user_request& r) {
          r.set_groups = true;
          r.groups = {"staff"};
        }) == errc::not_possible);
  CHECK(update(*this, "dora", [](user_request& r) {
          r.set_email = true;
          r.email = "other@uni.test";
        }) == errc::not_possible);
  CHECK(update(*this, "dora", [](user_request& r) { r.disabled = 1; }) == errc::ok);  // a local decision
  CHECK(update(*this, "alice", [](user_request& r) {
          r.set_email = true;
          r.email = "alice@uni.test";
        }) == errc::ok);
  CHECK(st->get_user("alice")->email == "alice@uni.test");
  // Gone from the directory: no login, even with a password hash kept.
  CHECK(login("dora", "anything").second == errc::permission_denied);
}
