// The store: Quire's one RocksDB database, its spool folder and its writer.
//
// Reads are thread-safe and may come from any thread; they see committed
// data only. Every write goes through commit(), which hands the batch to the
// group-commit writer: one synced RocksDB write (WAL fsync) per group, with
// the group's spool files fsync'd and adopted before it. A commit callback
// that reports success means the change survives a crash or a power loss.
//
// open() takes an exclusive lock on the data folder (a second quired on the
// same folder is refused with errc::busy), creates missing column families,
// writes or checks the schema version in `meta`, makes the server identity
// and the server secret on first use (keys.hpp), and sweeps the spool.
// REQUIRES: the store outlives every commit it accepted; close() (or the
// destructor) drains the writer first.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "protocols/result.hpp"
#include "storage/accounts.hpp"
#include "storage/credentials.hpp"
#include "storage/group_commit.hpp"
#include "storage/records.hpp"
#include "storage/spool.hpp"
#include "storage/users.hpp"
#include "storage/write_batch.hpp"

namespace quire {

/// The schema this build writes. Opening a newer schema is refused; an older
/// one is migrated by open() (there is none older yet).
inline constexpr uint32_t schema_version = 1;

/// Which jobs a listing returns.
enum class job_set : uint8_t {
  active,     // not yet terminal; oldest first
  completed,  // terminal; newest first
  all,        // oldest first
};

struct job_listing {
  std::string queue;  // "" = every queue
  std::string owner;  // "" = every owner; then `queue` is REQUIRED
  job_set which = job_set::active;
  uint32_t limit = 0;  // 0 = no limit
};

/// A job's document: its bytes (small documents) or the spool file holding it.
struct document {
  bool in_file = false;
  std::string path;   // when in_file
  std::string bytes;  // otherwise
};

class store {
 public:
  struct options {
    std::string data_dir;            // RocksDB in <data_dir>/db, spool in <data_dir>/spool
    size_t block_cache_bytes = 8u << 20;
    // After this long without writes, memtables are flushed to disk: an idle
    // server gives their memory back and restarts without replaying a log.
    std::chrono::milliseconds flush_when_idle{30000};
  };

  static result<std::unique_ptr<store>> open(const options& opts);
  ~store();
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  /// Drains and stops the writer, then closes the database. Idempotent.
  void close();

  // --- writes --------------------------------------------------------------

  /// Makes `batch` durable; `done` runs on the writer thread (see group_commit).
  void commit(write_batch batch, group_commit::callback done);

  // --- reads ---------------------------------------------------------------

  /// errc::not_found when the job does not exist.
  result<job_record> get_job(uint64_t id) const;
  /// The jobs among `ids` that exist, in the same order.
  std::vector<job_record> get_jobs(const std::vector<uint64_t>& ids) const;
  /// Job ids matching `q`, in the order job_set describes.
  std::vector<uint64_t> list_job_ids(const job_listing& q) const;
  /// How many jobs of `queue` are in the states of `which` (reads index keys only).
  uint64_t count_jobs(const std::string& queue, job_set which) const;
  /// How many jobs of `queue` are in `state` (reads index keys only: one
  /// prefix scan, about 0.1 s per million jobs in that state).
  uint64_t count_jobs(const std::string& queue, job_state state) const;
  /// `owner`'s jobs not yet finished, in every queue, and their documents'
  /// bytes, from the user index; counting stops after `limit` jobs (0: all).
  struct usage {
    uint64_t jobs = 0;
    uint64_t bytes = 0;
  };
  usage active_usage(const std::string& owner, uint64_t limit) const;
  result<document> get_document(const job_record& job) const;

  /// Every printer's delivery FIFO (queued and delivering jobs), printer by
  /// printer, each in order: what to resume after a restart.
  std::vector<uint64_t> all_queued_jobs() const;
  /// Held or queued jobs whose document has not been analysed, oldest id
  /// first, at most `limit`, starting after id `after`.
  std::vector<uint64_t> jobs_to_analyse(uint64_t after, uint32_t limit) const;
  /// Held jobs (and Create-Job jobs still waiting for their document) whose
  /// expiry time is at or before `now_ms`, oldest first.
  std::vector<uint64_t> expired_held_jobs(int64_t now_ms, uint32_t limit) const;
  /// The oldest terminal jobs of `queue`, oldest first (for the history purge).
  std::vector<uint64_t> terminal_jobs(const std::string& queue, uint32_t limit) const;
  /// Every queue name that has a job stored, in name order (one seek per
  /// queue: the history purge finds the jobs of queues the fleet no longer has).
  std::vector<std::string> queues_with_jobs() const;

  std::vector<printer_record> list_printers() const;
  std::vector<queue_record> list_queues() const;
  std::vector<price_list_record> list_price_lists() const;  // sorted by name
  std::vector<project_record> list_projects() const;        // sorted by name
  std::vector<quota_record> list_quotas() const;            // sorted by name

  /// errc::not_found when there is no such user; errc::corruption when the
  /// stored record does not decode or is invalid.
  result<user_record> get_user(const std::string& name) const;
  /// Users in name (byte) order, starting after `after` ("" = from the
  /// first), at most `limit` (0 = all). Records that do not decode, or that
  /// name another user than their key, are skipped.
  std::vector<user_record> list_users(const std::string& after = {}, uint32_t limit = 0) const;
  /// The look-up key of a card id, PIN or terminal token:
  /// credential_key(server_secret(), ...).
  std::string credential_key(credential_kind kind, std::string_view value) const;
  /// The name of the user whom the card id or PIN `value` identifies;
  /// errc::not_found when nobody (the message never quotes the value).
  /// Kind terminal names no user: always errc::not_found (find_terminal).
  result<std::string> find_credential(credential_kind kind, std::string_view value) const;
  /// The credentials of `name` (kind and look-up key; the values themselves
  /// are not stored), in key order. Only those whose look-up entry still names
  /// `name`: what erase_user must remove.
  std::vector<credential_ref> user_credentials(const std::string& name) const;
  /// The user whose credential has the look-up key `hmac` (32 bytes, as
  /// credential_key made it); errc::not_found when nobody.
  result<std::string> credential_owner(credential_kind kind, std::string_view hmac) const;
  /// The `meta` entry `key` (a name chosen by its writer: directory sync
  /// state...); errc::not_found when absent.
  result<std::string> get_meta(const std::string& key) const;

  /// `name`'s API tokens: each one's HMAC (32 bytes; api_token_id names it)
  /// and record, in key order. Records that do not decode are skipped.
  std::vector<std::pair<std::string, api_token_record>> api_tokens(const std::string& name) const;
  /// The record of the API token `token` (its user's rights): errc::not_found
  /// when no user has it (the message never quotes the token), or its
  /// record is gone or names another user.
  result<api_token_record> find_api_token(std::string_view token) const;

  /// errc::not_found when there is no such account; errc::corruption when
  /// the stored record does not decode or names another account.
  result<account_record> get_account(const std::string& name) const;
  /// The names of the accounts holding at least one reservation (from
  /// account_holds), each once, in name order: what to resume after a restart.
  std::vector<std::string> accounts_holding() const;
  /// errc::not_found when there is no such entry.
  result<ledger_entry> get_ledger_entry(const std::string& account, uint64_t job_id, uint64_t attempt) const;
  /// `account`'s ledger in key order — top-ups, refunds and adjustments
  /// (job 0) by sequence, then charges by job id and release — at most the
  /// last `limit` of them (0 = all). Entries that do not decode are skipped.
  std::vector<ledger_entry> ledger_of(const std::string& account, uint32_t limit) const;
  /// Calls `fn` with every ledger entry of every account whose time is in
  /// [from_ms, to_ms), in key order (account, then entry); `fn` returns
  /// false to stop. A full scan of the ledger: for reports, off the actors'
  /// threads. Entries that do not decode are skipped.
  void for_each_ledger_entry(int64_t from_ms, int64_t to_ms, const std::function<bool(const ledger_entry&)>& fn) const;
  /// Audit entries with from_ms <= time < to_ms, newest first, at most
  /// `limit`; with `actor` not empty, only that user's. Entries that do not
  /// decode are skipped.
  std::vector<audit_record> audit_log(int64_t from_ms, int64_t to_ms, const std::string& actor, uint32_t limit) const;
  /// The charges of one job to `account`, by release number.
  std::vector<ledger_entry> ledger_of_job(const std::string& account, uint64_t job_id) const;

  /// errc::not_found when there is no such terminal; errc::corruption when
  /// the stored record does not decode or names another terminal.
  result<terminal_record> get_terminal(const std::string& name) const;
  /// Every terminal, by name; records that do not decode are skipped.
  std::vector<terminal_record> list_terminals() const;
  /// The name of the terminal whose token is `token`; errc::not_found when
  /// none (the message never quotes the token).
  result<std::string> find_terminal(std::string_view token) const;

  /// Whom `owner` lets print for them, in name order.
  std::vector<std::string> delegates_of(const std::string& owner) const;
  /// For whom `delegate` may print, in name order.
  std::vector<std::string> delegators_of(const std::string& delegate) const;

  /// The first job id never used (ids are never reused, even after a crash).
  /// A printer's counter snapshots with from_ms <= time < to_ms, oldest
  /// first; with `limit`, the newest `limit` of them.
  std::vector<device_counter_record> device_counters(const std::string& printer, int64_t from_ms, int64_t to_ms,
                                                     uint32_t limit) const;

  uint64_t next_job_id() const { return next_job_id_; }
  /// The committed value of the counter `name` (0 when never written).
  uint64_t counter(const std::string& name) const;
  /// A stable identity of this server, made at the first start ("urn:uuid:...").
  const std::string& server_uuid() const { return server_uuid_; }
  /// 32 random bytes made at the first start and kept in `meta`: the HMAC key
  /// of credentials and job PINs. Never log it; never send it anywhere.
  const secret_key& server_secret() const { return server_secret_; }
  const spool& spool_folder() const { return *spool_; }
  spool& spool_folder() { return *spool_; }

  struct counters {
    uint64_t groups = 0;    // synced database writes
    uint64_t batches = 0;   // commits made durable
    uint64_t fsyncs = 0;    // spool file and folder fsyncs
  };
  counters stats() const;
  /// The database's size in bytes: its SST files and memtables, every column
  /// family (RocksDB's own figures: no file is walked). Neither the WAL nor
  /// the spool folder is counted.
  uint64_t size_bytes() const;

 private:
  struct impl;
  explicit store(std::unique_ptr<impl> p);
  // Every record of a family keyed by name, in name order.
  template <class Record>
  std::vector<Record> list_named(cf family) const;
  std::unique_ptr<impl> impl_;
  std::unique_ptr<spool> spool_;
  std::unique_ptr<group_commit> writer_;
  uint64_t next_job_id_ = 1;
  std::string server_uuid_;
  secret_key server_secret_;
};

/// Records `next_job_id` in `batch` (meta), so ids stay unique across crashes.
void put_next_job_id(write_batch& batch, uint64_t next_id);
/// Records the counter `name` (meta) in `batch`; store::counter reads it.
/// Counters hand out numbers that must not repeat after a restart (event
/// sequence numbers, subscription ids): a holder reserves a block ahead.
void put_counter(write_batch& batch, const std::string& name, uint64_t value);

}  // namespace quire
