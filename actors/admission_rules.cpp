#include "actors/admission_rules.hpp"

#include <algorithm>
#include <cmath>

namespace quire {

bool rate_table::take(std::string_view key, int64_t now_ms, int64_t& retry_ms) {
  if (per_minute_ == 0) return true;
  double capacity = std::max(1.0, per_minute_ / 4.0);
  double per_ms = per_minute_ / 60000.0;
  auto it = index_.find(std::string(key));
  if (it == index_.end()) {
    if (index_.size() >= max_tracked_ && !lru_.empty()) {
      index_.erase(lru_.back().key);
      lru_.pop_back();
    }
    lru_.push_front(bucket{std::string(key), capacity, now_ms});
    it = index_.emplace(lru_.front().key, lru_.begin()).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second);
  }
  bucket& b = *it->second;
  b.tokens = std::min(capacity, b.tokens + std::max<int64_t>(0, now_ms - b.at_ms) * per_ms);
  b.at_ms = now_ms;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  retry_ms = static_cast<int64_t>(std::ceil((1.0 - b.tokens) / per_ms));
  return false;
}

admission::admission(admission_limits limits)
    : limits_(limits),
      users_(limits.user_per_minute, limits.max_tracked),
      hosts_(limits.host_per_minute, limits.max_tracked) {}

status admission::admit(const std::string& user, const std::string& host, uint64_t bytes, uint64_t jobs,
                        uint64_t held_bytes, int64_t now_ms) {
  if (limits_.max_jobs_per_user != 0 && jobs >= limits_.max_jobs_per_user)
    return {errc::not_possible, user + " has " + std::to_string(jobs) + " jobs waiting (at most " +
                                      std::to_string(limits_.max_jobs_per_user) + "): print or cancel some first"};
  if (limits_.max_bytes_per_user != 0 && held_bytes + bytes > limits_.max_bytes_per_user)
    return {errc::not_possible, user + "'s waiting jobs would exceed " +
                                      std::to_string(limits_.max_bytes_per_user >> 20) +
                                      " MiB: print or cancel some first"};
  int64_t retry = 0;
  if (!users_.take(user, now_ms, retry))
    return {errc::busy, user + " is sending jobs too fast; retry in " + std::to_string((retry + 999) / 1000) + " s"};
  if (!hosts_.take(host, now_ms, retry))
    return {errc::busy, host + " is sending jobs too fast; retry in " + std::to_string((retry + 999) / 1000) + " s"};
  return {};
}

}  // namespace quire
