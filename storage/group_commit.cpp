#include "storage/group_commit.hpp"

namespace quire {

namespace {
size_t batch_bytes(const write_batch& b) {
  size_t n = 0;
  for (const auto& op : b.ops()) n += op.key.size() + op.value.size();
  return n;
}
}  // namespace

group_commit::group_commit(write_fn write, limits lim, idle_fn on_idle)
    : write_(std::move(write)), limits_(lim), on_idle_(std::move(on_idle)), thread_([this] { run(); }) {}

group_commit::~group_commit() { stop(); }

void group_commit::submit(write_batch batch, callback done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stopping_) {
      pending_.push_back({std::move(batch), std::move(done), {}});
      wake_.notify_one();
      return;
    }
  }
  done(status{errc::shutting_down, "storage is closing"});
}

void group_commit::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

group_commit::counters group_commit::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return counters_;
}

void group_commit::run() {
  std::vector<entry> group;
  bool wrote_since_idle = false;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      auto ready = [this] { return stopping_ || !pending_.empty(); };
      if (on_idle_ && wrote_since_idle) {
        if (!wake_.wait_for(lock, limits_.idle_after, ready)) {
          wrote_since_idle = false;
          lock.unlock();
          on_idle_();
          continue;
        }
      } else {
        wake_.wait(lock, ready);
      }
      if (pending_.empty()) return;  // stopping, and everything is written
      // Take as much as the limits allow; the rest forms the next group.
      size_t n = 0;
      size_t bytes = 0;
      while (n < pending_.size() && n < limits_.max_batches_per_group &&
             (n == 0 || bytes < limits_.max_bytes_per_group)) {
        bytes += batch_bytes(pending_[n].batch);
        ++n;
      }
      if (n == pending_.size()) {
        group.swap(pending_);
      } else {
        group.assign(std::make_move_iterator(pending_.begin()),
                     std::make_move_iterator(pending_.begin() + static_cast<long>(n)));
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(n));
      }
    }
    write_(group);
    wrote_since_idle = true;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      counters_.groups += 1;
      counters_.batches += group.size();
    }
    for (auto& e : group) e.done(e.result);
    group.clear();
  }
}

}  // namespace quire
