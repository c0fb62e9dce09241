// The parts of an admin API request that are not JSON: which endpoint a
// method and path name, the {name} or {id} in a path, the query string (and
// the job listing's, the ledger's and the page counters' query as typed
// values), HTTP Basic
// credentials (RFC 7617) and whether a peer is on the loopback interface.
// The terminal API (terminal_api.hpp) routes and reads its Bearer header
// with the same helpers: is_path_under, pick_method, route_error and
// authorization_credentials.
//
// Pure functions: strings in, typed values out. No message they return
// quotes a password or any other secret the request carried.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/http/request_parser.hpp"
#include "protocols/result.hpp"
#include "web/job_service.hpp"

namespace quire::web {

/// The API root; every admin endpoint lives under it.
inline constexpr std::string_view api_root = "/api/v1";

enum class endpoint : uint8_t {
  whoami,        // GET    /api/v1/whoami
  list_users,    // GET    /api/v1/users
  create_user,   // POST   /api/v1/users
  get_user,      // GET    /api/v1/users/{name}
  update_user,   // PATCH  /api/v1/users/{name}
  delete_user,   // DELETE /api/v1/users/{name}
  set_password,  // PUT    /api/v1/users/{name}/password
  add_card,      // POST   /api/v1/users/{name}/cards
  remove_card,   // DELETE /api/v1/users/{name}/cards   (the card id in the body: URLs get logged)
  // A user's own PIN and card enrolment code (self), else an administrator.
  set_pin,       // PUT    /api/v1/users/{name}/pin                 (self)
  clear_pin,     // DELETE /api/v1/users/{name}/pin                 (self)
  generate_pin,  // POST   /api/v1/users/{name}/pin/generate        (self: e-mailed, never shown)
  enrolment_code,  // POST /api/v1/users/{name}/enrolment-code      (self)
  // API tokens (token_service.hpp), self: a user's own, or an administrator.
  list_tokens,   // GET    /api/v1/users/{name}/tokens
  create_token,  // POST   /api/v1/users/{name}/tokens
  revoke_token,  // DELETE /api/v1/users/{name}/tokens/{id}
  // Jobs and the queue list: any authenticated user, who sees and acts on their
  // own jobs only (job_service.hpp, restrict_job_query); administrators on
  // every job.
  list_jobs,       // GET    /api/v1/jobs
  get_job,         // GET    /api/v1/jobs/{id}
  cancel_job,      // DELETE /api/v1/jobs/{id}
  release_job,     // POST   /api/v1/jobs/{id}/release   (optional JSON body)
  reprint_job,     // POST   /api/v1/jobs/{id}/reprint   (optional JSON body, as release)
  list_queues,     // GET    /api/v1/queues
  print_document,  // POST   /api/v1/print?queue=...      (the document as body: print_api.hpp)
  // Administrators only: the usage report, the audit log, the printers
  // (printer_service.hpp) and the fleet changed at run time
  // (fleet_service.hpp). They stand before the accounting ones, which end
  // the list.
  usage_report,      // GET    /api/v1/reports/usage   (report.hpp; administrators)
  audit_log,         // GET    /api/v1/audit           (audit.hpp; administrators)
  list_printers,     // GET    /api/v1/printers
  get_printer,       // GET    /api/v1/printers/{name}
  printer_counters,  // GET    /api/v1/printers/{name}/counters
  // The fleet (fleet_service.hpp): printers and queues added, changed, removed.
  create_printer,  // POST   /api/v1/printers
  update_printer,  // PATCH  /api/v1/printers/{name}
  delete_printer,  // DELETE /api/v1/printers/{name}
  get_queue,       // GET    /api/v1/queues/{name}
  create_queue,    // POST   /api/v1/queues
  update_queue,    // PATCH  /api/v1/queues/{name}
  delete_queue,    // DELETE /api/v1/queues/{name}
  // Price lists and projects (fleet_service.hpp too). GET /projects is any
  // user's: a user sees the projects they may charge (is_user_endpoint).
  list_prices,        // GET    /api/v1/prices
  get_price_list,     // GET    /api/v1/prices/{name}
  create_price_list,  // POST   /api/v1/prices
  update_price_list,  // PATCH  /api/v1/prices/{name}
  delete_price_list,  // DELETE /api/v1/prices/{name}
  list_projects,      // GET    /api/v1/projects
  get_project,        // GET    /api/v1/projects/{name}
  create_project,     // POST   /api/v1/projects
  update_project,     // PATCH  /api/v1/projects/{name}
  delete_project,     // DELETE /api/v1/projects/{name}
  // Quotas (fleet_service.hpp too): administrators only.
  list_quotas,   // GET    /api/v1/quotas
  get_quota,     // GET    /api/v1/quotas/{name}
  create_quota,  // POST   /api/v1/quotas
  update_quota,  // PATCH  /api/v1/quotas/{name}
  delete_quota,  // DELETE /api/v1/quotas/{name}
  // The directory sync (directory_service.hpp): administrators only.
  get_directory,   // GET    /api/v1/directory
  sync_directory,  // POST   /api/v1/directory/sync   (optional JSON body: {"full": bool})
  // Accounting (accounting_service.hpp): "self" marks what a user may do
  // for themself; administrators may do everything.
  get_account,        // GET    /api/v1/users/{name}/account     (self)
  credit,             // POST   /api/v1/users/{name}/credit
  ledger,             // GET    /api/v1/users/{name}/ledger      (self)
  get_delegates,      // GET    /api/v1/users/{name}/delegates   (self)
  set_delegates,      // PUT    /api/v1/users/{name}/delegates   (self)
  list_terminals,     // GET    /api/v1/terminals
  register_terminal,  // POST   /api/v1/terminals
  revoke_terminal,    // DELETE /api/v1/terminals/{name}
};

/// The last endpoint above (for loops over all of them).
inline constexpr endpoint last_endpoint = endpoint::revoke_terminal;

/// "GET /api/v1/users/{name}": for messages and tests.
const char* to_string(endpoint e) noexcept;
/// True when the endpoint takes a JSON body (and only then may a request
/// carry one).
bool takes_body(endpoint e) noexcept;
/// True for the listings, the ledger and the page counters, the only
/// endpoints with query parameters.
bool takes_query(endpoint e) noexcept;
/// True when a request may carry no body although the endpoint takes one
/// (release_job, reprint_job, sync_directory: an empty body is `{}`).
bool body_optional(endpoint e) noexcept;
/// True for every endpoint but whoami, the self ones (is_self_service) and
/// the user ones (is_user_endpoint).
bool needs_admin(endpoint e) noexcept;
/// True for the job endpoints, GET /api/v1/queues, print and GET
/// /api/v1/projects: any authenticated user may call them; the handler
/// decides what they see (their own jobs, the projects they may charge).
/// The other queue and project endpoints are the fleet's (needs_fleet).
bool is_user_endpoint(endpoint e) noexcept;
/// True for the endpoints about one user that the user may call for
/// themself (the {name} of the path is theirs); others need an administrator.
bool is_self_service(endpoint e) noexcept;
/// True for the endpoints that accounting_service answers.
bool needs_accounting(endpoint e) noexcept;
/// True for the endpoints that printer_service answers.
bool needs_printers(endpoint e) noexcept;
/// True for the endpoints that fleet_service answers (create, change and
/// remove printers and queues; one queue's record; price lists, projects
/// and quotas, read and changed).
bool needs_fleet(endpoint e) noexcept;
/// True for the endpoints that directory_service answers (the directory
/// sync's state, and starting one).
bool needs_directory(endpoint e) noexcept;

/// True for `root` itself and every path under `root` + "/".
bool is_path_under(std::string_view path, std::string_view root) noexcept;

/// True for "/api/v1" and every path under "/api/v1/".
bool is_admin_api_path(std::string_view path) noexcept;

/// "/api/v1/print": web print (print_api.hpp), routed before the admin API.
inline constexpr std::string_view print_path = "/api/v1/print";
/// True for exactly print_path.
inline bool is_print_path(std::string_view path) noexcept { return path == print_path; }

/// The Host header when it is a plausible authority (letters, digits,
/// . - : [ ], 1 to 255 bytes), so that URIs built from it point where the
/// client reached us; else `fallback` (the local address).
std::string authority_or(const std::string* host, std::string_view fallback);

/// What a method and a path name.
struct route_match {
  int status = 0;     // 0: found; 404: no such resource (or printer or queue name); 405: wrong method;
                      // 400: bad {name} or {id}
  std::string allow;  // for 405: the methods the resource has, "GET, PATCH, DELETE"
  std::string message;
  endpoint what = endpoint::whoami;
  std::string user;   // the {name} segment, percent-decoded and valid: a user's or a terminal's
                      // (validate_user_name), a printer's under /printers/ (valid_printer_name),
                      // a queue's under /queues/ (valid_queue_name), a price list's,
                      // project's or quota's under /prices/, /projects/ or /quotas/
                      // (the same rule)
  uint64_t job = 0;   // the {id} segment: 1 or more
  std::string token_id;  // revoke_token's {id}: 12 lower-case hex digits
};

/// Matches `path` (no query string) against the endpoints above.
route_match match_route(std::string_view method, std::string_view path);

/// One method of a resource and the endpoint it names.
template <class Endpoint>
struct method_entry {
  const char* method;
  Endpoint what;
};

/// The match of `method` among a resource's `methods` (in the order an
/// Allow header lists them): the entry's endpoint, or 405 with `allow`
/// ("GET, DELETE") and a message. Route is route_match or terminal_route
/// (terminal_api.hpp): status, allow, message and what.
template <class Route, class Endpoint>
Route pick_method(std::string_view method, std::initializer_list<method_entry<Endpoint>> methods) {
  Route m;
  for (const auto& e : methods) {
    if (method == e.method) {
      m.what = e.what;
      return m;
    }
  }
  m.status = 405;
  for (const auto& e : methods) {
    if (!m.allow.empty()) m.allow += ", ";
    m.allow += e.method;
  }
  m.message = "this resource accepts " + m.allow;
  return m;
}

/// A Route that names no endpoint: `status` (404, 400) and `message`.
template <class Route>
Route route_error(int status, std::string message) {
  Route m;
  m.status = status;
  m.message = std::move(message);
  return m;
}

/// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in
/// query strings). False for a malformed escape or an escaped 0 byte.
bool percent_decode(std::string_view in, bool plus_is_space, std::string& out);
/// Escapes every byte but RFC 3986's unreserved ones; a segment that is
/// "." or ".." is escaped whole, so that no client folds it away.
std::string percent_encode_segment(std::string_view in);

struct query_param {
  std::string name;
  std::string value;
};

/// Splits "a=1&b=2" (without the '?') into decoded pairs. invalid_argument
/// for a malformed escape or a name given twice.
result<std::vector<query_param>> parse_query(std::string_view query);

/// A job id as the API writes it: ASCII digits only (no sign, no spaces),
/// a value from 1 to 2^64-1. False for anything else.
bool parse_job_id(std::string_view text, uint64_t& out) noexcept;

/// True for a queue name as config/ allows one: 1 to 64 of A-Z a-z 0-9 _ . -
bool valid_queue_name(std::string_view name) noexcept;
/// True for a printer name as config/ allows one: the same rule as a queue's.
inline bool valid_printer_name(std::string_view name) noexcept { return valid_queue_name(name); }
/// True for a price list's or a project's name: config/'s rule for every
/// named section ([prices.<name>], [projects.<name>]), a queue's.
inline bool valid_price_list_name(std::string_view name) noexcept { return valid_queue_name(name); }
inline bool valid_project_name(std::string_view name) noexcept { return valid_queue_name(name); }
/// True for a quota's name: the same rule ([quotas.<name>]).
inline bool valid_quota_name(std::string_view name) noexcept { return valid_queue_name(name); }

/// The query of GET /api/v1/jobs: user=NAME (validate_user_name),
/// queue=NAME (valid_queue_name), which=active|completed|all (default
/// active), after=ID (parse_job_id), limit=N (1..max_limit, default
/// default_limit); each at most once. invalid_argument naming the
/// parameter for anything else, an unknown parameter included.
result<job_list_query> parse_job_query(std::string_view query, uint32_t default_limit, uint32_t max_limit);

/// The query of GET /api/v1/users/{name}/ledger: limit=N (1..max_limit),
/// at most once; `default_limit` without it. invalid_argument for anything
/// else, an unknown parameter included.
result<uint32_t> parse_ledger_query(std::string_view query, uint32_t default_limit, uint32_t max_limit);

/// GET /api/v1/printers/{name}/counters: the snapshots with
/// from_ms <= time < to_ms, at most `limit`.
struct counters_query {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  uint32_t limit = 0;
};
inline constexpr uint32_t counters_default_limit = 1000;
inline constexpr uint32_t counters_max_limit = 10000;

/// The query of the page counters: from=MS (default 0), to=MS (default
/// now_ms + 1), both decimal milliseconds since the Unix epoch, 0 or more,
/// from below to; limit=N (1..counters_max_limit, default
/// counters_default_limit); each at most once. invalid_argument naming the
/// parameter for anything else, an unknown parameter included.
result<counters_query> parse_counters_query(std::string_view query, int64_t now_ms);

/// A user name and password from an Authorization header. Wiped on
/// destruction.
struct basic_credentials {
  std::string user;
  std::string password;

  basic_credentials() = default;
  basic_credentials(basic_credentials&&) = default;
  basic_credentials& operator=(basic_credentials&&) = default;
  ~basic_credentials();
};

/// Parses `Basic <base64(user:password)>` (RFC 7617; the scheme is
/// case-insensitive, the base64 strict). invalid_argument when it is another
/// scheme, malformed, the user name fails validate_user_name, or the
/// password is empty, longer than max_password_bytes or holds a 0 byte. The
/// messages never quote the header.
result<basic_credentials> parse_basic_authorization(std::string_view value);

/// Who a request says it is, as its head carries it, nothing checked yet:
/// HTTP Basic, an API token (Bearer qt_...), or, without Authorization, the
/// quire_session cookie of a browser. Secrets wiped on destruction.
struct request_credentials {
  basic_credentials basic;
  std::string api_token;      // Authorization: Bearer qt_...
  std::string session_token;  // the cookie's, when there is no Authorization

  request_credentials() = default;
  request_credentials(request_credentials&&) = default;
  request_credentials& operator=(request_credentials&&) = default;
  ~request_credentials();
};

/// Reads `head`'s credentials into `out`: Basic always; a Bearer API token
/// when `api_tokens`; the session cookie when `cookies` (and no
/// Authorization). permission_denied, with the message a 401 says, when
/// there are none or they do not parse.
status read_credentials(const http::request_head& head, bool cookies, bool api_tokens, request_credentials& out);

/// The credentials of an Authorization header `<scheme> <credentials>`
/// (RFC 7235 §2.1; the scheme, given in lower case, matches in any case):
/// without the spaces around them; nullopt for another scheme or no space
/// after it. Says nothing about the credentials themselves.
std::optional<std::string_view> authorization_credentials(std::string_view value, std::string_view scheme);

/// RFC 4648 base64 with padding (for clients; the tests use it too).
std::string base64_encode(std::string_view bytes);

/// True for 127.0.0.0/8, ::1 and IPv4-mapped 127.0.0.0/8 (::ffff:127.x.y.z).
/// Anything that does not parse as an address is false.
bool is_loopback_address(std::string_view host);

}  // namespace quire::web
