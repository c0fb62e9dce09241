// What the facets of quirectl_output.hpp share: reading a JSON body
// leniently (a field of the wrong type reads as absent) and laying out
// what a person reads. quirectl_output.cpp (users, jobs, accounting) and
// quirectl_output_printers.cpp (printers), quirectl_output_fleet.cpp
// (printer and queue records) and quirectl_output_prices.cpp (price lists,
// projects and quotas) use it.
//
// This header brings nlohmann-json along, which quirectl_output.hpp keeps
// out: include it from those .cpp files only. Every text read here passes
// through printable().
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quire::quirectl::output_detail {

using json = nlohmann::ordered_json;

/// The JSON of `body`; nullopt when it does not parse.
std::optional<json> parse_json(std::string_view body);
/// The string field `key`, printable; "" when absent or not a string.
std::string text_of(const json& j, const char* key);
/// The boolean field `key`; false when absent or not a boolean.
bool bool_of(const json& j, const char* key);
/// The unsigned field `key` in decimal; "?" when absent or not one.
std::string count_of(const json& j, const char* key);
/// Display width in code points (enough for names; no East Asian widths).
size_t width(std::string_view s);
/// "yes" or "no".
const char* yes_no(bool b);
/// The objects of the array `key` of every page (other items skipped).
std::vector<json> items_of(const std::vector<std::string>& pages, const char* key);
/// Rows in columns two spaces apart, the first row the heading; `none` when
/// there is no other row.
std::string format_table(const std::vector<std::vector<std::string>>& rows, const char* none);
/// Drops the blanks a "field: value" line ends with when its value is empty.
std::string tidy_lines(const std::string& out);
/// The "field: value" lines of a printer record's settings (device uri,
/// language, model, price list, origin), as printers show and printers
/// add/set print them (quirectl_output_fleet.cpp).
std::string printer_record_lines(const json& record);

}  // namespace quire::quirectl::output_detail
