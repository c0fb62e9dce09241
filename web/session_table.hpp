// The browser login sessions of the admin API: a table from the SHA-256 of
// a session token to the user it logged in, pure (no clock, no randomness,
// no lock): the caller passes the time and the fresh secrets. One actor
// (actors/web_sessions.hpp) owns the only table of the server, so that
// every thread reaches it through messages.
//
// The table never holds a token, only its SHA-256 (a dump of memory shows
// no usable cookie). A session ends after `idle_ms` without a request
// (sliding: each verify moves it), `absolute_ms` after login whatever the
// use, at logout, or when its user logs in more than `per_user` times (the
// oldest goes). Sessions live in memory only: after a restart users log in
// again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace quire::web {

struct session_limits {
  int64_t idle_ms = 30 * 60 * 1000;         // 30 min without a request
  int64_t absolute_ms = 12 * 3600 * 1000;   // 12 h after login
  size_t per_user = 8;                      // past it, the oldest is dropped
};

/// One logged-in browser.
struct web_session {
  std::string user;
  bool admin = false;       // as at login
  std::string csrf_token;   // what X-CSRF-Token must carry (not a secret of the cookie)
  int64_t created_ms = 0;
  int64_t last_ms = 0;      // last login or verify
};

class session_table {
 public:
  explicit session_table(session_limits limits = {}) : limits_(limits) {}

  /// Adds a session under `token_hash` (sha256 of the token) at `now_ms`;
  /// drops expired sessions, and the user's oldest ones past per_user.
  /// REQUIRES: token_hash is not in the table.
  void create(std::string token_hash, web_session s, int64_t now_ms);
  /// The session under `token_hash`, its idle time restarted; nullptr when
  /// there is none or it expired (then it is erased).
  const web_session* verify(const std::string& token_hash, int64_t now_ms);
  /// Ends the session; false when there was none.
  bool end(const std::string& token_hash);
  /// When `s` expires if no request comes: min(idle, absolute).
  int64_t expires_ms(const web_session& s) const;
  size_t size() const { return sessions_.size(); }

 private:
  bool expired(const web_session& s, int64_t now_ms) const;

  session_limits limits_;
  std::unordered_map<std::string, web_session> sessions_;
};

}  // namespace quire::web
