#include "actors/pin_rules.hpp"

#include <openssl/rand.h>

#include <algorithm>

#include "config/mail_config.hpp"
#include "storage/credentials.hpp"

namespace quire {

pin_policy pin_policy_of(const pins_config& c) {
  pin_policy p;
  p.choose = c.policy != "generated";
  p.generate = c.policy != "chosen";
  p.digits = c.digits;
  p.refuse_trivial = c.refuse_trivial;
  p.resend_ms = int64_t{c.resend_s} * 1000;
  return p;
}

bool trivial_pin(std::string_view pin) {
  if (pin.size() < 2) return true;
  bool same = true, up = true, down = true;
  for (size_t i = 1; i < pin.size(); ++i) {
    int a = pin[i - 1] - '0', b = pin[i] - '0';
    same = same && a == b;
    up = up && b == (a + 1) % 10;
    down = down && b == (a + 9) % 10;
  }
  return same || up || down;
}

std::string random_digits(size_t n) {
  std::string out;
  unsigned char buf[64];
  while (out.size() < n) {
    if (RAND_bytes(buf, sizeof buf) != 1) {
      wipe(out);
      return {};
    }
    for (unsigned char b : buf) {
      if (b >= 250) continue;  // 250 = 25 * 10: keeps each digit uniform
      out.push_back(static_cast<char>('0' + b % 10));
      if (out.size() == n) break;
    }
  }
  OPENSSL_cleanse(buf, sizeof buf);
  return out;
}

int64_t pin_send_limiter::take(const std::string& user, int64_t now) {
  if (window_ms_ <= 0) return 0;
  if (last_.size() > 10000)  // forget whoever is past the window, now and then
    for (auto it = last_.begin(); it != last_.end();) it = now - it->second >= window_ms_ ? last_.erase(it) : ++it;
  auto [it, fresh] = last_.try_emplace(user, now);
  if (!fresh && now - it->second < window_ms_) return window_ms_ - (now - it->second);
  it->second = now;
  return 0;
}

void enrolment_codes::forget_expired(int64_t now) {
  for (auto it = by_code_.begin(); it != by_code_.end();) {
    if (it->second.expires_ms > now) {
      ++it;
      continue;
    }
    by_user_.erase(it->second.user);
    it = by_code_.erase(it);
  }
}

result<enrolment_codes::issued> enrolment_codes::issue(const std::string& user, int64_t now) {
  if (auto old = by_user_.find(user); old != by_user_.end()) {
    by_code_.erase(old->second);
    by_user_.erase(old);
  }
  if (by_code_.size() >= max_live_) forget_expired(now);
  if (by_code_.size() >= max_live_) return error{errc::busy, "too many enrolment codes are waiting; try again later"};
  for (int tries = 0; tries < 16; ++tries) {
    std::string code = random_digits(digits_);
    if (code.empty()) return error{errc::internal, "no randomness for an enrolment code"};
    if (by_code_.count(code)) continue;
    int64_t expires = now + life_ms_;
    by_code_.emplace(code, entry{user, expires});
    by_user_[user] = code;
    return issued{std::move(code), expires};
  }
  return error{errc::busy, "no free enrolment code; try again"};
}

std::optional<std::string> enrolment_codes::owner(std::string_view code, int64_t now) const {
  auto it = by_code_.find(code);
  if (it == by_code_.end() || it->second.expires_ms <= now) return std::nullopt;
  return it->second.user;
}

std::optional<std::string> enrolment_codes::spend(std::string_view code, int64_t now) {
  auto it = by_code_.find(code);
  if (it == by_code_.end()) return std::nullopt;
  entry e = std::move(it->second);
  by_code_.erase(it);
  by_user_.erase(e.user);
  if (e.expires_ms <= now) return std::nullopt;
  return e.user;
}

}  // namespace quire
