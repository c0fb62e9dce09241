// Usage reports: the query, the tally of ledger charges by each dimension,
// and the JSON and CSV they are written as.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "web/report.hpp"

using namespace quire;
using namespace quire::web;

namespace {

constexpr int64_t day = 86400000;
constexpr int64_t nov1 = 1761955200000;  // 2025-11-01T00:00:00Z

ledger_entry charge(std::string owner, std::string printer, uint64_t pages, int64_t cost, int64_t time_ms,
                    std::string project = {}) {
  ledger_entry e;
  e.account = project.empty() ? owner : "project:" + project;
  e.kind = ledger_kind::charge;
  e.owner = std::move(owner);
  e.printer = std::move(printer);
  e.project = std::move(project);
  e.pages = pages;
  e.sheets = pages;
  e.colour_sheets = pages / 2;
  e.amount = -cost;
  e.time_ms = time_ms;
  return e;
}

usage_report tally(report_by by, const std::vector<ledger_entry>& entries) {
  report_query q{nov1, nov1 + 30 * day, by, false};
  usage_tally t(q, [](const std::string& user) {
    if (user == "alice") return std::vector<std::string>{"students", "physics"};
    if (user == "bob") return std::vector<std::string>{"students"};
    return std::vector<std::string>{};
  });
  for (const auto& e : entries) t.add(e);
  return std::move(t).finish({"EUR", 2});
}

const std::vector<ledger_entry> sample = {
    charge("alice", "lab1", 10, 100, nov1 + 1000),
    charge("alice", "lab2", 4, 40, nov1 + day + 5),
    charge("bob", "lab1", 2, 20, nov1 + 2 * day, "thesis"),
    charge("carol", "lab1", 1, 10, nov1 + 29 * day + day - 1),
    charge("alice", "lab1", 100, 1000, nov1 - 1),       // before the period
    charge("alice", "lab1", 100, 1000, nov1 + 30 * day),  // after it
};

}  // namespace

TEST_CASE("report: charges in the period, by user, printer, project, day and month") {
  auto by_user = tally(report_by::user, sample);
  REQUIRE(by_user.rows.size() == 3);
  CHECK(by_user.rows[0].key == "alice");
  CHECK(by_user.rows[0].jobs == 2);
  CHECK(by_user.rows[0].pages == 14);
  CHECK(by_user.rows[0].cost == 140);
  CHECK(by_user.total.pages == 17);
  CHECK(by_user.total.cost == 170);
  CHECK(by_user.total.jobs == 4);

  auto by_printer = tally(report_by::printer, sample);
  REQUIRE(by_printer.rows.size() == 2);
  CHECK(by_printer.rows[0].key == "lab1");
  CHECK(by_printer.rows[0].pages == 13);

  auto by_project = tally(report_by::project, sample);
  REQUIRE(by_project.rows.size() == 2);
  CHECK(by_project.rows[0].key == "(none)");
  CHECK(by_project.rows[1].key == "thesis");
  CHECK(by_project.rows[1].cost == 20);

  auto by_day = tally(report_by::day, sample);
  REQUIRE(by_day.rows.size() == 4);
  CHECK(by_day.rows[0].key == "2025-11-01");
  CHECK(by_day.rows[3].key == "2025-11-30");
  auto by_month = tally(report_by::month, sample);
  REQUIRE(by_month.rows.size() == 1);
  CHECK(by_month.rows[0].key == "2025-11");
  CHECK(by_month.rows[0].pages == 17);
}

TEST_CASE("report: by group a user counts in each group, the total once, top-ups and refunds never") {
  auto entries = sample;
  ledger_entry topup;
  topup.account = "alice";
  topup.kind = ledger_kind::topup;
  topup.amount = 5000;
  topup.time_ms = nov1 + 10;
  entries.push_back(topup);
  ledger_entry refund = topup;
  refund.kind = ledger_kind::refund;
  entries.push_back(refund);
  auto r = tally(report_by::group, entries);
  REQUIRE(r.rows.size() == 3);
  CHECK(r.rows[0].key == "(none)");  // carol
  CHECK(r.rows[1].key == "physics");
  CHECK(r.rows[1].pages == 14);
  CHECK(r.rows[2].key == "students");
  CHECK(r.rows[2].pages == 16);
  CHECK(r.total.pages == 17);
  CHECK(r.total.cost == 170);
}

TEST_CASE("report: the query") {
  int64_t now = nov1 + 10 * day + 12345;
  auto d = parse_report_query("", now);
  REQUIRE(d.ok());
  CHECK(d->to_ms == nov1 + 11 * day);
  CHECK(d->from_ms == nov1 - 19 * day);
  CHECK(d->by == report_by::user);
  CHECK_FALSE(d->csv);
  auto q = parse_report_query("from=2025-11-01&to=2025-11-30&by=printer&format=csv", now);
  REQUIRE(q.ok());
  CHECK(q->from_ms == nov1);
  CHECK(q->to_ms == nov1 + 30 * day);
  CHECK(q->by == report_by::printer);
  CHECK(q->csv);
  for (const char* bad : {"from=2025-13-01", "from=2025-11-31", "to=yesterday", "by=colour", "format=xml",
                          "from=2025-11-02&to=2025-11-01", "from=1990-01-01&to=2025-01-01", "limit=5",
                          "by=user&by=printer", "from=2025-1-01"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_report_query(bad, now).ok());
  }
}

TEST_CASE("report: JSON, and CSV that a spreadsheet cannot be tricked by") {
  auto entries = sample;
  entries.push_back(charge("=cmd|' /C calc'!A0", "lab,\"1\"", 1, 5, nov1 + 3));
  auto r = tally(report_by::user, entries);
  auto j = nlohmann::json::parse(usage_report_json(r));
  CHECK(j["by"] == "user");
  CHECK(j["from"] == "2025-11-01");
  CHECK(j["to"] == "2025-11-30");
  CHECK(j["total"]["cost_text"] == "1.75 EUR");
  CHECK(j["rows"].size() == 4);
  std::string csv = usage_report_csv(r);
  CHECK(csv.rfind("user,jobs,pages,sheets,colour_sheets,cost,currency\r\n", 0) == 0);
  CHECK(csv.find("\r\nalice,2,14,14,7,1.40,EUR\r\n") != std::string::npos);
  CHECK(csv.find("\r\ntotal,5,18,18,8,1.75,EUR\r\n") != std::string::npos);
  CHECK(csv.find("'=cmd") != std::string::npos);  // not a formula
  auto by_printer = tally(report_by::printer, entries);
  CHECK(usage_report_csv(by_printer).find("\"lab,\"\"1\"\"\"") != std::string::npos);
}
