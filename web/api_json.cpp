#include "web/api_json.hpp"

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <set>

#include "storage/credentials.hpp"

namespace quire::web {

namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

error bad(std::string message) { return error(errc::invalid_argument, std::move(message)); }

// The first pass over a body: syntax, depth and duplicate keys, without
// building a tree (nlohmann's DOM silently keeps the last of two equal keys).
class structure_check final : public nlohmann::json_sax<json> {
 public:
  std::string problem;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return open(true); }
  bool key(string_t& k) override {
    if (stack_.back().keys.insert(k).second) return true;
    problem = "a key appears twice in one object";
    return false;
  }
  bool end_object() override {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return open(false); }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  // `last_token` may hold part of a secret: it is not used.
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) override {
    problem = "the body is not valid JSON (at byte " + std::to_string(position) + ")";
    return false;
  }

 private:
  struct level {
    bool object;
    std::set<std::string> keys;
  };
  bool open(bool object) {
    if (stack_.size() >= static_cast<size_t>(max_json_depth)) {
      problem = "the body nests deeper than " + std::to_string(max_json_depth) + " levels";
      return false;
    }
    stack_.push_back({object, {}});
    return true;
  }
  std::vector<level> stack_;
};

// Overwrites every string of a parsed body before it is freed: a password
// or card id should not linger in freed memory longer than it must.
void scrub(json& j) {
  if (j.is_string()) {
    wipe(j.get_ref<std::string&>());
  } else if (j.is_structured()) {
    for (auto& v : j) scrub(v);
  }
}

struct scrubbed {
  json value;
  ~scrubbed() { scrub(value); }
};

status parse_object(std::string_view body, json& out) {
  if (body.empty()) return bad("the body must be a JSON object");
  structure_check check;
  if (!json::sax_parse(body.begin(), body.end(), &check, json::input_format_t::json, true, false))
    return bad(check.problem.empty() ? "the body is not valid JSON" : check.problem);
  out = json::parse(body.begin(), body.end(), nullptr, false, false);
  if (out.is_discarded()) return bad("the body is not valid JSON");
  if (!out.is_object()) return bad("the body must be a JSON object");
  return {};
}

// A field name as sent, quoted only when it cannot carry anything but a
// field name (a client that puts a password in a key does not see it back).
std::string field_label(const std::string& key) {
  bool plain = !key.empty() && key.size() <= 32;
  for (char c : key) plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  return plain ? "\"" + key + "\"" : "with an unexpected name";
}

status check_keys(const json& obj, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : obj.items()) {
    bool ok = false;
    for (auto k : known) ok = ok || key == k;
    if (ok) continue;
    if (key == "name") return bad("a user cannot be renamed");
    if (key == "password") return bad("set a password with PUT /api/v1/users/{name}/password");
    return bad("unknown field " + field_label(key));
  }
  return {};
}

status get_string(const json& obj, const char* key, std::optional<std::string>& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (!it->is_string()) return bad(std::string("field \"") + key + "\" must be a string");
  out = it->get<std::string>();
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

// One required string field, the body's only one.
status single_secret(std::string_view body, const char* key, std::string& out) {
  scrubbed doc;
  if (auto s = parse_object(body, doc.value)) return s;
  if (auto s = check_keys(doc.value, {key})) return s;
  auto it = doc.value.find(key);
  if (it == doc.value.end()) return bad(std::string("field \"") + key + "\" is required");
  if (!it->is_string()) return bad(std::string("field \"") + key + "\" must be a string");
  out = it->get<std::string>();
  return {};
}

status check_password(const std::string& password) {
  if (password.empty()) return bad("the password must not be empty");
  if (password.size() > max_password_bytes)
    return bad("the password must be at most " + std::to_string(max_password_bytes) + " bytes");
  if (password.find('\0') != std::string::npos) return bad("the password must not contain a 0 character");
  return {};
}

}  // namespace

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
  for (const auto& [key, value] : obj.items()) {
    static constexpr std::string_view known[] = {"name", "display_name", "groups", "admin", "disabled", "password"};
    bool ok = false;
    for (auto k : known) ok = ok || key == k;
    if (!ok) return bad("unknown field " + field_label(key));
  }
  std::optional<std::string> name, display_name;
  std::optional<std::vector<std::string>> groups;
  std::optional<bool> admin, disabled;
  new_user_request req;
  if (auto s = get_string(obj, "name", name)) return s;
  if (!name) return bad("field \"name\" is required");
  if (auto s = get_string(obj, "display_name", display_name)) return s;
  if (auto s = get_groups(obj, groups)) return s;
  if (auto s = get_bool(obj, "admin", admin)) return s;
  if (auto s = get_bool(obj, "disabled", disabled)) return s;
  if (auto s = get_string(obj, "password", req.password)) return s;
  if (req.password)
    if (auto s = check_password(*req.password)) return s;

  req.user.name = std::move(*name);
  if (display_name) req.user.display_name = std::move(*display_name);
  if (groups) req.user.groups = std::move(*groups);
  req.user.admin = admin.value_or(false);
  req.user.disabled = disabled.value_or(false);
  if (auto s = validate_user(req.user)) return bad(s.message);
  return req;
}

result<user_patch> parse_user_patch(std::string_view name, std::string_view body) {
  scrubbed doc;
  if (auto s = parse_object(body, doc.value)) return s;
  const json& obj = doc.value;
  if (auto s = check_keys(obj, {"display_name", "groups", "admin", "disabled"})) return s;
  user_patch patch;
  if (auto s = get_string(obj, "display_name", patch.display_name)) return s;
  if (auto s = get_groups(obj, patch.groups)) return s;
  if (auto s = get_bool(obj, "admin", patch.admin)) return s;
  if (auto s = get_bool(obj, "disabled", patch.disabled)) return s;
  if (patch.empty()) return bad("the body changes nothing: give display_name, groups, admin or disabled");

  // Validate the new values as a record would hold them.
  user_record probe;
  probe.name = std::string(name);
  if (patch.display_name) probe.display_name = *patch.display_name;
  if (patch.groups) probe.groups = *patch.groups;
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
  bool printable = !card.empty();
  for (char c : card) printable = printable && c > 0x20 && c < 0x7f;
  if (!printable || card.size() > limits.max_card_id_chars) {
    wipe(card);
    return bad("field \"card_id\" must be 1 to " + std::to_string(limits.max_card_id_chars) +
               " printable ASCII characters without spaces");
  }
  return card;
}

result<std::string> parse_pin(std::string_view body, const credential_limits& limits) {
  std::string pin;
  if (auto s = single_secret(body, "pin", pin)) {
    if (s.message == "field \"pin\" must be a string") s.message += " of digits (quote it: leading zeros count)";
    return s;
  }
  bool digits = pin.size() >= limits.min_pin_digits && pin.size() <= limits.max_pin_digits;
  for (char c : pin) digits = digits && c >= '0' && c <= '9';
  if (!digits) {
    wipe(pin);
    return bad("field \"pin\" must be " + std::to_string(limits.min_pin_digits) + " to " +
               std::to_string(limits.max_pin_digits) + " digits");
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
  return j;
}

// Stored text is validated UTF-8, but a response must never throw: bytes
// that are not UTF-8 become U+FFFD.
std::string dump(const ordered_json& j) { return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace); }

}  // namespace

std::string user_json(const user_info& user) { return dump(user_object(user)); }

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
