// Group commit: many writers, one durable write.
//
// Any thread may submit() a write_batch with a callback. One writer thread
// takes everything submitted so far as a group and hands it to the durable
// write function, which applies the whole group with one sync (see store);
// while that sync runs, new submissions accumulate into the next group. With
// N concurrent writers one fsync thus acknowledges up to N batches: this is
// what keeps durable acknowledgement fast under load (STACK-NOTES: one fsync
// costs ~2 ms, so a sync per job would cap intake near 500/s).
//
// Callbacks run on the writer thread, in submission order, after the group
// is durable (or failed); they must be short and must not block (actor code
// sends a message and returns).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/write_batch.hpp"

namespace quire {

class group_commit {
 public:
  using callback = std::function<void(const status&)>;

  struct entry {
    write_batch batch;
    callback done;
    status result;  // set by the durable write function
  };
  /// Applies a group durably; sets each entry's `result`.
  using write_fn = std::function<void(std::vector<entry>& group)>;

  /// Runs on the writer thread once it has been idle for `idle_after` since
  /// its last write (once per quiet period); the store flushes memtables.
  using idle_fn = std::function<void()>;

  struct limits {
    size_t max_batches_per_group = 4096;
    size_t max_bytes_per_group = 32u << 20;
    std::chrono::milliseconds idle_after{30000};
  };

  /// Starts the writer thread.
  group_commit(write_fn write, limits lim, idle_fn on_idle = {});
  explicit group_commit(write_fn write) : group_commit(std::move(write), limits{}) {}
  /// Calls stop().
  ~group_commit();

  /// Queues `batch`; `done` runs once it is durable or failed. After stop(),
  /// `done` runs at once with errc::shutting_down.
  void submit(write_batch batch, callback done);

  /// Writes everything already submitted, then joins the writer thread.
  void stop();

  struct counters {
    uint64_t groups = 0;   // durable writes
    uint64_t batches = 0;  // submitted batches written
  };
  counters stats() const;

 private:
  void run();

  write_fn write_;
  limits limits_;
  idle_fn on_idle_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<entry> pending_;
  bool stopping_ = false;
  counters counters_;
  std::thread thread_;
};

}  // namespace quire
