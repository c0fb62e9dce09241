#include <doctest/doctest.h>

#include "storage/keys.hpp"

using namespace quire;

TEST_CASE("big-endian ids sort numerically as bytes") {
  CHECK(keys::job(2) < keys::job(10));
  CHECK(keys::job(255) < keys::job(256));
  CHECK(keys::job(1ull << 40) > keys::job((1ull << 40) - 1));
  CHECK(keys::read_be64(keys::job(0x0102030405060708ull), 0) == 0x0102030405060708ull);
}

TEST_CASE("a name prefix never matches a longer name") {
  std::string ab = keys::user_job("ab", job_state::held, 7);
  std::string abc = keys::user_job("abc", job_state::held, 1);
  std::string prefix = keys::user_prefix("ab", false);
  CHECK(ab.compare(0, prefix.size(), prefix) == 0);
  CHECK(abc.compare(0, prefix.size(), prefix) != 0);
}

TEST_CASE("index keys end with the job id") {
  CHECK(keys::user_job_id(keys::user_job("alice", job_state::done, 42)) == 42);
  CHECK(keys::trailing_id(keys::state_job("secure", job_state::held, 43)) == 43);
  CHECK(keys::trailing_id(keys::expiry_job(1700000000000, 44)) == 44);
  CHECK(keys::trailing_id(keys::printer_job("demo", 1700000000000, 45)) == 45);
}

TEST_CASE("a user's jobs: unfinished before finished, newest first within each") {
  auto held_new = keys::user_job("u", job_state::held, 9);
  auto held_old = keys::user_job("u", job_state::queued, 3);
  auto done_new = keys::user_job("u", job_state::done, 8);
  auto done_old = keys::user_job("u", job_state::canceled, 2);
  CHECK(held_new < held_old);
  CHECK(held_old < done_new);
  CHECK(done_new < done_old);
  auto unfinished = keys::user_prefix("u", false);
  CHECK(held_old.compare(0, unfinished.size(), unfinished) == 0);
  CHECK(done_old.compare(0, unfinished.size(), unfinished) != 0);
}

TEST_CASE("printer FIFO keys sort by release time, then id") {
  CHECK(keys::printer_job("p", 100, 9) < keys::printer_job("p", 200, 1));
  CHECK(keys::printer_job("p", 100, 1) < keys::printer_job("p", 100, 2));
}

TEST_CASE("user index values round-trip and reject garbage") {
  job_state s{};
  std::string q;
  uint64_t size = 0;
  REQUIRE(keys::parse_user_job_value(keys::user_job_value(job_state::queued, "secure", 123456789), s, q, &size));
  CHECK(s == job_state::queued);
  CHECK(q == "secure");
  CHECK(size == 123456789);
  // A value written before sizes were kept: state and queue, size 0.
  REQUIRE(keys::parse_user_job_value(std::string(1, '\x03') + "demo", s, q, &size));
  CHECK(s == job_state::held);
  CHECK(q == "demo");
  CHECK(size == 0);
  CHECK_FALSE(keys::parse_user_job_value("", s, q));
  CHECK_FALSE(keys::parse_user_job_value(std::string(1, '\x0a'), s, q));
  CHECK_FALSE(keys::parse_user_job_value(std::string(1, '\x83') + "abc", s, q));  // marked, size cut short
}
