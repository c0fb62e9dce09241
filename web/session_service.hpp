// What the admin API and the event stream need of browser login sessions:
// a narrow asynchronous interface, so that web/ knows no CAF. The server
// implements it with one actor (actors/web_sessions.hpp) over a
// session_table; tests use a fake. Each call answers exactly once through
// its callback, from any thread, possibly before it returns.
//
// Tokens arrive by value and are never logged nor quoted in an error; the
// implementation keeps only their SHA-256.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <string>

#include "protocols/result.hpp"
#include "web/user_service.hpp"

namespace quire::web {

/// A session just made: the only time its token is seen.
struct new_session {
  std::string token;       // 256 random bits, base64url without padding: the cookie's value
  std::string csrf_token;  // what X-CSRF-Token must carry on state-changing requests
  int64_t expires_ms = 0;  // if no request comes before (sliding)
};

/// A valid session presented by its cookie.
struct session_view {
  principal who;
  std::string csrf_token;
};

using new_session_callback = std::function<void(result<new_session>)>;
using web_session_callback = std::function<void(result<session_view>)>;

class session_service {
 public:
  virtual ~session_service() = default;
  /// Opens a session for `who` (already authenticated). errc::internal when
  /// no random bytes could be had.
  virtual void create(principal who, new_session_callback cb) = 0;
  /// The session whose cookie is `token` (its idle time restarts);
  /// permission_denied when there is none or it expired.
  virtual void verify(std::string token, web_session_callback cb) = 0;
  /// Ends the session of `token`; ok when there was none.
  virtual void end(std::string token, status_callback cb) = 0;
};

/// The value of the quire_session cookie in a Cookie header value (RFC 6265
/// §5.4: "name=value; name2=value2"); "" when absent.
std::string session_cookie_of(std::string_view cookie_header);

/// Constant-time equality of two strings of the same length (lengths may
/// leak): the CSRF check.
bool same_secret(std::string_view a, std::string_view b) noexcept;

}  // namespace quire::web
