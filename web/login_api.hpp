// Browser log-in for the admin API: POST /api/v1/login and
// POST /api/v1/logout, over a session_service (session_service.hpp).
//
// login: {"user", "password"} checked by user_service::authenticate (so the
// user directory's failed-login limiter applies) -> 200 {"user", "admin",
// "csrf_token", "expires_ms"} and Set-Cookie: quire_session=<token>; Path=/;
// HttpOnly; SameSite=Strict (and Secure over TLS). Wrong credentials: 401
// with one message for an unknown user and a wrong password; blocked: 429.
// logout: ends the session of the cookie (if any) and clears the cookie
// (Max-Age=0); 204. Logout is harmless to forge, so it needs no CSRF token.
//
// The same transport and body checks as the admin API apply
// (api_common.hpp). Nothing here logs; no answer quotes a password or token.
#pragma once

#include <memory>
#include <string_view>

#include "actors/io/http_server.hpp"
#include "web/admin_api.hpp"
#include "web/session_service.hpp"
#include "web/user_service.hpp"

namespace quire::web {

inline constexpr std::string_view login_path = "/api/v1/login";
inline constexpr std::string_view logout_path = "/api/v1/logout";
inline constexpr std::string_view session_cookie_name = "quire_session";

bool is_login_path(std::string_view path);

/// The handler of POST /api/v1/login or /logout, or nullptr once answered
/// (405 for another method, a refusal at the head). `users` and `sessions`
/// must outlive every request; `options` is copied.
std::unique_ptr<io::request_handler> route_login(const io::request_info& info, io::responder respond,
                                                 user_service& users, session_service& sessions,
                                                 const api_options& options);

/// The Set-Cookie value for `token`: Path=/; HttpOnly; SameSite=Strict, and
/// Secure when `secure`. An empty token with max_age 0 clears it.
std::string session_set_cookie(std::string_view token, bool secure, bool clear = false);

}  // namespace quire::web
