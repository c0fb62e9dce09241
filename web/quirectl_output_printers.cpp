// The printer facet of quirectl_output.hpp: printers, their devices and
// their page counters as a person reads them.
#include <cstdint>
#include <optional>

#include "web/api_json.hpp"
#include "web/quirectl_output.hpp"
#include "web/quirectl_output_detail.hpp"

namespace quire::quirectl {

namespace {

using namespace output_detail;

std::optional<int64_t> int_of(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return it->get<int64_t>();
}

// A time the API gives in milliseconds, as RFC 3339; "-" without one.
std::string time_of(const json& j, const char* key) {
  auto ms = int_of(j, key);
  std::string t = ms ? web::rfc3339_utc(*ms) : std::string();
  return t.empty() ? "-" : t;
}

std::string joined(const json& j, const char* key) {
  std::string out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& r : *it)
    if (r.is_string()) out += (out.empty() ? "" : ", ") + printable(r.get<std::string>());
  return out;
}

const json* device_of(const json& p) {
  auto it = p.find("device");
  return it != p.end() && it->is_object() ? &*it : nullptr;
}

std::vector<json> array_of(const json* j, const char* key) {
  std::vector<json> out;
  if (!j) return out;
  auto it = j->find(key);
  if (it == j->end() || !it->is_array()) return out;
  for (const auto& e : *it)
    if (e.is_object()) out.push_back(e);
  return out;
}

// A supply's level for people: "15%", or what the device's special value
// means.
std::string level_text(const json& s) {
  if (auto p = int_of(s, "percent")) return std::to_string(*p) + "%";
  switch (int_of(s, "level").value_or(-2)) {
    case -1: return "unlimited";
    case -3: return "some";
    case 0: return "0";
    default: return "unknown";
  }
}

// The consumed supply with the lowest level ("Black Toner 15%"); one that
// is empty without a percent counts as 0. "-" when none tells its level.
std::string lowest_supply(const json* device) {
  std::optional<int64_t> lowest;
  std::string out = "-";
  for (const auto& s : array_of(device, "supplies")) {
    if (text_of(s, "kind") != "consumed") continue;
    auto p = int_of(s, "percent");
    if (!p && text_of(s, "state") == "empty") p = 0;
    if (!p || (lowest && *p >= *lowest)) continue;
    lowest = p;
    out = text_of(s, "description") + " " + (text_of(s, "state") == "empty" ? "empty" : std::to_string(*p) + "%");
  }
  return out;
}

// `rows` (a heading first) as a table indented under a "field:" line.
std::string indented(const std::vector<std::vector<std::string>>& rows) {
  std::string table = format_table(rows, "");
  std::string out;
  for (size_t at = 0; at < table.size();) {
    size_t eol = table.find('\n', at);
    out.append("  ").append(table, at, eol - at).push_back('\n');
    at = eol + 1;
  }
  return out;
}

std::string device_lines(const json* d) {
  if (!d || !bool_of(*d, "monitored")) return "monitored:     no\n";
  std::string out = "monitored:     yes\n";
  out += "online:        " + std::string(yes_no(bool_of(*d, "online"))) + "\n";
  out += "last seen:     " + time_of(*d, "last_seen_ms") + "\n";
  out += "address:       " + text_of(*d, "address") + "\n";
  out += "description:   " + text_of(*d, "description") + "\n";
  out += "device name:   " + text_of(*d, "name") + "\n";
  out += "serial:        " + text_of(*d, "serial") + "\n";
  auto count = int_of(*d, "life_count");
  out += "page count:    " + (count ? std::to_string(*count) : std::string("-")) + "\n";
  out += "device state:  " + text_of(*d, "device_state") + "\n";
  out += "printer state: " + text_of(*d, "printer_state") + "\n";
  auto supplies = array_of(d, "supplies");
  if (supplies.empty()) {
    out += "supplies:      none\n";
  } else {
    std::vector<std::vector<std::string>> rows = {{"DESCRIPTION", "KIND", "LEVEL", "STATE"}};
    for (const auto& s : supplies)
      rows.push_back({text_of(s, "description"), text_of(s, "kind"), level_text(s), text_of(s, "state")});
    out += "supplies:\n" + indented(rows);
  }
  auto alerts = array_of(d, "alerts");
  if (alerts.empty()) {
    out += "alerts:        none\n";
  } else {
    std::vector<std::vector<std::string>> rows = {{"SEVERITY", "CODE", "GROUP", "DESCRIPTION"}};
    for (const auto& a : alerts) {
      auto code = int_of(a, "code");
      auto group = int_of(a, "group");
      rows.push_back({text_of(a, "severity"), code ? std::to_string(*code) : "?",
                      group ? std::to_string(*group) : "?", text_of(a, "description")});
    }
    out += "alerts:\n" + indented(rows);
  }
  if (bool_of(*d, "truncated")) out += "(the device has more rows than the server keeps: some are not shown)\n";
  return out;
}

}  // namespace

std::string printer_table(std::string_view printers_body) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "STATE", "REASONS", "ONLINE", "PAGES", "LOWEST SUPPLY"}};
  for (const auto& p : items_of({std::string(printers_body)}, "printers")) {
    const json* d = device_of(p);
    bool monitored = d && bool_of(*d, "monitored");
    std::string reasons = joined(p, "reasons");
    auto count = d ? int_of(*d, "life_count") : std::nullopt;
    rows.push_back({text_of(p, "name"), text_of(p, "state"), reasons.empty() ? "-" : reasons,
                    monitored ? yes_no(bool_of(*d, "online")) : "-", count ? std::to_string(*count) : "-",
                    lowest_supply(d)});
  }
  return format_table(rows, "(no printers)");
}

std::string printer_details(std::string_view printer_body) {
  auto parsed = parse_json(printer_body);
  if (!parsed || !parsed->is_object()) return printable(printer_body) + "\n";
  const json& p = *parsed;
  std::string reasons = joined(p, "reasons");
  std::string out;
  out += "name:          " + text_of(p, "name") + "\n";
  out += "location:      " + text_of(p, "location") + "\n";
  out += "info:          " + text_of(p, "info") + "\n";
  out += "state:         " + text_of(p, "state") + "  " + text_of(p, "state_message") + "\n";
  out += "reasons:       " + (reasons.empty() ? std::string("none") : reasons) + "\n";
  out += "queued:        " + count_of(p, "queued") + "\n";
  out += "delivered:     " + count_of(p, "delivered") + "\n";
  if (auto it = p.find("settings"); it != p.end() && it->is_object()) out += printer_record_lines(*it);
  out += device_lines(device_of(p));
  return tidy_lines(out);
}

std::string counters_table(std::string_view counters_body) {
  std::vector<std::vector<std::string>> rows = {{"TIME", "PAGES", "SERIAL", "DELIVERED"}};
  for (const auto& c : items_of({std::string(counters_body)}, "counters"))
    rows.push_back({time_of(c, "time_ms"), count_of(c, "life_count"), text_of(c, "serial"), count_of(c, "delivered")});
  return format_table(rows, "(no counter snapshots)");
}

}  // namespace quire::quirectl
