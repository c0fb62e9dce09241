// Accounts: one actor per account (a user, or a project), behind one front.
//
// Every charge of an account goes through its own actor, so two releases of
// the same user at the same moment are serialized: the second sees the
// first's reservation and cannot overspend. The account's record (balance,
// reservations, quota use) and its ledger entries are written together in
// one batch through the group-commit writer, and a caller hears "reserved"
// only once that batch is durable.
//
// The life of a charge (ARCHITECTURE.md, "Release"):
//   reserve    at release: the job's price is held back (refused, with the
//              reason a student reads at the terminal, when the credit or
//              the quota is short);
//   settle     the job printed: one ledger charge keyed (account, job,
//              release number) — a retry, restart or crash that settles
//              again finds the key and charges nothing more;
//   unreserve  delivery failed, or the job was canceled or held again.
// A crash between a job's change and its account's is repaired at start:
// the front walks the accounts that hold reservations and settles or
// returns each by its job's stored state (reconcile).
//
// Account actors are virtual like job actors: spawned on first use, they
// park with the front after a quiet minute and quit when nothing is on its
// way to them. Rules are actors/account_rules.hpp (pure, tested alone).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/account_rules.hpp"
#include "actors/messages.hpp"

namespace quire {

class store;

/// A quota of the configuration: `sheets` per `period` for members of
/// `groups` ("*": everyone) and the `users` named. A user under several
/// gets the largest.
struct account_quota {
  std::vector<std::string> groups;
  std::vector<std::string> users;  // by name, besides the groups' members
  quota_period_kind period = quota_period_kind::month;
  uint64_t sheets = 0;
};

struct accounts_options {
  store* st = nullptr;
  event_bus_actor events;                      // balance.changed, job.charged (may be null)
  std::function<int64_t()> now_ms;
  bool prepaid = false;                        // false: every account prints postpaid (unlimited)
  int64_t initial_credit = 0;                  // a new user account's first credit
  std::vector<std::string> unlimited_groups;   // members print postpaid
  std::vector<account_quota> quotas;
  std::string currency = "EUR";
  uint32_t minor_digits = 2;
  std::chrono::milliseconds idle{60000};       // an account actor parks after this long unused
  bool reconcile_at_start = true;
};

using accounts_options_ptr = std::shared_ptr<const accounts_options>;

/// The front. It reconciles reservations with their jobs once at start.
/// A new fleet snapshot (fleet_atom) brings the quotas: the accounts apply
/// them from their next operation on (sheets counted this period stay).
accounts_actor spawn_accounts(caf::actor_system& sys, accounts_options opts);

/// The stored quotas as the accounts apply them (a period the record does
/// not name is a month). Pure, for tests.
std::vector<account_quota> quotas_of(const std::map<std::string, quota_record>& quotas);

/// What a user's account rules are: unlimited (a member of an unlimited
/// group; a project is always), and the largest quota among those whose
/// groups the user is in. Pure, for tests.
struct account_policy {
  bool unlimited = false;
  quota_rule quota;
};
account_policy policy_for(const std::string& account, const std::vector<std::string>& groups,
                          const accounts_options& opts);

}  // namespace quire

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::accounts_options_ptr)
