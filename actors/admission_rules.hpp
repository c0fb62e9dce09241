// Admission: how much one user, or one sending host, may put on the site.
//
// Per user: a cap on jobs not yet finished (held, waiting or printing) and
// on their bytes, counted from the user index at each submission (a user
// at the cap costs a scan of that many index entries; 0 turns a cap off);
// per user and per host: a submission rate (a token bucket: `per_minute`
// tokens a minute, at most `per_minute / 4` saved up, at least one). Pure:
// the time comes in, and the usage is read by the caller. Not thread-safe:
// it belongs to the registry, the one door new jobs pass.
#pragma once

#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "protocols/result.hpp"

namespace quire {

struct admission_limits {
  uint64_t max_jobs_per_user = 500;           // unfinished jobs (0: no cap)
  uint64_t max_bytes_per_user = 2ull << 30;   // their documents' bytes (0: no cap)
  uint32_t user_per_minute = 300;             // submissions (0: no limit)
  uint32_t host_per_minute = 0;               // submissions from one address (0: no limit; NAT)
  size_t max_tracked = 100000;                // buckets kept per kind; the stalest go first
};

/// A token bucket per key, in bounded memory.
class rate_table {
 public:
  rate_table(uint32_t per_minute, size_t max_tracked) : per_minute_(per_minute), max_tracked_(max_tracked) {}
  /// Takes one token for `key`; false when there is none (and then
  /// `retry_ms` says when there will be).
  bool take(std::string_view key, int64_t now_ms, int64_t& retry_ms);
  size_t size() const { return index_.size(); }

 private:
  struct bucket {
    std::string key;
    double tokens;
    int64_t at_ms;
  };
  uint32_t per_minute_;
  size_t max_tracked_;
  std::list<bucket> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<bucket>::iterator> index_;
};

class admission {
 public:
  explicit admission(admission_limits limits = {});

  const admission_limits& limits() const { return limits_; }
  /// Whether caps need the user's usage at all (else pass zeros).
  bool counts_usage() const { return limits_.max_jobs_per_user != 0 || limits_.max_bytes_per_user != 0; }

  /// A new job of `bytes` from `user` at `host`, whose unfinished jobs are
  /// `jobs`/`held_bytes` now: ok, not_possible (a cap: the client should
  /// not retry until jobs print; IPP client-error-not-possible) or busy
  /// (the rate: retry shortly; server-error-busy), with a reason.
  status admit(const std::string& user, const std::string& host, uint64_t bytes, uint64_t jobs,
               uint64_t held_bytes, int64_t now_ms);

 private:
  admission_limits limits_;
  rate_table users_;
  rate_table hosts_;
};

}  // namespace quire
