// What the terminal API needs from the server: a narrow, asynchronous
// interface, so that web/ knows neither CAF nor RocksDB (the same contract as
// user_service.hpp and job_service.hpp).
//
// A terminal is an embedded panel app or a kiosk registered to one printer
// with a secret token of its own (the administrator registers it and sees the
// token once). Every terminal request carries that token; a user's session at
// the terminal is opened by card, PIN, user name and password, or card and PIN,
// and named by a session token that only that terminal may use. Each session
// is a session actor on the server side; it closes on logout or when idle.
//
// Every call returns at once and answers exactly once through its callback,
// from any thread, possibly before the call returns. The API has validated
// what it passes (terminal_json.hpp). Secrets (the terminal token, card ids,
// PINs, passwords, session tokens) arrive by value so that the implementation
// can wipe them; it never logs them nor puts one in an error message.
//
// Errors are quire::error values, mapped to HTTP as for the admin API
// (admin_api.hpp, http_status_for): invalid_argument 400, permission_denied
// 403 (or 401 for authenticate_terminal and open_session: see terminal_api),
// not_found 404, not_possible 409, limit_exceeded 429 (too many tries; the
// message says for how long), busy/unavailable/shutting_down 503.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "protocols/result.hpp"
#include "storage/records.hpp"
#include "web/job_service.hpp"

namespace quire::web {

/// A terminal that proved its token: who it is and where it stands.
struct terminal_identity {
  std::string terminal;  // its registered name
  std::string printer;   // the printer it releases to
};

/// How a user may open a session at a printer's terminal (per printer).
struct login_methods {
  bool card = true;
  bool pin = false;       // the PIN alone: only where PINs are long enough to be unique
  bool password = true;
  bool card_pin = false;  // card and PIN together (two factors)
  bool card_requires_pin = false;  // the printer wants card+PIN: a card alone is refused
  bool enrol_cards = false;  // an unknown card may be bound here: card + user + password
};

/// What GET /api/v1/terminal shows: the terminal, its printer and how to log in.
struct terminal_info {
  terminal_identity id;
  std::string printer_state;    // "idle", "processing", "stopped"
  std::string printer_message;  // why it is stopped, or ""
  std::string location;         // the printer's location
  login_methods methods;
  money_format money;
};

/// The credentials a user offers at a terminal. Exactly one way is filled:
/// card; pin; user and password; or card and pin.
/// The length of a one-time enrolment code (user_service::new_enrolment_code).
inline constexpr size_t enrolment_code_digits = 8;

struct login_request {
  std::string card;
  std::string pin;
  std::string user;
  std::string password;
  std::string code;  // with card: a one-time enrolment code from the portal, instead of user and password
};

/// A user's account as a session shows it, in minor units of the currency.
struct balance_info {
  int64_t balance = 0;         // credit left
  int64_t reserved = 0;        // held back for jobs released but not yet printed
  bool unlimited = false;      // the user may print without credit (postpaid)
  bool has_quota = false;      // a quota applies this period
  int64_t quota_sheets_left = 0;
  int64_t quota_period_end_ms = 0;  // when the quota resets (wall-clock ms)
};

/// One held job as the terminal lists it.
struct terminal_job {
  job_record record;       // pin_hash is always empty: the service clears it
  int64_t price = 0;       // what it costs at this terminal's printer
  bool priced = false;     // false: not analysed yet (price unknown)
  bool needs_pin = false;  // a job-password job: release needs its PIN
  bool delegated = false;  // the job of a user who named this user a delegate
};

/// What happened to one job a release asked for.
struct release_outcome {
  uint64_t job_id = 0;
  bool ok = false;
  errc code = errc::ok;    // when not ok
  std::string message;     // when not ok: why, for the user to read
  int64_t price = 0;       // when ok: the amount reserved for it
};

/// A session at a terminal.
struct session_info {
  std::string session;         // the session token: only in open_session's answer, "" elsewhere
  std::string user;
  std::string display_name;
  std::string printer;         // the terminal's printer
  int64_t expires_ms = 0;      // when it closes if left idle (wall-clock ms)
  balance_info account;
  std::vector<std::string> projects;      // projects (cost centres) the user may charge
  std::vector<release_outcome> released;  // "print all on login": what it released
  money_format money;
};

/// GET /api/v1/terminal/session/jobs.
struct terminal_job_list {
  std::vector<terminal_job> jobs;  // oldest first
  int64_t now_ms = 0;              // the server's clock, for the jobs' age
  money_format money;
};

/// POST /api/v1/terminal/session/release.
struct release_request {
  std::vector<uint64_t> jobs;  // the jobs to release, in this order; empty when `all`
  bool all = false;            // every job the list shows ("print all")
  std::string project;         // "" = charged to the user (or the job's owner, for a delegate)
  std::map<uint64_t, std::string> pins;  // job-password jobs: their PINs as typed
  // The listed jobs may have printed already and be kept for a reprint
  // (jobs.reprint_s): print them again, as a new release. Without it, a
  // printed job is refused, so a release repeated by a double tap or a
  // second door never prints twice.
  bool reprint = false;
};

struct release_report {
  std::vector<release_outcome> results;  // one per job, in the order released
  balance_info account;                  // after the reservations
  money_format money;
};

using terminal_identity_callback = std::function<void(result<terminal_identity>)>;
using terminal_info_callback = std::function<void(result<terminal_info>)>;
using session_callback = std::function<void(result<session_info>)>;
using terminal_jobs_callback = std::function<void(result<terminal_job_list>)>;
using release_callback = std::function<void(result<release_report>)>;
using terminal_status_callback = std::function<void(status)>;

class terminal_service {
 public:
  virtual ~terminal_service() = default;

  /// Checks a terminal's token (from `peer`, the client's address, for the
  /// limiter). permission_denied for an unknown or revoked token;
  /// limit_exceeded while the address is blocked after repeated failures.
  virtual void authenticate_terminal(std::string token, std::string peer, terminal_identity_callback cb) = 0;

  /// The terminal's printer and how users log in there.
  virtual void describe(const terminal_identity& t, terminal_info_callback cb) = 0;

  /// Opens a session: permission_denied for credentials that identify nobody
  /// (one answer for an unknown card, a wrong PIN or password, a disabled
  /// user), or for a method this printer does not allow; limit_exceeded while
  /// this terminal (or the user) is locked out after too many failures.
  /// Answers the session with its token.
  virtual void open_session(const terminal_identity& t, login_request login, session_callback cb) = 0;

  /// The session `session` of terminal `t`: not_found when there is none
  /// (closed, timed out, or another terminal's). Each call below counts as
  /// activity and pushes the idle timeout back.
  virtual void get_session(const terminal_identity& t, std::string session, session_callback cb) = 0;
  virtual void close_session(const terminal_identity& t, std::string session, terminal_status_callback cb) = 0;

  /// The user's held jobs, from every pull queue that releases to this
  /// terminal's printer, and those of users who delegated to them.
  virtual void list_jobs(const terminal_identity& t, std::string session, terminal_jobs_callback cb) = 0;

  /// Releases jobs to the terminal's printer, each through the site's one
  /// release service (owner or delegate, PIN, credit and quota, the
  /// printer's state); one job refused does not stop the others. Errors for
  /// the whole request: not_found (no such session), invalid_argument (a
  /// project the user may not charge).
  virtual void release(const terminal_identity& t, std::string session, release_request req,
                       release_callback cb) = 0;

  /// Deletes (cancels) one held job of the session's user. not_found;
  /// permission_denied (another user's job); not_possible (no longer held).
  virtual void delete_job(const terminal_identity& t, std::string session, uint64_t job_id,
                          terminal_status_callback cb) = 0;
};

}  // namespace quire::web
