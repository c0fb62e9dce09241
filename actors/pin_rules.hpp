// The rules of login PINs and enrolment codes, apart from any actor: what
// a chosen PIN must not be, random digits for a generated PIN or a code,
// how often a user may have a PIN e-mailed, and the one-time codes that
// enrol a card at a terminal instead of the password
// (actors/user_directory.hpp applies them).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "protocols/result.hpp"

namespace quire {

struct pins_config;

struct pin_policy {
  bool choose = true;          // users may set their own PIN
  bool generate = true;        // users may have one made and e-mailed
  uint32_t digits = 6;         // a generated PIN's length
  bool refuse_trivial = true;  // chosen PINs: no repeated digit, no run
  int64_t resend_ms = 60000;   // one generated PIN per user at most this often
};

pin_policy pin_policy_of(const pins_config& c);

/// True for one digit repeated (0000) and for runs up or down (1234,
/// 9876, 7890): the PINs people pick first, and guess first.
bool trivial_pin(std::string_view pin);

/// `n` random decimal digits, each uniform (OpenSSL's RAND_bytes with
/// rejection sampling); "" when there is no randomness.
std::string random_digits(size_t n);

/// When each user last asked for a generated PIN: at most one per window.
class pin_send_limiter {
 public:
  explicit pin_send_limiter(int64_t window_ms) : window_ms_(window_ms) {}
  /// 0 when `user` may have one now (and it counts from `now`), else how
  /// many milliseconds are left.
  int64_t take(const std::string& user, int64_t now);

 private:
  int64_t window_ms_;
  std::unordered_map<std::string, int64_t> last_;
};

/// One-time codes that enrol a card: `digits` digits, one live code per
/// user (a new one replaces it), spent by their first use, gone after
/// `life_ms`. In memory only: they live minutes, and a restart forgetting
/// them costs a student one more click in the portal, while a stored code
/// would be a credential at rest.
class enrolment_codes {
 public:
  enrolment_codes(int64_t life_ms, size_t digits = 8, size_t max_live = 100000)
      : life_ms_(life_ms), digits_(digits), max_live_(max_live) {}

  struct issued {
    std::string code;
    int64_t expires_ms = 0;
  };
  /// A new code for `user`. errc::internal without randomness;
  /// errc::busy when max_live codes are live.
  result<issued> issue(const std::string& user, int64_t now);
  /// The user whose live code `code` is, leaving it live; nullopt for an
  /// unknown or expired code.
  std::optional<std::string> owner(std::string_view code, int64_t now) const;
  /// The user whose live code `code` is; the code is spent. nullopt for
  /// an unknown, spent or expired code.
  std::optional<std::string> spend(std::string_view code, int64_t now);
  size_t live() const { return by_code_.size(); }

 private:
  struct entry {
    std::string user;
    int64_t expires_ms = 0;
  };
  void forget_expired(int64_t now);

  int64_t life_ms_;
  size_t digits_;
  size_t max_live_;
  std::map<std::string, entry, std::less<>> by_code_;
  std::unordered_map<std::string, std::string> by_user_;  // user -> their code
};

}  // namespace quire
