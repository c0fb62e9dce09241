// Runs one loop body over [0, n) on the calling thread and a few helper
// threads at once, and returns when all of it is done.
//
// For the HTTP server's WebSocket fan-out: an event for ten thousand
// clients is ten thousand send() calls, each paying the kernel's whole
// loopback or TCP path; on one thread they take longer than the event's
// latency budget, while the machine's other cores idle. The loop thread
// blocks in run() meanwhile, so nothing else touches the connections.
//
// Helper threads are started once and sleep between runs. Small runs (below
// `min_parallel`) stay on the calling thread: waking a thread costs more
// than a few sends.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace quire::io {

class parallel_runner {
 public:
  /// `helpers` threads besides the caller (0: run() is a plain loop).
  explicit parallel_runner(unsigned helpers, size_t min_parallel = 256);
  ~parallel_runner();
  parallel_runner(const parallel_runner&) = delete;
  parallel_runner& operator=(const parallel_runner&) = delete;

  /// Calls body(i) once for each i in [0, n), in contiguous slices, one per
  /// thread; returns when every call has returned. `body` must not throw.
  /// One caller at a time.
  void run(size_t n, const std::function<void(size_t)>& body);

  unsigned helpers() const { return static_cast<unsigned>(threads_.size()); }

 private:
  void work(unsigned index);

  size_t min_parallel_;
  std::mutex mutex_;
  std::condition_variable start_;
  std::condition_variable done_;
  std::vector<std::thread> threads_;
  const std::function<void(size_t)>* body_ = nullptr;
  size_t n_ = 0;
  uint64_t generation_ = 0;
  unsigned busy_ = 0;  // helpers still on this generation's slices
  bool stopping_ = false;
};

}  // namespace quire::io
