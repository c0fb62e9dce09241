// The directory facet of quirectl_output.hpp: the directory sync's state
// and its last report as a person reads them, and what directory sync
// --wait makes of each answer it polls.
#include <algorithm>
#include <cstdint>

#include "web/api_json.hpp"
#include "web/quirectl_output.hpp"
#include "web/quirectl_output_detail.hpp"

namespace quire::quirectl {

namespace {

using namespace output_detail;

/// The most problems directory status and sync --wait list.
constexpr size_t max_problem_lines = 20;

std::optional<int64_t> int_of(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return it->get<int64_t>();
}

// A time the API gives in milliseconds, as RFC 3339; `none` for 0 or none.
std::string time_of(const json& j, const char* key, const char* none) {
  auto ms = int_of(j, key);
  std::string t = ms ? web::rfc3339_utc(*ms) : std::string();
  return t.empty() ? none : t;
}

const json* object_at(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? &*it : nullptr;
}

std::string report_lines(const json& r) {
  std::string out = std::string("last sync:  ") + (bool_of(r, "full") ? "full" : "incremental") + ", " +
                    time_of(r, "started_ms", "?") + " to " + time_of(r, "finished_ms", "?") + "\n";
  out += "  read:     " + count_of(r, "users_read") + " users, " + count_of(r, "groups_read") + " groups\n";
  out += "  users:    " + count_of(r, "created") + " created, " + count_of(r, "updated") + " updated, " +
         count_of(r, "unchanged") + " unchanged, " + count_of(r, "gone") + " gone, " + count_of(r, "returned") +
         " returned\n";
  out += "  cards:    " + count_of(r, "cards_added") + " added, " + count_of(r, "cards_removed") + " removed\n";
  std::string err = text_of(r, "error");
  if (!err.empty()) out += "  error:    " + err + "\n";
  std::vector<std::string> problems;
  if (auto it = r.find("problems"); it != r.end() && it->is_array())
    for (const auto& p : *it)
      if (p.is_string()) problems.push_back(printable(p.get<std::string>()));
  uint64_t count = problems.size();
  if (auto it = r.find("problem_count"); it != r.end() && it->is_number_unsigned())
    count = std::max(count, it->get<uint64_t>());
  if (count == 0) return out;
  out += "  problems: " + std::to_string(count) + "\n";
  size_t shown = std::min(problems.size(), max_problem_lines);
  for (size_t i = 0; i < shown; ++i) out += "    " + problems[i] + "\n";
  if (count > shown) out += "    ... " + std::to_string(count - shown) + " more\n";
  return out;
}

}  // namespace

std::string sync_report_lines(std::string_view directory_body) {
  auto parsed = parse_json(directory_body);
  if (!parsed || !parsed->is_object()) return printable(directory_body) + "\n";
  const json* last = object_at(*parsed, "last");
  return last ? report_lines(*last) : "last sync:  none yet\n";
}

std::string directory_details(std::string_view directory_body) {
  auto parsed = parse_json(directory_body);
  if (!parsed || !parsed->is_object()) return printable(directory_body) + "\n";
  const json& d = *parsed;
  std::string out;
  out += "directory:  " + text_of(d, "url") + "\n";
  out += "base dn:    " + text_of(d, "base_dn") + "\n";
  if (bool_of(d, "running"))
    out += std::string("running:    yes (") + (bool_of(d, "running_full") ? "full" : "incremental") + ", since " +
           time_of(d, "started_ms", "?") + ", " + count_of(d, "entries_read") + " entries read)\n";
  else
    out += "running:    no\n";
  const json* last = object_at(d, "last");
  out += last ? report_lines(*last) : "last sync:  none yet\n";
  out += "last full:  " + time_of(d, "last_full_ms", "never") + "\n";
  out += "next sync:  " + time_of(d, "next_ms", "-") + "\n";
  out += "watermark:  " + text_of(d, "watermark") + "\n";
  return tidy_lines(out);
}

std::string sync_error(std::string_view directory_body) {
  auto parsed = parse_json(directory_body);
  if (!parsed || !parsed->is_object()) return {};
  const json* last = object_at(*parsed, "last");
  return last ? text_of(*last, "error") : std::string();
}

std::optional<bool> sync_started(std::string_view started_body) {
  auto parsed = parse_json(started_body);
  if (!parsed || !parsed->is_object()) return std::nullopt;
  auto it = parsed->find("started");
  if (it == parsed->end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

std::string sync_started_line(const invocation& inv, std::string_view started_body) {
  auto started = sync_started(started_body);
  if (!started) return printable(started_body) + "\n";
  const char* kind = inv.full ? "full" : "incremental";
  if (*started) return std::string(kind) + " directory sync started\n";
  if (inv.full) return "a directory sync is running already; the full sync runs after it\n";
  return "a directory sync is running already\n";
}

int directory_output(const invocation& inv, std::string_view body, std::string& out, std::string& err) {
  if (inv.json)
    out = printable(body) + "\n";
  else if (inv.what == action::directory_status)
    out = directory_details(body);
  else
    out = inv.wait ? sync_report_lines(body) : sync_started_line(inv, body);
  if (inv.what != action::directory_sync || !inv.wait) return exit_ok;
  // The report of the sync waited for: a failed one fails the command.
  std::string failed = sync_error(body);
  if (failed.empty()) return exit_ok;
  err = "quirectl: the directory sync failed: " + failed + "\n";
  return exit_refused;
}

sync_wait sync_wait_state(std::string_view directory_body, int64_t since_ms) {
  auto parsed = parse_json(directory_body);
  if (!parsed || !parsed->is_object()) return sync_wait::unreadable;
  const json& d = *parsed;
  auto running = d.find("running");
  if (running == d.end() || !running->is_boolean()) return sync_wait::unreadable;
  if (running->get<bool>()) return sync_wait::pending;
  const json* last = object_at(d, "last");
  if (!last) return sync_wait::pending;
  auto started = int_of(*last, "started_ms");
  return started && *started >= since_ms ? sync_wait::done : sync_wait::pending;
}

}  // namespace quire::quirectl
