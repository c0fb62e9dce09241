// Accounting records: credit accounts and their reservations, the ledger of
// what was charged and credited, and the terminals at the printers.
//
// Money is an int64 count of the site currency's minor units
// (protocols/pdl/price.hpp). An account belongs to a user (named like the
// user) or to a project, a cost centre (named "project:<name>"). Each account
// is owned by one account actor, which alone writes its record and its
// ledger entries (write_batch::put_account, put_ledger) in one batch; the
// rules that compute the next record are pure (actors/account_rules.hpp).
//
// A reservation holds back the price of a released job until it prints
// (settled: a charge in the ledger) or fails (unreserved), so that credit
// cannot be spent twice by releasing jobs faster than they print. The
// `account_holds` index lists the accounts holding reservations, so that a
// restarting server finds them without scanning every account (keys.hpp).
//
// Ledger entries are keyed (account, job id, attempt): a charge by the job
// and its release number, other entries by job 0 and the account's own
// sequence (account_record::next_entry). A retried write of the same charge
// writes the same key, so a job is never charged twice for one release.
//
// Records are msgpack maps like those of records.hpp: fields may be added
// later, a missing one keeps its default, and none is std::optional.
// Decoding validates names (they are keys), so a corrupt record is refused.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <msgpack.hpp>

#include "protocols/result.hpp"

namespace quire {

/// Price held back for a released job until it prints or fails.
struct reservation {
  uint64_t job_id = 0;
  uint32_t release_no = 0;  // the job's release number (a reprint is a new release)
  int64_t amount = 0;       // minor units reserved
  uint64_t sheets = 0;      // counted against the quota
  std::string owner;        // the job's owner
  std::string printed_by;   // who released it (owner, a delegate, or an admin)
  std::string printer;
  std::string project;      // "" or the project charged
  int64_t created_ms = 0;

  bool operator==(const reservation&) const = default;

  MSGPACK_DEFINE_MAP(job_id, release_no, amount, sheets, owner, printed_by, printer, project, created_ms)
};

struct account_record {
  std::string name;         // a user name, or "project:<name>" for a project (cost centre)
  int64_t balance = 0;      // credit left; below zero only for unlimited accounts (or a settled overrun)
  bool unlimited = false;   // postpaid: may print without credit
  std::vector<reservation> reservations;
  std::string quota_period; // the period quota_used_sheets counts ("" = none yet)
  uint64_t quota_used_sheets = 0;
  uint64_t next_entry = 1;  // sequence of the ledger entries that belong to no job (top-ups, adjustments)
  int64_t created_ms = 0;
  int64_t updated_ms = 0;

  bool operator==(const account_record&) const = default;

  MSGPACK_DEFINE_MAP(name, balance, unlimited, reservations, quota_period, quota_used_sheets, next_entry,
                     created_ms, updated_ms)
};

/// Stable values: they are stored.
enum class ledger_kind : uint8_t { charge = 1, topup = 2, refund = 3, adjust = 4 };

/// "charge", "topup", "refund", "adjust".
const char* to_string(ledger_kind k) noexcept;
/// False (and `out` untouched) for any other text.
bool parse_ledger_kind(std::string_view s, ledger_kind& out) noexcept;

struct ledger_entry {
  std::string account;      // who paid (user name or "project:<p>")
  ledger_kind kind = ledger_kind::charge;
  uint64_t job_id = 0;      // charge: the job; others: 0
  uint32_t attempt = 0;     // charge: the job's release_no; others: the account's next_entry used
  int64_t amount = 0;       // signed change to the balance (a charge is negative, a top-up positive)
  int64_t balance_after = 0;
  uint64_t pages = 0;
  uint64_t sheets = 0;
  uint64_t colour_sheets = 0;
  std::string owner;
  std::string printed_by;
  std::string printer;
  std::string project;
  std::string price_list;
  std::string by;           // the administrator of a top-up, refund or adjustment
  std::string note;
  int64_t time_ms = 0;

  bool operator==(const ledger_entry&) const = default;

  MSGPACK_DEFINE_MAP(account, kind, job_id, attempt, amount, balance_after, pages, sheets, colour_sheets, owner,
                     printed_by, printer, project, price_list, by, note, time_ms)
};

/// A printer panel or kiosk, registered to one printer with a secret token.
struct terminal_record {
  std::string name;         // valid as a user name (validate_user_name)
  std::string printer;
  std::string token_key;    // store::credential_key(credential_kind::terminal, token): 32 raw bytes
  std::string created_by;
  int64_t created_ms = 0;
  int64_t last_seen_ms = 0;

  bool operator==(const terminal_record&) const = default;

  MSGPACK_DEFINE_MAP(name, printer, token_key, created_by, created_ms, last_seen_ms)
};

inline constexpr std::string_view project_account_prefix = "project:";

/// "project:<name>": the account of a project.
std::string account_of_project(std::string_view project);
/// True when `account` names a project's account.
bool is_project_account(std::string_view account) noexcept;
/// ok for a valid user name (validate_user_name), or "project:" followed by
/// one; errc::invalid_argument otherwise.
status validate_account_name(std::string_view account);

std::string encode_account(const account_record& a);
/// errc::corruption when `bytes` does not decode or its name is not valid.
status decode_account(std::string_view bytes, account_record& out);

std::string encode_ledger_entry(const ledger_entry& e);
/// errc::corruption when `bytes` does not decode, or its account or kind is not valid.
status decode_ledger_entry(std::string_view bytes, ledger_entry& out);

std::string encode_terminal(const terminal_record& t);
/// errc::corruption when `bytes` does not decode, its name is not a valid
/// user name or its token key is not 32 bytes.
status decode_terminal(std::string_view bytes, terminal_record& out);

}  // namespace quire

MSGPACK_ADD_ENUM(quire::ledger_kind);
