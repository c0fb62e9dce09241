// The accounting commands of quirectl_cli.hpp: account, credit, ledger,
// delegates and terminals; their arguments in, their REST requests out.
#include <nlohmann/json.hpp>

#include <cstdint>

#include "storage/users.hpp"
#include "web/api_json.hpp"
#include "web/api_request.hpp"
#include "web/quirectl_cli.hpp"

namespace quire::quirectl {

namespace {

error usage(std::string message) { return error(errc::invalid_argument, std::move(message)); }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "[-]DIGITS[.DIGITS]" split into its parts; false for any other form.
bool split_amount(std::string_view text, bool& negative, std::string_view& whole, std::string_view& fraction) {
  negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  size_t dot = text.find('.');
  whole = text.substr(0, dot);
  fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && fraction.empty())) return false;
  for (char c : whole)
    if (!is_digit(c)) return false;
  for (char c : fraction)
    if (!is_digit(c)) return false;
  return true;
}

const std::string amount_form = "AMOUNT must look like 5, 5.50 or (with --adjust) -1.25";

status check_amount_text(const invocation& inv) {
  bool negative = false;
  std::string_view whole, fraction;
  if (!split_amount(inv.amount, negative, whole, fraction)) return usage(amount_form);
  if (whole.find_first_not_of('0') == std::string_view::npos && fraction.find_first_not_of('0') == std::string_view::npos)
    return usage("AMOUNT must not be 0");
  if (negative && !inv.adjust) return usage("a top-up must be positive: use --adjust to take credit away");
  return {};
}

status user_word(const std::string& word, std::string& out) {
  if (auto s = validate_user_name(word)) return usage(s.message);
  out = word;
  return {};
}

}  // namespace

status take_accounting_words(invocation& inv, const std::vector<std::string>& words) {
  auto extra = [&](size_t at) -> status {
    if (words.size() > at) return usage("unexpected argument '" + words[at] + "'");
    return {};
  };
  switch (inv.what) {
    case action::terminals_list: return extra(0);
    case action::terminals_add: {
      if (words.size() < 2) return usage("terminals add needs a terminal NAME and a PRINTER");
      if (auto s = validate_user_name(words[0])) return usage("terminal NAME: " + s.message);
      if (!web::valid_printer_name(words[1])) return usage("PRINTER must be 1 to 64 of A-Z a-z 0-9 _ . -");
      inv.name = words[0];
      inv.printer = words[1];
      return extra(2);
    }
    case action::terminals_revoke:
      if (words.empty()) return usage("terminals revoke needs a terminal NAME");
      if (auto s = validate_user_name(words[0])) return usage("terminal NAME: " + s.message);
      inv.name = words[0];
      return extra(1);
    default: break;
  }
  if (words.empty()) return usage("this command needs a user NAME");
  if (auto s = user_word(words[0], inv.name)) return s;
  switch (inv.what) {
    case action::credit:
      if (words.size() < 2) return usage("credit needs a user NAME and an AMOUNT");
      inv.amount = words[1];
      return extra(2);
    case action::delegates_show:
      for (size_t i = 1; i < words.size(); ++i) {
        inv.delegates.emplace_back();
        if (auto s = user_word(words[i], inv.delegates.back())) return s;
      }
      if (!inv.delegates.empty()) inv.what = action::delegates_set;
      return {};
    default: return extra(1);  // account, ledger
  }
}

status finish_accounting(invocation& inv, bool none) {
  if (inv.what == action::credit) return check_amount_text(inv);
  if (none) {
    if (!inv.delegates.empty()) return usage("--none contradicts the delegates' NAMEs");
    inv.what = action::delegates_set;
  }
  return {};
}

result<int64_t> parse_amount(std::string_view text, uint32_t minor_digits) {
  bool negative = false;
  std::string_view whole, fraction;
  if (!split_amount(text, negative, whole, fraction)) return usage(amount_form);
  if (fraction.size() > minor_digits)
    return usage("AMOUNT has more decimals than the server's currency (" + std::to_string(minor_digits) + ")");
  // Leading zeros do not count; 13 digits already exceed the limit in any currency.
  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  const std::string too_large = "AMOUNT is too large (at most " + std::to_string(web::max_credit_amount) +
                                " minor units)";
  if (whole.size() > 13) return usage(too_large);
  int64_t v = 0;
  for (char c : whole) v = v * 10 + (c - '0');
  for (uint32_t i = 0; i < minor_digits; ++i) v = v * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  if (v > web::max_credit_amount) return usage(too_large);
  if (v == 0) return usage("AMOUNT must not be 0");
  return negative ? -v : v;
}

api_request accounting_request(const invocation& inv) {
  using json = nlohmann::ordered_json;
  auto body_of = [](const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); };
  const std::string user = std::string(web::api_root) + "/users/" + web::percent_encode_segment(inv.name);
  const std::string terminals = std::string(web::api_root).append("/terminals");
  switch (inv.what) {
    case action::account:
    case action::credit: return {"GET", user + "/account", {}};
    case action::ledger:
      return {"GET", user + "/ledger" + (inv.limit ? "?limit=" + std::to_string(*inv.limit) : ""), {}};
    case action::delegates_show: return {"GET", user + "/delegates", {}};
    case action::delegates_set: return {"PUT", user + "/delegates", body_of(json{{"delegates", inv.delegates}})};
    case action::terminals_list: return {"GET", terminals, {}};
    case action::terminals_add:
      return {"POST", terminals, body_of(json{{"name", inv.name}, {"printer", inv.printer}})};
    case action::terminals_revoke: return {"DELETE", terminals + "/" + web::percent_encode_segment(inv.name), {}};
    default: return {};
  }
}

api_request credit_request(const invocation& inv, int64_t minor) {
  using json = nlohmann::ordered_json;
  json j;
  j["amount"] = minor;
  j["kind"] = inv.adjust ? "adjust" : "topup";
  if (inv.note) j["note"] = *inv.note;
  return {"POST", std::string(web::api_root) + "/users/" + web::percent_encode_segment(inv.name) + "/credit",
          j.dump(-1, ' ', false, json::error_handler_t::replace)};
}

}  // namespace quire::quirectl
