#include <doctest/doctest.h>

#include "storage/keys.hpp"
#include "storage/records.hpp"
#include "storage/store.hpp"
#include "storage/write_batch.hpp"
#include "store_test_util.hpp"
#include "test_util.hpp"

using namespace quire;
using quire::testing::commit_sync;
using quire::testing::open_store;
using quire::testing::temp_dir;

namespace {

device_counter_record snapshot(int64_t t, uint64_t pages) {
  device_counter_record r;
  r.time_ms = t;
  r.life_count = pages;
  r.serial = "SN1";
  r.delivered = pages / 10;
  return r;
}

void put(store& st, const std::string& printer, const device_counter_record& r) {
  write_batch b;
  b.put(cf::device_counters, keys::device_counter(printer, r.time_ms), encode_record(r));
  REQUIRE_FALSE(commit_sync(st, std::move(b)));
}

}  // namespace

TEST_CASE("device counters: one printer's snapshots, in time order, apart from its neighbours") {
  CHECK(keys::device_counter("a", 2) > keys::device_counter("a", 1));
  CHECK(keys::device_counter("a", 1000000) < keys::device_counter("a", 1000001));
  // "a" and "ab" share a prefix byte but not a range.
  auto mine = keys::device_counters_prefix("a");
  CHECK(keys::device_counter("ab", 1).compare(0, mine.size(), mine) != 0);
  CHECK(keys::device_counter("a", 1).compare(0, mine.size(), mine) == 0);
}

TEST_CASE("device counters: stored snapshots are read back by time range and limit") {
  temp_dir dir;
  auto st = open_store(dir.path());
  for (int i = 1; i <= 5; ++i) put(*st, "lab1", snapshot(i * 1000, 100 * i));
  put(*st, "lab10", snapshot(1500, 7));
  put(*st, "lab", snapshot(1500, 8));

  auto all = st->device_counters("lab1", 0, 1'000'000, 0);
  REQUIRE(all.size() == 5);
  CHECK(all.front().life_count == 100);
  CHECK(all.back().life_count == 500);
  CHECK(all[2].serial == "SN1");

  auto some = st->device_counters("lab1", 2000, 4000, 0);  // [2000, 4000)
  REQUIRE(some.size() == 2);
  CHECK(some[0].time_ms == 2000);
  CHECK(some[1].time_ms == 3000);

  auto newest = st->device_counters("lab1", 0, 1'000'000, 2);  // the newest two, oldest first
  REQUIRE(newest.size() == 2);
  CHECK(newest[0].time_ms == 4000);
  CHECK(newest[1].time_ms == 5000);

  CHECK(st->device_counters("lab10", 0, 1'000'000, 0).size() == 1);
  CHECK(st->device_counters("nope", 0, 1'000'000, 0).empty());
  CHECK(st->device_counters("", 0, 1'000'000, 0).empty());
  CHECK(st->device_counters("lab1", 5, 5, 0).empty());

  // Old ones go with a range erase, as the printer prunes them.
  write_batch b;
  b.erase_range(cf::device_counters, keys::device_counter("lab1", 0), keys::device_counter("lab1", 3000));
  REQUIRE_FALSE(commit_sync(*st, std::move(b)));
  CHECK(st->device_counters("lab1", 0, 1'000'000, 0).size() == 3);
  CHECK(st->device_counters("lab10", 0, 1'000'000, 0).size() == 1);
}
