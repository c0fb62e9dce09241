// The JSON shapes of the admin API: request bodies in (strictly validated
// into typed values), response bodies out. The JSON library (nlohmann-json)
// stays inside the .cpp files: api_json.cpp (users), api_json_jobs.cpp
// (jobs), api_json_printers.cpp (printers, page counters),
// api_json_accounting.cpp (accounts, ledger, delegates, terminals), and
// api_json_detail.cpp (the checks every body passes and the helpers
// they, and the terminal API's terminal_json*.cpp, share).
//
// A request body must be one JSON object of UTF-8 text, nested at most
// max_json_depth deep, with no key given twice and no key the endpoint does
// not know; every field has one JSON type (a PIN and a card id are strings,
// so leading zeros survive). Error messages say which field is wrong and
// why, never what it held: a rejected password is not echoed back.
//
// Responses never carry a password, its hash, a card id or a PIN: a user
// shows `"password": true` (has one), `"cards": 2`, `"pin": true`. A job
// never shows its PIN's hash (pin_hash), pin_wrong or origin_host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"
#include "web/accounting_service.hpp"
#include "web/job_service.hpp"
#include "web/printer_service.hpp"
#include "web/user_service.hpp"

namespace quire::web {

inline constexpr int max_json_depth = 8;

/// What a card id and a PIN must look like. The service may normalise a
/// card id further (case, separators), as the card readers send it.
struct credential_limits {
  size_t max_card_id_chars = 128;  // printable ASCII without spaces
  size_t min_pin_digits = 4;       // ASCII digits only
  size_t max_pin_digits = 16;
};

/// The body of POST /api/v1/users.
struct new_user_request {
  user_record user;                     // name, display_name, groups, admin, disabled
  std::optional<std::string> password;  // wiped on destruction

  new_user_request() = default;
  new_user_request(new_user_request&&) = default;
  new_user_request& operator=(new_user_request&&) = default;
  ~new_user_request();
};

/// The checks every body passes before its fields are read: one JSON object
/// of valid UTF-8 syntax, nested at most max_json_depth deep, no key twice.
/// invalid_argument saying which, never quoting the body.
status check_json_body(std::string_view body);

/// The longest e-mail address a user may have, in bytes (RFC 5321 §4.5.3.1.3's path).
inline constexpr size_t max_email_bytes = 254;
/// A user's "email": "" (none), or at most max_email_bytes bytes with
/// exactly one '@' between a non-empty local part and domain, and no
/// space or control character. invalid_argument naming the field
/// otherwise. No more than that: the directory, or the administrator,
/// knows the address.
status check_email(std::string_view email);

/// {"name", "display_name"?, "groups"?, "admin"?, "disabled"?, "email"?,
/// "password"?}: name required and valid; the record passes validate_user;
/// groups unique; email as check_email.
result<new_user_request> parse_new_user(std::string_view body);
/// Any of {"display_name", "groups", "admin", "disabled", "email"}, at
/// least one; validated as if applied to the user `name`.
result<user_patch> parse_user_patch(std::string_view name, std::string_view body);
/// {"password": "..."}: 1 to max_password_bytes bytes, no 0 byte.
result<std::string> parse_password(std::string_view body);
/// {"card_id": "..."}: 1 to max_card_id_chars printable ASCII characters.
result<std::string> parse_card_id(std::string_view body, const credential_limits& limits);
/// {"pin": "..."}: min_pin_digits to max_pin_digits ASCII digits.
result<std::string> parse_pin(std::string_view body, const credential_limits& limits);

/// {"name", "display_name", "groups", "admin", "disabled", "password" (bool),
///  "cards" (count), "pin" (bool), "created_ms", "updated_ms", "email",
///  "source": "quire"|"directory", "dn" ("" for Quire's own users),
///  "directory_state": null for Quire's own users, else "active",
///  "disabled" or "gone" (as the directory has it)}
std::string user_json(const user_info& user);
/// {"sent_to": address}: where a generated PIN went.
std::string pin_sent_json(const std::string& address);
/// {"code", "expires_ms"}: a new enrolment code (the one place a code is shown).
std::string enrolment_code_json(const enrolment_code& code);
/// {"users": [user...], "next": name or null}: `next` is the `after` of the
/// following page.
std::string user_list_json(const std::vector<user_info>& users, const std::optional<std::string>& next);
/// {"name", "admin"}
std::string principal_json(const principal& who);
/// Milliseconds since the Unix epoch as RFC 3339 UTC with milliseconds,
/// "2024-05-01T08:30:00.250Z"; "" for 0 or less (absent) and past year 9999.
std::string rfc3339_utc(int64_t ms);

/// One job (openapi.yaml, schema Job): its identity and state, times as
/// RFC 3339 or null, a "ticket", an "analysis" (with the mono counts derived
/// from the colour ones) and a "price" (amounts in minor units, and as text
/// by pdl::format_money in `money`).
std::string job_json(const job_record& job, const money_format& money);
/// {"jobs": [job...], "next": id or null}: `next` is the `after` of the
/// following page.
std::string job_list_json(const std::vector<job_record>& jobs, const money_format& money,
                          const std::optional<uint64_t>& next);
/// The body of POST /api/v1/jobs/{id}/release: empty, or an object with
/// the optional strings "printer" (valid_printer_name) and "project" (1 to
/// 128 bytes, no control character). invalid_argument otherwise.
result<job_release> parse_job_release(std::string_view body);
/// {"queues": [{"name", "type", "description", "printers": [...],
/// "ipp_uri": "ipp://<authority>/ipp/print/<name>"}]} in the order given.
std::string queue_list_json(const std::vector<queue_info>& queues, std::string_view authority);

// ---- Printers (api_json_printers.cpp) ----

/// One printer (openapi.yaml, schema Printer): {"name", "location", "info",
///  "state": "idle"|"processing"|"stopped", "state_message", "reasons",
///  "queued", "delivered", "device": {"monitored", "online", "last_seen_ms"
///  (null before the first answer), "address", "description", "name",
///  "serial", "life_count" (only when the device counts), "device_state",
///  "printer_state" (the MIB's names, "unknown" for none), "supplies":
///  [{"description", "kind", "type", "level", "max_capacity", "percent" (or
///  null), "state"}], "alerts": [{"severity", "code", "group",
///  "description"}], "truncated"}}. Never a device URI.
std::string printer_json(const printer_view& printer);
/// {"printers": [printer...]}
std::string printer_list_json(const std::vector<printer_view>& printers);
/// {"printer": name, "counters": [{"time_ms", "life_count", "serial",
///  "delivered"}...]}, oldest first.
std::string printer_counters_json(const std::string& printer, const std::vector<device_counter_record>& counters);

// ---- Accounting (api_json_accounting.cpp) ----

/// The largest credit or adjustment, in minor units either way (10^12:
/// ten billion in a two-digit currency; far from int64 overflow).
inline constexpr int64_t max_credit_amount = 1'000'000'000'000;
/// The longest note of a credit, in characters (code points).
inline constexpr size_t max_credit_note_chars = 256;
/// The most delegates a user may name (accounting_service::set_delegates).
inline constexpr size_t max_delegates = 32;

/// {"amount": integer, "kind"?: "topup"|"adjust", "note"?: string}: amount
/// a JSON integer (not 1.0, not 1e3), non-zero, |amount| <= max_credit_amount;
/// kind topup (the default) needs amount > 0; note at most
/// max_credit_note_chars characters without control characters.
result<credit_request> parse_credit(std::string_view body);
/// {"delegates": [name...]}: at most max_delegates valid user names, none
/// twice, none `owner` itself. An empty list clears them.
result<std::vector<std::string>> parse_delegates(std::string_view owner, std::string_view body);

/// The body of POST /api/v1/terminals.
struct terminal_request {
  std::string name;     // validate_user_name's rule
  std::string printer;  // valid_printer_name (api_request.hpp)
};
/// {"name", "printer"}: both required.
result<terminal_request> parse_terminal_request(std::string_view body);

/// {"name", "balance", "reserved", "available", "unlimited", "quota":
///  {"sheets_left", "resets"} or null, "currency", "minor_digits",
///  "balance_text", "available_text"}: amounts in minor units, the texts by
/// pdl::format_money; "resets" RFC 3339 or null.
std::string account_json(const account_info& account);
/// {"entries": [{"kind", "job" (null for 0), "attempt", "amount",
///  "amount_text", "balance_after", "balance_after_text", "pages", "sheets",
///  "colour_sheets", "owner", "printed_by", "printer", "project",
///  "price_list", "by", "note", "time" (RFC 3339 or null)}...]}
std::string ledger_json(const std::vector<ledger_entry>& entries, const money_format& money);
/// {"delegates": [name...]}
std::string delegates_json(const std::vector<std::string>& names);
/// {"name", "printer", "created_by", "created"}, and "token" only when
/// `with_token` (the answer that registers the terminal, and no other).
std::string terminal_view_json(const terminal_view& terminal, bool with_token);
/// {"terminals": [terminal...]}: never a token.
std::string terminal_list_json(const std::vector<terminal_view>& terminals);

/// {"error": code, "message": message}
std::string error_json(std::string_view code, std::string_view message);

}  // namespace quire::web
