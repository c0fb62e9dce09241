// Directory sync rules: the university's directory (LDAP, Active Directory)
// turned into Quire's users, and what one sync changes.
//
// A sync reads user and group entries (devices/directory/ldap_client.hpp),
// maps each one here (user_of, group_of: an entry that cannot be a user is
// skipped with a reason, never half-taken), and plan_sync() compares what the
// directory says with the users as stored. The plan is applied as one batch
// by the user directory actor, or not at all: a sync is never half-applied.
//
// Who owns what. A directory user (source "directory") takes its display
// name, e-mail, groups, directory state and, when cards come from the
// directory, those cards from the directory; an administrator's changes to
// those fields are refused. Credit, PINs, delegates, API tokens, cards added
// by hand or enrolled at a terminal stay Quire's. A user gone from the
// directory is marked "gone" (disabled), never deleted: the ledger keeps its
// history and the user comes back if the entry does. A user made in Quire
// with the same name as a directory entry is left alone and reported.
//
// Cards: a card number held by two directory users is given to neither (or
// stays with whichever already had it) and is reported: never silently
// merged. Card numbers never appear in a report; user names and DNs do.
//
// Pure: no CAF, no LDAP connection, no store, no clock (times come in).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "devices/directory/ldap_client.hpp"
#include "protocols/result.hpp"
#include "storage/users.hpp"

namespace quire {

/// How directory entries map to users: [directory] in quire.toml, whose
/// `schema` ("openldap" or "ad") picks the defaults.
struct directory_map {
  std::string login_attribute = "uid";
  std::string name_attribute = "displayName";
  std::string email_attribute = "mail";
  std::string card_attribute;              // "": cards do not come from the directory
  std::string disabled_attribute;          // AD: "userAccountControl" (its flag 2: disabled)
  std::string group_name_attribute = "cn";
  std::string member_attribute = "member";  // on group entries: the members' DNs
  std::vector<std::string> admin_groups;    // members administer the site; empty: Quire's own flag
};

/// One user entry as the directory gave it, checked.
struct directory_user {
  std::string dn;    // as the directory spells it
  std::string key;   // ldap::lower_dn(dn): how group members name it
  std::string name;  // the login name, valid as a user name
  std::string display_name;
  std::string email;
  std::vector<std::string> cards;  // normalised (normalise_card), unique, at most max_cards
  bool disabled = false;           // the directory says the account is disabled
};

/// One group entry: its name (valid as a user name) and members' DN keys.
struct directory_group {
  std::string name;
  std::vector<std::string> members;
};

inline constexpr size_t max_directory_cards = 16;
inline constexpr size_t max_card_chars = 128;


/// The user of entry `e`, or errc::invalid_argument saying why it cannot be
/// one (no or several login names, an invalid name, an oversized login).
/// Faulty optional attributes (e-mail, display name, a card) are dropped and
/// described in `problems`, which the sync report carries.
result<directory_user> user_of(const ldap::entry& e, const directory_map& m, std::vector<std::string>& problems);
/// The group of entry `e`, or errc::invalid_argument (no valid name).
result<directory_group> group_of(const ldap::entry& e, const directory_map& m);

/// What one sync found and did. Numbers, user names and DNs only.
struct directory_report {
  bool full = false;
  int64_t started_ms = 0;
  int64_t finished_ms = 0;
  std::string error;  // "" when the sync was applied
  uint64_t users_read = 0;
  uint64_t groups_read = 0;
  uint64_t created = 0;
  uint64_t updated = 0;
  uint64_t unchanged = 0;
  uint64_t gone = 0;      // newly marked gone (disabled) this sync
  uint64_t returned = 0;  // gone before, back in the directory now
  uint64_t cards_added = 0;
  uint64_t cards_removed = 0;
  uint64_t problem_count = 0;
  std::vector<std::string> problems;  // the first max_report_problems, each "<dn or name>: <why>"

  MSGPACK_DEFINE_MAP(full, started_ms, finished_ms, error, users_read, groups_read, created, updated, unchanged,
                     gone, returned, cards_added, cards_removed, problem_count, problems)
};

inline constexpr size_t max_report_problems = 100;

/// A DN as a report shows it: at most 200 bytes (then "..."), control
/// characters as '?'.
std::string shown_dn(std::string_view dn);

/// Adds a problem to the report (counted always, kept while under the cap).
void note_problem(directory_report& r, std::string problem);

/// What the directory said in one sync.
struct directory_snapshot {
  bool full = false;  // every user and group; else those changed since the last sync
  std::vector<directory_user> users;
  std::vector<directory_group> groups;
};

/// A user the plan writes. `before_ms` is the stored record's updated_ms the
/// plan was made from (applying checks it is unchanged), -1 for a new user.
struct planned_user {
  int64_t before_ms = -1;
  user_record after;
};

/// A directory card bound to or taken from a user: its look-up key.
struct planned_card {
  bool add = false;
  std::string key;  // credential_key(card, value): 32 bytes
  std::string user;
};

struct directory_plan {
  std::vector<planned_user> users;
  std::vector<planned_card> cards;  // every removal before any addition
  directory_report report;
  std::string watermark;  // the newest change seen (generalized time), for the next incremental sync
  std::vector<std::pair<std::string, std::string>> meta;  // `meta` entries written with the changes
};

/// What plan_sync reads of the stored state.
struct plan_inputs {
  const std::vector<user_record>* users = nullptr;  // every stored user
  std::function<std::string(const std::string& card)> card_key;  // a normalised card's look-up key
  std::function<std::string(const std::string& key)> card_owner;  // who holds a card key now; "" nobody
  int64_t now_ms = 0;
};

/// The changes that make the stored users agree with `snap`. Records that
/// would not change are not in the plan. `report` comes in with what the
/// fetch noted (entries read, skipped entries) and goes out completed.
directory_plan plan_sync(const directory_snapshot& snap, const directory_map& m, const plan_inputs& in,
                         directory_report report);

}  // namespace quire
