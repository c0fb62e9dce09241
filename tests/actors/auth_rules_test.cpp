#include <doctest/doctest.h>

#include <string>

#include "actors/auth_rules.hpp"

using namespace quire;

namespace {

constexpr int64_t minute = 60 * 1000;
const std::string hash_v1 = "$scrypt$ln=14,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
const std::string hash_v2 = "$scrypt$ln=14,r=8,p=1$b3RoZXJzYWx0b3RoZXJzYQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";

// "u" + std::to_string(i) trips a GCC 12 -Wstringop-overflow false positive.
std::string numbered(const char* prefix, int i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

login_limits small_limits() {
  login_limits l;
  l.max_user_failures = 3;
  l.max_address_failures = 5;
  l.window_ms = 10 * minute;
  l.base_backoff_ms = 1000;
  l.max_backoff_ms = 8000;
  l.max_tracked = 100;
  return l;
}

}  // namespace

// --- credential_cache ---------------------------------------------------------

TEST_CASE("cache: a remembered password hits until its ttl, counted from remember") {
  credential_cache c(credential_cache_limits{5 * minute, 100});
  CHECK_FALSE(c.lookup("alice", "pw", hash_v1, 0));
  c.remember("alice", "pw", hash_v1, 0);
  CHECK(c.lookup("alice", "pw", hash_v1, 1));
  CHECK(c.lookup("alice", "pw", hash_v1, 5 * minute - 1));  // a hit does not extend the ttl
  CHECK_FALSE(c.lookup("alice", "pw", hash_v1, 5 * minute));
  CHECK(c.size() == 0);  // the expired entry is gone
}

TEST_CASE("cache: other passwords, users and a changed hash miss") {
  credential_cache c;
  c.remember("alice", "pw", hash_v1, 0);
  CHECK_FALSE(c.lookup("alice", "pw2", hash_v1, 1));
  CHECK_FALSE(c.lookup("alice", "PW", hash_v1, 1));
  CHECK_FALSE(c.lookup("bob", "pw", hash_v1, 1));
  CHECK_FALSE(c.lookup("alic", "epw", hash_v1, 1));  // user/password split elsewhere
  CHECK(c.lookup("alice", "pw", hash_v1, 1));
  // The password was changed (a new salted hash): the entry is dead at once.
  CHECK_FALSE(c.lookup("alice", "pw", hash_v2, 2));
  CHECK_FALSE(c.lookup("alice", "pw", hash_v1, 3));
  // Removed password: never a hit, never cached.
  c.remember("alice", "pw", "", 4);
  CHECK_FALSE(c.lookup("alice", "pw", "", 5));
  CHECK(c.size() == 0);
}

TEST_CASE("cache: a user name with a 0 byte is never cached") {
  credential_cache c;
  c.remember(std::string("a\0b", 3), "c", hash_v1, 0);
  CHECK(c.size() == 0);
  c.remember("a", std::string("b\0c", 3), hash_v1, 0);
  CHECK_FALSE(c.lookup(std::string("a\0b", 3), "c", hash_v1, 1));
}

TEST_CASE("cache: bounded, least recently used evicted first") {
  credential_cache c(credential_cache_limits{5 * minute, 3});
  c.remember("u1", "p", hash_v1, 0);
  c.remember("u2", "p", hash_v1, 0);
  c.remember("u3", "p", hash_v1, 0);
  CHECK(c.lookup("u1", "p", hash_v1, 1));  // u1 is now the most recent
  c.remember("u4", "p", hash_v1, 2);       // evicts u2
  CHECK(c.size() == 3);
  CHECK_FALSE(c.lookup("u2", "p", hash_v1, 3));
  CHECK(c.lookup("u1", "p", hash_v1, 3));
  CHECK(c.lookup("u3", "p", hash_v1, 3));
  CHECK(c.lookup("u4", "p", hash_v1, 3));
  for (int i = 0; i < 1000; ++i) c.remember(numbered("flood", i), "p", hash_v1, 4);
  CHECK(c.size() == 3);
  c.clear();
  CHECK(c.size() == 0);
  CHECK_FALSE(c.lookup("flood999", "p", hash_v1, 5));

  credential_cache off(credential_cache_limits{5 * minute, 0});
  off.remember("u1", "p", hash_v1, 0);
  CHECK_FALSE(off.lookup("u1", "p", hash_v1, 1));
}

TEST_CASE("cache: remembering again renews the entry and its hash") {
  credential_cache c(credential_cache_limits{minute, 10});
  c.remember("alice", "pw", hash_v1, 0);
  c.remember("alice", "pw", hash_v2, 30000);  // rehashed after login
  CHECK(c.size() == 1);
  CHECK(c.lookup("alice", "pw", hash_v2, minute + 1000));
  CHECK_FALSE(c.lookup("alice", "pw", hash_v2, 30000 + minute));
}

// --- login_limiter ------------------------------------------------------------

TEST_CASE("limiter: a user is blocked after N failures, then backs off exponentially to a cap") {
  login_limiter l(small_limits());
  int64_t t = 1000;
  CHECK(l.check("alice", "10.0.0.1", t).allowed);
  l.failed("alice", "10.0.0.1", t);
  l.failed("alice", "10.0.0.2", t);
  CHECK(l.check("alice", "10.0.0.3", t).allowed);
  l.failed("alice", "10.0.0.3", t);  // third failure: blocked 1 s
  auto v = l.check("alice", "10.0.0.4", t);
  CHECK_FALSE(v.allowed);
  CHECK(v.user_blocked);
  CHECK_FALSE(v.address_blocked);
  CHECK(v.retry_after_ms == 1000);
  CHECK(l.check("bob", "10.0.0.4", t).allowed);  // other users are not affected
  CHECK_FALSE(l.check("alice", "", t + 999).allowed);
  CHECK(l.check("alice", "", t + 1000).allowed);

  // Each failure after a block blocks again, twice as long, up to the cap.
  int64_t expected[] = {2000, 4000, 8000, 8000, 8000};
  t += 1000;
  for (int64_t d : expected) {
    l.failed("alice", "", t);
    auto w = l.check("alice", "", t);
    CHECK_FALSE(w.allowed);
    CHECK(w.retry_after_ms == d);
    t += d;
    CHECK(l.check("alice", "", t).allowed);
  }
}

TEST_CASE("limiter: a success forgets the user's failures, not the address's") {
  login_limiter l(small_limits());
  l.failed("alice", "10.0.0.1", 0);
  l.failed("alice", "10.0.0.1", 0);
  l.succeeded("alice", "10.0.0.1", 1);
  l.failed("alice", "10.0.0.1", 2);
  l.failed("alice", "10.0.0.1", 2);
  CHECK(l.check("alice", "", 3).allowed);  // 2 since the success, not 4
  CHECK(l.tracked_addresses() == 1);
  l.failed("mallory", "10.0.0.1", 4);  // fifth from the address
  auto v = l.check("carol", "10.0.0.1", 4);
  CHECK_FALSE(v.allowed);
  CHECK(v.address_blocked);
  CHECK_FALSE(v.user_blocked);
  // A success of the attacker's own account does not clear its address.
  l.succeeded("mallory", "10.0.0.1", 5);
  CHECK_FALSE(l.check("carol", "10.0.0.1", 5).allowed);
  CHECK(l.check("carol", "10.0.0.9", 5).allowed);
}

TEST_CASE("limiter: addresses are limited across many user names") {
  login_limiter l(small_limits());
  for (int i = 0; i < 4; ++i) l.failed(numbered("user", i), "192.0.2.7", 0);
  CHECK(l.check("someone", "192.0.2.7", 0).allowed);
  l.failed("user4", "192.0.2.7", 0);
  CHECK_FALSE(l.check("someone", "192.0.2.7", 0).allowed);
  // Card and PIN logins count against the address alone.
  login_limiter cards(small_limits());
  for (int i = 0; i < 5; ++i) cards.failed("", "terminal-3", 0);
  CHECK(cards.tracked_users() == 0);
  CHECK_FALSE(cards.check("", "terminal-3", 0).allowed);
  CHECK(cards.check("", "terminal-4", 0).allowed);
}

TEST_CASE("limiter: failures spread beyond the window do not add up, and quiet keys are forgotten") {
  auto lim = small_limits();
  login_limiter l(lim);
  l.failed("alice", "", 0);
  l.failed("alice", "", 1);
  l.failed("alice", "", lim.window_ms);  // the first window ended: count restarts
  CHECK(l.check("alice", "", lim.window_ms).allowed);
  l.failed("alice", "", lim.window_ms + 1);
  l.failed("alice", "", lim.window_ms + 2);
  CHECK_FALSE(l.check("alice", "", lim.window_ms + 2).allowed);
  // After a block and a quiet window, the backoff starts from the base again.
  int64_t later = lim.window_ms + 2 + 1000 + lim.window_ms;
  for (int i = 0; i < 3; ++i) l.failed("alice", "", later);
  CHECK(l.check("alice", "", later).retry_after_ms == 1000);
}

TEST_CASE("limiter: memory stays bounded under a flood of distinct names and addresses") {
  auto lim = small_limits();
  lim.max_tracked = 50;
  login_limiter l(lim);
  for (int i = 0; i < 10000; ++i) l.failed(numbered("u", i), numbered("a", i), i);
  CHECK(l.tracked_users() <= 50);
  CHECK(l.tracked_addresses() <= 50);
  // The most recent stay tracked.
  for (int k = 0; k < 2; ++k) l.failed("u9999", "a9999", 10000);
  CHECK_FALSE(l.check("u9999", "", 10000).allowed);
  // Keys quiet for a window are dropped as new ones arrive.
  login_limiter m(lim);
  for (int i = 0; i < 10; ++i) m.failed(numbered("old", i), "", 0);
  CHECK(m.tracked_users() == 10);
  m.failed("new", "", lim.window_ms);
  CHECK(m.tracked_users() == 1);
}

TEST_CASE("limiter: unlimited settings degrade safely") {
  auto lim = small_limits();
  lim.max_tracked = 0;
  login_limiter l(lim);
  for (int i = 0; i < 10; ++i) l.failed("alice", "x", 0);
  CHECK(l.tracked_users() == 0);
  CHECK(l.check("alice", "x", 0).allowed);
}

// --- pin_attempts ---------------------------------------------------------------

TEST_CASE("job PIN: K wrong PINs lock the job, even against the right PIN") {
  pin_attempts p;
  CHECK(p.limit == 5);
  for (int i = 0; i < 4; ++i) CHECK(p.submit(false) == pin_verdict::wrong);
  CHECK(p.remaining() == 1);
  CHECK(p.submit(false) == pin_verdict::locked);
  CHECK(p.locked());
  CHECK(p.submit(true) == pin_verdict::locked);
  CHECK(p.wrong == 5);  // a locked job counts nothing more
  p.reset();
  CHECK(p.submit(true) == pin_verdict::accepted);
}

TEST_CASE("job PIN: the right PIN resets the count, and the count survives as a stored value") {
  pin_attempts p{0, 3};
  CHECK(p.submit(false) == pin_verdict::wrong);
  CHECK(p.submit(false) == pin_verdict::wrong);
  CHECK(p.submit(true) == pin_verdict::accepted);
  CHECK(p.wrong == 0);
  pin_attempts restored{2, 3};  // as read back from the job record after a restart
  CHECK(restored.submit(false) == pin_verdict::locked);
}
