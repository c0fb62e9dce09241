#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/group_commit.hpp"

using namespace quire;

namespace {
write_batch tagged(int writer, int seq) {
  write_batch b;
  b.put(cf::meta, std::to_string(writer) + "/" + std::to_string(seq), "x");
  return b;
}
}  // namespace

TEST_CASE("concurrent writers share syncs and each hears back once, in order") {
  std::atomic<int> writes{0};
  group_commit gc([&](std::vector<group_commit::entry>& group) {
    writes.fetch_add(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a slow fsync
    for (auto& e : group) e.result = {};
  });
  constexpr int writers = 16;
  constexpr int per_writer = 100;
  std::mutex m;
  std::map<int, std::vector<int>> heard;
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      std::atomic<int> left{per_writer};
      for (int i = 0; i < per_writer; ++i) {
        gc.submit(tagged(w, i), [&, w, i](const status& s) {
          CHECK_FALSE(s);
          std::lock_guard<std::mutex> lock(m);
          heard[w].push_back(i);
          left.fetch_sub(1);
        });
      }
      while (left.load() > 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
    });
  }
  for (auto& t : threads) t.join();
  gc.stop();
  for (int w = 0; w < writers; ++w) {
    REQUIRE(heard[w].size() == per_writer);
    for (int i = 0; i < per_writer; ++i) CHECK(heard[w][i] == i);
  }
  auto st = gc.stats();
  CHECK(st.batches == writers * per_writer);
  CHECK(st.groups == static_cast<uint64_t>(writes.load()));
  // Submissions made during a 1 ms write must have been grouped.
  CHECK(st.groups < st.batches / 2);
}

TEST_CASE("a failed group reports its error to every member") {
  group_commit gc([](std::vector<group_commit::entry>& group) {
    for (auto& e : group) e.result = status{errc::io_error, "disk full"};
  });
  std::atomic<int> failed{0};
  for (int i = 0; i < 10; ++i)
    gc.submit(tagged(0, i), [&](const status& s) {
      if (s.code == errc::io_error) failed.fetch_add(1);
    });
  gc.stop();
  CHECK(failed.load() == 10);
}

TEST_CASE("stop writes what was submitted, later submissions are refused at once") {
  std::atomic<int> written{0};
  group_commit gc([&](std::vector<group_commit::entry>& group) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    written.fetch_add(static_cast<int>(group.size()));
  });
  for (int i = 0; i < 50; ++i) gc.submit(tagged(0, i), [](const status&) {});
  gc.stop();
  CHECK(written.load() == 50);
  status late;
  gc.submit(tagged(0, 99), [&](const status& s) { late = s; });
  CHECK(late.code == errc::shutting_down);
}

TEST_CASE("a group never exceeds its batch limit") {
  size_t largest = 0;
  group_commit::limits lim;
  lim.max_batches_per_group = 4;
  group_commit gc(
      [&](std::vector<group_commit::entry>& group) {
        largest = std::max(largest, group.size());
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      },
      lim);
  for (int i = 0; i < 40; ++i) gc.submit(tagged(0, i), [](const status&) {});
  gc.stop();
  CHECK(largest <= 4);
  CHECK(gc.stats().batches == 40);
}

TEST_CASE("the idle callback runs once per quiet period after writes") {
  std::atomic<int> idle{0};
  group_commit::limits lim;
  lim.idle_after = std::chrono::milliseconds(20);
  group_commit gc([](std::vector<group_commit::entry>&) {}, lim, [&] { idle.fetch_add(1); });
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  CHECK(idle.load() == 0);  // nothing written yet: nothing to flush
  gc.submit(tagged(0, 1), [](const status&) {});
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  CHECK(idle.load() == 1);  // once, not every 20 ms
  gc.submit(tagged(0, 2), [](const status&) {});
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  CHECK(idle.load() == 2);
  gc.stop();
}
