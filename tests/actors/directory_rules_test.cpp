// The directory sync's rules without a directory or a store: entries to
// users (what is skipped, dropped and reported), and plans (created,
// updated, gone, back; groups full and incremental; cards bound, moved,
// refused when two users claim one).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "actors/directory_rules.hpp"

using namespace quire;

namespace {

ldap::entry person(const std::string& uid, std::vector<std::string> cards = {}, std::string mail = "") {
  ldap::entry e;
  e.dn = "uid=" + uid + ",ou=People,dc=uni,dc=test";
  e.attributes.push_back({"uid", {uid}});
  e.attributes.push_back({"displayName", {"Person " + uid}});
  if (!mail.empty()) e.attributes.push_back({"mail", {mail}});
  if (!cards.empty()) e.attributes.push_back({"employeeNumber", cards});
  return e;
}

directory_map card_map() {
  directory_map m;
  m.card_attribute = "employeeNumber";
  return m;
}

directory_user user_from(const ldap::entry& e, const directory_map& m = card_map()) {
  std::vector<std::string> problems;
  auto u = user_of(e, m, problems);
  REQUIRE(u.ok());
  return *u;
}

directory_group group(const std::string& name, const std::vector<std::string>& uids) {
  directory_group g;
  g.name = name;
  for (const auto& u : uids) g.members.push_back("uid=" + u + ",ou=people,dc=uni,dc=test");
  return g;
}

// A stand-in for the store's card keys and owners.
struct cards_world {
  std::map<std::string, std::string> owners;  // key -> user
  static std::string key(const std::string& card) {
    std::string k = "K" + card;
    k.resize(32, '.');
    return k;
  }
};

struct planner {
  std::vector<user_record> stored;
  cards_world cards;
  int64_t now = 1000;

  directory_plan plan(const directory_snapshot& snap, const directory_map& m = card_map()) {
    plan_inputs in;
    in.users = &stored;
    in.card_key = &cards_world::key;
    in.card_owner = [this](const std::string& k) {
      auto it = cards.owners.find(k);
      return it == cards.owners.end() ? std::string() : it->second;
    };
    in.now_ms = now;
    return plan_sync(snap, m, in, {});
  }

  // Stores what a plan wrote, as the user directory would.
  void apply(const directory_plan& p) {
    for (const auto& u : p.users) {
      auto it = std::find_if(stored.begin(), stored.end(), [&](const user_record& r) { return r.name == u.after.name; });
      if (it == stored.end())
        stored.push_back(u.after);
      else
        *it = u.after;
    }
    for (const auto& c : p.cards)
      if (!c.add) cards.owners.erase(c.key);
    for (const auto& c : p.cards)
      if (c.add) cards.owners[c.key] = c.user;
    now += 1000;
  }

  const user_record& get(const std::string& name) {
    auto it = std::find_if(stored.begin(), stored.end(), [&](const user_record& r) { return r.name == name; });
    REQUIRE(it != stored.end());
    return *it;
  }
};

directory_snapshot full(std::vector<ldap::entry> people, std::vector<directory_group> groups) {
  directory_snapshot s;
  s.full = true;
  for (const auto& e : people) s.users.push_back(user_from(e));
  s.groups = std::move(groups);
  return s;
}

}  // namespace

TEST_CASE("an entry becomes a user: login lower-cased, name, e-mail, cards normalised and unique") {
  auto e = person("Alice", {" ab12 ", "AB12", "cd34"}, "alice@uni.test");
  auto u = user_from(e);
  CHECK(u.name == "alice");
  CHECK(u.display_name == "Person Alice");
  CHECK(u.email == "alice@uni.test");
  CHECK(u.cards == std::vector<std::string>{"AB12", "CD34"});
  CHECK(u.key == "uid=alice,ou=people,dc=uni,dc=test");
  CHECK_FALSE(u.disabled);
}

TEST_CASE("an entry that cannot be a user is skipped with the reason") {
  std::vector<std::string> problems;
  directory_map m;
  ldap::entry none;
  none.dn = "cn=x,dc=uni,dc=test";
  auto r = user_of(none, m, problems);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().message.find("no uid") != std::string::npos);

  ldap::entry two = person("a");
  two.attributes[0].second.push_back("b");
  CHECK_FALSE(user_of(two, m, problems).ok());

  ldap::entry control = person("bad\x01name");
  CHECK_FALSE(user_of(control, m, problems).ok());

  ldap::entry project = person("project:x");
  CHECK_FALSE(user_of(project, m, problems).ok());

  ldap::entry huge = person("a");
  huge.oversized.push_back("UID");
  auto h = user_of(huge, m, problems);
  REQUIRE_FALSE(h.ok());
  CHECK(h.err().message.find("too long") != std::string::npos);
}

TEST_CASE("faulty optional attributes are dropped and reported, the user kept") {
  directory_map m = card_map();
  ldap::entry e = person("bob", {std::string(200, '7')}, "not an address");
  e.attributes[1].second[0] = std::string(300, 'x');  // displayName over 256 characters
  e.oversized.push_back("mail");
  std::vector<std::string> problems;
  auto u = user_of(e, m, problems);
  REQUIRE(u.ok());
  CHECK(u->display_name.empty());
  CHECK(u->email.empty());
  CHECK(u->cards.empty());
  CHECK(problems.size() == 4);
  for (const auto& p : problems) CHECK(p.find(std::string(200, '7')) == std::string::npos);  // no card number
}

TEST_CASE("AD userAccountControl flag 2 disables, other attributes take true or 1") {
  directory_map ad;
  ad.login_attribute = "sAMAccountName";
  ad.disabled_attribute = "userAccountControl";
  ldap::entry e;
  e.dn = "CN=Student,OU=People,DC=uni,DC=test";
  e.attributes = {{"sAMAccountName", {"s1"}}, {"userAccountControl", {"514"}}};
  std::vector<std::string> problems;
  CHECK(user_of(e, ad, problems)->disabled);
  e.attributes[1].second = {"512"};
  CHECK_FALSE(user_of(e, ad, problems)->disabled);
  e.attributes[1].second = {"garbage"};
  CHECK_FALSE(user_of(e, ad, problems)->disabled);
  directory_map other;
  other.disabled_attribute = "nsAccountLock";
  ldap::entry o = person("x");
  o.attributes.push_back({"nsAccountLock", {"TRUE"}});
  CHECK(user_of(o, other, problems)->disabled);
}

TEST_CASE("a first full sync creates users with their groups, admins by group") {
  planner p;
  directory_map m = card_map();
  m.admin_groups = {"print-admins"};
  auto snap = full({person("a", {"1"}), person("b", {"2"}), person("c")},
                   {group("students", {"a", "b", "c"}), group("print-admins", {"a"}), group("course-1", {"b"})});
  auto plan = p.plan(snap, m);
  CHECK(plan.report.created == 3);
  CHECK(plan.report.cards_added == 2);
  p.apply(plan);
  CHECK(p.get("a").admin);
  CHECK_FALSE(p.get("b").admin);
  CHECK(p.get("b").groups == std::vector<std::string>{"course-1", "students"});
  CHECK(p.get("c").source == "directory");
  CHECK(p.get("c").directory_state == "active");
  CHECK(p.cards.owners.at(cards_world::key("1")) == "a");
  // The same directory again: nothing to write.
  auto again = p.plan(snap, m);
  CHECK(again.users.empty());
  CHECK(again.cards.empty());
  CHECK(again.report.unchanged == 3);
}

TEST_CASE("a full sync marks the missing gone and takes them back when they return") {
  planner p;
  p.apply(p.plan(full({person("a"), person("b")}, {group("students", {"a", "b"})})));
  auto plan = p.plan(full({person("a")}, {group("students", {"a"})}));
  CHECK(plan.report.gone == 1);
  p.apply(plan);
  CHECK(p.get("b").directory_state == "gone");
  CHECK(user_disabled(p.get("b")));
  CHECK(p.get("b").groups == std::vector<std::string>{"students"});  // kept as they were
  // An incremental sync does not see deletions: b stays gone, not re-marked.
  directory_snapshot inc;
  CHECK(p.plan(inc).users.empty());
  auto back = p.plan(full({person("a"), person("b")}, {group("students", {"a", "b"})}));
  CHECK(back.report.returned == 1);
  p.apply(back);
  CHECK_FALSE(user_disabled(p.get("b")));
}

TEST_CASE("an incremental sync changes only what it saw, changed groups replace their memberships") {
  planner p;
  p.apply(p.plan(full({person("a"), person("b"), person("c")},
                      {group("students", {"a", "b", "c"}), group("course-1", {"a", "b"})})));
  directory_snapshot inc;
  inc.users.push_back(user_from(person("b", {}, "b@uni.test")));
  inc.groups.push_back(group("course-1", {"b", "c"}));  // a left, c joined
  auto plan = p.plan(inc);
  CHECK(plan.report.updated == 3);
  p.apply(plan);
  CHECK(p.get("a").groups == std::vector<std::string>{"students"});
  CHECK(p.get("b").groups == std::vector<std::string>{"course-1", "students"});
  CHECK(p.get("b").email == "b@uni.test");
  CHECK(p.get("c").groups == std::vector<std::string>{"course-1", "students"});
}

TEST_CASE("a user made in Quire, or one login in two entries, is left alone and reported") {
  planner p;
  user_record local;
  local.name = "root";
  local.admin = true;
  p.stored.push_back(local);
  auto snap = full({person("root"), person("x")}, {});
  snap.users.push_back(user_from(person("x")));
  auto plan = p.plan(snap);
  CHECK(plan.users.empty());
  CHECK(plan.report.problem_count == 3);
  p.apply(plan);
  CHECK(p.get("root").source.empty());
}

TEST_CASE("cards: a card two users claim stays with its holder, a moved one moves") {
  planner p;
  p.apply(p.plan(full({person("a", {"1"}), person("b", {"2"})}, {})));
  // b now also claims a's card 1, and c claims card 2 with b.
  auto plan = p.plan(full({person("a", {"1"}), person("b", {"1", "2"}), person("c", {"2"})}, {}));
  CHECK(plan.report.problem_count == 2);
  std::string all;
  for (const auto& s : plan.report.problems) all += s + "\n";
  CHECK(all.find("given to 2 users") != std::string::npos);
  CHECK(plan.cards.empty());
  p.apply(plan);
  CHECK(p.cards.owners.at(cards_world::key("1")) == "a");
  CHECK(p.cards.owners.at(cards_world::key("2")) == "b");
  // Two new users claim one new card: neither gets it.
  plan = p.plan(full({person("a", {"1"}), person("b", {"2"}), person("c", {"3"}), person("d", {"3"})}, {}));
  p.apply(plan);
  CHECK(p.cards.owners.count(cards_world::key("3")) == 0);
  // The directory fixes it: card 2 is c's alone now.
  plan = p.plan(full({person("a", {"1"}), person("b"), person("c", {"2"}), person("d")}, {}));
  p.apply(plan);
  CHECK(p.cards.owners.at(cards_world::key("1")) == "a");
  CHECK(p.cards.owners.at(cards_world::key("2")) == "c");
  // Card 2 moves from c to a in one sync: removed before added.
  plan = p.plan(full({person("a", {"1", "2"}), person("b"), person("c"), person("d")}, {}));
  REQUIRE(plan.cards.size() == 2);
  CHECK_FALSE(plan.cards[0].add);
  CHECK(plan.cards[1].add);
  p.apply(plan);
  CHECK(p.cards.owners.at(cards_world::key("2")) == "a");
}

TEST_CASE("cards: a card enrolled by hand to someone else is not taken, one enrolled by the same user is adopted") {
  planner p;
  p.cards.owners[cards_world::key("9")] = "zed";  // a Quire user's card
  p.cards.owners[cards_world::key("8")] = "a";    // a enrolled it at a terminal
  user_record zed;
  zed.name = "zed";
  p.stored.push_back(zed);
  auto plan = p.plan(full({person("a", {"8", "9"})}, {}));
  CHECK(plan.report.problem_count == 1);
  CHECK(plan.report.problems[0].find("already belongs to zed") != std::string::npos);
  p.apply(plan);
  CHECK(p.cards.owners.at(cards_world::key("9")) == "zed");
  CHECK(p.get("a").directory_cards == std::vector<std::string>{cards_world::key("8")});
}

TEST_CASE("more than 256 groups: the first kept and reported") {
  planner p;
  std::vector<directory_group> groups;
  for (int i = 0; i < 300; ++i) {
    std::string n = "g";
    n += std::to_string(1000 + i);
    groups.push_back(group(n, {"a"}));
  }
  auto plan = p.plan(full({person("a")}, groups));
  REQUIRE(plan.users.size() == 1);
  CHECK(plan.users[0].after.groups.size() == max_user_groups);
  CHECK(plan.report.problem_count == 1);
  CHECK(validate_user(plan.users[0].after).code == errc::ok);
}

TEST_CASE("cards: one removed by hand is bound again, and one gone from both is simply forgotten") {
  planner p;
  p.apply(p.plan(full({person("a", {"1", "2"})}, {})));
  // An administrator removes both credentials by hand.
  p.cards.owners.erase(cards_world::key("1"));
  p.cards.owners.erase(cards_world::key("2"));
  // The directory still gives card 1, no longer card 2.
  auto plan = p.plan(full({person("a", {"1"})}, {}));
  REQUIRE(plan.cards.size() == 1);
  CHECK(plan.cards[0].add);
  CHECK(plan.cards[0].key == cards_world::key("1"));
  CHECK(plan.report.cards_removed == 0);
  p.apply(plan);
  CHECK(p.get("a").directory_cards == std::vector<std::string>{cards_world::key("1")});
  CHECK(p.plan(full({person("a", {"1"})}, {})).users.empty());
}
