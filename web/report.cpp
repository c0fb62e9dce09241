#include "web/report.hpp"

#include <charconv>
#include <chrono>

#include "web/api_json_detail.hpp"
#include "web/api_request.hpp"

namespace quire::web {

using namespace json_detail;

namespace {

constexpr int64_t day_ms = 86400000;

// "YYYY-MM-DD" -> UTC midnight in ms; false for anything else.
bool parse_day(std::string_view s, int64_t& out) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  int y = 0;
  unsigned m = 0, d = 0;
  auto num = [&](size_t at, size_t n, auto& v) {
    auto [end, ec] = std::from_chars(s.data() + at, s.data() + at + n, v);
    return ec == std::errc() && end == s.data() + at + n;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return false;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok() || y < 1970) return false;
  out = std::chrono::sys_days(ymd).time_since_epoch().count() * day_ms;
  return true;
}

std::string day_key(int64_t ms, bool month) {
  auto days = std::chrono::sys_days(std::chrono::days(ms / day_ms));
  std::chrono::year_month_day ymd(days);
  char buf[16];
  if (month)
    std::snprintf(buf, sizeof buf, "%04d-%02u", int(ymd.year()), unsigned(ymd.month()));
  else
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()));
  return buf;
}

void count(report_row& r, const ledger_entry& e) {
  r.jobs += 1;
  r.pages += e.pages;
  r.sheets += e.sheets;
  r.colour_sheets += e.colour_sheets;
  r.cost += -e.amount;
}

ordered_json row_object(const report_row& r, const money_format& money) {
  ordered_json j;
  j["key"] = r.key;
  j["jobs"] = r.jobs;
  j["pages"] = r.pages;
  j["sheets"] = r.sheets;
  j["colour_sheets"] = r.colour_sheets;
  j["cost"] = r.cost;
  j["cost_text"] = money_text(r.cost, money);
  return j;
}

std::string csv_field(std::string_view s) {
  std::string f(s);
  if (!f.empty() && (f[0] == '=' || f[0] == '+' || f[0] == '-' || f[0] == '@')) f.insert(f.begin(), '\'');
  if (f.find_first_of(",\"\r\n") == std::string::npos) return f;
  std::string q = "\"";
  for (char c : f) {
    if (c == '"') q.push_back('"');
    q.push_back(c);
  }
  q.push_back('"');
  return q;
}

// An amount in major units without the currency: "12.40".
std::string major_units(int64_t amount, uint32_t digits) {
  bool negative = amount < 0;
  uint64_t a = negative ? uint64_t(0) - uint64_t(amount) : uint64_t(amount);
  uint64_t scale = 1;
  for (uint32_t i = 0; i < digits; ++i) scale *= 10;
  std::string out(negative ? "-" : "");
  out.append(std::to_string(a / scale));
  if (digits > 0) {
    std::string frac = std::to_string(a % scale);
    out.append(".").append(std::string(digits - frac.size(), '0')).append(frac);
  }
  return out;
}

}  // namespace

const char* to_string(report_by b) noexcept {
  switch (b) {
    case report_by::user: return "user";
    case report_by::group: return "group";
    case report_by::printer: return "printer";
    case report_by::project: return "project";
    case report_by::day: return "day";
    case report_by::month: return "month";
  }
  return "?";
}

result<report_query> parse_report_query(std::string_view query, int64_t now_ms) {
  auto params = parse_query(query);
  if (!params.ok()) return params.err();
  report_query q;
  int64_t today = now_ms - now_ms % day_ms;
  q.to_ms = today + day_ms;
  q.from_ms = q.to_ms - 30 * day_ms;
  bool from_given = false, to_given = false, by_given = false, format_given = false;
  for (const auto& p : *params) {
    auto twice = [&](bool& given) {
      bool was = given;
      given = true;
      return was;
    };
    if (p.name == "from") {
      if (twice(from_given) || !parse_day(p.value, q.from_ms)) return bad("from must be one date, YYYY-MM-DD");
    } else if (p.name == "to") {
      if (twice(to_given) || !parse_day(p.value, q.to_ms)) return bad("to must be one date, YYYY-MM-DD");
      q.to_ms += day_ms;  // the last day is included
    } else if (p.name == "by") {
      bool ok = false;
      for (auto b : {report_by::user, report_by::group, report_by::printer, report_by::project, report_by::day,
                     report_by::month})
        if (p.value == to_string(b)) q.by = b, ok = true;
      if (twice(by_given) || !ok) return bad("by must be user, group, printer, project, day or month");
    } else if (p.name == "format") {
      if (twice(format_given) || (p.value != "json" && p.value != "csv")) return bad("format must be json or csv");
      q.csv = p.value == "csv";
    } else {
      return bad("unknown query parameter (use from, to, by, format)");
    }
  }
  if (from_given && !to_given && q.from_ms >= q.to_ms) q.to_ms = q.from_ms + 30 * day_ms;
  if (q.from_ms >= q.to_ms) return bad("from must not be after to");
  if (q.to_ms - q.from_ms > 3660 * day_ms) return bad("a report covers at most 3660 days");
  return q;
}

usage_tally::usage_tally(report_query q, std::function<std::vector<std::string>(const std::string&)> groups_of)
    : q_(q), groups_of_(std::move(groups_of)) {
  total_.key = "total";
}

void usage_tally::add(const ledger_entry& e) {
  if (e.kind != ledger_kind::charge || e.time_ms < q_.from_ms || e.time_ms >= q_.to_ms) return;
  count(total_, e);
  auto row = [&](const std::string& key) -> report_row& {
    auto& r = rows_[key];
    r.key = key;
    return r;
  };
  switch (q_.by) {
    case report_by::user: return count(row(e.owner), e);
    case report_by::printer: return count(row(e.printer.empty() ? "(none)" : e.printer), e);
    case report_by::project: return count(row(e.project.empty() ? "(none)" : e.project), e);
    case report_by::day: return count(row(day_key(e.time_ms, false)), e);
    case report_by::month: return count(row(day_key(e.time_ms, true)), e);
    case report_by::group: {
      auto groups = groups_of_ ? groups_of_(e.owner) : std::vector<std::string>{};
      if (groups.empty()) return count(row("(none)"), e);
      for (const auto& g : groups) count(row(g), e);
      return;
    }
  }
}

usage_report usage_tally::finish(money_format money) && {
  usage_report r;
  r.query = q_;
  r.money = std::move(money);
  r.total = total_;
  for (auto& [key, row] : rows_) r.rows.push_back(std::move(row));
  return r;
}

std::string usage_report_json(const usage_report& r) {
  ordered_json j;
  j["from"] = day_key(r.query.from_ms, false);
  j["to"] = day_key(r.query.to_ms - day_ms, false);
  j["by"] = to_string(r.query.by);
  add_money_format(j, r.money);
  ordered_json rows = ordered_json::array();
  for (const auto& row : r.rows) rows.push_back(row_object(row, r.money));
  j["rows"] = std::move(rows);
  j["total"] = row_object(r.total, r.money);
  return dump(j);
}

std::string usage_report_csv(const usage_report& r) {
  std::string out = std::string(to_string(r.query.by)) + ",jobs,pages,sheets,colour_sheets,cost,currency\r\n";
  auto line = [&](const report_row& row) {
    out.append(csv_field(row.key)).append(",").append(std::to_string(row.jobs)).append(",");
    out.append(std::to_string(row.pages)).append(",").append(std::to_string(row.sheets)).append(",");
    out.append(std::to_string(row.colour_sheets)).append(",");
    out.append(major_units(row.cost, r.money.minor_digits)).append(",").append(csv_field(r.money.currency));
    out.append("\r\n");
  };
  for (const auto& row : r.rows) line(row);
  line(r.total);
  return out;
}

}  // namespace quire::web
