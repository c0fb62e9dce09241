// The terminal API under /api/v1/terminal: what an embedded panel app or a
// kiosk at a printer uses to log a user in, list their held jobs, release
// or delete them and log out, over HTTP(S) with JSON bodies
// (terminal_json.hpp). web/openapi.yaml documents every endpoint.
//
// route_terminal_api() plugs into the HTTP server's router (actors/io/
// http_server.hpp) like route_admin_api(): it turns a request head into a
// request_handler that collects the body (bounded), and at the request's
// end authenticates the terminal through terminal_service, validates the
// body and calls the service, whose callback renders the response. The
// handler may be destroyed before the service answers: what the answer
// needs is shared with the callback, not owned by the handler. The two APIs
// share that plumbing (api_common.hpp) and their routing helpers
// (api_request.hpp); their differences are the checks below.
//
// Checks, in order (the first that fails answers):
//   1. the path and method name an endpoint              404, 405 (Allow);
//      a job {id} in the path is valid                    400
//   2. the connection is TLS, or a loopback peer while
//      allow_plain_loopback                                403 https_required
//   3. Authorization: Bearer <terminal token>              401 unauthorized
//      (WWW-Authenticate: Bearer realm="quire-terminal");
//      on /session endpoints, Quire-Session: <token>       401 no_session
//   4. Content-Length within max_body_bytes;               413
//      a JSON Content-Type on the two POSTs,               415
//      no body on the others                               400
//   -- the body arrives (over max_body_bytes: 413) --
//   5. terminal_service::authenticate_terminal             401, 429, 503
//   6. the body validates                                  400
//   7. the service's answer                                2xx, or its error's status:
//      open_session's permission_denied 401 login_failed, limit_exceeded 429;
//      a session the service does not know (not_found)  401 session_closed,
//      so the panel goes back to its login screen; the rest as http_status_for.
// Every 401 carries the Bearer challenge (RFC 7235 §3.1 requires one).
// Every response has Cache-Control: no-store.
//
// Secrets: the terminal token, the session token and the login fields are
// copied into what the service receives and wiped from the buffers this
// file owns (the body, the parsed values) once handed over. No response
// holds one, except open_session's answer with its new session token.
// Nothing here logs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "actors/io/http_server.hpp"
#include "protocols/result.hpp"
#include "web/api_json.hpp"
#include "web/terminal_service.hpp"

namespace quire::web {

/// The terminal API's root; its endpoints live under it.
inline constexpr std::string_view terminal_api_root = "/api/v1/terminal";

/// The realm of the Bearer challenge.
inline constexpr std::string_view terminal_realm = "quire-terminal";

/// The header naming a user's session at the terminal.
inline constexpr std::string_view session_header = "Quire-Session";

struct terminal_api_options {
  /// Accept plain HTTP from a loopback peer (127.0.0.0/8, ::1): a kiosk on
  /// the server's own machine. Off: TLS only, from anywhere.
  bool allow_plain_loopback = false;
  /// The largest request body; larger ones get 413 (and are not read).
  size_t max_body_bytes = 16 * 1024;
  /// What card ids and login PINs must look like (as for the admin API).
  credential_limits credentials;
};

enum class terminal_endpoint : uint8_t {
  describe,       // GET    /api/v1/terminal
  open_session,   // POST   /api/v1/terminal/sessions
  get_session,    // GET    /api/v1/terminal/session
  close_session,  // DELETE /api/v1/terminal/session
  list_jobs,      // GET    /api/v1/terminal/session/jobs
  release,        // POST   /api/v1/terminal/session/release
  delete_job,     // DELETE /api/v1/terminal/session/jobs/{id}
};

/// "GET /api/v1/terminal/session/jobs": for messages and tests.
const char* to_string(terminal_endpoint e) noexcept;
/// True for open_session and release, the endpoints with a JSON body.
bool takes_body(terminal_endpoint e) noexcept;
/// True for the endpoints under /session (they need Quire-Session).
bool needs_session(terminal_endpoint e) noexcept;

/// True for "/api/v1/terminal" and every path under "/api/v1/terminal/".
/// (Such paths are also is_admin_api_path(): a router asks this first.)
bool is_terminal_api_path(std::string_view path) noexcept;

/// What a method and a path name.
struct terminal_route {
  int status = 0;     // 0: found; 404: no such resource; 405: wrong method; 400: bad {id}
  std::string allow;  // for 405: "GET, DELETE"
  std::string message;
  terminal_endpoint what = terminal_endpoint::describe;
  uint64_t job = 0;   // delete_job's {id}: 1 or more
};

/// Matches `path` (no query string) against the endpoints above.
terminal_route match_terminal_route(std::string_view method, std::string_view path);

/// The token of `Bearer <token>` (RFC 6750 §2.1; the scheme is
/// case-insensitive): 16 to 256 printable ASCII characters without spaces.
/// invalid_argument otherwise; the message never quotes the header.
result<std::string> parse_bearer_token(std::string_view value);

/// True for a Quire-Session value: 1 to 128 of A-Z a-z 0-9 _ -
bool valid_session_token(std::string_view token) noexcept;

/// The handler of one request under /api/v1/terminal, or nullptr once the
/// request has been answered through `respond` (a refusal at the head). For
/// any other path it returns nullptr WITHOUT answering: callers check
/// is_terminal_api_path() first. `svc` must outlive every request routed
/// here; `opts` is copied.
std::unique_ptr<io::request_handler> route_terminal_api(const io::request_info& info, io::responder respond,
                                                        terminal_service& svc, const terminal_api_options& opts);

}  // namespace quire::web
