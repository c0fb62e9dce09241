// Terminals: the printer panels and kiosks where users release their jobs.
//
// One `terminals` actor checks terminal tokens, opens sessions (by card,
// PIN, password, or card and PIN, as each printer allows) under a per-
// terminal lock-out, and routes each session's requests to that session's
// own actor (actors/terminal_session.hpp). A session belongs to the terminal
// that opened it; a terminal has one session at a time (a kiosk serves one
// person: a new login closes the previous session).
//
// The web side (web/terminal_api.hpp) reaches it through
// make_terminal_service(): each request becomes a terminal_call, a message
// that carries its own answer callback, like the IPP listener's calls.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/auth_rules.hpp"
#include "actors/messages.hpp"
#include "protocols/pdl/price.hpp"
#include "web/terminal_service.hpp"

namespace quire {

class store;

/// One terminal request in flight, with the callback that answers it.
struct terminal_call {
  enum class op : uint8_t { authenticate, describe, open, get, close, list, release, remove, enroll, revoke };
  op what = op::describe;
  web::terminal_identity terminal;
  std::string token;    // authenticate: the terminal's token; session ops: the session's
  std::string peer;     // authenticate: the client's address
  web::login_request login;
  web::release_request release;
  uint64_t job_id = 0;
  std::string by;       // enroll: the administrator
  web::terminal_identity_callback on_identity;
  web::terminal_info_callback on_info;
  web::session_callback on_session;
  web::terminal_jobs_callback on_jobs;
  web::release_callback on_release;
  web::terminal_status_callback on_status;
  std::function<void(result<web::terminal_identity>, std::string token)> on_enrolled;

  /// Answers with an error through whichever callback this op has.
  void fail(error e);
  ~terminal_call();  // wipes the token and the login secrets
};
using terminal_call_ptr = std::shared_ptr<terminal_call>;

/// What a printer allows at its terminal (from its configuration).
struct terminal_printer_policy {
  web::login_methods methods;
  bool print_all_on_login = false;
};

struct terminal_options {
  store* st = nullptr;
  fleet_ptr fleet;
  user_directory_actor users;        // password logins
  release_service_actor releases;
  registry_actor registry;           // deleting a job
  accounts_actor accounts;           // balances (null: no accounting)
  event_bus_actor events;            // session.opened / session.closed
  std::map<std::string, terminal_printer_policy> printers;            // by printer name
  std::shared_ptr<const std::map<std::string, pdl::price_list>> prices;  // by printer
  web::money_format money;
  int64_t idle_ms = 60000;           // a session closes after this long unused
  uint32_t pin_min_digits = 6;       // a PIN typed alone needs at least this many digits
  bool card_enrolment = true;        // [terminals] card_enrolment
  login_limits limits;               // failed logins per terminal (address) and per user
  std::function<int64_t()> now_ms;
};
using terminal_options_ptr = std::shared_ptr<const terminal_options>;

/// The terminals actor; it takes terminal_call_ptr messages.
caf::actor spawn_terminals(caf::actor_system& sys, terminal_options opts);

/// The web::terminal_service of a running site, over the terminals actor.
std::unique_ptr<web::terminal_service> make_terminal_service(caf::actor terminals);

/// Registration and revocation (op::enroll, op::revoke) also go to the
/// terminals actor, which owns the terminal records: enroll answers
/// on_enrolled with the new terminal and its token (shown once); revoke
/// closes the terminal's session and answers on_status.

/// The login methods of a printer's `login` configuration ("card", "pin",
/// "password", "card+pin"). Pure, for tests.
web::login_methods login_methods_of(const std::vector<std::string>& login);

}  // namespace quire

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::terminal_call_ptr)
