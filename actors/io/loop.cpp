#include "actors/io/loop.hpp"

#include "protocols/result.hpp"

namespace quire::io {

loop::loop() {
  QUIRE_ASSERT(uv_loop_init(&loop_) == 0, "uv_loop_init");
  QUIRE_ASSERT(uv_async_init(&loop_, &async_, &loop::on_async) == 0, "uv_async_init");
  async_.data = this;
}

loop::~loop() {
  QUIRE_ASSERT(!thread_.joinable(), "io::loop destroyed while running; call stop()");
  if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&async_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
    uv_run(&loop_, UV_RUN_NOWAIT);
  }
  uv_loop_close(&loop_);
}

void loop::start() {
  thread_ = std::thread([this] {
    thread_id_.store(std::this_thread::get_id());
    uv_run(&loop_, UV_RUN_DEFAULT);
    thread_id_.store({});
  });
}

void loop::post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!accepting_) return;
    queue_.push_back(std::move(fn));
  }
  uv_async_send(&async_);
}

void loop::on_async(uv_async_t* handle) { static_cast<loop*>(handle->data)->drain(); }

void loop::drain() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batch.swap(queue_);
  }
  for (auto& fn : batch) fn();
}

void loop::stop(std::function<void()> before_close) {
  if (!thread_.joinable()) return;
  post([this, before_close = std::move(before_close)] {
    if (before_close) before_close();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      accepting_ = false;
    }
    drain();  // whatever was posted before the door closed
    // Owners close their handles (with their own callbacks) in before_close;
    // whatever is left, the async handle included, closes here.
    uv_walk(
        &loop_, [](uv_handle_t* h, void*) { if (!uv_is_closing(h)) uv_close(h, nullptr); }, nullptr);
  });
  thread_.join();
}

}  // namespace quire::io
