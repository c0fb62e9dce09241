#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <limits>

#include "actors/account_rules.hpp"

using namespace quire;

namespace {

constexpr int64_t i64_max = std::numeric_limits<int64_t>::max();
constexpr int64_t i64_min = std::numeric_limits<int64_t>::min();

// Wall-clock ms of a UTC date and time, through <chrono> (not the code under test).
int64_t utc_ms(int y, unsigned m, unsigned d, int hour = 0, int min = 0, int64_t ms = 0) {
  using namespace std::chrono;
  auto date = sys_days(year(y) / month(m) / day(d));
  return duration_cast<milliseconds>(date.time_since_epoch()).count() + (hour * 60 + min) * 60'000 + ms;
}

account_record make_account(std::string name, int64_t balance) {
  account_record a;
  a.name = std::move(name);
  a.balance = balance;
  a.created_ms = a.updated_ms = 1;
  return a;
}

reserve_request make_reserve(uint64_t job, uint32_t release, int64_t amount, uint64_t sheets = 1) {
  reserve_request q;
  q.r.job_id = job;
  q.r.release_no = release;
  q.r.amount = amount;
  q.r.sheets = sheets;
  q.r.owner = "alice";
  q.r.printed_by = "alice";
  q.r.printer = "lobby";
  return q;
}

settle_request make_settle(uint64_t job, uint32_t release, int64_t amount, uint64_t sheets = 1) {
  settle_request s;
  s.job_id = job;
  s.release_no = release;
  s.amount = amount;
  s.pages = 2 * sheets;
  s.sheets = sheets;
  s.colour_sheets = 0;
  s.owner = "alice";
  s.printed_by = "bob";
  s.printer = "lobby";
  s.price_list = "standard";
  return s;
}

account_context at(int64_t now_ms, quota_rule q = {}) {
  account_context c;
  c.now_ms = now_ms;
  c.quota = q;
  return c;
}

}  // namespace

TEST_CASE("quota periods: keys and ends in UTC") {
  int64_t t = utc_ms(2026, 11, 24, 13, 5);
  CHECK(period_key(quota_period_kind::none, t) == "");
  CHECK(period_end_ms(quota_period_kind::none, t) == 0);
  CHECK(period_key(quota_period_kind::day, t) == "2026-11-24");
  CHECK(period_end_ms(quota_period_kind::day, t) == utc_ms(2026, 11, 25));
  CHECK(period_key(quota_period_kind::week, t) == "2026-W48");
  CHECK(period_end_ms(quota_period_kind::week, t) == utc_ms(2026, 11, 30));  // the next Monday
  CHECK(period_key(quota_period_kind::month, t) == "2026-11");
  CHECK(period_end_ms(quota_period_kind::month, t) == utc_ms(2026, 12, 1));
  CHECK(period_key(quota_period_kind::year, t) == "2026");
  CHECK(period_end_ms(quota_period_kind::year, t) == utc_ms(2027, 1, 1));

  // The last and first millisecond of a period.
  CHECK(period_key(quota_period_kind::day, utc_ms(2026, 11, 24, 23, 59, 59'999)) == "2026-11-24");
  CHECK(period_key(quota_period_kind::day, utc_ms(2026, 11, 25)) == "2026-11-25");
  CHECK(period_key(quota_period_kind::month, utc_ms(2026, 12, 31, 23, 59, 59'999)) == "2026-12");
  CHECK(period_end_ms(quota_period_kind::month, utc_ms(2026, 12, 31)) == utc_ms(2027, 1, 1));
  CHECK(period_key(quota_period_kind::month, utc_ms(2024, 2, 29)) == "2024-02");
  CHECK(period_end_ms(quota_period_kind::month, utc_ms(2024, 2, 29)) == utc_ms(2024, 3, 1));
}

TEST_CASE("quota periods: ISO weeks across the new year") {
  auto week = [](int y, unsigned m, unsigned d) { return period_key(quota_period_kind::week, utc_ms(y, m, d, 12)); };
  CHECK(week(2026, 12, 31) == "2026-W53");  // a Thursday: 2026 has 53 weeks
  CHECK(week(2027, 1, 1) == "2026-W53");
  CHECK(week(2027, 1, 3) == "2026-W53");
  CHECK(week(2027, 1, 4) == "2027-W01");
  CHECK(week(2021, 1, 3) == "2020-W53");
  CHECK(week(2021, 1, 4) == "2021-W01");
  CHECK(week(2024, 12, 30) == "2025-W01");  // a Monday in the next ISO year
  CHECK(week(2025, 1, 6) == "2025-W02");
  CHECK(period_end_ms(quota_period_kind::week, utc_ms(2027, 1, 1, 12)) == utc_ms(2027, 1, 4));
  CHECK(period_end_ms(quota_period_kind::week, utc_ms(2027, 1, 4)) == utc_ms(2027, 1, 11));
  CHECK(period_end_ms(quota_period_kind::week, utc_ms(2027, 1, 3, 23, 59, 59'999)) == utc_ms(2027, 1, 4));
}

TEST_CASE("quota periods: every day from 1990 to 2045 agrees with strftime") {
  char want[32];
  for (int64_t ms = utc_ms(1990, 1, 1, 6); ms < utc_ms(2045, 1, 1); ms += 86'400'000) {
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    ::gmtime_r(&secs, &tm);
    std::strftime(want, sizeof want, "%G-W%V", &tm);
    REQUIRE(period_key(quota_period_kind::week, ms) == want);
    std::strftime(want, sizeof want, "%Y-%m-%d", &tm);
    REQUIRE(period_key(quota_period_kind::day, ms) == want);
    int64_t end = period_end_ms(quota_period_kind::week, ms);
    REQUIRE(end > ms);
    REQUIRE(end - ms <= 7 * 86'400'000);
    REQUIRE(period_key(quota_period_kind::week, end) != period_key(quota_period_kind::week, ms));
    REQUIRE(period_key(quota_period_kind::week, end - 1) == period_key(quota_period_kind::week, ms));
  }
}

TEST_CASE("quota periods: extreme times are held to 1970..9999, names parse") {
  CHECK(period_key(quota_period_kind::day, i64_min) == "1970-01-01");
  CHECK(period_key(quota_period_kind::day, -1) == "1970-01-01");
  CHECK(period_key(quota_period_kind::day, i64_max) == "9999-12-31");
  CHECK(period_key(quota_period_kind::year, i64_max) == "9999");
  CHECK(period_end_ms(quota_period_kind::year, i64_max) == utc_ms(10000, 1, 1));
  CHECK(period_key(quota_period_kind::week, 0) == "1970-W01");

  quota_period_kind k = quota_period_kind::day;
  CHECK(parse_quota_period("month", k));
  CHECK(k == quota_period_kind::month);
  CHECK(parse_quota_period("none", k));
  CHECK(k == quota_period_kind::none);
  CHECK_FALSE(parse_quota_period("Month", k));
  CHECK_FALSE(parse_quota_period("", k));
  CHECK(k == quota_period_kind::none);
}

TEST_CASE("reserve: holds back the price, the same release again changes nothing") {
  auto acc = make_account("alice", 100);
  auto ctx = at(utc_ms(2026, 11, 24));
  auto first = reserve(acc, make_reserve(7, 1, 60), ctx);
  REQUIRE(first.ok());
  CHECK(first->changed);
  CHECK(first->entries.empty());
  REQUIRE(first->next.reservations.size() == 1);
  CHECK(first->next.reservations[0].created_ms == ctx.now_ms);
  CHECK(first->next.updated_ms == ctx.now_ms);
  CHECK(first->next.balance == 100);  // reserved, not charged

  auto later = at(ctx.now_ms + 5000);
  auto again = reserve(first->next, make_reserve(7, 1, 60), later);
  REQUIRE(again.ok());
  CHECK_FALSE(again->changed);
  CHECK(again->next == first->next);

  // A reprint is a new release: a second reservation.
  auto reprint = reserve(first->next, make_reserve(7, 2, 30), later);
  REQUIRE(reprint.ok());
  CHECK(reprint->next.reservations.size() == 2);

  // Other terms for the same release replace the first, checked without it.
  auto dearer = reserve(first->next, make_reserve(7, 1, 90), later);
  REQUIRE(dearer.ok());
  REQUIRE(dearer->next.reservations.size() == 1);
  CHECK(dearer->next.reservations[0].amount == 90);

  CHECK(reserve(acc, make_reserve(0, 1, 1), ctx).err().code == errc::invalid_argument);
  CHECK(reserve(acc, make_reserve(8, 1, -1), ctx).err().code == errc::invalid_argument);
}

TEST_CASE("reserve: refused without enough credit, in the caller's money format") {
  auto acc = make_account("alice", 100);
  auto ctx = at(1000);
  auto held = reserve(acc, make_reserve(1, 1, 80), ctx);
  REQUIRE(held.ok());
  auto refused = reserve(held->next, make_reserve(2, 1, 60), ctx);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.err().code == errc::not_possible);
  CHECK(refused.err().message == "not enough credit: the job costs 60, 20 available");

  ctx.money = [](int64_t v) {
    char out[32];
    std::snprintf(out, sizeof out, "%lld.%02lld EUR", static_cast<long long>(v / 100), static_cast<long long>(v % 100));
    return std::string(out);
  };
  refused = reserve(held->next, make_reserve(2, 1, 60), ctx);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.err().message == "not enough credit: the job costs 0.60 EUR, 0.20 EUR available");

  CHECK(reserve(held->next, make_reserve(2, 1, 20), ctx).ok());  // exactly what is left
  CHECK(reserve(make_account("bob", 0), make_reserve(2, 1, 0), ctx).ok());  // a free job
}

TEST_CASE("reserve: unlimited and project accounts print without credit") {
  auto ctx = at(1000);
  auto postpaid = make_account("alice", -500);
  postpaid.unlimited = true;
  auto r = reserve(postpaid, make_reserve(1, 1, 1000), ctx);
  REQUIRE(r.ok());
  CHECK(r->changed);
  auto project = make_account(account_of_project("physics"), 0);
  CHECK(reserve(project, make_reserve(1, 1, i64_max), ctx).ok());
  // Hostile amounts saturate instead of wrapping.
  auto both = reserve(reserve(postpaid, make_reserve(1, 1, i64_max), ctx)->next, make_reserve(2, 1, i64_max), ctx);
  REQUIRE(both.ok());
  auto a = available(both->next, ctx);
  CHECK(a.reserved == i64_max);
  CHECK(a.available == i64_min);
}

TEST_CASE("reserve: the quota counts used and reserved sheets, and rolls over") {
  quota_rule q{quota_period_kind::month, 100};
  auto ctx = at(utc_ms(2026, 11, 24), q);
  auto acc = make_account("alice", 10'000);
  acc.quota_period = "2026-11";
  acc.quota_used_sheets = 90;
  auto held = reserve(acc, make_reserve(1, 1, 10, 5), ctx);
  REQUIRE(held.ok());
  auto refused = reserve(held->next, make_reserve(2, 1, 10, 6), ctx);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.err().code == errc::not_possible);
  CHECK(refused.err().message.find("print quota reached: 5 of 100 sheets left this month") == 0);
  CHECK(reserve(held->next, make_reserve(2, 1, 10, 5), ctx).ok());  // exactly the rest

  // A new month: the count starts again.
  auto december = at(utc_ms(2026, 12, 1), q);
  auto rolled = reserve(held->next, make_reserve(2, 1, 10, 90), december);
  REQUIRE(rolled.ok());
  CHECK(rolled->next.quota_period == "2026-12");
  CHECK(rolled->next.quota_used_sheets == 0);
  CHECK(reserve(rolled->next, make_reserve(3, 1, 10, 6), december).err().code == errc::not_possible);

  // No quota: sheets are not limited.
  CHECK(reserve(acc, make_reserve(9, 1, 10, 1'000'000), at(ctx.now_ms)).ok());
  CHECK(reserve(acc, make_reserve(9, 1, 10, 1'000'000), at(ctx.now_ms, {quota_period_kind::day, 0})).ok());
}

TEST_CASE("settle: charges the job once per release and removes its reservation") {
  auto ctx = at(utc_ms(2026, 11, 24), {quota_period_kind::month, 100});
  auto held = reserve(make_account("alice", 100), make_reserve(7, 1, 60, 3), ctx);
  REQUIRE(held.ok());
  auto later = ctx;
  later.now_ms += 60'000;
  auto s = settle(held->next, make_settle(7, 1, 55, 3), later);
  REQUIRE(s.ok());
  CHECK(s->changed);
  CHECK(s->next.reservations.empty());
  CHECK(s->next.balance == 45);
  CHECK(s->next.quota_period == "2026-11");
  CHECK(s->next.quota_used_sheets == 3);
  REQUIRE(s->entries.size() == 1);
  const auto& e = s->entries[0];
  CHECK(e.account == "alice");
  CHECK(e.kind == ledger_kind::charge);
  CHECK(e.job_id == 7);
  CHECK(e.attempt == 1);
  CHECK(e.amount == -55);
  CHECK(e.balance_after == 45);
  CHECK(e.pages == 6);
  CHECK(e.sheets == 3);
  CHECK(e.owner == "alice");
  CHECK(e.printed_by == "bob");
  CHECK(e.printer == "lobby");
  CHECK(e.price_list == "standard");
  CHECK(e.time_ms == later.now_ms);
  CHECK(available(s->next, later).quota_sheets_left == 97);

  // The caller found the charge already written: only the reservation goes.
  auto req = make_settle(7, 1, 55, 3);
  req.already_charged = true;
  auto retried = settle(held->next, req, later);
  REQUIRE(retried.ok());
  CHECK(retried->changed);
  CHECK(retried->entries.empty());
  CHECK(retried->next.reservations.empty());
  CHECK(retried->next.balance == 100);
  auto nothing = settle(retried->next, req, later);
  REQUIRE(nothing.ok());
  CHECK_FALSE(nothing->changed);
  CHECK(nothing->next == retried->next);
}

TEST_CASE("settle: a job without a reservation is still charged, even past the credit") {
  auto ctx = at(1000);
  auto s = settle(make_account("alice", 10), make_settle(9, 2, 30), ctx);
  REQUIRE(s.ok());
  CHECK(s->next.balance == -20);
  REQUIRE(s->entries.size() == 1);
  CHECK(s->entries[0].attempt == 2);
  CHECK(s->entries[0].amount == -30);

  // Another release's reservation stays.
  auto held = reserve(make_account("alice", 100), make_reserve(9, 1, 50), ctx);
  auto other = settle(held->next, make_settle(9, 2, 50), ctx);
  REQUIRE(other.ok());
  CHECK(other->next.reservations.size() == 1);

  CHECK(settle(make_account("alice", 10), make_settle(0, 1, 1), ctx).err().code == errc::invalid_argument);
  CHECK(settle(make_account("alice", 10), make_settle(1, 1, -1), ctx).err().code == errc::invalid_argument);
  auto floor = make_account("alice", i64_min + 5);
  floor.unlimited = true;
  auto sat = settle(floor, make_settle(1, 1, i64_max), ctx);
  REQUIRE(sat.ok());
  CHECK(sat->next.balance == i64_min);
}

TEST_CASE("unreserve: gives the price back without charging") {
  auto ctx = at(1000);
  auto held = reserve(make_account("alice", 100), make_reserve(7, 1, 60), ctx);
  REQUIRE(held.ok());
  auto later = at(2000);
  auto freed = unreserve(held->next, 7, 1, later);
  CHECK(freed.changed);
  CHECK(freed.entries.empty());
  CHECK(freed.next.reservations.empty());
  CHECK(freed.next.balance == 100);
  CHECK(freed.next.updated_ms == 2000);
  auto none = unreserve(freed.next, 7, 1, later);
  CHECK_FALSE(none.changed);
  CHECK(none.next == freed.next);
  CHECK_FALSE(unreserve(held->next, 7, 2, later).changed);
}

TEST_CASE("credit: top-ups and adjustments are numbered by the account's sequence") {
  auto ctx = at(5000);
  auto acc = make_account("alice", 0);
  auto t1 = credit(acc, ledger_kind::topup, 500, "admin", "cash", ctx);
  REQUIRE(t1.ok());
  CHECK(t1->next.balance == 500);
  CHECK(t1->next.next_entry == 2);
  REQUIRE(t1->entries.size() == 1);
  CHECK(t1->entries[0].kind == ledger_kind::topup);
  CHECK(t1->entries[0].job_id == 0);
  CHECK(t1->entries[0].attempt == 1);
  CHECK(t1->entries[0].amount == 500);
  CHECK(t1->entries[0].balance_after == 500);
  CHECK(t1->entries[0].by == "admin");
  CHECK(t1->entries[0].note == "cash");
  auto t2 = credit(t1->next, ledger_kind::adjust, -700, "admin", "correction", ctx);
  REQUIRE(t2.ok());
  CHECK(t2->entries[0].attempt == 2);
  CHECK(t2->next.balance == -200);
  auto r = credit(t2->next, ledger_kind::refund, 200, "admin", "", ctx);
  REQUIRE(r.ok());
  CHECK(r->next.balance == 0);
  CHECK(r->next.next_entry == 4);

  CHECK(credit(acc, ledger_kind::topup, 0, "admin", "", ctx).err().code == errc::invalid_argument);
  CHECK(credit(acc, ledger_kind::topup, -5, "admin", "", ctx).err().code == errc::invalid_argument);
  CHECK(credit(acc, ledger_kind::refund, -5, "admin", "", ctx).err().code == errc::invalid_argument);
  CHECK(credit(acc, ledger_kind::adjust, 0, "admin", "", ctx).err().code == errc::invalid_argument);
  CHECK(credit(acc, ledger_kind::charge, 5, "admin", "", ctx).err().code == errc::invalid_argument);
}

TEST_CASE("credit: refuses a balance that would overflow, and a used-up sequence") {
  auto ctx = at(5000);
  auto rich = make_account("alice", i64_max - 1);
  CHECK(credit(rich, ledger_kind::topup, 1, "admin", "", ctx).ok());
  CHECK(credit(rich, ledger_kind::topup, 2, "admin", "", ctx).err().code == errc::invalid_argument);
  auto poor = make_account("alice", -1);
  CHECK(credit(poor, ledger_kind::adjust, i64_min, "admin", "", ctx).err().code == errc::invalid_argument);
  CHECK(credit(make_account("alice", 0), ledger_kind::adjust, i64_min, "admin", "", ctx).ok());
  auto old = make_account("alice", 0);
  old.next_entry = uint64_t{1} << 32;
  CHECK(credit(old, ledger_kind::topup, 1, "admin", "", ctx).err().code == errc::limit_exceeded);
}

TEST_CASE("available: credit less reservations, quota left in the current period") {
  quota_rule q{quota_period_kind::week, 50};
  auto ctx = at(utc_ms(2026, 11, 24, 9), q);
  auto acc = make_account("alice", 300);
  acc.quota_period = "2026-W48";
  acc.quota_used_sheets = 20;
  auto held = reserve(acc, make_reserve(1, 1, 120, 10), ctx);
  REQUIRE(held.ok());
  auto a = available(held->next, ctx);
  CHECK(a.balance == 300);
  CHECK(a.reserved == 120);
  CHECK(a.available == 180);
  CHECK(a.has_quota);
  CHECK(a.quota_sheets_left == 20);
  CHECK(a.period_end_ms == utc_ms(2026, 11, 30));

  // Next week the used sheets no longer count; the reserved ones still do.
  auto next_week = at(utc_ms(2026, 12, 1), q);
  CHECK(available(held->next, next_week).quota_sheets_left == 40);
  // Over the quota: nothing left, never negative.
  auto over = held->next;
  over.quota_used_sheets = 1000;
  CHECK(available(over, ctx).quota_sheets_left == 0);
  auto none = available(acc, at(ctx.now_ms));
  CHECK_FALSE(none.has_quota);
  CHECK(none.period_end_ms == 0);
}
