// The admin REST API under /api/v1: users and their credentials, jobs
// (one job, or a listing, with its analysis and price; cancel, release and
// reprint: users act on their own jobs, administrators on all), the queues
// users print to, printers (their live state, device and page counters),
// the fleet (printers and queues added, changed and removed at run time:
// admin_api_fleet.cpp, fleet_json.hpp), the directory sync (its state, and
// a sync started now: admin_api_directory.cpp, directory_json.hpp) and
// accounting (accounts, credit, the ledger, delegates, terminals), over
// HTTP(S) with JSON bodies.
// web/openapi.yaml documents every endpoint.
//
// route_admin_api() plugs into the HTTP server's router (actors/io/
// http_server.hpp): it turns a request head into a request_handler that
// collects the body (bounded), and at the request's end authenticates the
// caller through user_service, validates the body into typed values and
// calls the service (user_service, job_service for /jobs, printer_service
// for /printers, fleet_service for changing printers and queues,
// directory_service for /directory, accounting_service for accounting);
// the service's callback renders the
// JSON response. The
// handler may be destroyed before the service answers: what the answer
// needs is shared with the callback, not owned by the handler.
//
// Checks, in order (the first that fails answers):
//   1. the path and method name an endpoint              404, 405 (Allow);
//      a {name} or {id} in the path is valid               400
//      (a printer's or queue's {name} that is no valid
//      printer or queue name:                              404)
//   2. the connection is TLS, or a loopback peer while
//      allow_plain_loopback                                403 https_required
//   3. an Authorization: Basic header that parses, an
//      Authorization: Bearer qt_... API token (when a
//      token_service is given), or (without
//      Authorization) a quire_session cookie               401 (WWW-Authenticate)
//   4. Content-Length within max_body_bytes;               413
//      a JSON Content-Type on a body-taking endpoint,      415
//      no body on the others                               400
//   -- the body arrives (over max_body_bytes: 413) --
//   5. user_service::authenticate                          401, 429, 503
//      or, for an API token, token_service::authenticate   401
//      or, for the cookie, session_service::verify         401; a POST, PUT,
//      PATCH or DELETE also needs X-CSRF-Token equal to
//      the session's csrf_token (constant-time)            403 csrf_required
//   6. an administrator, except for whoami, the user
//      endpoints (is_user_endpoint: jobs, queues; the job
//      service shows a user their own jobs only, and
//      another user's job as a missing one, 404) and the
//      self endpoints (is_self_service), which need the
//      caller to be the {name} of the path or an
//      administrator                                       403
//   7. accounting endpoints: an accounting_service;
//      printer endpoints: a printer_service;
//      fleet endpoints (needs_fleet): a fleet_service      503 unavailable
//      directory endpoints (needs_directory): a
//      directory_service (no [directory] configured)      404 not_found
//   8. the query string and the body validate              400
//   9. the service's answer                                2xx, or its error's status
// Requiring application/json on every body, and methods other than POST on
// the rest, also keeps a browser on another site from sending a request
// with cached Basic credentials (CSRF): such requests need a CORS preflight,
// which this API never grants.
//
// The plumbing (JSON responses, the transport and body checks, the handler
// that collects the body) is api_common.hpp's, shared with the terminal API;
// http_status_for() is declared there.
//
// Nothing here logs. Error bodies are {"error": code, "message": text} and
// never quote a password, card id or PIN; success bodies never hold one. A
// terminal's token appears once: in the answer that registers the terminal.
// A device URI is shown without its user-info (redact_device_uri).
//
// State-changing requests are audited (audit.hpp) once answered, naming the
// path's {name} or {id}, or for a create the printer's or queue's name in
// the body; a directory sync names its kind, "full" or "incremental".
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "actors/io/http_server.hpp"
#include "protocols/result.hpp"
#include "web/accounting_service.hpp"
#include "web/api_common.hpp"
#include "web/api_json.hpp"
#include "web/api_request.hpp"
#include "web/directory_service.hpp"
#include "web/fleet_service.hpp"
#include "web/job_service.hpp"
#include "web/printer_service.hpp"
#include "web/audit.hpp"
#include "web/report.hpp"
#include "web/session_service.hpp"
#include "web/token_json.hpp"
#include "web/token_service.hpp"
#include "web/user_service.hpp"

namespace quire::web {

struct api_options {
  /// Accept plain HTTP from a loopback peer (127.0.0.0/8, ::1): a local
  /// quirectl, or a server run without TLS. Off: TLS only, from anywhere.
  bool allow_plain_loopback = false;
  /// The largest request body; larger ones get 413 (and are not read).
  size_t max_body_bytes = 64 * 1024;
  /// GET /api/v1/users, /api/v1/jobs and .../ledger pages: `limit` when the
  /// query gives none, and its cap.
  uint32_t default_page_size = 100;
  uint32_t max_page_size = 1000;
  /// What card ids and PINs must look like.
  credential_limits credentials;
  /// POST /api/v1/print (print_api.hpp): the largest document
  /// (config limits.max_document_bytes), instead of max_body_bytes.
  uint64_t max_document_bytes = 100ull << 20;
};

/// The handler of one request under /api/v1 (is_admin_api_path), or nullptr
/// once the request has been answered through `respond` (a refusal at the
/// head). For any other path it returns nullptr WITHOUT answering: callers
/// check is_admin_api_path() first. `users`, `jobs`, `accounting` and
/// `printers` must outlive every request routed here; `options` is copied.
/// Without `accounting` (nullptr: the server keeps no accounts), the
/// accounting endpoints answer 503 unavailable; without `printers`, the
/// printer endpoints do; without `fleet`, the endpoints that change
/// printers and queues (needs_fleet) do, and GET /api/v1/printers/{name}
/// shows no "settings". Without `directory` (no [directory] in
/// quire.toml), GET /api/v1/directory and POST /api/v1/directory/sync
/// answer 404. `fleet` and `directory` must outlive every request too.
std::unique_ptr<io::request_handler> route_admin_api(const io::request_info& info, io::responder respond,
                                                     user_service& users, job_service& jobs,
                                                     const api_options& options,
                                                     accounting_service* accounting = nullptr,
                                                     printer_service* printers = nullptr,
                                                     session_service* sessions = nullptr,
                                                     token_service* tokens = nullptr,
                                                     report_service* reports = nullptr,
                                                     audit_service* audit = nullptr,
                                                     fleet_service* fleet = nullptr,
                                                     directory_service* directory = nullptr);

}  // namespace quire::web
