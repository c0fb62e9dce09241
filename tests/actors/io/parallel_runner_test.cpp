// parallel_runner: every index once, whatever the threads, run after run.
#include "actors/io/parallel_runner.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using quire::io::parallel_runner;

TEST_CASE("parallel_runner: each index is visited exactly once, by several threads when the run is big") {
  for (unsigned helpers : {0u, 1u, 3u}) {
    CAPTURE(helpers);
    parallel_runner r(helpers, 16);
    CHECK(r.helpers() == helpers);
    for (size_t n : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{1000}, size_t{10001}}) {
      CAPTURE(n);
      std::vector<std::atomic<int>> seen(n);
      std::mutex m;
      std::set<std::thread::id> threads;
      r.run(n, [&](size_t i) {
        seen[i].fetch_add(1);
        std::lock_guard<std::mutex> lock(m);
        threads.insert(std::this_thread::get_id());
      });
      for (size_t i = 0; i < n; ++i) REQUIRE(seen[i].load() == 1);
      if (n < 16 || helpers == 0) CHECK(threads.size() <= 1);  // small runs stay on the caller
      if (n < 16) CHECK((threads.empty() || *threads.begin() == std::this_thread::get_id()));
    }
  }
}

TEST_CASE("parallel_runner: returns only when every slice is done") {
  parallel_runner r(2, 1);
  for (int round = 0; round < 200; ++round) {
    std::atomic<size_t> done{0};
    r.run(64, [&](size_t) {
      std::this_thread::yield();
      done.fetch_add(1);
    });
    REQUIRE(done.load() == 64);
  }
}
