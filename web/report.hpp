// Usage reports: pages and cost per user, group, printer, project, day or
// month over a period, from the ledger's charges, as JSON or CSV
// (GET /api/v1/reports/usage, administrators; admin_api.hpp).
//
// What counts: every charge entry (one per release of a job, the owner or
// the project paying) whose time is in the period. Refunds, top-ups and
// adjustments are money moves, not printing, and are left out; a job
// printed twice counts twice. By group, a user in several groups counts in
// each (the groups as they are now), and one in none under "(none)".
//
// Pure: usage_tally adds entries one at a time (the server's scan feeds it,
// never holding the ledger), then gives the rows sorted by key.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"
#include "storage/accounts.hpp"
#include "web/job_service.hpp"
#include "web/user_service.hpp"

namespace quire::web {

enum class report_by : uint8_t { user, group, printer, project, day, month };
/// "user", "group", "printer", "project", "day", "month".
const char* to_string(report_by b) noexcept;

struct report_query {
  int64_t from_ms = 0;  // inclusive, UTC midnight
  int64_t to_ms = 0;    // exclusive, UTC midnight after the last day
  report_by by = report_by::user;
  bool csv = false;
};

/// from=YYYY-MM-DD&to=YYYY-MM-DD (UTC days, both included; defaults: the
/// 30 days up to today), by=..., format=json|csv. At most 3660 days.
/// invalid_argument saying which parameter is wrong.
result<report_query> parse_report_query(std::string_view query, int64_t now_ms);

struct report_row {
  std::string key;  // the user, group, printer, project, "2026-11-24" or "2026-11"
  uint64_t jobs = 0;  // charged releases
  uint64_t pages = 0;
  uint64_t sheets = 0;
  uint64_t colour_sheets = 0;
  int64_t cost = 0;  // in the currency's minor units, positive
};

struct usage_report {
  report_query query;
  std::vector<report_row> rows;  // sorted by key
  report_row total;              // key "total"; by group: each charge once
  money_format money;
};

class usage_tally {
 public:
  /// `groups_of` names a user's groups (by=group only).
  usage_tally(report_query q, std::function<std::vector<std::string>(const std::string&)> groups_of = {});
  /// Counts `e` when it is a charge within the period.
  void add(const ledger_entry& e);
  usage_report finish(money_format money) &&;

 private:
  report_query q_;
  std::function<std::vector<std::string>(const std::string&)> groups_of_;
  std::map<std::string, report_row> rows_;
  report_row total_;
};

/// {"from","to","by","currency","minor_digits","rows":[{"key","jobs","pages",
/// "sheets","colour_sheets","cost","cost_text"}],"total":{...}}.
std::string usage_report_json(const usage_report& r);
/// RFC 4180 CSV: a heading line, one line per row, then "total"; cost in
/// major units ("12.40") with a currency column. A field that a spreadsheet
/// would read as a formula (=, +, -, @ first) is prefixed with '.
std::string usage_report_csv(const usage_report& r);

using usage_report_callback = std::function<void(result<usage_report>)>;

/// What the admin API needs to make a report (the server scans the ledger
/// off the HTTP loop: actors/report_service_adapter.hpp).
class report_service {
 public:
  virtual ~report_service() = default;
  virtual void usage(const principal& by, report_query q, usage_report_callback cb) = 0;
};

}  // namespace quire::web
