// Accounting rules: what an account becomes when a job is reserved, settled
// or released, or when an administrator credits it; and the quota periods.
//
// Pure: an account record and a request in, the next record and the ledger
// entries to write out (storage/accounts.hpp); no CAF, no storage I/O, no
// clock (the time comes in the context). The account actor that owns the
// account writes the result with write_batch::put_account and put_ledger in
// one batch, and only then answers.
//
// Money is int64 minor units; sheets are uint64. Every sum saturates, so a
// hostile or corrupt amount can neither wrap nor reach undefined behaviour.
// A reservation is keyed by (job id, release number): reserving the same
// release again is a no-op, and settling it removes it. Settling never
// refuses (the job has printed): it may take a balance below zero.
//
// Quotas count sheets per period (day, ISO week, month, year, in UTC). The
// record keeps the period its count belongs to; a rule that finds another
// period current starts the count again from zero.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"
#include "storage/accounts.hpp"

namespace quire {

enum class quota_period_kind : uint8_t { none, day, week, month, year };

/// At most `sheets` sheets per period; none (or 0 sheets) is no quota.
struct quota_rule {
  quota_period_kind period = quota_period_kind::none;
  uint64_t sheets = 0;
};

/// The key of the period containing now_ms (UTC): "2026-11-24",
/// "2026-W48" (ISO 8601 week), "2026-11", "2026"; "" for none. Times before
/// 1970 or after 9999 count as those bounds.
std::string period_key(quota_period_kind k, int64_t now_ms);
/// When that period ends (wall-clock ms, UTC); 0 for none.
int64_t period_end_ms(quota_period_kind k, int64_t now_ms);
/// "none", "day", "week", "month", "year"; false (out untouched) otherwise.
bool parse_quota_period(std::string_view s, quota_period_kind& out);
const char* to_string(quota_period_kind k) noexcept;

struct account_context {
  int64_t now_ms = 0;
  quota_rule quota;
  /// Formats an amount for refusal messages ("0.60 EUR"); empty: the integer.
  std::function<std::string(int64_t)> money;
};

struct reserve_request {
  reservation r;  // r.created_ms is set by the rule from ctx.now_ms
};

/// The next account record and the ledger entries to write with it.
/// changed=false: nothing to write (next equals the input).
struct account_change {
  account_record next;
  std::vector<ledger_entry> entries;
  bool changed = true;
};

/// Holds back the price of a released job. The same (job_id, release_no)
/// reserved again with the same terms: ok, changed=false; with other terms:
/// replaces the first (checked as if it were not there). The quota period
/// rolls over first. errc::invalid_argument for job 0 or a negative amount;
/// errc::not_possible, with a message for the user at the printer, when the
/// credit (unless unlimited or a project account) or the quota is short.
result<account_change> reserve(const account_record& acc, const reserve_request& req, const account_context& ctx);

struct settle_request {
  uint64_t job_id = 0;
  uint32_t release_no = 0;
  int64_t amount = 0;  // the final price, >= 0
  uint64_t pages = 0, sheets = 0, colour_sheets = 0;
  std::string owner, printed_by, printer, project, price_list;
  bool already_charged = false;  // the caller found the ledger key (account, job, release_no)
};

/// The job printed: removes its reservation (if any) and charges it: one
/// charge entry keyed (account, job, release_no), the balance lowered and
/// the sheets counted against the quota. Charged even without a reservation
/// (one lost must not print for free). With already_charged, only the
/// reservation goes. errc::invalid_argument for job 0 or a negative amount.
result<account_change> settle(const account_record& acc, const settle_request& req, const account_context& ctx);

/// Releases the reservation of (job, release_no) without charging (delivery
/// failed, job canceled). No such reservation: changed=false.
account_change unreserve(const account_record& acc, uint64_t job_id, uint32_t release_no,
                         const account_context& ctx);

/// A top-up or refund (amount > 0) or adjustment (non-zero, either sign) by
/// the administrator `by`: one entry keyed (account, 0, next_entry), and
/// next_entry moves on. errc::invalid_argument for kind charge, a zero or
/// wrongly signed amount, or a balance that would overflow; limit_exceeded
/// when the entry sequence is used up.
result<account_change> credit(const account_record& acc, ledger_kind kind, int64_t amount, const std::string& by,
                              const std::string& note, const account_context& ctx);

/// What an account has left now. `available` = balance - reserved
/// (saturating). Quota sheets left count the used sheets of the current
/// period only (a stale period: the full quota) and the reserved ones.
struct availability {
  int64_t balance = 0;
  int64_t reserved = 0;
  int64_t available = 0;
  bool has_quota = false;
  int64_t quota_sheets_left = 0;
  int64_t period_end_ms = 0;  // has_quota: when the quota resets
};
availability available(const account_record& acc, const account_context& ctx);

}  // namespace quire
