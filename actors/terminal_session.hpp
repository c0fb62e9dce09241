// A user's session at a printer's terminal: one actor per session.
//
// It lists the user's held jobs that may print at this printer — from every
// pull queue that releases there ("release anywhere"), and those of users
// who named this user a delegate — with their price at this printer;
// releases them through the one release service, one after the other; deletes
// the user's own jobs; shows the balance. It closes on logout, or by itself
// when left idle (terminal_options::idle_ms), announcing session.closed.
#pragma once

#include <string>
#include <vector>

#include "actors/terminal_service.hpp"

namespace quire {

struct session_user {
  std::string name;
  std::string display_name;
  std::vector<std::string> groups;
  bool admin = false;
  std::string how;  // "card", "pin", "password", "card+pin"
};

/// Spawns the session; `token` names it (the terminals actor keeps the map).
/// It takes terminal_call_ptr messages (open, get, close, list, release, remove).
caf::actor spawn_terminal_session(caf::actor_system& sys, terminal_options_ptr opts, web::terminal_identity terminal,
                                  session_user user, std::string token);

/// Whether a held job may be released at `printer`: held, in a pull queue
/// that names the printer. Pure, for tests.
bool releasable_at(const job_record& job, const fleet& f, const std::string& printer);

}  // namespace quire
