// The JSON of the fleet endpoints (admin_api.hpp, fleet_service.hpp):
// printers and queues added, changed and removed at run time.
//
//   POST   /api/v1/printers         {"name", "device_uri", "language"?, "location"?, "info"?,
//                                    "make_and_model"?, "price_list"?}       -> 201 printer record
//   PATCH  /api/v1/printers/{name}  any of those fields but "name"          -> 200 printer record
//   GET    /api/v1/printers/{name}  the printer's state (printer_json) with "settings": its record
//   GET    /api/v1/queues/{name}                                            -> 200 queue record
//   POST   /api/v1/queues           {"name", "type", "printers"?, "location"?, "info"?,
//                                    "authentication"?, "failover"?}         -> 201 queue record
//   PATCH  /api/v1/queues/{name}    any of those fields but "name"          -> 200 queue record
//
// A printer record renders as {"name", "device_uri", "language", "location",
// "info", "make_and_model", "price_list", "origin": "config"|"api"}; a queue
// record as {"name", "type": "pull"|"direct"|"group", "printers": [...],
// "location", "info", "authentication", "failover", "origin"}. "origin" is
// the server's: a body that gives it is refused.
//
// The body rules are api_json.hpp's (one object, no key twice, no unknown
// key, one type per field); names follow valid_printer_name and
// valid_queue_name. What only the server can judge (a device URI it can
// drive, a price list or printer that exists) is fleet_service's to check.
//
// A device URI may carry credentials (ipp://user:secret@host/...): every
// record rendered here shows it through redact_device_uri, and no error
// message quotes a value the body held.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/result.hpp"
#include "storage/records.hpp"
#include "web/fleet_service.hpp"

namespace quire::web {

/// The longest text field of a printer or queue (location, info, ...), in bytes.
inline constexpr size_t max_fleet_text_bytes = 1024;
/// The longest device URI, in bytes.
inline constexpr size_t max_device_uri_bytes = 2048;
/// The most printers a queue may list.
inline constexpr size_t max_queue_printers = 256;
/// The language of a printer whose body gives none (config/'s default).
inline constexpr std::string_view default_printer_language = "application/octet-stream";

/// "pull", "direct", "group".
const char* to_string(queue_type t) noexcept;
/// The queue_type of "pull", "direct" or "group"; nullopt for anything else.
std::optional<queue_type> parse_queue_type(std::string_view text) noexcept;

/// `uri` with its user-info (RFC 3986 §3.2.1: what stands between "://" and
/// the last '@' before the authority ends at '/', '?' or '#') replaced by
/// "***": "ipp://bob:pw@host/x" -> "ipp://***@host/x". A URI without
/// user-info comes back as it is.
std::string redact_device_uri(std::string_view uri);

/// `text` (a service's error message) with the user-info of every URI in
/// it replaced by "***", and, when `uri` has user-info, every occurrence of
/// that user-info too. A URI cut short in the text ("ipp://bob:pw..." with
/// no '@' before it ends) loses everything after its "://": what was cut
/// may have been the user-info.
std::string redact_device_uris_in(std::string_view text, std::string_view uri = {});

/// POST /api/v1/printers: a printer record with origin api. "name" and
/// "device_uri" are required; "language" defaults to
/// default_printer_language. invalid_argument naming the field otherwise.
result<printer_record> parse_new_printer(std::string_view body);
/// PATCH /api/v1/printers/{name}: at least one field; "name" and "origin"
/// are refused (a printer is renamed by removing it and adding it again).
result<printer_patch> parse_printer_patch(std::string_view body);
/// POST /api/v1/queues: a queue record with origin api. "name" and "type"
/// are required; "printers" (at most max_queue_printers valid printer
/// names, none twice) defaults to none.
result<queue_record> parse_new_queue(std::string_view body);
/// PATCH /api/v1/queues/{name}: at least one field; "name" and "origin"
/// are refused.
result<queue_patch> parse_queue_patch(std::string_view body);

/// One printer record (its device URI redacted).
std::string printer_record_json(const printer_record& p);
/// One queue record.
std::string queue_record_json(const queue_record& q);
/// GET /api/v1/printers/{name} with a fleet service: `state_json` (a
/// printer_json object) with "settings": printer_record_json(settings)
/// added as its last field.
std::string printer_with_settings_json(std::string_view state_json, const printer_record& settings);

}  // namespace quire::web
