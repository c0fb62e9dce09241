// Fuzz entry point: directory entries (what an LDAP server, or whoever
// controls one, sends) through the sync's mapping rules and planner.
//
// The input is a little text format: the first line is the DN, then
// "attribute: value" lines ("!attribute" marks it oversized); a line "--"
// starts the next entry, and entries whose DN begins with "cn=g" are read as
// groups. Every mapped user must be a valid user record; the plan of a full
// sync from nothing must only hold valid records, never two of one name,
// and card removals before additions.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "actors/directory_rules.hpp"

using namespace quire;

namespace {

std::vector<ldap::entry> read_entries(std::string_view in) {
  std::vector<ldap::entry> out;
  ldap::entry cur;
  bool first = true;
  while (!in.empty()) {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    if (line == "--") {
      out.push_back(std::move(cur));
      cur = {};
      first = true;
      continue;
    }
    if (first) {
      cur.dn = std::string(line);
      first = false;
      continue;
    }
    if (!line.empty() && line[0] == '!') {
      cur.oversized.emplace_back(line.substr(1));
      continue;
    }
    size_t colon = line.find(": ");
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    std::string value(line.substr(colon + 2));
    bool added = false;
    for (auto& [n, vs] : cur.attributes)
      if (n == name) {
        vs.push_back(value);
        added = true;
      }
    if (!added) cur.attributes.push_back({name, {value}});
  }
  if (!first) out.push_back(std::move(cur));
  return out;
}

// An invariant broken: say which, then crash (what a fuzzer reports).
#define check(cond)                                                     \
  do {                                                                  \
    if (!(cond)) {                                                      \
      std::fprintf(stderr, "fuzz_directory_entry: %s broken\n", #cond); \
      __builtin_trap();                                                 \
    }                                                                   \
  } while (false)

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto entries = read_entries(std::string_view(reinterpret_cast<const char*>(data), size));
  directory_map openldap;
  openldap.card_attribute = "employeeNumber";
  openldap.admin_groups = {"admins"};
  directory_map ad;
  ad.login_attribute = "sAMAccountName";
  ad.disabled_attribute = "userAccountControl";
  ad.card_attribute = "employeeID";
  for (const auto* m : {&openldap, &ad}) {
    directory_snapshot snap;
    snap.full = true;
    for (const auto& e : entries) {
      if (e.dn.rfind("cn=g", 0) == 0) {
        auto g = group_of(e, *m);
        if (g.ok()) {
          check(!validate_user_name(g->name));
          snap.groups.push_back(std::move(*g));
        }
        continue;
      }
      std::vector<std::string> problems;
      auto u = user_of(e, *m, problems);
      if (!u.ok()) continue;
      user_record probe;
      probe.name = u->name;
      probe.display_name = u->display_name;
      probe.email = u->email;
      check(!validate_user(probe));
      check(u->cards.size() <= max_directory_cards);
      snap.users.push_back(std::move(*u));
    }
    std::vector<user_record> stored;
    plan_inputs in;
    in.users = &stored;
    in.card_key = [](const std::string& card) {
      std::string k = card.substr(0, 31);
      k.resize(32, '#');
      return k;
    };
    in.card_owner = [](const std::string&) { return std::string(); };
    auto plan = plan_sync(snap, *m, in, {});
    std::set<std::string> names;
    for (const auto& p : plan.users) {
      check(!validate_user(p.after));
      check(names.insert(p.after.name).second);
    }
    bool adding = false;
    for (const auto& c : plan.cards) {
      check(!(adding && !c.add));
      adding = adding || c.add;
      check(names.count(c.user) == 1);
    }
    check(plan.report.problems.size() <= max_report_problems);
  }
  return 0;
}
