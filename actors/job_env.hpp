// What job actors and the registry share: an immutable environment.
//
// job_store is the narrow storage port the job side needs — commit a batch,
// read a job or its document, scan the indexes the registry works from. The
// production implementation forwards to quire::store; tests use an in-memory
// fake and complete commits when they choose (deterministic actor tests).
// Commit callbacks run on whatever thread the store uses; callers only send
// a message from them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/messages.hpp"
#include "actors/processor_pool.hpp"
#include "protocols/pdl/price.hpp"
#include "storage/store.hpp"
#include "storage/write_batch.hpp"

namespace quire {

class job_store {
 public:
  virtual ~job_store() = default;
  virtual void commit(write_batch batch, std::function<void(const status&)> done) = 0;
  virtual result<job_record> get_job(uint64_t id) const = 0;
  virtual result<document> get_document(const job_record& job) const = 0;
  virtual std::vector<uint64_t> expired_held_jobs(int64_t now_ms, uint32_t limit) const = 0;
  virtual std::vector<uint64_t> all_queued_jobs() const = 0;
  /// store::jobs_to_analyse: held or queued jobs not yet analysed, ids after `after`.
  virtual std::vector<uint64_t> jobs_to_analyse(uint64_t after, uint32_t limit) const = 0;
  virtual uint64_t count_active_jobs(const std::string& queue) const = 0;
  /// `owner`'s unfinished jobs and their bytes (store::active_usage).
  virtual store::usage active_usage(const std::string& owner, uint64_t limit) const = 0;
  /// Where the job's document converted for printers is cached (spool.hpp).
  virtual std::string converted_folder(uint64_t id) const = 0;
  virtual std::vector<uint64_t> oldest_finished_jobs(const std::string& queue, uint32_t limit) const = 0;
  /// store::queues_with_jobs: every queue that has a job stored.
  virtual std::vector<std::string> queues_with_jobs() const = 0;
};

/// The job_store of a running server.
std::unique_ptr<job_store> make_job_store(store& st);

/// Shared by the job actors of a site, immutable. When the fleet changes,
/// the registry makes a copy with the new snapshot (printers_and_queues,
/// prices) and hands it to the live jobs and to those it spawns later.
struct job_env {
  job_store* storage = nullptr;
  fleet_ptr printers_and_queues;
  event_bus_actor events;  // where job changes are announced (may be null in tests)
  processor_pool_actor processors;  // reads each new job's document (null: no analysis)
  uint32_t analysis_timeout_ms = 60000;
  uint32_t convert_timeout_ms = 300000;
  int64_t held_expiry_ms = 24ll * 3600 * 1000;
  int64_t history_ms = 30ll * 86400 * 1000;  // 0: finished jobs are kept forever
  int64_t reprint_ms = 0;                    // a printed job's document is kept this long (0: not)
  int64_t receiving_timeout_ms = 300000;     // multiple-operation-time-out
  std::function<int64_t()> now_ms;  // wall clock
  // job-password: the stored form of a job's PIN material (an HMAC with the
  // server secret, bound to the job id, prefixed by the encryption), and
  // whether a PIN typed at release matches it. Null: PIN jobs are refused.
  std::function<std::string(uint64_t id, const std::string& encryption, const std::string& material)> pin_hash;
  std::function<bool(const job_record& job, const std::string& typed)> pin_matches;
  // The price list of each printer that charges (by printer name); a
  // printer not in the map prints free. Null: jobs are not priced.
  std::shared_ptr<const std::map<std::string, pdl::price_list>> prices;
  // Where releases reserve their price and printed jobs are charged
  // (actors/account.hpp); null: nothing is charged.
  accounts_actor accounts;
  std::string currency = "EUR";  // how amounts are shown (config [accounting])
  uint32_t minor_digits = 2;
};

/// Milliseconds since the Unix epoch.
int64_t wall_clock_ms();

}  // namespace quire
