// Column families and key encodings of Quire's RocksDB database.
//
// Integers in keys are big-endian so that byte order is numeric order; text
// parts are followed by a 0 byte so that "ab" sorts before "ab2" and a prefix
// scan of "ab\0" never sees "abc" (names never contain a 0 byte: intake
// rejects control characters). Index entries are written in the same batch
// as the record they index (write_batch::put_job), so they cannot disagree.
//
//   family            key                                   value
//   meta              name                                  bytes (schema_version, next_job_id...)
//   jobs              be64 id                               job_record
//   docs              be64 id                               document bytes (small documents)
//   jobs_by_user      owner 0 class be64 ~id                state byte, queue name
//                     (class 0: not finished, 1: finished; the id inverted so a
//                     forward scan lists a user's newest jobs first)
//   jobs_by_state     queue 0 state byte be64 id            -
//   jobs_by_expiry    be64 expires_ms be64 id               -
//   jobs_by_printer   printer 0 be64 queued_ms be64 id      -   (the delivery FIFO)
//   jobs_to_analyse   be64 id                               -   (held or queued jobs whose
//                     document no job processor has read yet: after a crash or a full
//                     processor pool they are found here and read again)
//   printers          name                                  printer_record
//   queues            name                                  queue_record
//   price_lists       name                                  price_list_record
//   projects          name                                  project_record
//   quotas            name                                  quota_record
//   users             name 0                                user_record
//                     name 0 1 kind hmac                    -   (the user's credentials)
//   credentials       kind hmac                             user name (kinds card, pin), or
//                                                           terminal name (kind terminal)
//   ledger            account 0 be64 job_id be64 attempt    ledger_entry (a charge: the job and its
//                     release number; top-ups, refunds, adjustments: job 0 and the account's
//                     next_entry, so a retried write of one entry writes the same key)
//   accounts          account 0                             account_record
//   account_holds     account 0 be64 job_id                 -   (a job holding a reservation in the
//                     account; written with the account record by write_batch::put_account, so
//                     the accounts holding reservations are found at start without a full scan)
//   terminals         name 0                                terminal_record
//   delegates         1 owner 0 delegate                    -   (owner lets delegate print for them)
//                     2 delegate 0 owner                    -   (the same, the other way round)
//   device_counters   printer 0 be64 time_ms                device_counter_record (a page-counter
//                     snapshot of the printer's device, from its SNMP monitoring)
//   events            be64 time_ms be64 seq                 audit_record (the audit log: who changed
//                     what through the admin API, oldest first; seq tells apart entries of
//                     one millisecond)
//
// Users and credentials. `hmac` is credential_key(server secret, kind, value),
// 32 bytes; `kind` is a credential_kind byte; card ids and PINs themselves
// are stored nowhere. A credential is two entries written and erased in one
// batch (write_batch::put_credential/erase_credential): the look-up entry in
// `credentials`, and a back-reference in its user's key range, after the
// record (names hold no 0 byte, so "name 0" is the record and nothing else
// ends there). Deleting a user erases the range [name 0, name 1) — record and
// back-references — and the look-up entries store::user_credentials found
// through the back-references (write_batch::erase_user). A back-reference
// whose look-up entry names someone else (a card moved without erasing it
// from its first owner) is ignored by store::user_credentials, so deleting
// its stale owner never removes the card from its new one, and is swept by
// that range erase.
// The server secret is meta "server_secret" (32 bytes, made at first open).
//
// Terminals and accounting. A terminal's token is a credential of kind
// `terminal` whose look-up entry names the terminal; it has no
// back-reference (a terminal is not a user), and write_batch::put_terminal /
// erase_terminal write and erase it with the terminal record. Account names
// are user names or "project:" and a project name (storage/accounts.hpp):
// never a 0 byte, so "account 0" prefixes exactly one account's ledger and
// holds. Both directions of a delegation are written together by
// write_batch::set_delegates.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/records.hpp"
#include "storage/users.hpp"

namespace quire {

enum class cf : uint8_t {
  meta,
  jobs,
  docs,
  jobs_by_user,
  jobs_by_state,
  jobs_by_expiry,
  jobs_by_printer,
  users,
  credentials,
  printers,
  queues,
  ledger,
  events,
  jobs_to_analyse,
  accounts,
  account_holds,
  terminals,
  delegates,
  device_counters,
  price_lists,
  projects,
  quotas,
};
inline constexpr int cf_count = 22;

/// The RocksDB name of a column family, e.g. "jobs_by_user".
const char* cf_name(cf family) noexcept;

namespace keys {

void append_be64(std::string& out, uint64_t v);
/// Reads a big-endian u64 at `at`. REQUIRES: at + 8 <= bytes.size().
uint64_t read_be64(std::string_view bytes, size_t at);

std::string job(uint64_t id);
std::string user_job(std::string_view owner, job_state s, uint64_t id);
/// The finished (or unfinished) jobs of `owner`.
std::string user_prefix(std::string_view owner, bool finished);
/// The job id of a jobs_by_user key. REQUIRES: key.size() >= 8.
uint64_t user_job_id(std::string_view key);
std::string state_job(std::string_view queue, job_state s, uint64_t id);
std::string state_prefix(std::string_view queue, job_state s);
std::string expiry_job(int64_t expires_ms, uint64_t id);
std::string printer_job(std::string_view printer, int64_t queued_ms, uint64_t id);
std::string printer_prefix(std::string_view printer);

/// The job id at the end of the other job index keys (their last 8 bytes).
/// REQUIRES: key.size() >= 8.
uint64_t trailing_id(std::string_view key);

/// The users-family key of `name`'s record, and the end of its range.
std::string user(std::string_view name);
std::string user_range_end(std::string_view name);
/// The back-reference of a credential in its user's range, and the prefix
/// of all of them.
std::string user_credential(std::string_view name, credential_kind kind, std::string_view hmac);
std::string user_credentials_prefix(std::string_view name);
/// The credentials-family key of a credential.
std::string credential(credential_kind kind, std::string_view hmac);
/// Decodes credential() keys, and user_credential() keys after the prefix:
/// false unless a credential_kind byte and a 32-byte HMAC.
bool parse_credential(std::string_view key, credential_ref& out);
/// True when a users-family key is a record key (its only 0 byte is the last).
bool is_user_record_key(std::string_view key);

/// The accounts-family key of an account's record.
std::string account(std::string_view name);
/// The account_holds key of a job's reservations in `account`.
std::string account_hold(std::string_view account, uint64_t job_id);
/// The account an account_holds key belongs to; false when malformed.
bool parse_account_hold(std::string_view key, std::string& account);
/// A ledger entry's key, the prefix of an account's entries, and of one job's.
std::string ledger(std::string_view account, uint64_t job_id, uint64_t attempt);
std::string ledger_prefix(std::string_view account);
std::string ledger_job_prefix(std::string_view account, uint64_t job_id);
/// The terminals-family key of a terminal's record.
std::string terminal(std::string_view name);
/// delegates-family keys: `owner` lets `delegate` print for them, seen from
/// the owner and from the delegate; and the prefixes that list each side.
std::string delegate(std::string_view owner, std::string_view delegate);
std::string delegator(std::string_view delegate, std::string_view owner);
std::string delegates_prefix(std::string_view owner);

/// device_counters-family keys: a printer's snapshot at `time_ms`, and the
/// prefix of all its snapshots.
std::string device_counter(std::string_view printer, int64_t time_ms);
std::string device_counters_prefix(std::string_view printer);
/// events-family key of an audit entry.
std::string audit(int64_t time_ms, uint64_t seq);
std::string delegators_prefix(std::string_view delegate);

/// The value of a jobs_by_user entry — the job's state, document size and
/// queue — and its decoding (false if malformed). Values written before the
/// size was kept (state byte without the 0x80 mark) decode with size 0.
std::string user_job_value(job_state s, std::string_view queue, uint64_t document_size);
bool parse_user_job_value(std::string_view v, job_state& s, std::string& queue, uint64_t* document_size = nullptr);

}  // namespace keys
}  // namespace quire
