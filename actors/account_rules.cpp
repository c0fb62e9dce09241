#include "actors/account_rules.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <limits>

#include "protocols/civil.hpp"

namespace quire {

namespace {

constexpr int64_t ms_per_day = 86'400'000;


// The day number of now_ms, held to years 1970..9999 so that keys keep
// their shape and no arithmetic below can overflow.
int64_t day_of(int64_t now_ms) {
  constexpr int64_t last_day = days_from_civil(10000, 1, 1) - 1;
  return std::clamp<int64_t>(now_ms / ms_per_day, 0, last_day);
}

// The Monday starting the ISO week of `day` (1970-01-01 was a Thursday).
int64_t monday_of(int64_t day) { return day - (day + 3) % 7; }

int64_t sat_add(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  return r;
}

int64_t sat_sub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  return r;
}

uint64_t sat_addu(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? std::numeric_limits<uint64_t>::max() : r;
}

int64_t reserved_amount(const account_record& a) {
  int64_t sum = 0;
  for (const auto& r : a.reservations) sum = sat_add(sum, r.amount);
  return sum;
}

uint64_t reserved_sheets(const account_record& a) {
  uint64_t sum = 0;
  for (const auto& r : a.reservations) sum = sat_addu(sum, r.sheets);
  return sum;
}

bool has_quota(const account_context& ctx) {
  return ctx.quota.period != quota_period_kind::none && ctx.quota.sheets > 0;
}

// Starts the quota count again when its period is over; true if it did.
bool roll_quota(account_record& a, const account_context& ctx) {
  if (ctx.quota.period == quota_period_kind::none) return false;
  auto key = period_key(ctx.quota.period, ctx.now_ms);
  if (a.quota_period == key) return false;
  a.quota_period = std::move(key);
  a.quota_used_sheets = 0;
  return true;
}

// Sheets counted against the quota now: used this period, and reserved.
uint64_t quota_taken(const account_record& a, const account_context& ctx) {
  bool current = a.quota_period == period_key(ctx.quota.period, ctx.now_ms);
  return sat_addu(current ? a.quota_used_sheets : 0, reserved_sheets(a));
}

std::string money(const account_context& ctx, int64_t v) { return ctx.money ? ctx.money(v) : std::to_string(v); }

const char* period_phrase(quota_period_kind k) {
  switch (k) {
    case quota_period_kind::day: return "today";
    case quota_period_kind::week: return "this week";
    case quota_period_kind::month: return "this month";
    case quota_period_kind::year: return "this year";
    case quota_period_kind::none: break;
  }
  return "";
}

status check_credit(const account_record& a, int64_t amount, const account_context& ctx) {
  if (a.unlimited || is_project_account(a.name)) return {};
  int64_t left = sat_sub(a.balance, reserved_amount(a));
  if (left >= amount) return {};
  return {errc::not_possible, "not enough credit: the job costs " + money(ctx, amount) + ", " +
                                  money(ctx, std::max<int64_t>(left, 0)) + " available"};
}

status check_quota(const account_record& a, uint64_t sheets, const account_context& ctx) {
  if (!has_quota(ctx)) return {};
  uint64_t taken = quota_taken(a, ctx);
  if (sat_addu(taken, sheets) <= ctx.quota.sheets) return {};
  uint64_t left = taken < ctx.quota.sheets ? ctx.quota.sheets - taken : 0;
  return {errc::not_possible, "print quota reached: " + std::to_string(left) + " of " +
                                  std::to_string(ctx.quota.sheets) + " sheets left " +
                                  period_phrase(ctx.quota.period) + ", the job needs " + std::to_string(sheets)};
}

// Removes the reservations of (job, release); true if there was one.
bool drop_reservation(account_record& a, uint64_t job_id, uint32_t release_no) {
  return std::erase_if(a.reservations, [&](const reservation& r) {
           return r.job_id == job_id && r.release_no == release_no;
         }) > 0;
}

}  // namespace

const char* to_string(quota_period_kind k) noexcept {
  switch (k) {
    case quota_period_kind::none: return "none";
    case quota_period_kind::day: return "day";
    case quota_period_kind::week: return "week";
    case quota_period_kind::month: return "month";
    case quota_period_kind::year: return "year";
  }
  return "?";
}

bool parse_quota_period(std::string_view s, quota_period_kind& out) {
  for (auto k : {quota_period_kind::none, quota_period_kind::day, quota_period_kind::week, quota_period_kind::month,
                 quota_period_kind::year}) {
    if (s == to_string(k)) {
      out = k;
      return true;
    }
  }
  return false;
}

std::string period_key(quota_period_kind k, int64_t now_ms) {
  int64_t day = day_of(now_ms);
  civil_date c = civil_from_days(day);
  char out[32];
  switch (k) {
    case quota_period_kind::none: return {};
    case quota_period_kind::day:
      std::snprintf(out, sizeof out, "%04" PRId64 "-%02u-%02u", c.y, c.m, c.d);
      break;
    case quota_period_kind::week: {
      // ISO 8601: a week belongs to the year of its Thursday.
      int64_t thursday = monday_of(day) + 3;
      int64_t year = civil_from_days(thursday).y;
      int64_t week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
      std::snprintf(out, sizeof out, "%04" PRId64 "-W%02" PRId64, year, week);
      break;
    }
    case quota_period_kind::month:
      std::snprintf(out, sizeof out, "%04" PRId64 "-%02u", c.y, c.m);
      break;
    case quota_period_kind::year:
      std::snprintf(out, sizeof out, "%04" PRId64, c.y);
      break;
  }
  return out;
}

int64_t period_end_ms(quota_period_kind k, int64_t now_ms) {
  int64_t day = day_of(now_ms);
  civil_date c = civil_from_days(day);
  switch (k) {
    case quota_period_kind::none: return 0;
    case quota_period_kind::day: return (day + 1) * ms_per_day;
    case quota_period_kind::week: return (monday_of(day) + 7) * ms_per_day;
    case quota_period_kind::month:
      return days_from_civil(c.m == 12 ? c.y + 1 : c.y, c.m == 12 ? 1 : c.m + 1, 1) * ms_per_day;
    case quota_period_kind::year: return days_from_civil(c.y + 1, 1, 1) * ms_per_day;
  }
  return 0;
}

result<account_change> reserve(const account_record& acc, const reserve_request& req, const account_context& ctx) {
  const reservation& want = req.r;
  if (want.job_id == 0) return error{errc::invalid_argument, "a reservation needs a job"};
  if (want.amount < 0) return error{errc::invalid_argument, "a reservation cannot be negative"};
  account_change out{acc, {}, true};
  auto same = std::find_if(out.next.reservations.begin(), out.next.reservations.end(), [&](const reservation& r) {
    return r.job_id == want.job_id && r.release_no == want.release_no;
  });
  if (same != out.next.reservations.end()) {
    reservation again = want;
    again.created_ms = same->created_ms;
    if (*same == again) return account_change{acc, {}, false};  // a retry
    out.next.reservations.erase(same);                          // new terms replace the old
  }
  roll_quota(out.next, ctx);
  if (auto s = check_credit(out.next, want.amount, ctx)) return s;
  if (auto s = check_quota(out.next, want.sheets, ctx)) return s;
  out.next.reservations.push_back(want);
  out.next.reservations.back().created_ms = ctx.now_ms;
  out.next.updated_ms = ctx.now_ms;
  return out;
}

result<account_change> settle(const account_record& acc, const settle_request& req, const account_context& ctx) {
  if (req.job_id == 0) return error{errc::invalid_argument, "a charge needs a job"};
  if (req.amount < 0) return error{errc::invalid_argument, "a charge cannot be negative"};
  account_change out{acc, {}, true};
  bool dropped = drop_reservation(out.next, req.job_id, req.release_no);
  bool rolled = roll_quota(out.next, ctx);
  if (req.already_charged) {
    out.changed = dropped || rolled;
    if (out.changed) out.next.updated_ms = ctx.now_ms;
    return out;
  }
  // The job has printed: charge it even past the credit left.
  out.next.balance = sat_sub(out.next.balance, req.amount);
  out.next.quota_used_sheets = sat_addu(out.next.quota_used_sheets, req.sheets);
  out.next.updated_ms = ctx.now_ms;
  ledger_entry e;
  e.account = acc.name;
  e.kind = ledger_kind::charge;
  e.job_id = req.job_id;
  e.attempt = req.release_no;
  e.amount = -req.amount;  // amount >= 0: no overflow
  e.balance_after = out.next.balance;
  e.pages = req.pages;
  e.sheets = req.sheets;
  e.colour_sheets = req.colour_sheets;
  e.owner = req.owner;
  e.printed_by = req.printed_by;
  e.printer = req.printer;
  e.project = req.project;
  e.price_list = req.price_list;
  e.time_ms = ctx.now_ms;
  out.entries.push_back(std::move(e));
  return out;
}

account_change unreserve(const account_record& acc, uint64_t job_id, uint32_t release_no,
                         const account_context& ctx) {
  account_change out{acc, {}, true};
  out.changed = drop_reservation(out.next, job_id, release_no);
  if (out.changed) out.next.updated_ms = ctx.now_ms;
  return out;
}

namespace {

status check_credit_amount(ledger_kind kind, int64_t amount) {
  switch (kind) {
    case ledger_kind::charge: return {errc::invalid_argument, "a charge comes only from a printed job"};
    case ledger_kind::topup:
    case ledger_kind::refund:
      if (amount <= 0) return {errc::invalid_argument, std::string("a ") + to_string(kind) + " must be positive"};
      return {};
    case ledger_kind::adjust:
      if (amount == 0) return {errc::invalid_argument, "an adjustment cannot be zero"};
      return {};
  }
  return {errc::invalid_argument, "unknown ledger entry kind"};
}

}  // namespace

result<account_change> credit(const account_record& acc, ledger_kind kind, int64_t amount, const std::string& by,
                              const std::string& note, const account_context& ctx) {
  if (auto s = check_credit_amount(kind, amount)) return s;
  int64_t balance;
  if (__builtin_add_overflow(acc.balance, amount, &balance))
    return error{errc::invalid_argument, "the balance would overflow"};
  // ledger_entry::attempt holds the sequence number: 2^32 entries per account.
  if (acc.next_entry > std::numeric_limits<uint32_t>::max())
    return error{errc::limit_exceeded, "the account's ledger sequence is used up"};
  account_change out{acc, {}, true};
  out.next.balance = balance;
  out.next.next_entry = acc.next_entry + 1;
  out.next.updated_ms = ctx.now_ms;
  ledger_entry e;
  e.account = acc.name;
  e.kind = kind;
  e.attempt = static_cast<uint32_t>(acc.next_entry);
  e.amount = amount;
  e.balance_after = balance;
  e.by = by;
  e.note = note;
  e.time_ms = ctx.now_ms;
  out.entries.push_back(std::move(e));
  return out;
}

availability available(const account_record& acc, const account_context& ctx) {
  availability a;
  a.balance = acc.balance;
  a.reserved = reserved_amount(acc);
  a.available = sat_sub(acc.balance, a.reserved);
  a.has_quota = has_quota(ctx);
  if (a.has_quota) {
    uint64_t taken = quota_taken(acc, ctx);
    uint64_t left = taken < ctx.quota.sheets ? ctx.quota.sheets - taken : 0;
    a.quota_sheets_left = static_cast<int64_t>(std::min<uint64_t>(left, std::numeric_limits<int64_t>::max()));
    a.period_end_ms = period_end_ms(ctx.quota.period, ctx.now_ms);
  }
  return a;
}

}  // namespace quire
