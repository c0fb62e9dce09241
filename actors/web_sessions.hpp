// The browser login sessions of the admin API and the event stream: one
// actor owns the server's only session_table (web/session_table.hpp), so
// that the loop thread and the actors reach it by messages, never by a
// shared lock. make_session_service() is web::session_service over it.
//
// ARCHITECTURE.md makes a "session" an actor per logged-in user; here one
// actor keeps every browser session's small record instead (a few hundred
// bytes each), and sessions live in memory only: after a restart users log
// in again (README.md says so).
//
// Messages use plain values (the token travels in, its SHA-256 is the key;
// no token is kept or logged):
//   (login_atom, user, admin) -> (token, csrf_token, expires_ms)
//   (verify_atom, token)      -> (user, admin, csrf_token) or permission_denied
//   (logout_atom, token)      -> bool (a session ended)
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "actors/messages.hpp"
#include "web/session_service.hpp"
#include "web/session_table.hpp"

namespace quire {

using web_sessions_actor =
    caf::typed_actor<caf::replies_to<login_atom, std::string, bool>::with<std::string, std::string, int64_t>,
                     caf::replies_to<verify_atom, std::string>::with<std::string, bool, std::string>,
                     caf::replies_to<logout_atom, std::string>::with<bool>>;

struct web_sessions_options {
  web::session_limits limits;
  int64_t (*now_ms)() = nullptr;  // the wall clock in ms; REQUIRES: set
};

web_sessions_actor spawn_web_sessions(caf::actor_system& sys, web_sessions_options opts);

std::unique_ptr<web::session_service> make_session_service(caf::actor_system& sys, web_sessions_actor sessions);

}  // namespace quire
