// The JSON of the fleet endpoints (admin_api.hpp, fleet_service.hpp):
// printers, queues, price lists, projects and quotas added, changed and
// removed at run time. Printers and queues are fleet_json.cpp's, price
// lists, projects and quotas fleet_json_prices.cpp's.
//
//   POST   /api/v1/printers         {"name", "device_uri", "language"?, "location"?, "info"?,
//                                    "make_and_model"?, "price_list"?}       -> 201 printer record
//   PATCH  /api/v1/printers/{name}  any of those fields but "name"          -> 200 printer record
//   GET    /api/v1/printers/{name}  the printer's state (printer_json) with "settings": its record
//   GET    /api/v1/queues/{name}                                            -> 200 queue record
//   POST   /api/v1/queues           {"name", "type", "printers"?, "location"?, "info"?,
//                                    "authentication"?, "failover"?}         -> 201 queue record
//   PATCH  /api/v1/queues/{name}    any of those fields but "name"          -> 200 queue record
//   GET    /api/v1/prices           {"prices": [price list record...]}
//   GET    /api/v1/prices/{name}                                            -> 200 price list record
//   POST   /api/v1/prices           {"name", "per"?, "mono"?, "colour"?, "duplex_mono"?,
//                                    "duplex_colour"?, "sizes"?, "mono_only"?} -> 201 price list record
//   PATCH  /api/v1/prices/{name}    any of those fields but "name"          -> 200 price list record
//   GET    /api/v1/projects         {"projects": [project record...]}; for a user only
//                                    {"name", "description"} of those they may charge
//   GET    /api/v1/projects/{name}                                          -> 200 project record
//   POST   /api/v1/projects         {"name", "description"?, "groups"?}     -> 201 project record
//   PATCH  /api/v1/projects/{name}  any of those fields but "name"          -> 200 project record
//   GET    /api/v1/quotas           {"quotas": [quota record...]}
//   GET    /api/v1/quotas/{name}                                            -> 200 quota record
//   POST   /api/v1/quotas           {"name", "sheets", "period"?, "groups"?, "users"?}
//                                                                           -> 201 quota record
//   PATCH  /api/v1/quotas/{name}    any of those fields but "name"          -> 200 quota record
//
// A printer record renders as {"name", "device_uri", "language", "location",
// "info", "make_and_model", "price_list", "origin": "config"|"api"}; a queue
// record as {"name", "type": "pull"|"direct"|"group", "printers": [...],
// "location", "info", "authentication", "failover", "origin"}; a price
// list record as {"name", "per": "sheet"|"impression", "mono", "colour",
// "duplex_mono", "duplex_colour", "sizes": [{"media", "mono", "colour",
// "duplex_mono", "duplex_colour"}], "mono_only", "origin"} (rates are
// integers of the currency's minor unit; a duplex rate of -1 is "as the
// one-sided rate"); a project record as {"name", "description", "groups":
// [...], "origin"}; a quota record as {"name", "groups": [...], "users":
// [...], "period": "day"|"week"|"month"|"year", "sheets", "origin"}.
// "origin" is the server's: a body that gives it is refused.
//
// The body rules are api_json.hpp's (one object, no key twice, no unknown
// key, one type per field); names follow valid_printer_name and
// valid_queue_name, valid_price_list_name, valid_project_name,
// valid_quota_name. What only the server can judge (a device URI it can
// drive, a price list or printer that exists, a rate within
// 0..pdl::max_rate, a media size priced twice, a quota change that leaves
// it applying to no one) is fleet_service's to check: here only types and
// shapes, and a quota's own ranges (as the file's reader checks them).
//
// A device URI may carry credentials (ipp://user:secret@host/...): every
// record rendered here shows it through redact_device_uri, and no error
// message quotes a value the body held.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
/// The most media sizes a price list may price on their own.
inline constexpr size_t max_price_sizes = 64;
/// The longest media name of a price list's size entry, in bytes.
inline constexpr size_t max_media_name_bytes = 64;
/// The most sheets a quota may allow per period (config/'s
/// max_quota_sheets: a body and the file take the same).
inline constexpr uint32_t max_quota_sheets = 100'000'000;
/// The most users a quota may name (its groups: max_user_groups).
inline constexpr size_t max_quota_users = 256;
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

// ---- Price lists, projects and quotas (fleet_json_prices.cpp) ----

/// POST /api/v1/prices: a price list record with origin api. "name" is
/// required; "per" defaults to "sheet", "mono" and "colour" to 0, the
/// duplex rates to -1, "sizes" to none, "mono_only" to false. A size entry
/// is {"media", "mono"?, "colour"?, "duplex_mono"?, "duplex_colour"?} with
/// the same defaults; its "media" (1 to max_media_name_bytes of a-z 0-9 _
/// . -) may be a short name (a4, letter...), stored as its PWG name
/// (pdl::media_of_short_name). Rates are any JSON integers that fit int64
/// (the service checks their range). invalid_argument naming the field.
result<price_list_record> parse_new_price_list(std::string_view body);
/// PATCH /api/v1/prices/{name}: at least one field; "name" and "origin"
/// are refused. "sizes" replaces every size entry ([] removes them all).
result<price_list_patch> parse_price_list_patch(std::string_view body);
/// POST /api/v1/projects: a project record with origin api. "name" is
/// required; "description" (check as location) defaults to "", "groups"
/// (at most max_user_groups names valid as user names, none twice; not
/// "*", as in the file) to none: every user may charge it.
result<project_record> parse_new_project(std::string_view body);
/// PATCH /api/v1/projects/{name}: at least one field; "name" and "origin"
/// are refused.
result<project_patch> parse_project_patch(std::string_view body);

/// One price list record.
std::string price_list_record_json(const price_list_record& l);
/// {"prices": [price list record...]} in the order given.
std::string price_list_list_json(const std::vector<price_list_record>& lists);
/// One project record.
std::string project_record_json(const project_record& p);
/// {"projects": [...]} in the order given: the records whole when `full`
/// (administrators), else only each one's "name" and "description" (what
/// a user who may charge it needs to choose it).
std::string project_list_json(const std::vector<project_record>& projects, bool full);

/// True for "day", "week", "month" and "year": a quota's periods.
bool valid_quota_period(std::string_view period) noexcept;
/// POST /api/v1/quotas: a quota record with origin api. "name" and
/// "sheets" (an integer in 1..max_quota_sheets) are required; "period"
/// (valid_quota_period) defaults to "month"; "groups" (at most
/// max_user_groups names valid as user names, none twice; "*" is every
/// user) and "users" (at most max_quota_users user names, none twice; not
/// "*") to none, but not both: a quota applies to someone.
/// invalid_argument naming the field.
result<quota_record> parse_new_quota(std::string_view body);
/// PATCH /api/v1/quotas/{name}: at least one field; "name" and "origin"
/// are refused. "groups" and "users" each replace the record's; a patch
/// that empties both is refused here, one that empties the only one the
/// record has is the service's to refuse.
result<quota_patch> parse_quota_patch(std::string_view body);
/// One quota record.
std::string quota_record_json(const quota_record& q);
/// {"quotas": [quota record...]} in the order given.
std::string quota_list_json(const std::vector<quota_record>& quotas);

}  // namespace quire::web
