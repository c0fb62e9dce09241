// The API-token commands of quirectl_cli.hpp: tokens list USER, tokens add
// USER LABEL [--days N], tokens revoke USER ID; their arguments in, their
// REST requests out (web/token_json.hpp), and what a person reads. Also the
// usage report (report [--from] [--to] [--by] [--csv], web/report.hpp).
#include <nlohmann/json.hpp>

#include <cctype>

#include "web/api_request.hpp"
#include "web/quirectl_cli.hpp"
#include "web/quirectl_output.hpp"
#include "web/quirectl_output_detail.hpp"
#include "web/token_json.hpp"

namespace quire::quirectl {

using namespace output_detail;

bool is_token_action(action what) noexcept {
  return what == action::tokens_list || what == action::tokens_add || what == action::tokens_revoke;
}

status take_token_words(invocation& inv, const std::vector<std::string>& words) {
  auto usage = [](std::string message) { return error(errc::invalid_argument, std::move(message)); };
  size_t want = inv.what == action::tokens_list ? 1 : 2;
  if (words.size() < want)
    return usage(inv.what == action::tokens_list  ? "this command needs a USER"
                 : inv.what == action::tokens_add ? "this command needs a USER and a LABEL"
                                                  : "this command needs a USER and a token ID");
  if (auto s = validate_user_name(words[0])) return usage(s.message);
  inv.name = words[0];
  if (inv.what == action::tokens_add) inv.label = words[1];
  if (inv.what == action::tokens_revoke) {
    if (!web::valid_token_id(words[1])) return usage("a token ID is 12 hex digits (see tokens list)");
    inv.token_id = words[1];
  }
  if (words.size() > want) return usage("unexpected argument '" + words[want] + "'");
  return {};
}

api_request tokens_request(const invocation& inv) {
  std::string tokens = std::string(web::api_root) + "/users/" + web::percent_encode_segment(inv.name) + "/tokens";
  switch (inv.what) {
    case action::tokens_list: return {"GET", tokens, {}};
    case action::tokens_add: {
      nlohmann::json j;
      j["name"] = inv.label;
      if (inv.days) j["expires_days"] = inv.days;
      return {"POST", tokens, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
    }
    case action::tokens_revoke: return {"DELETE", tokens + "/" + inv.token_id, {}};
    default: return {};
  }
}

api_request report_request(const invocation& inv) {
  std::string query;
  auto add = [&](const char* key, const std::string& value) {
    if (!value.empty()) query.append(query.empty() ? "?" : "&").append(key).append("=").append(value);
  };
  add("from", inv.from);
  add("to", inv.to);
  add("by", inv.by);
  if (inv.csv) add("format", "csv");
  return {"GET", std::string(web::api_root).append("/reports/usage").append(query), {}};
}

std::string report_table(std::string_view report_body) {
  auto j = parse_json(report_body);
  if (!j || !j->is_object()) return printable(report_body) + "\n";
  std::string heading = text_of(*j, "by");
  for (auto& c : heading) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::vector<std::vector<std::string>> rows = {{heading, "JOBS", "PAGES", "SHEETS", "COLOUR", "COST"}};
  auto row = [&](const json& r) {
    rows.push_back({text_of(r, "key"), count_of(r, "jobs"), count_of(r, "pages"), count_of(r, "sheets"),
                    count_of(r, "colour_sheets"), text_of(r, "cost_text")});
  };
  for (const auto& r : items_of({std::string(report_body)}, "rows")) row(r);
  if (auto t = j->find("total"); t != j->end() && t->is_object()) row(*t);
  return text_of(*j, "from") + " to " + text_of(*j, "to") + "\n" + format_table(rows, "(no printing)");
}

std::string token_table(std::string_view tokens_body) {
  std::vector<std::vector<std::string>> rows = {{"ID", "NAME", "CREATED BY", "CREATED", "EXPIRES"}};
  for (const auto& t : items_of({std::string(tokens_body)}, "tokens")) {
    std::string expires = text_of(t, "expires");
    rows.push_back({text_of(t, "id"), text_of(t, "name"), text_of(t, "created_by"), text_of(t, "created"),
                    expires.empty() ? "never" : expires});
  }
  return format_table(rows, "(no API tokens)");
}

std::string token_added(std::string_view token_body) {
  auto j = parse_json(token_body);
  if (!j || !j->is_object()) return printable(token_body) + "\n";
  return "API token " + text_of(*j, "id") + " (" + text_of(*j, "name") + ") made for " + text_of(*j, "user") +
         "\n" + "token: " + text_of(*j, "token") + "\n" +
         "It is shown only this once: store it now (send it as \"Authorization: Bearer <token>\",\n"
         "or to quirectl with --token-file FILE or QUIRE_TOKEN).\n";
}

}  // namespace quire::quirectl
