// The response facet of terminal_json.hpp: what a terminal is shown.
//
// Every object is built field by field from what may be shown: there is no
// path from a job's pin_hash, a card id, a PIN, a password or a terminal
// token to the JSON written here.
#include <algorithm>
#include <limits>

#include "web/api_json_detail.hpp"
#include "web/terminal_json.hpp"

namespace quire::web {

namespace {

using namespace json_detail;

int64_t saturating_sub(int64_t a, int64_t b) {
  int64_t out = 0;
  if (!__builtin_sub_overflow(a, b, &out)) return out;
  return b < 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

ordered_json balance_object(const balance_info& b, const money_format& money) {
  ordered_json j;
  int64_t available = saturating_sub(b.balance, b.reserved);
  j["balance"] = b.balance;
  j["balance_text"] = money_text(b.balance, money);
  j["reserved"] = b.reserved;
  j["reserved_text"] = money_text(b.reserved, money);
  j["available"] = available;
  j["available_text"] = money_text(available, money);
  j["unlimited"] = b.unlimited;
  j["quota"] = quota_or_null(b.has_quota, b.quota_sheets_left, b.quota_period_end_ms);
  return j;
}

ordered_json outcome_object(const release_outcome& o, const money_format& money) {
  ordered_json j;
  j["job"] = o.job_id;
  j["ok"] = o.ok;
  if (o.ok) {
    j["error"] = nullptr;
    j["message"] = "";
    j["price"] = o.price;
    j["price_text"] = money_text(o.price, money);
  } else {
    // A refusal with no code of its own is still a refusal.
    j["error"] = to_string(o.code == errc::ok ? errc::not_possible : o.code);
    j["message"] = o.message;
    j["price"] = 0;
    j["price_text"] = nullptr;
  }
  return j;
}

ordered_json outcomes_array(const std::vector<release_outcome>& outcomes, const money_format& money) {
  ordered_json a = ordered_json::array();
  for (const auto& o : outcomes) a.push_back(outcome_object(o, money));
  return a;
}

ordered_json job_object(const terminal_job& tj, int64_t now_ms, const money_format& money) {
  const job_record& job = tj.record;
  const job_analysis& a = job.analysis;
  ordered_json j;
  j["id"] = job.id;
  j["name"] = job.name.empty() ? job.document_name : job.name;
  j["owner"] = job.owner;
  j["queue"] = job.queue;
  j["pages"] = a.pages;
  j["colour_pages"] = a.colour_pages;
  j["sheets"] = a.sheets;
  j["colour"] = a.colour_pages > 0;
  j["price"] = tj.priced ? tj.price : 0;
  j["price_text"] = tj.priced ? ordered_json(money_text(tj.price, money)) : ordered_json(nullptr);
  j["priced"] = tj.priced;
  j["needs_pin"] = tj.needs_pin;
  j["delegated"] = tj.delegated;
  j["created"] = time_or_null(job.created_ms);
  // A clock that went back, or a job without a creation time, is "just now".
  int64_t age_ms = job.created_ms > 0 ? saturating_sub(now_ms, job.created_ms) : 0;
  j["age_s"] = std::max<int64_t>(0, age_ms / 1000);
  return j;
}

}  // namespace

std::string terminal_info_json(const terminal_info& info) {
  ordered_json j;
  j["terminal"] = info.id.terminal;
  j["printer"] = info.id.printer;
  j["printer_state"] = info.printer_state;
  j["printer_message"] = info.printer_message;
  j["location"] = info.location;
  ordered_json login;
  login["card"] = info.methods.card;
  login["pin"] = info.methods.pin;
  login["password"] = info.methods.password;
  login["card_pin"] = info.methods.card_pin;
  login["card_requires_pin"] = info.methods.card_requires_pin;
  login["enrol_cards"] = info.methods.enrol_cards;
  j["login"] = std::move(login);
  add_money_format(j, info.money);
  return dump(j);
}

std::string session_json(const session_info& s) {
  ordered_json j;
  if (!s.session.empty()) j["session"] = s.session;
  j["user"] = s.user;
  j["display_name"] = s.display_name;
  j["printer"] = s.printer;
  j["expires"] = time_or_null(s.expires_ms);
  j["account"] = balance_object(s.account, s.money);
  j["projects"] = s.projects;
  j["released"] = outcomes_array(s.released, s.money);
  add_money_format(j, s.money);
  return dump(j);
}

std::string terminal_jobs_json(const terminal_job_list& list) {
  ordered_json j;
  j["jobs"] = ordered_json::array();
  for (const auto& job : list.jobs) j["jobs"].push_back(job_object(job, list.now_ms, list.money));
  add_money_format(j, list.money);
  return dump(j);
}

std::string release_report_json(const release_report& r) {
  ordered_json j;
  j["results"] = outcomes_array(r.results, r.money);
  j["account"] = balance_object(r.account, r.money);
  add_money_format(j, r.money);
  return dump(j);
}

std::string balance_json(const balance_info& b, const money_format& money) { return dump(balance_object(b, money)); }

}  // namespace quire::web
