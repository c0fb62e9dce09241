#include "web/api_json.hpp"

#include <initializer_list>
#include <set>

#include "storage/credentials.hpp"
#include "web/api_json_detail.hpp"

namespace quire::web {

namespace {

using namespace json_detail;

// As check_keys, but a user's name and password are changed elsewhere: an
// unknown key that is one of them says where.
status check_user_keys(const json& obj, std::initializer_list<std::string_view> known) {
  const std::string* key = unknown_key(obj, known);
  if (!key) return {};
  if (*key == "name") return bad("a user cannot be renamed");
  if (*key == "password") return bad("set a password with PUT /api/v1/users/{name}/password");
  return bad("unknown field " + field_label(*key));
}

status get_string(const json& obj, const char* key, std::optional<std::string>& out) {
  auto s = find_string(obj, key);
  if (!s.ok()) return s.err();
  if (*s) out = **s;
  return {};
}

status get_bool(const json& obj, const char* key, std::optional<bool>& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (!it->is_boolean()) return bad(std::string("field \"") + key + "\" must be true or false");
  out = it->get<bool>();
  return {};
}

status get_groups(const json& obj, std::optional<std::vector<std::string>>& out) {
  auto it = obj.find("groups");
  if (it == obj.end()) return {};
  if (!it->is_array()) return bad("field \"groups\" must be an array of strings");
  if (it->size() > max_user_groups)
    return bad("a user may be in at most " + std::to_string(max_user_groups) + " groups");
  std::vector<std::string> groups;
  std::set<std::string> seen;
  for (const auto& g : *it) {
    if (!g.is_string()) return bad("field \"groups\" must be an array of strings");
    if (!seen.insert(g.get<std::string>()).second) return bad("field \"groups\" names a group twice");
    groups.push_back(g.get<std::string>());
  }
  out = std::move(groups);
  return {};
}

status get_email(const json& obj, std::optional<std::string>& out) {
  if (auto s = get_string(obj, "email", out)) return s;
  if (out)
    if (auto s = check_email(*out)) return s;
  return {};
}

// One required string field, the body's only one.
status single_secret(std::string_view body, const char* key, std::string& out) {
  scrubbed doc;
  if (auto s = parse_object(body, doc.value)) return s;
  if (auto s = check_user_keys(doc.value, {key})) return s;
  return required_string(doc.value, key, out);
}

}  // namespace

status check_email(std::string_view email) {
  if (email.empty()) return {};
  size_t at = email.find('@');
  bool ok = email.size() <= max_email_bytes && at != std::string_view::npos && at > 0 && at + 1 < email.size() &&
            email.find('@', at + 1) == std::string_view::npos;
  for (size_t i = 0; i < email.size(); ++i) {
    auto c = static_cast<unsigned char>(email[i]);
    // C0, space and DEL; and C1 (U+0080..U+009F: 0xC2 0x80..0x9F in UTF-8), as validate_user.
    bool c1 = c == 0xc2 && i + 1 < email.size() && static_cast<unsigned char>(email[i + 1]) <= 0x9f;
    ok = ok && c > 0x20 && c != 0x7f && !c1;
  }
  if (!ok)
    return bad("field \"email\" must be \"\" or an e-mail address (at most 254 bytes, one @, no spaces or control "
               "characters)");
  return {};
}

status check_json_body(std::string_view body) {
  json doc;
  return parse_object(body, doc);
}

new_user_request::~new_user_request() {
  if (password) wipe(*password);
}

result<new_user_request> parse_new_user(std::string_view body) {
  scrubbed doc;
  if (auto s = parse_object(body, doc.value)) return s;
  const json& obj = doc.value;
  if (auto s = check_keys(obj, {"name", "display_name", "groups", "admin", "disabled", "email", "password"}))
    return s;
  std::optional<std::string> name, display_name, email;
  std::optional<std::vector<std::string>> groups;
  std::optional<bool> admin, disabled;
  new_user_request req;
  if (auto s = get_string(obj, "name", name)) return s;
  if (!name) return bad("field \"name\" is required");
  if (auto s = get_string(obj, "display_name", display_name)) return s;
  if (auto s = get_groups(obj, groups)) return s;
  if (auto s = get_bool(obj, "admin", admin)) return s;
  if (auto s = get_bool(obj, "disabled", disabled)) return s;
  if (auto s = get_email(obj, email)) return s;
  if (auto s = get_string(obj, "password", req.password)) return s;
  if (req.password)
    if (auto s = check_password(*req.password)) return s;

  req.user.name = std::move(*name);
  if (display_name) req.user.display_name = std::move(*display_name);
  if (groups) req.user.groups = std::move(*groups);
  req.user.admin = admin.value_or(false);
  req.user.disabled = disabled.value_or(false);
  req.user.email = email.value_or("");
  if (auto s = validate_user(req.user)) return bad(s.message);
  return req;
}

result<user_patch> parse_user_patch(std::string_view name, std::string_view body) {
  scrubbed doc;
  if (auto s = parse_object(body, doc.value)) return s;
  const json& obj = doc.value;
  if (auto s = check_user_keys(obj, {"display_name", "groups", "admin", "disabled", "email"})) return s;
  user_patch patch;
  if (auto s = get_string(obj, "display_name", patch.display_name)) return s;
  if (auto s = get_groups(obj, patch.groups)) return s;
  if (auto s = get_bool(obj, "admin", patch.admin)) return s;
  if (auto s = get_bool(obj, "disabled", patch.disabled)) return s;
  if (auto s = get_email(obj, patch.email)) return s;
  if (patch.empty()) return bad("the body changes nothing: give display_name, groups, admin, disabled or email");

  // Validate the new values as a record would hold them.
  user_record probe;
  probe.name = std::string(name);
  if (patch.display_name) probe.display_name = *patch.display_name;
  if (patch.groups) probe.groups = *patch.groups;
  if (patch.email) probe.email = *patch.email;
  if (auto s = validate_user(probe)) return bad(s.message);
  return patch;
}

result<std::string> parse_password(std::string_view body) {
  std::string password;
  if (auto s = single_secret(body, "password", password)) return s;
  if (auto s = check_password(password)) {
    wipe(password);
    return s;
  }
  return password;
}

result<std::string> parse_card_id(std::string_view body, const credential_limits& limits) {
  std::string card;
  if (auto s = single_secret(body, "card_id", card)) return s;
  if (auto s = check_card_id("card_id", card, limits)) {
    wipe(card);
    return s;
  }
  return card;
}

result<std::string> parse_pin(std::string_view body, const credential_limits& limits) {
  std::string pin;
  if (auto s = single_secret(body, "pin", pin)) {
    if (s.message == "field \"pin\" must be a string") s.message += " of digits (quote it: leading zeros count)";
    return s;
  }
  if (auto s = check_pin(pin, limits)) {
    wipe(pin);
    return s;
  }
  return pin;
}

namespace {

ordered_json user_object(const user_info& u) {
  // Built field by field from what may be shown: there is no path from
  // password_hash, a card id or a PIN to this object.
  ordered_json j;
  j["name"] = u.record.name;
  j["display_name"] = u.record.display_name;
  j["groups"] = u.record.groups;
  j["admin"] = u.record.admin;
  j["disabled"] = u.record.disabled;
  j["password"] = u.has_password;
  j["cards"] = u.cards;
  j["pin"] = u.pin;
  j["created_ms"] = u.record.created_ms;
  j["updated_ms"] = u.record.updated_ms;
  // Where the user comes from: Quire's own ("" source), or the directory
  // sync (actors/directory_sync.hpp), which also says the entry's state.
  bool own = u.record.source.empty();
  j["email"] = u.record.email;
  j["source"] = own ? "quire" : "directory";
  j["dn"] = u.record.dn;
  j["directory_state"] = own ? ordered_json(nullptr) : ordered_json(u.record.directory_state);
  // What [pins] lets the user do about their PIN (the portal offers it).
  j["pin_choice"] = u.may_choose_pin;
  j["pin_by_mail"] = u.may_generate_pin;
  return j;
}

}  // namespace

std::string user_json(const user_info& user) { return dump(user_object(user)); }

std::string pin_sent_json(const std::string& address) {
  ordered_json j;
  j["sent_to"] = address;
  return dump(j);
}

std::string enrolment_code_json(const enrolment_code& code) {
  ordered_json j;
  j["code"] = code.code;
  j["expires_ms"] = code.expires_ms;
  return dump(j);
}

std::string user_list_json(const std::vector<user_info>& users, const std::optional<std::string>& next) {
  ordered_json j;
  j["users"] = ordered_json::array();
  for (const auto& u : users) j["users"].push_back(user_object(u));
  j["next"] = next ? ordered_json(*next) : ordered_json(nullptr);
  return dump(j);
}

std::string principal_json(const principal& who) {
  ordered_json j;
  j["name"] = who.name;
  j["admin"] = who.admin;
  return dump(j);
}

std::string error_json(std::string_view code, std::string_view message) {
  ordered_json j;
  j["error"] = std::string(code);
  j["message"] = std::string(message);
  return dump(j);
}

}  // namespace quire::web
