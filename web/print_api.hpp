// Web print: POST /api/v1/print?queue=NAME[&name=TITLE][&copies=N]
// [&sides=...][&color=true|false], the document itself as the body.
//
// A user's browser (the portal's upload) or any HTTP client sends one
// document; it becomes a job exactly as an IPP Print-Job does: owned by
// the authenticated caller (never a name from the request), admitted by
// its queue, analysed, priced, held on a pull queue, with the same events.
// The server side (print_service, actors/web_print.hpp) reuses the intake
// of the other doors: the document is spooled as it arrives the way IPP and
// LPD spool theirs (small ones in memory, larger ones in a spool upload
// file, never more than the limit), and the job is submitted to its queue's
// actor like an IPP Print-Job.
//
// Checks, in order (the first that fails answers):
//   1. POST                                               405 (Allow: POST)
//   2. TLS, or a loopback peer while allow_plain_loopback 403 https_required
//   3. Authorization: Basic that parses, or a session
//      cookie; with the cookie, an X-CSRF-Token header     401; 403 csrf_required
//   4. the query (queue required; name, copies, sides,
//      color optional; nothing else)                      400
//      the queue exists                                    404
//   5. the Content-Type is a format Quire prints          415
//   6. Content-Length within max_document_bytes           413 (not read)
//      and not 0                                          400
//   -- the body streams to the spool (past the limit: 413, the upload
//      deleted at once; a spool failure: 503) --
//   7. an empty (chunked) body                            400
//   8. user_service::authenticate, or the session and its
//      CSRF token (constant-time)                         401, 429, 503; 403
//   9. the submission: 201 with the job and a Location; the queue's or
//      the registry's refusal (not accepting 503, per-user limits 429...)
// A request that fails, or a connection that drops mid-body, leaves no
// file behind: the upload is deleted with the call that holds it.
//
// Credentials are checked once the body has arrived (as the admin API does
// for its JSON bodies); what an unauthenticated client can make the server
// spool is bounded by max_document_bytes and the request timeout, and is
// deleted at once. Nothing here logs; no answer quotes a credential.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "actors/io/http_server.hpp"
#include "protocols/result.hpp"
#include "web/admin_api.hpp"
#include "web/job_service.hpp"
#include "web/session_service.hpp"
#include "web/user_service.hpp"

namespace quire::web {

/// What the query and the Content-Type ask for.
struct print_ticket {
  std::string queue;
  std::string name;        // job-name ("" = the server's default, "Untitled")
  uint32_t copies = 1;     // 1 .. max_print_copies
  std::string sides;       // "" = the queue's default; else an IPP sides keyword
  std::string color_mode;  // "" = default; "color" or "monochrome" (color=true|false)
  std::string format;      // the document's MIME type (print_format_of)
};

inline constexpr uint32_t max_print_copies = 999;
inline constexpr size_t max_print_name_bytes = 255;

/// The query of POST /api/v1/print: queue (valid_queue_name; required),
/// name (1 to max_print_name_bytes bytes, no control character), copies
/// (1..max_print_copies), sides (one-sided, two-sided-long-edge,
/// two-sided-short-edge), color (true, false); each at most once.
/// invalid_argument naming the parameter for anything else, an unknown
/// parameter included. `format` is left empty.
result<print_ticket> parse_print_query(std::string_view query);

/// The document format of a Content-Type, parameters and case aside:
/// application/pdf, application/postscript, image/jpeg, image/png,
/// text/plain, application/octet-stream (the server finds out); nullopt for
/// anything else or no header.
std::optional<std::string> print_format_of(const std::string* content_type);

/// One document as it arrives, on the loop thread. The implementation
/// deletes whatever it spooled when destroyed, unless a submission took it.
class print_upload {
 public:
  virtual ~print_upload() = default;
  /// Appends bytes: limit_exceeded past the limit, io_error when the spool
  /// cannot take them; after an error the document is dropped.
  virtual status append(std::string_view bytes) = 0;
  virtual uint64_t size() const = 0;
};

/// What web print needs from the server (actors/web_print.hpp). has_queue
/// and open_upload run on the loop thread and return at once; submit
/// answers exactly once through its callback, from any thread.
class print_service {
 public:
  virtual ~print_service() = default;
  /// True when the site has the queue `name`.
  virtual bool has_queue(const std::string& name) const = 0;
  /// A new, empty upload bounded by `max_bytes`; io_error when the spool
  /// cannot make one.
  virtual result<std::unique_ptr<print_upload>> open_upload(uint64_t max_bytes) = 0;
  /// Makes `doc` (from open_upload, whole) a job of ticket.queue owned by
  /// `by`, as an IPP Print-Job from `peer` would be. The job once durable,
  /// or the refusal of its queue or registry (not_found for a queue gone).
  virtual void submit(const principal& by, print_ticket ticket, std::string peer,
                      std::unique_ptr<print_upload> doc, job_callback cb) = 0;
};

/// The handler of POST /api/v1/print (is_print_path), or nullptr once the
/// request has been answered through `respond`. `users`, `sessions` (may be
/// null: no cookie login) and `printing` must outlive every request routed
/// here; `options` is copied (allow_plain_loopback, max_document_bytes).
std::unique_ptr<io::request_handler> route_print_api(const io::request_info& info, io::responder respond,
                                                     user_service& users, session_service* sessions,
                                                     print_service& printing, const api_options& options);

}  // namespace quire::web
