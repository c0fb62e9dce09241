// The accounting facet of api_json.hpp: the bodies of credit, delegates and
// terminal registration in, accounts, ledger entries, delegates and
// terminals out.
#include <set>

#include "storage/users.hpp"
#include "web/api_json.hpp"
#include "web/api_json_detail.hpp"
#include "web/api_request.hpp"

namespace quire::web {

namespace {

using namespace json_detail;

// No body here carries a secret: unlike api_json.cpp's, none is scrubbed.

// The amount as a JSON integer within ±max_credit_amount. nlohmann keeps
// integers above INT64_MAX as unsigned, and 1.0 or 1e3 as floats.
status get_amount(const json& obj, int64_t& out) {
  auto it = obj.find("amount");
  if (it == obj.end()) return bad("field \"amount\" is required");
  static const std::string range = "field \"amount\" must be a whole number of minor units from -" +
                                   std::to_string(max_credit_amount) + " to " + std::to_string(max_credit_amount);
  if (it->is_number_unsigned()) {
    if (it->get<uint64_t>() > static_cast<uint64_t>(max_credit_amount)) return bad(range);
    out = static_cast<int64_t>(it->get<uint64_t>());
  } else if (it->is_number_integer()) {
    int64_t v = it->get<int64_t>();
    if (v < -max_credit_amount || v > max_credit_amount) return bad(range);
    out = v;
  } else {
    return bad(range);
  }
  if (out == 0) return bad("field \"amount\" must not be 0");
  return {};
}

// Text a person reads back in a ledger: characters (code points) counted,
// no control character (C0, DEL, C1). The parser has checked the UTF-8.
bool acceptable_note(std::string_view note) {
  size_t chars = 0;
  for (size_t i = 0; i < note.size(); ++i) {
    auto b = static_cast<unsigned char>(note[i]);
    if ((b & 0xc0) != 0x80) ++chars;
    if (b < 0x20 || b == 0x7f) return false;
    if (b == 0xc2 && i + 1 < note.size() && static_cast<unsigned char>(note[i + 1]) <= 0x9f) return false;
  }
  return chars <= max_credit_note_chars;
}

}  // namespace

result<credit_request> parse_credit(std::string_view body) {
  json obj;
  if (auto s = parse_object(body, obj)) return s;
  if (auto s = check_keys(obj, {"amount", "kind", "note"})) return s;
  credit_request req;
  if (auto s = get_amount(obj, req.amount)) return s;
  if (auto it = obj.find("kind"); it != obj.end()) {
    ledger_kind k = ledger_kind::charge;
    if (!it->is_string() || !parse_ledger_kind(it->get<std::string>(), k) ||
        (k != ledger_kind::topup && k != ledger_kind::adjust))
      return bad("field \"kind\" must be \"topup\" or \"adjust\"");
    req.kind = k;
  }
  if (req.kind == ledger_kind::topup && req.amount < 0)
    return bad("a top-up must be positive (use \"kind\": \"adjust\" to take credit away)");
  if (auto it = obj.find("note"); it != obj.end()) {
    if (!it->is_string()) return bad("field \"note\" must be a string");
    req.note = it->get<std::string>();
    if (!acceptable_note(req.note))
      return bad("field \"note\" must be at most " + std::to_string(max_credit_note_chars) +
                 " characters without control characters");
  }
  return req;
}

result<std::vector<std::string>> parse_delegates(std::string_view owner, std::string_view body) {
  json obj;
  if (auto s = parse_object(body, obj)) return s;
  if (auto s = check_keys(obj, {"delegates"})) return s;
  auto it = obj.find("delegates");
  if (it == obj.end()) return bad("field \"delegates\" is required");
  if (!it->is_array()) return bad("field \"delegates\" must be an array of user names");
  if (it->size() > max_delegates)
    return bad("a user may name at most " + std::to_string(max_delegates) + " delegates");
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const auto& d : *it) {
    if (!d.is_string()) return bad("field \"delegates\" must be an array of user names");
    const auto& name = d.get_ref<const std::string&>();
    if (auto s = validate_user_name(name)) return bad("field \"delegates\": " + s.message);
    if (name == owner) return bad("a user cannot be their own delegate");
    if (!seen.insert(name).second) return bad("field \"delegates\" names a user twice");
    names.push_back(name);
  }
  return names;
}

result<terminal_request> parse_terminal_request(std::string_view body) {
  json obj;
  if (auto s = parse_object(body, obj)) return s;
  if (auto s = check_keys(obj, {"name", "printer"})) return s;
  terminal_request req;
  if (auto s = required_string(obj, "name", req.name)) return s;
  if (auto s = validate_user_name(req.name)) return bad("field \"name\": " + s.message);
  if (auto s = required_string(obj, "printer", req.printer)) return s;
  if (!valid_printer_name(req.printer)) return bad("field \"printer\" must be 1 to 64 of A-Z a-z 0-9 _ . -");
  return req;
}

namespace {

ordered_json entry_object(const ledger_entry& e, const money_format& money) {
  ordered_json j;
  j["kind"] = to_string(e.kind);
  j["job"] = e.job_id == 0 ? ordered_json(nullptr) : ordered_json(e.job_id);
  j["attempt"] = e.attempt;
  j["amount"] = e.amount;
  j["amount_text"] = money_text(e.amount, money);
  j["balance_after"] = e.balance_after;
  j["balance_after_text"] = money_text(e.balance_after, money);
  j["pages"] = e.pages;
  j["sheets"] = e.sheets;
  j["colour_sheets"] = e.colour_sheets;
  j["owner"] = e.owner;
  j["printed_by"] = e.printed_by;
  j["printer"] = e.printer;
  j["project"] = e.project;
  j["price_list"] = e.price_list;
  j["by"] = e.by;
  j["note"] = e.note;
  j["time"] = time_or_null(e.time_ms);
  return j;
}

ordered_json terminal_object(const terminal_view& t, bool with_token) {
  // Field by field: the token is shown only when asked for.
  ordered_json j;
  j["name"] = t.name;
  j["printer"] = t.printer;
  j["created_by"] = t.created_by;
  j["created"] = time_or_null(t.created_ms);
  if (with_token) j["token"] = t.token;
  return j;
}

}  // namespace

std::string account_json(const account_info& a) {
  ordered_json j;
  j["name"] = a.name;
  j["balance"] = a.balance;
  j["reserved"] = a.reserved;
  j["available"] = a.available;
  j["unlimited"] = a.unlimited;
  j["quota"] = quota_or_null(a.has_quota, a.quota_sheets_left, a.quota_period_end_ms);
  add_money_format(j, a.money);
  j["balance_text"] = money_text(a.balance, a.money);
  j["available_text"] = money_text(a.available, a.money);
  return dump(j);
}

std::string ledger_json(const std::vector<ledger_entry>& entries, const money_format& money) {
  ordered_json j;
  j["entries"] = ordered_json::array();
  for (const auto& e : entries) j["entries"].push_back(entry_object(e, money));
  return dump(j);
}

std::string delegates_json(const std::vector<std::string>& names) {
  ordered_json j;
  j["delegates"] = names;
  return dump(j);
}

std::string terminal_view_json(const terminal_view& terminal, bool with_token) {
  return dump(terminal_object(terminal, with_token));
}

std::string terminal_list_json(const std::vector<terminal_view>& terminals) {
  ordered_json j;
  j["terminals"] = ordered_json::array();
  for (const auto& t : terminals) j["terminals"].push_back(terminal_object(t, false));
  return dump(j);
}

}  // namespace quire::web
