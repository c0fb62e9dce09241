#include "actors/auth_rules.hpp"

#include <cctype>

#include <algorithm>

#include "storage/credentials.hpp"

namespace quire {

// --- credential_cache -------------------------------------------------------

namespace {

// SHA-256(user 0 password). The user name never holds a 0 byte (callers
// check), so no two (user, password) pairs share an input.
std::string cache_key(std::string_view user, std::string_view password) {
  std::string input;
  input.reserve(user.size() + 1 + password.size());
  input.append(user);
  input.push_back('\0');
  input.append(password);
  std::string key = sha256(input);
  wipe(input);
  return key;
}

bool cacheable(std::string_view user, std::string_view password_hash) {
  return !password_hash.empty() && user.find('\0') == std::string_view::npos;
}

}  // namespace

credential_cache::credential_cache(credential_cache_limits limits) : limits_(limits) {}

bool credential_cache::lookup(std::string_view user, std::string_view password, std::string_view password_hash,
                              int64_t now_ms) {
  if (!cacheable(user, password_hash) || index_.empty()) return false;
  auto found = index_.find(cache_key(user, password));
  if (found == index_.end()) return false;
  auto it = found->second;
  if (now_ms >= it->expires_ms || it->stamp != sha256(password_hash)) {
    // Expired, or the password changed since: the entry can never hit again.
    index_.erase(found);
    lru_.erase(it);
    return false;
  }
  lru_.splice(lru_.begin(), lru_, it);
  return true;
}

void credential_cache::remember(std::string_view user, std::string_view password, std::string_view password_hash,
                                int64_t now_ms) {
  if (!cacheable(user, password_hash) || limits_.max_entries == 0) return;
  std::string key = cache_key(user, password);
  int64_t expires = now_ms + limits_.ttl_ms;
  if (auto found = index_.find(key); found != index_.end()) {
    found->second->stamp = sha256(password_hash);
    found->second->expires_ms = expires;
    lru_.splice(lru_.begin(), lru_, found->second);
    return;
  }
  while (index_.size() >= limits_.max_entries) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  lru_.push_front(entry{key, sha256(password_hash), expires});
  index_.emplace(std::move(key), lru_.begin());
}

void credential_cache::clear() {
  index_.clear();
  lru_.clear();
}

// --- failure_table ----------------------------------------------------------

namespace detail {

namespace {

// base·2^blocks, at most cap, without overflowing.
int64_t backoff(const login_limits& l, uint32_t blocks) {
  int64_t d = std::max<int64_t>(l.base_backoff_ms, 0);
  for (uint32_t i = 0; i < blocks && d < l.max_backoff_ms; ++i) d *= 2;
  return std::min(d, l.max_backoff_ms);
}

}  // namespace

failure_table::failure_table(uint32_t max_failures, const login_limits& limits)
    : max_failures_(std::max<uint32_t>(max_failures, 1)), limits_(limits) {}

bool failure_table::stale(const entry& e, int64_t now_ms) const {
  return now_ms >= std::max(e.last_failure_ms, e.blocked_until_ms) + limits_.window_ms;
}

int64_t failure_table::blocked_for(std::string_view key, int64_t now_ms) const {
  auto found = index_.find(std::string(key));
  if (found == index_.end()) return 0;
  return std::max<int64_t>(found->second->blocked_until_ms - now_ms, 0);
}

void failure_table::make_room(int64_t now_ms) {
  // The least recently failed keys are at the back: drop those that are
  // stale, then, if a flood of new keys still fills the table, the oldest.
  while (!lru_.empty() && stale(lru_.back(), now_ms)) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  while (!lru_.empty() && index_.size() >= limits_.max_tracked) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

void failure_table::failed(std::string_view key, int64_t now_ms) {
  if (limits_.max_tracked == 0) return;
  std::string k(key);
  auto found = index_.find(k);
  if (found != index_.end() && stale(*found->second, now_ms)) {
    *found->second = entry{k};  // quiet for a window: start afresh
  }
  if (found == index_.end()) {
    make_room(now_ms);
    lru_.push_front(entry{k});
    found = index_.emplace(std::move(k), lru_.begin()).first;
  } else {
    lru_.splice(lru_.begin(), lru_, found->second);
  }
  entry& e = *found->second;
  if (e.blocks == 0 && now_ms - e.window_start_ms >= limits_.window_ms) {
    e.failures = 0;  // the window ended without a block
  }
  if (e.failures == 0) e.window_start_ms = now_ms;
  ++e.failures;
  e.last_failure_ms = now_ms;
  if (e.failures >= max_failures_) {
    e.blocked_until_ms = std::max(e.blocked_until_ms, now_ms + backoff(limits_, e.blocks));
    if (e.blocks < 64) ++e.blocks;
    e.failures = max_failures_ - 1;  // the next failure blocks again, twice as long
  }
}

void failure_table::forget(std::string_view key) {
  auto found = index_.find(std::string(key));
  if (found == index_.end()) return;
  lru_.erase(found->second);
  index_.erase(found);
}

}  // namespace detail

// --- login_limiter ----------------------------------------------------------

login_limiter::login_limiter(login_limits limits)
    : users_(limits.max_user_failures, limits), addresses_(limits.max_address_failures, limits) {}

login_verdict login_limiter::check(std::string_view user, std::string_view address, int64_t now_ms) const {
  login_verdict v;
  int64_t u = user.empty() ? 0 : users_.blocked_for(user, now_ms);
  int64_t a = address.empty() ? 0 : addresses_.blocked_for(address, now_ms);
  v.user_blocked = u > 0;
  v.address_blocked = a > 0;
  v.allowed = !v.user_blocked && !v.address_blocked;
  v.retry_after_ms = std::max(u, a);
  return v;
}

void login_limiter::failed(std::string_view user, std::string_view address, int64_t now_ms) {
  if (!user.empty()) users_.failed(user, now_ms);
  if (!address.empty()) addresses_.failed(address, now_ms);
}

void login_limiter::succeeded(std::string_view user, std::string_view address, int64_t now_ms) {
  if (!user.empty()) users_.forget(user);
}

// --- pin_attempts -----------------------------------------------------------

pin_verdict pin_attempts::submit(bool pin_matches) {
  if (locked()) return pin_verdict::locked;
  if (pin_matches) {
    wrong = 0;
    return pin_verdict::accepted;
  }
  ++wrong;
  return locked() ? pin_verdict::locked : pin_verdict::wrong;
}

std::string normalise_card(std::string id) {
  while (!id.empty() && std::isspace(static_cast<unsigned char>(id.back()))) id.pop_back();
  size_t start = 0;
  while (start < id.size() && std::isspace(static_cast<unsigned char>(id[start]))) ++start;
  id.erase(0, start);
  for (auto& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return id;
}

}  // namespace quire
