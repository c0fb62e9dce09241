// What the admin API needs from the server for accounting, terminals and
// delegates: a narrow, asynchronous interface, so that web/ knows neither
// CAF nor RocksDB (the same contract as user_service.hpp).
//
// Every call returns at once and answers exactly once through its callback,
// from any thread, possibly before the call returns. The API has validated
// what it passes and the caller is an authenticated administrator (or, for
// the calls marked "self", the user the call is about). Errors map to HTTP
// as in admin_api.hpp (http_status_for).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "protocols/result.hpp"
#include "storage/accounts.hpp"
#include "web/job_service.hpp"
#include "web/user_service.hpp"

namespace quire::web {

/// An account as the API shows it (amounts in minor units).
struct account_info {
  std::string name;            // a user name, or "project:<name>"
  int64_t balance = 0;
  int64_t reserved = 0;
  int64_t available = 0;
  bool unlimited = false;
  bool has_quota = false;
  int64_t quota_sheets_left = 0;
  int64_t quota_period_end_ms = 0;
  money_format money;
};

/// POST /api/v1/users/{name}/credit: a top-up (amount > 0) or an adjustment
/// (any non-zero amount; a refund of a charge is an adjustment with a note).
struct credit_request {
  ledger_kind kind = ledger_kind::topup;  // topup or adjust only
  int64_t amount = 0;                     // minor units
  std::string note;                       // at most 256 characters
};

/// A terminal as the API shows it: never its token, except once, in the
/// answer that registers it.
struct terminal_view {
  std::string name;
  std::string printer;
  std::string created_by;
  int64_t created_ms = 0;
  std::string token;  // register_terminal's answer only
};

using account_callback = std::function<void(result<account_info>)>;
using ledger_callback = std::function<void(result<std::vector<ledger_entry>>)>;
using terminal_callback = std::function<void(result<terminal_view>)>;
using terminal_list_callback = std::function<void(result<std::vector<terminal_view>>)>;
using names_callback = std::function<void(result<std::vector<std::string>>)>;

class accounting_service {
 public:
  virtual ~accounting_service() = default;

  /// The account of user `name` (self or admin). not_found for an unknown user.
  virtual void get_account(const principal& by, std::string name, account_callback cb) = 0;
  /// Credits the account (admin). invalid_argument for 0 or an overflow.
  virtual void credit(const principal& by, std::string name, credit_request req, account_callback cb) = 0;
  /// The account's ledger entries, at most `limit` (self or admin).
  virtual void ledger(const principal& by, std::string name, uint32_t limit, ledger_callback cb) = 0;

  /// The users `name` allows to release their jobs (self or admin).
  virtual void get_delegates(const principal& by, std::string name, names_callback cb) = 0;
  /// Replaces them (self or admin): not_found for an unknown user (`name`
  /// or a delegate); invalid_argument for `name` itself or over 32 names.
  virtual void set_delegates(const principal& by, std::string name, std::vector<std::string> delegates,
                             names_callback cb) = 0;

  /// Terminals (admin): register one for a printer (already_exists,
  /// not_found for an unknown printer) — the answer holds its token, shown
  /// this once; list them; revoke one (not_found).
  virtual void register_terminal(const principal& by, std::string name, std::string printer,
                                 terminal_callback cb) = 0;
  virtual void list_terminals(const principal& by, terminal_list_callback cb) = 0;
  virtual void revoke_terminal(const principal& by, std::string name, status_callback cb) = 0;
};

}  // namespace quire::web
