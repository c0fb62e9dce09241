// The libuv loop thread: it owns every socket and timer of the server.
//
// Other threads never touch libuv handles; they post() a function that runs
// on the loop thread. Posts are queued under a mutex and drained in full on
// each uv_async_t wake-up (uv_async_send coalesces wake-ups). This is one
// half of the bridge of ARCHITECTURE.md; the other half (loop -> actor) is
// a plain caf::anon_send from code running on this thread.
#pragma once

#include <uv.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace quire::io {

class loop {
 public:
  loop();
  /// REQUIRES: stop() was called (or the thread was never started).
  ~loop();
  loop(const loop&) = delete;
  loop& operator=(const loop&) = delete;

  /// The raw loop. Before start(), any thread may set up handles on it;
  /// afterwards only the loop thread.
  uv_loop_t* uv() { return &loop_; }

  /// Starts the loop thread.
  void start();
  /// Runs `fn` on the loop thread. Thread-safe. After stop(), `fn` is dropped.
  void post(std::function<void()> fn);
  /// Runs `before_close` on the loop thread, then closes every handle, lets
  /// their callbacks run and joins the thread. Call from another thread.
  void stop(std::function<void()> before_close = {});

  bool on_loop_thread() const { return std::this_thread::get_id() == thread_id_.load(); }

 private:
  static void on_async(uv_async_t* handle);
  void drain();

  uv_loop_t loop_;
  uv_async_t async_;
  std::mutex mutex_;
  std::vector<std::function<void()>> queue_;
  bool accepting_ = true;
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_{};
};

}  // namespace quire::io
