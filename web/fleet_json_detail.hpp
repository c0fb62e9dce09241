// What the facets of fleet_json.hpp share (internal to web/):
// fleet_json.cpp (printers and queues) and fleet_json_prices.cpp (price
// lists and projects) read their bodies by the same rules: text fields
// without control characters, "origin" refused, "name" fixed in a patch,
// and messages that name the field and never quote its value.
//
// This header brings nlohmann-json along (api_json_detail.hpp): include it
// from those .cpp files only.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "storage/records.hpp"
#include "web/api_json_detail.hpp"

namespace quire::web::fleet_json_detail {

using json_detail::json;
using json_detail::ordered_json;

/// What a bad name is told: " must be 1 to 64 of A-Z a-z 0-9 _ . -".
inline constexpr const char* name_rule = " must be 1 to 64 of A-Z a-z 0-9 _ . -";

/// "config" or "api".
const char* to_string(record_origin o) noexcept;
/// `field "key"` followed by `rule`.
std::string field_message(const char* key, const char* rule);
/// True when `s` holds a C0 control character or DEL.
bool has_control(std::string_view s);
/// A text field: at most max_fleet_text_bytes, no control characters;
/// empty unless `nonempty`. invalid_argument naming `key` otherwise.
status check_text(const char* key, const std::string& v, bool nonempty);
/// The optional boolean `key` of `obj` into `out`.
status optional_bool(const json& obj, const char* key, std::optional<bool>& out);
/// A patch's "name" and "origin" are refused: "name" names the record
/// (`what`, "printer", says which kind to remove and add again), "origin"
/// is the server's.
status refuse_fixed_fields(const json& obj, const char* what);
/// A create's keys: "origin" refused as the server's, then check_keys.
status check_fleet_keys(const json& obj, std::initializer_list<std::string_view> known);

/// The optional string `key` of `obj` into `out`, checked by `check`
/// (a callable taking the value and answering a status).
template <class Check>
status optional_string(const json& obj, const char* key, std::optional<std::string>& out, Check check) {
  auto s = json_detail::find_string(obj, key);
  if (!s.ok()) return s.err();
  if (!*s) return {};
  if (auto c = check(**s)) return c;
  out = **s;
  return {};
}

}  // namespace quire::web::fleet_json_detail
