#include "web/fleet_json.hpp"

#include <algorithm>

#include "web/api_request.hpp"
#include "web/fleet_json_detail.hpp"

namespace quire::web {

using namespace json_detail;

namespace fleet_json_detail {

const char* to_string(record_origin o) noexcept { return o == record_origin::api ? "api" : "config"; }

std::string field_message(const char* key, const char* rule) {
  std::string m = "field \"";
  m.append(key).append("\"").append(rule);
  return m;
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

status check_text(const char* key, const std::string& v, bool nonempty) {
  if (v.size() > max_fleet_text_bytes || has_control(v) || (nonempty && v.empty()))
    return bad(field_message(key, nonempty ? " must be 1 to 1024 bytes of text without control characters"
                                           : " must be at most 1024 bytes of text without control characters"));
  return {};
}

status optional_bool(const json& obj, const char* key, std::optional<bool>& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (!it->is_boolean()) return bad(field_message(key, " must be true or false"));
  out = it->get<bool>();
  return {};
}

status refuse_fixed_fields(const json& obj, const char* what) {
  if (obj.contains("name")) {
    std::string m = "field \"name\" cannot be changed: remove the ";
    return bad(m.append(what).append(" and add it again"));
  }
  if (obj.contains("origin")) return bad("field \"origin\" is the server's: it cannot be set");
  return {};
}

status check_fleet_keys(const json& obj, std::initializer_list<std::string_view> known) {
  if (obj.contains("origin")) return bad("field \"origin\" is the server's: it cannot be set");
  return check_keys(obj, known);
}

}  // namespace fleet_json_detail

using namespace fleet_json_detail;

namespace {

// A device URI: 1 to max_device_uri_bytes, no spaces or control characters
// (the message never quotes it: it may hold a password).
status check_device_uri(const std::string& v) {
  bool ok = !v.empty() && v.size() <= max_device_uri_bytes && !has_control(v) && v.find(' ') == std::string::npos &&
            v.find("://") != std::string::npos;
  if (!ok) return bad("field \"device_uri\" must be a URI (scheme://...) of 1 to 2048 bytes without spaces");
  return {};
}

// The fields of a printer body but "name" into `patch`.
status read_printer_fields(const json& obj, printer_patch& patch) {
  auto text = [](const char* key, bool nonempty) {
    return [key, nonempty](const std::string& v) { return check_text(key, v, nonempty); };
  };
  if (auto s = optional_string(obj, "device_uri", patch.device_uri, check_device_uri)) return s;
  if (auto s = optional_string(obj, "language", patch.language, text("language", true))) return s;
  if (auto s = optional_string(obj, "location", patch.location, text("location", false))) return s;
  if (auto s = optional_string(obj, "info", patch.info, text("info", false))) return s;
  if (auto s = optional_string(obj, "make_and_model", patch.make_and_model, text("make_and_model", false))) return s;
  if (auto s = optional_string(obj, "price_list", patch.price_list, text("price_list", false))) return s;
  return {};
}

status read_printer_names(const json& obj, std::optional<std::vector<std::string>>& out) {
  auto it = obj.find("printers");
  if (it == obj.end()) return {};
  if (!it->is_array()) return bad("field \"printers\" must be an array of printer names");
  if (it->size() > max_queue_printers) return bad("field \"printers\" may list at most 256 printers");
  std::vector<std::string> names;
  for (const auto& v : *it) {
    if (!v.is_string() || !valid_printer_name(v.get_ref<const std::string&>()))
      return bad(field_message("printers", " must hold printer names of 1 to 64 of A-Z a-z 0-9 _ . -"));
    const auto& n = v.get_ref<const std::string&>();
    if (std::find(names.begin(), names.end(), n) != names.end())
      return bad("field \"printers\" names a printer twice");
    names.push_back(n);
  }
  out = std::move(names);
  return {};
}

// The fields of a queue body but "name" into `patch`.
status read_queue_fields(const json& obj, queue_patch& patch) {
  if (auto it = obj.find("type"); it != obj.end()) {
    std::optional<queue_type> t;
    if (it->is_string()) t = parse_queue_type(it->get_ref<const std::string&>());
    if (!t) return bad("field \"type\" must be \"pull\", \"direct\" or \"group\"");
    patch.type = t;
  }
  if (auto s = read_printer_names(obj, patch.printers)) return s;
  auto text = [](const char* key) { return [key](const std::string& v) { return check_text(key, v, false); }; };
  if (auto s = optional_string(obj, "location", patch.location, text("location"))) return s;
  if (auto s = optional_string(obj, "info", patch.info, text("info"))) return s;
  if (auto s = optional_bool(obj, "authentication", patch.auth_required)) return s;
  if (auto s = optional_bool(obj, "failover", patch.failover)) return s;
  return {};
}

bool empty(const printer_patch& p) {
  return !p.device_uri && !p.language && !p.location && !p.info && !p.make_and_model && !p.price_list;
}

bool empty(const queue_patch& q) {
  return !q.type && !q.printers && !q.location && !q.info && !q.auth_required && !q.failover;
}

ordered_json printer_record_object(const printer_record& p) {
  ordered_json j;
  j["name"] = p.name;
  j["device_uri"] = redact_device_uri(p.device_uri);
  j["language"] = p.language;
  j["location"] = p.location;
  j["info"] = p.info;
  j["make_and_model"] = p.make_and_model;
  j["price_list"] = p.price_list;
  j["origin"] = to_string(p.origin);
  return j;
}

}  // namespace

const char* to_string(queue_type t) noexcept {
  switch (t) {
    case queue_type::pull: return "pull";
    case queue_type::direct: return "direct";
    case queue_type::group: return "group";
  }
  return "pull";
}

std::optional<queue_type> parse_queue_type(std::string_view text) noexcept {
  if (text == "pull") return queue_type::pull;
  if (text == "direct") return queue_type::direct;
  if (text == "group") return queue_type::group;
  return std::nullopt;
}

std::string redact_device_uri(std::string_view uri) {
  size_t sep = uri.find("://");
  if (sep == std::string_view::npos) return std::string(uri);
  size_t start = sep + 3;
  size_t end = uri.find_first_of("/?#", start);
  if (end == std::string_view::npos) end = uri.size();
  // The user-info ends at the authority's last '@' (a password may hold an
  // unescaped '@' that a lenient client sent as it is).
  size_t at = uri.substr(start, end - start).rfind('@');
  if (at == std::string_view::npos) return std::string(uri);
  std::string out(uri.substr(0, start));
  out.append("***").append(uri.substr(start + at));
  return out;
}

std::string redact_device_uris_in(std::string_view text, std::string_view uri) {
  std::string out;
  size_t from = 0;
  for (size_t sep = text.find("://"); sep != std::string_view::npos; sep = text.find("://", from)) {
    size_t start = sep + 3;
    // A quoted URI ends at its quote or a space as well as its path.
    size_t end = text.find_first_of("/?#'\" \t", start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view authority = text.substr(start, end - start);
    size_t at = authority.rfind('@');
    out.append(text.substr(from, start - from));
    if (at != std::string_view::npos) {
      out.append("***");
      from = start + at;
    } else if (authority.size() >= 3 && authority.substr(authority.size() - 3) == "...") {
      out.append("***...");
      from = end;
    } else {
      from = start;
    }
  }
  out.append(text.substr(from));
  // The user-info on its own (a message may quote a part of the URI).
  std::string redacted = redact_device_uri(uri);
  size_t sep = uri.find("://");
  if (sep == std::string_view::npos || redacted == uri) return out;
  std::string_view user_info = uri.substr(sep + 3, uri.size() - redacted.size() + 3);
  for (size_t at = out.find(user_info); !user_info.empty() && at != std::string::npos;
       at = out.find(user_info, at + 3))
    out.replace(at, user_info.size(), "***");
  return out;
}

result<printer_record> parse_new_printer(std::string_view body) {
  scrubbed doc;  // the device URI may carry a password
  if (auto s = parse_object(body, doc.value)) return s;
  const json& obj = doc.value;
  if (auto s = check_fleet_keys(
          obj, {"name", "device_uri", "language", "location", "info", "make_and_model", "price_list"}))
    return s;
  printer_record p;
  p.origin = record_origin::api;
  if (auto s = required_string(obj, "name", p.name)) return s;
  if (!valid_printer_name(p.name)) return bad(field_message("name", name_rule));
  if (!obj.contains("device_uri")) return bad("field \"device_uri\" is required");
  printer_patch fields;
  if (auto s = read_printer_fields(obj, fields)) return s;
  p.device_uri = std::move(*fields.device_uri);
  p.language = fields.language.value_or(std::string(default_printer_language));
  p.location = fields.location.value_or("");
  p.info = fields.info.value_or("");
  p.make_and_model = fields.make_and_model.value_or("");
  p.price_list = fields.price_list.value_or("");
  return p;
}

result<printer_patch> parse_printer_patch(std::string_view body) {
  scrubbed doc;
  if (auto s = parse_object(body, doc.value)) return s;
  const json& obj = doc.value;
  if (auto s = refuse_fixed_fields(obj, "printer")) return s;
  if (auto s = check_keys(obj, {"device_uri", "language", "location", "info", "make_and_model", "price_list"}))
    return s;
  printer_patch patch;
  if (auto s = read_printer_fields(obj, patch)) return s;
  if (empty(patch))
    return bad("the body changes nothing: give device_uri, language, location, info, make_and_model or price_list");
  return patch;
}

result<queue_record> parse_new_queue(std::string_view body) {
  json obj;
  if (auto s = parse_object(body, obj)) return s;
  if (auto s = check_fleet_keys(obj, {"name", "type", "printers", "location", "info", "authentication", "failover"}))
    return s;
  queue_record q;
  q.origin = record_origin::api;
  if (auto s = required_string(obj, "name", q.name)) return s;
  if (!valid_queue_name(q.name)) return bad(field_message("name", name_rule));
  if (!obj.contains("type")) return bad("field \"type\" is required");
  queue_patch fields;
  if (auto s = read_queue_fields(obj, fields)) return s;
  q.type = *fields.type;
  q.printers = fields.printers.value_or(std::vector<std::string>{});
  q.location = fields.location.value_or("");
  q.info = fields.info.value_or("");
  q.auth_required = fields.auth_required.value_or(false);
  q.failover = fields.failover.value_or(false);
  return q;
}

result<queue_patch> parse_queue_patch(std::string_view body) {
  json obj;
  if (auto s = parse_object(body, obj)) return s;
  if (auto s = refuse_fixed_fields(obj, "queue")) return s;
  if (auto s = check_keys(obj, {"type", "printers", "location", "info", "authentication", "failover"})) return s;
  queue_patch patch;
  if (auto s = read_queue_fields(obj, patch)) return s;
  if (empty(patch))
    return bad("the body changes nothing: give type, printers, location, info, authentication or failover");
  return patch;
}

std::string printer_record_json(const printer_record& p) { return dump(printer_record_object(p)); }

std::string queue_record_json(const queue_record& q) {
  ordered_json j;
  j["name"] = q.name;
  j["type"] = to_string(q.type);
  j["printers"] = q.printers;
  j["location"] = q.location;
  j["info"] = q.info;
  j["authentication"] = q.auth_required;
  j["failover"] = q.failover;
  j["origin"] = to_string(q.origin);
  return dump(j);
}

std::string printer_with_settings_json(std::string_view state_json, const printer_record& settings) {
  // printer_json's own output: an object that parses (it is never a client's text).
  auto j = ordered_json::parse(state_json, nullptr, false);
  if (!j.is_object()) j = ordered_json::object();
  j["settings"] = printer_record_object(settings);
  return dump(j);
}

}  // namespace quire::web
