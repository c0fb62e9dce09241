#include <doctest/doctest.h>

#include "actors/admission_rules.hpp"

using namespace quire;

TEST_CASE("admission: caps on a user's unfinished jobs and bytes") {
  admission_limits lim;
  lim.max_jobs_per_user = 3;
  lim.max_bytes_per_user = 1000;
  lim.user_per_minute = 0;
  admission a(lim);
  CHECK_FALSE(a.admit("alice", "10.0.0.1", 100, 2, 500, 0));
  auto jobs = a.admit("alice", "10.0.0.1", 100, 3, 500, 0);
  CHECK(jobs.code == errc::not_possible);
  CHECK(jobs.message.find("alice has 3 jobs") != std::string::npos);
  CHECK(a.admit("alice", "10.0.0.1", 600, 1, 500, 0).code == errc::not_possible);  // bytes
  admission off(admission_limits{0, 0, 0, 0, 10});
  CHECK_FALSE(off.counts_usage());
  CHECK_FALSE(off.admit("alice", "h", 1ull << 40, 1000000, 1ull << 40, 0));
}

TEST_CASE("admission: a user's rate, with a burst of a quarter minute, refilled over time") {
  admission_limits lim;
  lim.max_jobs_per_user = 0;
  lim.max_bytes_per_user = 0;
  lim.user_per_minute = 60;  // one a second, bursts of 15
  admission a(lim);
  for (int i = 0; i < 15; ++i) REQUIRE_FALSE(a.admit("bob", "h", 0, 0, 0, 1000));
  auto busy = a.admit("bob", "h", 0, 0, 0, 1000);
  CHECK(busy.code == errc::busy);
  CHECK(busy.message.find("retry in 1 s") != std::string::npos);
  CHECK_FALSE(a.admit("carol", "h", 0, 0, 0, 1000));  // others are not held back
  CHECK_FALSE(a.admit("bob", "h", 0, 0, 0, 2000));    // a second later: one more
  CHECK(a.admit("bob", "h", 0, 0, 0, 2000).code == errc::busy);
}

TEST_CASE("admission: a host's rate applies across its users, tracking is bounded") {
  admission_limits lim;
  lim.max_jobs_per_user = 0;
  lim.max_bytes_per_user = 0;
  lim.user_per_minute = 0;
  lim.host_per_minute = 8;  // bursts of 2
  admission a(lim);
  CHECK_FALSE(a.admit("u1", "192.0.2.7", 0, 0, 0, 0));
  CHECK_FALSE(a.admit("u2", "192.0.2.7", 0, 0, 0, 0));
  CHECK(a.admit("u3", "192.0.2.7", 0, 0, 0, 0).code == errc::busy);
  CHECK_FALSE(a.admit("u3", "192.0.2.8", 0, 0, 0, 0));

  rate_table t(60, 100);
  int64_t retry = 0;
  for (int i = 0; i < 1000; ++i) t.take("key" + std::to_string(i), 0, retry);
  CHECK(t.size() == 100);
}
