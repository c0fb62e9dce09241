#include "web/token_json.hpp"

#include "storage/users.hpp"
#include "web/api_json_detail.hpp"

namespace quire::web {

using namespace json_detail;

namespace {

ordered_json token_object(const api_token_view& t) {
  ordered_json j;
  j["id"] = t.id;
  j["user"] = t.user;
  j["name"] = t.name;
  j["created_by"] = t.created_by;
  j["created"] = time_or_null(t.created_ms);
  j["expires"] = time_or_null(t.expires_ms);
  return j;
}

}  // namespace

result<token_request> parse_token_request(std::string_view body) {
  json obj;
  if (auto s = parse_object(body, obj)) return s;
  if (auto s = check_keys(obj, {"name", "expires_days"})) return s;
  token_request req;
  if (auto s = required_string(obj, "name", req.name)) return s;
  // A label follows a display name's rules (text, no control characters).
  user_record probe;
  probe.name = "x";
  probe.display_name = req.name;
  if (req.name.empty() || validate_user(probe) || req.name.size() > 4 * max_token_name_chars)
    return bad("field \"name\" must be 1 to 64 characters of text without control characters");
  size_t chars = 0;
  for (unsigned char c : req.name) chars += (c & 0xc0) != 0x80;
  if (chars > max_token_name_chars) return bad("field \"name\" must be at most 64 characters");
  if (auto it = obj.find("expires_days"); it != obj.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > max_token_days)
      return bad("field \"expires_days\" must be a whole number from 1 to 3650");
    req.expires_days = it->get<int64_t>();
  }
  return req;
}

bool valid_token_id(std::string_view id) noexcept {
  if (id.size() != 12) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string token_json(const api_token_view& t) { return dump(token_object(t)); }

std::string new_token_json(const new_api_token& t) {
  ordered_json j = token_object(t.view);
  j["token"] = t.token;
  return dump(j);
}

std::string token_list_json(const std::vector<api_token_view>& tokens) {
  ordered_json list = ordered_json::array();
  for (const auto& t : tokens) list.push_back(token_object(t));
  ordered_json j;
  j["tokens"] = std::move(list);
  return dump(j);
}

}  // namespace quire::web
