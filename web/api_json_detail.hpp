// What the JSON facets of both REST APIs share: api_json*.cpp (the admin
// API) and terminal_json*.cpp (the terminal API). Reading a request body by
// the rules api_json.hpp states (one object, UTF-8, depth, no key twice, no
// unknown key, one type per field); the checks both APIs apply to the same
// kind of credential; and the pieces every response is built from.
//
// This header brings nlohmann-json along, which the public headers keep
// out: include it from those .cpp files only. Error messages built here say
// which field is wrong and why, never what it held.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "protocols/result.hpp"
#include "web/api_json.hpp"

namespace quire::web::json_detail {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

/// invalid_argument with `message`.
error bad(std::string message);

// ---- Reading a request body ----

/// check_json_body()'s checks, then the body's tree into `out`.
/// invalid_argument saying which check failed, never quoting the body.
status parse_object(std::string_view body, json& out);

/// A parsed body whose strings are overwritten before it is freed: a
/// password, card id or PIN should not linger in freed memory.
struct scrubbed {
  json value;
  ~scrubbed();
};

/// A field name as sent, quoted only when it cannot carry anything but a
/// field name (a client that puts a secret in a key does not see it back).
std::string field_label(const std::string& key);
/// The first key of `obj` that is not in `known`, or nullptr.
const std::string* unknown_key(const json& obj, std::initializer_list<std::string_view> known);
/// invalid_argument "unknown field ..." for the first key not in `known`.
status check_keys(const json& obj, std::initializer_list<std::string_view> known);
/// The string field `key`: nullptr when absent, invalid_argument when it is
/// not a string. The pointer lives as long as `obj`.
result<const std::string*> find_string(const json& obj, const char* key);
/// The string field `key` into `out`; invalid_argument when absent or not
/// a string.
status required_string(const json& obj, const char* key, std::string& out);

// ---- Credentials, as both APIs accept them ----

/// True when every character is an ASCII digit ("" too).
bool all_digits(std::string_view s) noexcept;
/// 1 to max_password_bytes bytes, no 0 byte.
status check_password(const std::string& password);
/// 1 to limits.max_card_id_chars printable ASCII characters without
/// spaces; the message names the field, "card_id" or "card".
status check_card_id(const char* field, const std::string& card, const credential_limits& limits);
/// The field "pin": limits.min_pin_digits to max_pin_digits ASCII digits.
status check_pin(const std::string& pin, const credential_limits& limits);

// ---- Writing a response ----

/// The JSON text of `j`. Stored text is validated UTF-8, but a response
/// must never throw: bytes that are not UTF-8 become U+FFFD.
std::string dump(const ordered_json& j);
/// rfc3339_utc(ms), or null for an absent time.
ordered_json time_or_null(int64_t ms);
/// An amount for people: pdl::format_money, "0.60 EUR".
std::string money_text(int64_t amount, const money_format& money);
/// Adds "currency" and "minor_digits" (where `j`'s fields stand so far).
void add_money_format(ordered_json& j, const money_format& money);
/// {"sheets_left", "resets" (time_or_null)} when a quota applies, else null.
ordered_json quota_or_null(bool has_quota, int64_t sheets_left, int64_t period_end_ms);

}  // namespace quire::web::json_detail
