#include "actors/directory_rules.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "actors/auth_rules.hpp"
#include "devices/directory/ldap_text.hpp"

namespace quire {

namespace {

bool same_text_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

const std::vector<std::string>* values(const ldap::entry& e, const std::string& attribute) {
  if (attribute.empty()) return nullptr;
  return e.get(attribute);
}

bool oversized(const ldap::entry& e, const std::string& attribute) {
  for (const auto& a : e.oversized)
    if (same_text_ignoring_case(a, attribute)) return true;
  return false;
}

bool has_control(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

}  // namespace

std::string shown_dn(std::string_view dn) {
  std::string out;
  for (unsigned char c : dn.substr(0, 200)) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  if (dn.size() > 200) out += "...";
  return out;
}

namespace {

// AD's userAccountControl: flag 0x2 is ACCOUNTDISABLE. Other attributes: a
// value "true"/"TRUE"/"1" means disabled.
bool disabled_value(const std::string& attribute, const std::string& v) {
  if (same_text_ignoring_case(attribute, "userAccountControl")) {
    char* end = nullptr;
    unsigned long long flags = std::strtoull(v.c_str(), &end, 10);
    return end && *end == 0 && !v.empty() && (flags & 0x2) != 0;
  }
  return v == "1" || same_text_ignoring_case(v, "true");
}

}  // namespace

void note_problem(directory_report& r, std::string problem) {
  r.problem_count += 1;
  if (r.problems.size() < max_report_problems) r.problems.push_back(std::move(problem));
}

result<directory_user> user_of(const ldap::entry& e, const directory_map& m, std::vector<std::string>& problems) {
  directory_user u;
  {
    user_record probe;  // the DN is kept in the user record: the record's rules for it
    probe.name = "x";
    probe.dn = e.dn;
    if (e.dn.empty() || validate_user(probe))
      return error{errc::invalid_argument, "its DN is empty, too long or not UTF-8 text"};
  }
  u.dn = e.dn;
  u.key = ldap::lower_dn(e.dn);
  if (oversized(e, m.login_attribute))
    return error{errc::invalid_argument, "its " + m.login_attribute + " is too long"};
  const auto* login = values(e, m.login_attribute);
  if (!login || login->empty()) return error{errc::invalid_argument, "it has no " + m.login_attribute};
  if (login->size() > 1) return error{errc::invalid_argument, "it has several " + m.login_attribute + " values"};
  // Directory logins are case-insensitive (uid, sAMAccountName); Quire's
  // names are exact: the directory's are kept in lower case (ASCII), and a
  // login that names no user is tried again in lower case.
  u.name = login->front();
  for (auto& c : u.name)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (auto v = validate_user_name(u.name))
    return error{errc::invalid_argument, "its " + m.login_attribute + " cannot be a user name: " + v.message};
  if (u.name.rfind("project:", 0) == 0)
    return error{errc::invalid_argument, "its " + m.login_attribute + " begins with \"project:\""};

  if (const auto* n = values(e, m.name_attribute); n && !n->empty()) {
    const std::string& name = n->front();
    user_record probe;
    probe.name = u.name;
    probe.display_name = name;
    if (validate_user(probe))
      problems.push_back("its " + m.name_attribute + " is not a usable display name; the login name is shown");
    else
      u.display_name = name;
  }
  if (oversized(e, m.name_attribute)) problems.push_back("its " + m.name_attribute + " is too long; dropped");

  if (const auto* mail = values(e, m.email_attribute); mail && !mail->empty()) {
    const std::string& addr = mail->front();
    user_record probe;
    probe.name = "x";
    probe.email = addr;
    if (addr.size() > max_email_chars || validate_user(probe) || addr.find('@') == std::string::npos ||
        addr.find(' ') != std::string::npos)
      problems.push_back("its " + m.email_attribute + " is not an e-mail address; dropped");
    else
      u.email = addr;
  }
  if (oversized(e, m.email_attribute)) problems.push_back("its " + m.email_attribute + " is too long; dropped");

  if (const auto* cards = values(e, m.card_attribute)) {
    std::set<std::string> seen;
    for (const auto& raw : *cards) {
      std::string c = normalise_card(raw);
      if (c.empty()) continue;
      if (c.size() > max_card_chars || has_control(c)) {
        problems.push_back("a value of its " + m.card_attribute + " is not a card number; dropped");
        continue;
      }
      if (!seen.insert(c).second) continue;
      if (seen.size() > max_directory_cards) {
        problems.push_back("it has more than " + std::to_string(max_directory_cards) + " cards; the rest dropped");
        break;
      }
      u.cards.push_back(std::move(c));
    }
  }
  if (!m.card_attribute.empty() && oversized(e, m.card_attribute))
    problems.push_back("a value of its " + m.card_attribute + " is too long; dropped");

  if (const auto* d = values(e, m.disabled_attribute))
    for (const auto& v : *d) u.disabled = u.disabled || disabled_value(m.disabled_attribute, v);
  return u;
}

result<directory_group> group_of(const ldap::entry& e, const directory_map& m) {
  directory_group g;
  const auto* name = values(e, m.group_name_attribute);
  if (!name || name->empty()) return error{errc::invalid_argument, "it has no " + m.group_name_attribute};
  g.name = name->front();
  if (auto v = validate_user_name(g.name))
    return error{errc::invalid_argument, "its " + m.group_name_attribute + " cannot be a group name: " + v.message};
  if (const auto* members = values(e, m.member_attribute)) {
    g.members.reserve(members->size());
    for (const auto& dn : *members) g.members.push_back(ldap::lower_dn(dn));
  }
  return g;
}

namespace {

// The state the plan builds: every directory user it may write, by name.
struct planning {
  const directory_map& m;
  const plan_inputs& in;
  directory_report& report;
  std::unordered_map<std::string, const user_record*> stored;  // every stored user
  std::map<std::string, user_record> after;                    // users the plan may change
  std::unordered_map<std::string, std::string> names_by_key;    // member DN key -> user name

  user_record& target(const std::string& name) {
    auto it = after.find(name);
    if (it != after.end()) return it->second;
    auto s = stored.find(name);
    QUIRE_ASSERT(s != stored.end(), "a planned user is stored or new");
    return after.emplace(name, *s->second).first->second;
  }
};

void sort_unique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

bool admin_by_groups(const directory_map& m, const std::vector<std::string>& groups) {
  for (const auto& g : m.admin_groups)
    if (std::binary_search(groups.begin(), groups.end(), g)) return true;
  return false;
}

bool same_user(const user_record& a, const user_record& b) {
  return a.display_name == b.display_name && a.groups == b.groups && a.admin == b.admin && a.email == b.email &&
         a.source == b.source && a.dn == b.dn && a.directory_state == b.directory_state &&
         a.directory_cards == b.directory_cards && a.disabled == b.disabled;
}

// Group memberships. A full sync knows every group: a user's directory
// groups are exactly those listing them. An incremental one knows the
// changed groups only: each of those is taken off everyone who had it and
// given to its members now.
void apply_groups(planning& p, const directory_snapshot& snap, std::unordered_set<std::string>& in_snapshot) {
  std::unordered_map<std::string, std::vector<std::string>> groups_of;  // user -> groups
  std::unordered_set<std::string> changed;
  for (const auto& g : snap.groups) {
    changed.insert(g.name);
    for (const auto& key : g.members) {
      auto it = p.names_by_key.find(key);
      if (it != p.names_by_key.end()) groups_of[it->second].push_back(g.name);
    }
  }
  if (snap.full) {
    for (const auto& name : in_snapshot) {
      auto& u = p.target(name);
      auto it = groups_of.find(name);
      u.groups = it == groups_of.end() ? std::vector<std::string>{} : it->second;
      sort_unique(u.groups);
    }
    return;
  }
  if (changed.empty()) return;
  // Users who had a changed group, and users who have one now.
  std::set<std::string> touched;
  for (const auto& [name, rec] : p.stored)
    if (rec->source == "directory")
      for (const auto& g : rec->groups)
        if (changed.count(g)) {
          touched.insert(name);
          break;
        }
  for (const auto& [name, gs] : groups_of) touched.insert(name);
  for (const auto& name : touched) {
    auto& u = p.target(name);
    std::vector<std::string> next;
    for (const auto& g : u.groups)
      if (!changed.count(g)) next.push_back(g);
    if (auto it = groups_of.find(name); it != groups_of.end()) next.insert(next.end(), it->second.begin(), it->second.end());
    sort_unique(next);
    u.groups = std::move(next);
  }
}

// Cards: each directory card key goes to the one user the directory gives it
// to. A key two users claim is bound to neither of them anew: whoever holds
// it keeps it. A key held by someone the plan does not take it from stays
// theirs. Both are reported.
void plan_cards(planning& p, const directory_snapshot& snap, std::vector<planned_card>& out) {
  if (p.m.card_attribute.empty()) return;
  std::unordered_map<std::string, std::vector<std::string>> claims;  // key -> users
  std::unordered_map<std::string, std::vector<std::string>> wanted;  // user -> keys
  for (const auto& u : snap.users) {
    if (!p.after.count(u.name)) continue;  // skipped (a local user of that name)
    auto& keys = wanted[u.name];
    for (const auto& c : u.cards) {
      std::string key = p.in.card_key(c);
      claims[key].push_back(u.name);
      keys.push_back(std::move(key));
    }
  }
  for (auto& [key, users] : claims) {
    if (users.size() < 2) continue;
    std::string who;
    for (const auto& u : users) who += (who.empty() ? "" : ", ") + u;
    note_problem(p.report, "one card number is given to " + std::to_string(users.size()) + " users (" + who +
                               "); it stays with whoever has it, if anyone");
  }
  // Removals: cards the directory no longer gives a user.
  std::unordered_set<std::string> released;  // keys this plan takes off their holder
  for (auto& [name, keys] : wanted) {
    auto& u = p.target(name);
    std::vector<std::string> kept;
    for (const auto& k : u.directory_cards) {
      // A card the user still has in the directory stays theirs, even
      // while another entry claims it too (reported above). One whose
      // credential an administrator removed (or gave away) by hand is no
      // longer theirs to keep or to take back: it is looked at again below.
      bool held = p.in.card_owner(k) == name;
      bool still = std::find(keys.begin(), keys.end(), k) != keys.end();
      if (still && held) {
        kept.push_back(k);
        continue;
      }
      if (!held) continue;
      out.push_back({false, k, name});
      released.insert(k);
      p.report.cards_removed += 1;
    }
    u.directory_cards = std::move(kept);
  }
  std::vector<planned_card> adds;
  for (auto& [name, keys] : wanted) {
    auto& u = p.target(name);
    for (const auto& k : keys) {
      if (claims[k].size() != 1) continue;
      if (std::find(u.directory_cards.begin(), u.directory_cards.end(), k) != u.directory_cards.end()) continue;
      std::string owner = p.in.card_owner(k);
      if (owner == name) {  // enrolled or added by hand before: now the directory's
        u.directory_cards.push_back(k);
        continue;
      }
      if (!owner.empty() && !released.count(k)) {
        note_problem(p.report, (u.dn.empty() ? name : shown_dn(u.dn)) + ": a card number of theirs already belongs to " +
                                   owner + "; not bound");
        continue;
      }
      u.directory_cards.push_back(k);
      adds.push_back({true, k, name});
      p.report.cards_added += 1;
    }
    sort_unique(u.directory_cards);
  }
  out.insert(out.end(), adds.begin(), adds.end());
}

}  // namespace

directory_plan plan_sync(const directory_snapshot& snap, const directory_map& m, const plan_inputs& in,
                         directory_report report) {
  directory_plan plan;
  planning p{m, in, report, {}, {}, {}};
  p.stored.reserve(in.users->size());
  p.names_by_key.reserve(in.users->size() + snap.users.size());
  for (const auto& u : *in.users) {
    p.stored.emplace(u.name, &u);
    if (u.source == "directory" && !u.dn.empty()) p.names_by_key.emplace(ldap::lower_dn(u.dn), u.name);
  }
  report.full = snap.full;

  // One login name in two entries: neither is taken.
  std::unordered_map<std::string, int> entries_of;
  for (const auto& u : snap.users) entries_of[u.name] += 1;

  std::unordered_set<std::string> in_snapshot;
  for (const auto& d : snap.users) {
    if (entries_of[d.name] > 1) {
      note_problem(report, shown_dn(d.dn) + ": the login name " + d.name + " is used by another entry too; skipped");
      continue;
    }
    auto s = p.stored.find(d.name);
    if (s != p.stored.end() && s->second->source != "directory") {
      note_problem(report, shown_dn(d.dn) + ": a user " + d.name + " made in Quire has that name; left alone");
      continue;
    }
    user_record* u = nullptr;
    if (s == p.stored.end()) {
      user_record fresh;
      fresh.name = d.name;
      fresh.created_ms = in.now_ms;
      u = &p.after.emplace(d.name, std::move(fresh)).first->second;
    } else {
      u = &p.target(d.name);
      if (!u->dn.empty()) p.names_by_key.erase(ldap::lower_dn(u->dn));
    }
    u->source = "directory";
    u->dn = d.dn;
    u->display_name = d.display_name;
    u->email = d.email;
    u->directory_state = d.disabled ? "disabled" : "active";
    p.names_by_key[d.key] = d.name;
    in_snapshot.insert(d.name);
  }

  apply_groups(p, snap, in_snapshot);

  if (snap.full) {
    for (const auto& [name, rec] : p.stored) {
      if (rec->source != "directory" || in_snapshot.count(name) || rec->directory_state == "gone") continue;
      p.target(name).directory_state = "gone";
    }
  }

  plan_cards(p, snap, plan.cards);

  for (auto& [name, u] : p.after) {
    if (u.groups.size() > max_user_groups) {
      note_problem(report, name + ": in more than " + std::to_string(max_user_groups) +
                               " groups; the first (by name) are kept");
      u.groups.resize(max_user_groups);
    }
    if (!m.admin_groups.empty()) u.admin = admin_by_groups(m, u.groups);
    auto s = p.stored.find(name);
    if (s == p.stored.end()) {
      u.updated_ms = in.now_ms;
      report.created += 1;
      plan.users.push_back({-1, std::move(u)});
      continue;
    }
    const user_record& before = *s->second;
    if (same_user(before, u)) continue;
    if (before.directory_state == "gone" && u.directory_state != "gone") report.returned += 1;
    else if (u.directory_state == "gone" && before.directory_state != "gone") report.gone += 1;
    else report.updated += 1;
    u.updated_ms = std::max(in.now_ms, before.updated_ms + 1);
    plan.users.push_back({before.updated_ms, std::move(u)});
  }
  std::unordered_set<std::string> written;
  for (const auto& w : plan.users) written.insert(w.after.name);
  for (const auto& name : in_snapshot) report.unchanged += written.count(name) ? 0 : 1;
  plan.report = std::move(report);
  return plan;
}

}  // namespace quire
