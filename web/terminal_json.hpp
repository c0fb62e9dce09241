// The JSON shapes of the terminal API (terminal_api.hpp): the two request
// bodies in, strictly validated into terminal_service.hpp's typed values,
// and every answer out. The JSON library (nlohmann-json) stays inside
// terminal_json.cpp and terminal_json_render.cpp, which read and write it
// with the admin API's helpers (api_json_detail.hpp).
//
// A body follows the admin API's rules (api_json.hpp): one JSON object of
// UTF-8 text, nested at most max_json_depth deep, no key twice, no key the
// endpoint does not know, one JSON type per field. Error messages say which
// field is wrong and why, never what it held.
//
// Responses never carry a terminal token, card id, PIN or password; the one
// secret a response holds is a new session's token (session_json, when
// session_info::session is not empty). Amounts are integers in minor units
// of the site currency, each beside a "…_text" for people
// (pdl::format_money: "0.60 EUR"); every answer that shows amounts also
// gives "currency" and "minor_digits".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocols/result.hpp"
#include "web/api_json.hpp"
#include "web/terminal_service.hpp"

namespace quire::web {

/// Bounds of a release request.
inline constexpr size_t max_release_jobs = 1000;
/// A job-password PIN as typed at a panel: ASCII digits, this many.
inline constexpr size_t min_job_pin_digits = 4;
inline constexpr size_t max_job_pin_digits = 32;

/// The body of POST /api/v1/terminal/sessions, one of:
///   {"card"}  {"pin"}  {"user", "password"}  {"card", "pin"}
/// card: 1 to limits.max_card_id_chars printable ASCII without spaces;
/// pin: limits.min_pin_digits to max_pin_digits ASCII digits; user:
/// validate_user_name; password: 1 to max_password_bytes bytes, no 0 byte.
/// The fields not used are empty. On failure nothing of the body is left in
/// memory this function owned.
result<login_request> parse_login(std::string_view body, const credential_limits& limits);

/// The body of POST /api/v1/terminal/session/release:
///   {"jobs": [id...]} or {"all": true}, and optionally
///   "project": a name (validate_user_name),
///   "pins": {"<id>": "<pin>"...} (ids as parse_job_id reads them, each job
///   once; with "jobs", only jobs listed there; PINs min_job_pin_digits to
///   max_job_pin_digits ASCII digits).
/// jobs: 1 to max_release_jobs ids of 1 or more, no id twice, kept in order.
result<release_request> parse_release(std::string_view body);

/// GET /api/v1/terminal: {"terminal", "printer", "printer_state",
/// "printer_message", "location", "login": {"card", "pin", "password",
/// "card_pin", "card_requires_pin"}, "currency", "minor_digits"}.
std::string terminal_info_json(const terminal_info& info);

/// A session: {"session" (only when not empty), "user", "display_name",
/// "printer", "expires" (RFC 3339 UTC), "account": balance, "projects",
/// "released": [outcome...], "currency", "minor_digits"}.
std::string session_json(const session_info& s);

/// {"jobs": [{"id", "name", "owner", "queue", "pages", "colour_pages",
/// "sheets", "colour", "price", "price_text" (null unless priced), "priced",
/// "needs_pin", "delegated", "created" (RFC 3339 UTC or null), "age_s"}...],
/// "currency", "minor_digits"}. A job without a name shows its document's.
std::string terminal_jobs_json(const terminal_job_list& list);

/// {"results": [{"job", "ok", "error" (code or null), "message", "price",
/// "price_text" (null unless ok)}...], "account": balance, "currency",
/// "minor_digits"}.
std::string release_report_json(const release_report& r);

/// {"balance", "balance_text", "reserved", "reserved_text", "available"
/// (balance - reserved, saturating), "available_text", "unlimited",
/// "quota": {"sheets_left", "resets"} or null when no quota applies}.
std::string balance_json(const balance_info& b, const money_format& money);

}  // namespace quire::web
