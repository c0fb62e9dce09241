#include "storage/accounts.hpp"

#include "storage/records.hpp"
#include "storage/users.hpp"

namespace quire {

const char* to_string(ledger_kind k) noexcept {
  switch (k) {
    case ledger_kind::charge: return "charge";
    case ledger_kind::topup: return "topup";
    case ledger_kind::refund: return "refund";
    case ledger_kind::adjust: return "adjust";
  }
  return "?";
}

bool parse_ledger_kind(std::string_view s, ledger_kind& out) noexcept {
  for (auto k : {ledger_kind::charge, ledger_kind::topup, ledger_kind::refund, ledger_kind::adjust}) {
    if (s == to_string(k)) {
      out = k;
      return true;
    }
  }
  return false;
}

std::string account_of_project(std::string_view project) {
  std::string name(project_account_prefix);
  name.append(project);
  return name;
}

bool is_project_account(std::string_view account) noexcept {
  return account.substr(0, project_account_prefix.size()) == project_account_prefix;
}

status validate_account_name(std::string_view account) {
  std::string_view rest = is_project_account(account) ? account.substr(project_account_prefix.size()) : account;
  if (validate_user_name(rest)) {
    return {errc::invalid_argument, is_project_account(account) ? "a project name must be valid as a user name"
                                                                : "an account name must be valid as a user name"};
  }
  return {};
}

std::string encode_account(const account_record& a) { return encode_record(a); }

status decode_account(std::string_view bytes, account_record& out) {
  out = account_record{};  // a field missing from the map keeps its default
  if (auto s = decode_record(bytes, out)) return s;
  if (validate_account_name(out.name)) return {errc::corruption, "stored account record has an invalid name"};
  return {};
}

std::string encode_ledger_entry(const ledger_entry& e) { return encode_record(e); }

status decode_ledger_entry(std::string_view bytes, ledger_entry& out) {
  out = ledger_entry{};
  if (auto s = decode_record(bytes, out)) return s;
  if (validate_account_name(out.account)) return {errc::corruption, "stored ledger entry has an invalid account"};
  auto raw = static_cast<uint8_t>(out.kind);
  if (raw < 1 || raw > 4) return {errc::corruption, "stored ledger entry has an unknown kind"};
  return {};
}

std::string encode_terminal(const terminal_record& t) { return encode_record(t); }

status decode_terminal(std::string_view bytes, terminal_record& out) {
  out = terminal_record{};
  if (auto s = decode_record(bytes, out)) return s;
  if (validate_user_name(out.name)) return {errc::corruption, "stored terminal record has an invalid name"};
  if (out.token_key.size() != 32) return {errc::corruption, "stored terminal record has a malformed token key"};
  return {};
}

}  // namespace quire
