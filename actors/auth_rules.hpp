// Authentication rules as pure values: a cache of verified passwords, a
// limiter of failed logins, and the wrong-PIN count of a job-password job.
//
// They never touch CAF, storage or a clock: the time comes in as wall-clock
// or monotonic milliseconds (one kind per object, consistently), so every
// rule is tested without sleeping (tests/actors/auth_rules_test.cpp). None is
// thread-safe: each belongs to the one actor that consults it.
//
// A password login with these rules, in order:
//   1. login_limiter::check(user, address)   refused: answer "try later", stop
//   2. read the user record                  unknown or disabled: fail (step 5)
//   3. credential_cache::lookup(...)          hit: success (step 6)
//   4. verify_password (scrypt, ~40 ms, off the actor's thread)
//   5. failure: login_limiter::failed(user, address)
//   6. success: credential_cache::remember (after a verify),
//      login_limiter::succeeded(user, address)
// A card or PIN login has no user name before its look-up: pass "" as the
// user, so failures count against the address (the terminal) only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

namespace quire {

// --- credential_cache -------------------------------------------------------

struct credential_cache_limits {
  int64_t ttl_ms = 5 * 60 * 1000;  // how long a verified password is trusted
  size_t max_entries = 10000;      // least recently used entries go first
};

/// Remembers that a user proved a password, so that scrypt runs once per
/// ttl rather than on every request (IPP clients authenticate each request).
///
/// Entries are keyed by SHA-256(user 0 password): neither the password nor
/// anything reversible without guessing is kept. Each entry also remembers
/// a digest of the stored password hash it was checked against, and a lookup
/// passes the current one: a password change (a new salted hash) or removal
/// misses at once, without any notification. The ttl counts from
/// remember(), not from the last hit, so a cached password is re-checked
/// against storage at least every ttl. Whether the user may log in at all
/// (disabled, deleted) is the caller's check: the cache only spares scrypt.
class credential_cache {
 public:
  explicit credential_cache(credential_cache_limits limits = {});

  /// True when remember(user, password, password_hash) happened less than
  /// ttl_ms before `now_ms`. False (and nothing is cached) when the hash is
  /// empty or the user name holds a 0 byte.
  bool lookup(std::string_view user, std::string_view password, std::string_view password_hash, int64_t now_ms);

  /// Records a successful verify_password(password, password_hash).
  /// REQUIRES: that verification succeeded; never call it for a failure.
  void remember(std::string_view user, std::string_view password, std::string_view password_hash, int64_t now_ms);

  /// Drops every entry (e.g. on an administrator's request).
  void clear();
  size_t size() const { return index_.size(); }

 private:
  struct entry {
    std::string key;     // SHA-256(user 0 password)
    std::string stamp;   // SHA-256(stored password hash)
    int64_t expires_ms;
  };
  credential_cache_limits limits_;
  std::list<entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<entry>::iterator> index_;
};

/// Card ids as readers send them differ in case and padding: one form is
/// kept (surrounding white space dropped, letters upper-cased), both when a
/// card is registered and when one is presented at a terminal.
std::string normalise_card(std::string id);

// --- login_limiter ----------------------------------------------------------

struct login_limits {
  uint32_t max_user_failures = 5;        // failures of one user name per window...
  uint32_t max_address_failures = 20;    // ... and of one client address (a shared terminal, NAT)
  int64_t window_ms = 15 * 60 * 1000;    // failures older than this are forgotten
  int64_t base_backoff_ms = 30 * 1000;   // the first block; each further one doubles...
  int64_t max_backoff_ms = 30 * 60 * 1000;  // ... up to this
  size_t max_tracked = 100000;           // entries per table (users, addresses)
};

/// Why a login attempt may not proceed, if it may not.
struct login_verdict {
  bool allowed = true;
  bool user_blocked = false;
  bool address_blocked = false;
  int64_t retry_after_ms = 0;  // when refused: how long until the block ends
};

namespace detail {

/// Failure counts for one kind of key (user names, or addresses), with
/// exponential blocks. Bounded: past max_tracked keys the least recently
/// failed one is dropped.
class failure_table {
 public:
  failure_table(uint32_t max_failures, const login_limits& limits);

  /// 0 when `key` may try now; otherwise the milliseconds its block lasts.
  int64_t blocked_for(std::string_view key, int64_t now_ms) const;
  void failed(std::string_view key, int64_t now_ms);
  void forget(std::string_view key);
  size_t size() const { return index_.size(); }

 private:
  struct entry {
    std::string key;
    uint32_t failures = 0;       // in the current window (or since the last block)
    uint32_t blocks = 0;         // blocks in a row: the next lasts base·2^blocks
    int64_t window_start_ms = 0;
    int64_t last_failure_ms = 0;
    int64_t blocked_until_ms = 0;
  };
  bool stale(const entry& e, int64_t now_ms) const;
  void make_room(int64_t now_ms);

  uint32_t max_failures_;
  login_limits limits_;
  std::list<entry> lru_;  // most recent failure first
  std::unordered_map<std::string, std::list<entry>::iterator> index_;
};

}  // namespace detail

/// Limits password guessing, per user name and per client address.
///
/// max_*_failures failures of a key within window_ms block that key for
/// base_backoff_ms; once the block ends, each further failure blocks it
/// again for twice as long, up to max_backoff_ms. A key quiet for window_ms
/// after its last failure and block is forgotten. An attempt is refused
/// while its user *or* its address is blocked; refused attempts are not
/// verified and must not be reported as failures (they neither count nor
/// extend a block). A success forgets the user's failures but not the
/// address's: an attacker cannot clear its address by logging into its own
/// account in between guesses.
///
/// Names are counted as given, existing users or not (so probing for names
/// costs the same). Addresses are counted as the caller passes them: pass an
/// IPv6 client as its /64, or one host rotates through 2^64 addresses.
/// Memory is bounded by max_tracked per table; under a flood of distinct
/// keys the least recently failed are forgotten first.
///
/// Trade-off to know: per-user blocking lets anyone delay one user's
/// password logins for up to max_backoff_ms at a time (card and PIN logins,
/// counted per address only, stay open).
class login_limiter {
 public:
  explicit login_limiter(login_limits limits = {});

  /// Whether an attempt for `user` from `address` may be verified now. An
  /// empty user or address is not checked.
  login_verdict check(std::string_view user, std::string_view address, int64_t now_ms) const;
  /// A verified attempt failed (wrong password, unknown user or card).
  void failed(std::string_view user, std::string_view address, int64_t now_ms);
  /// A verified attempt succeeded: the user's failures are forgotten.
  void succeeded(std::string_view user, std::string_view address, int64_t now_ms);

  size_t tracked_users() const { return users_.size(); }
  size_t tracked_addresses() const { return addresses_.size(); }

 private:
  detail::failure_table users_;
  detail::failure_table addresses_;
};

// --- pin_attempts -----------------------------------------------------------

enum class pin_verdict : uint8_t {
  accepted,  // right PIN: release may proceed
  wrong,     // wrong PIN: counted; attempts remain
  locked,    // K wrong PINs: refused, even the right one, until reset
};

/// The wrong-PIN count of one job-password job (PWG 5100.11). The job actor
/// keeps `wrong` in the job's record and commits it before answering, so a
/// restart (or a crash provoked on purpose) does not hand out fresh attempts.
/// A locked job is released by nobody until reset() (whoever the release
/// policy trusts to do that, e.g. an administrator) or until it expires like
/// any held job.
struct pin_attempts {
  uint32_t wrong = 0;  // wrong PINs so far
  uint32_t limit = 5;  // K: wrong PINs that lock the job

  bool locked() const { return wrong >= limit; }
  uint32_t remaining() const { return locked() ? 0 : limit - wrong; }

  /// Counts one attempt whose PIN was compared with verify_job_pin: a right
  /// PIN is accepted and resets the count; a wrong one counts, and the K-th
  /// answers locked. A locked job answers locked without counting (check
  /// locked() first and skip the comparison).
  pin_verdict submit(bool pin_matches);
  void reset() { wrong = 0; }
};

}  // namespace quire
