#include "actors/io/parallel_runner.hpp"

#include <algorithm>

namespace quire::io {

namespace {

// The slice of [0, n) that thread `index` of `threads` takes.
std::pair<size_t, size_t> slice(size_t n, unsigned index, unsigned threads) {
  size_t per = n / threads, extra = n % threads;
  size_t begin = index * per + std::min<size_t>(index, extra);
  return {begin, begin + per + (index < extra ? 1 : 0)};
}

}  // namespace

parallel_runner::parallel_runner(unsigned helpers, size_t min_parallel) : min_parallel_(min_parallel) {
  threads_.reserve(helpers);
  for (unsigned i = 0; i < helpers; ++i) threads_.emplace_back([this, i] { work(i + 1); });
}

parallel_runner::~parallel_runner() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  start_.notify_all();
  for (auto& t : threads_) t.join();
}

void parallel_runner::run(size_t n, const std::function<void(size_t)>& body) {
  if (threads_.empty() || n < min_parallel_) {
    for (size_t i = 0; i < n; ++i) body(i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    body_ = &body;
    n_ = n;
    busy_ = static_cast<unsigned>(threads_.size());
    ++generation_;
  }
  start_.notify_all();
  auto [begin, end] = slice(n, 0, static_cast<unsigned>(threads_.size()) + 1);
  for (size_t i = begin; i < end; ++i) body(i);
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [this] { return busy_ == 0; });
  body_ = nullptr;
}

void parallel_runner::work(unsigned index) {
  uint64_t seen = 0;
  for (;;) {
    const std::function<void(size_t)>* body = nullptr;
    size_t n = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      body = body_;
      n = n_;
    }
    auto [begin, end] = slice(n, index, static_cast<unsigned>(threads_.size()) + 1);
    for (size_t i = begin; i < end; ++i) (*body)(i);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --busy_;
    }
    done_.notify_one();
  }
}

}  // namespace quire::io
