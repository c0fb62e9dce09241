// An in-memory accounting_service for the admin API's tests and fuzz target.
//
// It keeps the rules the real one promises (accounting_service.hpp):
// not_found for an unknown user, delegate or printer (or terminal to
// revoke); invalid_argument for a credit of 0, one that would overflow, a
// user as their own delegate or more than 32 delegates; already_exists for
// a terminal name taken. A credit appends a ledger entry (by = the
// principal), newest first in ledger(). Tokens are "token-<name>-<n>", so
// that a test can look for one in any response.
//
// Answers, deferred answers and fail_next as fake_answers.hpp says: every
// call consults fail_next.
#pragma once

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fake_answers.hpp"
#include "web/accounting_service.hpp"

namespace quire::testing {

class fake_accounting_service final : public web::accounting_service, public fake_answers {
 public:
  std::map<std::string, web::account_info> accounts;            // by user name
  std::map<std::string, std::vector<ledger_entry>> ledgers;      // oldest first
  std::map<std::string, std::vector<std::string>> delegates;     // by user name
  std::map<std::string, web::terminal_view> terminals;           // with their tokens
  std::set<std::string> printers = {"lab-1", "lab-2"};
  web::money_format money;
  std::vector<std::string> calls;            // "credit alice 500 by root"
  std::vector<uint32_t> ledger_limits;       // what ledger() was asked
  int64_t now_ms = 1714552200250;            // 2024-05-01T08:30:00.250Z
  int tokens_issued = 0;
  bool leak_tokens_in_list = false;          // list_terminals keeps tokens: the API must still hide them

  /// A user with an account (a test's starting state).
  web::account_info& add_user(const std::string& name, int64_t balance = 0) {
    web::account_info a;
    a.name = name;
    a.balance = balance;
    a.available = balance;
    a.money = money;
    return accounts[name] = std::move(a);
  }

  web::terminal_view& add_terminal(const std::string& name, const std::string& printer) {
    web::terminal_view t{name, printer, "root", now_ms, "token-" + name + "-" + std::to_string(++tokens_issued)};
    return terminals[name] = std::move(t);
  }

  void get_account(const web::principal& by, std::string name, web::account_callback cb) override {
    calls.push_back("get_account " + name + " by " + by.name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = accounts.find(name);
      if (it == accounts.end()) return cb(no_user(name));
      cb(it->second);
    });
  }

  void credit(const web::principal& by, std::string name, web::credit_request req, web::account_callback cb) override {
    calls.push_back("credit " + name + " " + std::to_string(req.amount) + " by " + by.name);
    answer([this, by, name, req, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = accounts.find(name);
      if (it == accounts.end()) return cb(no_user(name));
      auto& a = it->second;
      int64_t next = 0;
      if (req.amount == 0 || __builtin_add_overflow(a.balance, req.amount, &next))
        return cb(error(errc::invalid_argument, "that credit would overflow the balance"));
      a.balance = next;
      a.available = next - a.reserved;
      ledger_entry e;
      e.account = name;
      e.kind = req.kind;
      e.attempt = static_cast<uint32_t>(ledgers[name].size() + 1);
      e.amount = req.amount;
      e.balance_after = next;
      e.by = by.name;
      e.note = req.note;
      e.time_ms = now_ms;
      ledgers[name].push_back(std::move(e));
      cb(a);
    });
  }

  void ledger(const web::principal& by, std::string name, uint32_t limit, web::ledger_callback cb) override {
    calls.push_back("ledger " + name + " by " + by.name);
    ledger_limits.push_back(limit);
    answer([this, name, limit, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      if (!accounts.count(name)) return cb(no_user(name));
      std::vector<ledger_entry> out;
      const auto& all = ledgers[name];
      for (auto it = all.rbegin(); it != all.rend() && out.size() < limit; ++it) out.push_back(*it);
      cb(std::move(out));
    });
  }

  void get_delegates(const web::principal& by, std::string name, web::names_callback cb) override {
    calls.push_back("get_delegates " + name + " by " + by.name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      if (!accounts.count(name)) return cb(no_user(name));
      cb(delegates[name]);
    });
  }

  void set_delegates(const web::principal& by, std::string name, std::vector<std::string> names,
                     web::names_callback cb) override {
    calls.push_back("set_delegates " + name + " by " + by.name);
    answer([this, name, names, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      if (!accounts.count(name)) return cb(no_user(name));
      if (names.size() > 32) return cb(error(errc::invalid_argument, "too many delegates"));
      for (const auto& d : names) {
        if (d == name) return cb(error(errc::invalid_argument, "a user cannot be their own delegate"));
        if (!accounts.count(d)) return cb(no_user(d));
      }
      cb(delegates[name] = names);
    });
  }

  void register_terminal(const web::principal& by, std::string name, std::string printer,
                         web::terminal_callback cb) override {
    calls.push_back("register_terminal " + name + " at " + printer + " by " + by.name);
    answer([this, by, name, printer, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      if (terminals.count(name)) return cb(error(errc::already_exists, "terminal \"" + name + "\" exists"));
      if (!printers.count(printer)) return cb(error(errc::not_found, "no printer \"" + printer + "\""));
      auto& t = add_terminal(name, printer);
      t.created_by = by.name;
      cb(t);
    });
  }

  void list_terminals(const web::principal& by, web::terminal_list_callback cb) override {
    calls.push_back("list_terminals by " + by.name);
    answer([this, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      std::vector<web::terminal_view> out;
      for (const auto& [name, t] : terminals) {
        out.push_back(t);
        if (!leak_tokens_in_list) out.back().token.clear();  // the real one keeps no token in clear
      }
      cb(std::move(out));
    });
  }

  void revoke_terminal(const web::principal& by, std::string name, web::status_callback cb) override {
    calls.push_back("revoke_terminal " + name + " by " + by.name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      if (!terminals.erase(name)) return cb(error(errc::not_found, "no terminal \"" + name + "\""));
      cb(status{});
    });
  }

 private:
  static error no_user(const std::string& name) { return error(errc::not_found, "no user \"" + name + "\""); }
};

}  // namespace quire::testing
