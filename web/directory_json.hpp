// The JSON of the directory sync's endpoints (admin_api.hpp,
// directory_service.hpp):
//
//   GET  /api/v1/directory        -> 200 {"url", "base_dn", "running", "running_full",
//                                         "entries_read", "started_ms", "last_full_ms",
//                                         "next_ms", "watermark", "last", "last_full"}
//   POST /api/v1/directory/sync   {"full"?: bool} or no body   -> 202 {"started": bool}
//
// "last" and "last_full" are null (no such sync yet) or a report: {"full",
// "started_ms", "finished_ms", "error" (null when the sync applied),
// "users_read", "groups_read", "created", "updated", "unchanged", "gone",
// "returned", "cards_added", "cards_removed", "problem_count", "problems":
// [text...]} ("problems" holds at most the first 100 of "problem_count").
// Times are integers, milliseconds since the Unix epoch; 0 is "none"
// (never, or not running). Nothing here is a secret: the service's view
// holds no password and no card number.
//
// The sync body follows api_json.hpp's rules (one object, no key twice, no
// unknown key, one type per field); an empty body is {} (incremental).
#pragma once

#include <string>
#include <string_view>

#include "protocols/result.hpp"
#include "web/directory_service.hpp"

namespace quire::web {

/// What POST /api/v1/directory/sync asks for.
struct sync_request {
  bool full = false;  // a full sync (every entry, and who is gone) rather than the changes since the watermark
};

/// The body of POST /api/v1/directory/sync: empty, or {"full"?: true|false}.
/// invalid_argument naming the field for an unknown one or a "full" that
/// is not a boolean.
result<sync_request> parse_sync_request(std::string_view body);

/// GET /api/v1/directory's body.
std::string directory_json(const directory_view& view);
/// One report object, as "last" and "last_full" hold it.
std::string directory_report_json(const directory_report_view& report);
/// POST /api/v1/directory/sync's body: {"started": bool}.
std::string sync_started_json(bool started);

}  // namespace quire::web
