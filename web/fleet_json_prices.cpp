// The price-list, project and quota facet of fleet_json.hpp: their bodies
// read, their records written. Only types and shapes are checked here; a
// rate's range, a "per" the pricing knows and a media size priced twice
// are the service's to judge (fleet_service.hpp), with the same messages
// for a body and for the configuration file. A quota's few rules (a period
// of four, sheets within 1..max_quota_sheets, someone to apply to) are
// checked here too, as the file's reader checks them, so that a bad body
// never reaches the service.
#include <algorithm>
#include <cstdint>

#include "protocols/pdl/price.hpp"
#include "storage/users.hpp"
#include "web/api_request.hpp"
#include "web/fleet_json.hpp"
#include "web/fleet_json_detail.hpp"

namespace quire::web {

using namespace json_detail;
using namespace fleet_json_detail;

namespace {

constexpr std::string_view rate_keys[] = {"mono", "colour", "duplex_mono", "duplex_colour"};

// "sizes[2].mono": how a message names a field of a size entry.
std::string size_field(size_t i, std::string_view key) {
  std::string f = "sizes[";
  f.append(std::to_string(i)).append("]");
  if (!key.empty()) f.append(".").append(key);
  return f;
}

// The integer `label` names, as a JSON integer that fits int64 (nlohmann
// reads integers above INT64_MAX as unsigned, 1.0 and 1e3 as floats).
status read_integer(const json& v, const std::string& label, int64_t& out) {
  bool fits = v.is_number_integer() &&
              (!v.is_number_unsigned() || v.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX));
  if (!fits) return bad(field_message(label.c_str(), " must be a whole number of minor units"));
  out = v.get<int64_t>();
  return {};
}

// The rate fields of `obj` (a body, or a size entry whose fields `prefix`
// names) into `out` (mono, colour, duplex_mono, duplex_colour); those
// absent are left as they are.
status read_rates(const json& obj, const std::string& prefix, std::optional<int64_t>* out[4]) {
  size_t k = 0;
  for (std::string_view key : rate_keys) {
    auto it = obj.find(std::string(key));
    if (it != obj.end()) {
      std::string label = prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
      int64_t v = 0;
      if (auto s = read_integer(*it, label, v)) return s;
      *out[k] = v;
    }
    ++k;
  }
  return {};
}

// A media name as a price list's size entry gives it: 1 to
// max_media_name_bytes of a-z 0-9 _ . - (PWG self-describing names and
// the short names a4, letter... alike).
bool valid_media_name(std::string_view m) {
  return !m.empty() && m.size() <= max_media_name_bytes && std::all_of(m.begin(), m.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

status read_size(const json& entry, size_t i, std::pair<std::string, price_rate>& out) {
  std::string label = size_field(i, {});
  if (!entry.is_object()) return bad(field_message(label.c_str(), " must be an object with \"media\" and rates"));
  if (const std::string* key = unknown_key(entry, {"media", "mono", "colour", "duplex_mono", "duplex_colour"}))
    return bad("unknown field " + field_label(*key) + " in \"" + label + "\"");
  auto media = entry.find("media");
  if (media == entry.end()) return bad(field_message(size_field(i, "media").c_str(), " is required"));
  if (!media->is_string() || !valid_media_name(media->get_ref<const std::string&>()))
    return bad(field_message(size_field(i, "media").c_str(),
                             " must be a media name of 1 to 64 of a-z 0-9 _ . - (a4, iso_a4_210x297mm)"));
  std::optional<int64_t> mono, colour, duplex_mono, duplex_colour;
  std::optional<int64_t>* rates[4] = {&mono, &colour, &duplex_mono, &duplex_colour};
  if (auto s = read_rates(entry, label, rates)) return s;
  out.first = pdl::media_of_short_name(media->get_ref<const std::string&>());
  out.second = price_rate{mono.value_or(0), colour.value_or(0), duplex_mono.value_or(-1), duplex_colour.value_or(-1)};
  return {};
}

status read_sizes(const json& obj, std::optional<std::vector<std::pair<std::string, price_rate>>>& out) {
  auto it = obj.find("sizes");
  if (it == obj.end()) return {};
  if (!it->is_array()) return bad("field \"sizes\" must be an array of {\"media\", \"mono\", \"colour\", ...}");
  if (it->size() > max_price_sizes) return bad("field \"sizes\" may list at most 64 media sizes");
  std::vector<std::pair<std::string, price_rate>> sizes;
  for (size_t i = 0; i < it->size(); ++i) {
    std::pair<std::string, price_rate> size;
    if (auto s = read_size((*it)[i], i, size)) return s;
    sizes.push_back(std::move(size));
  }
  out = std::move(sizes);
  return {};
}

// The fields of a price list body but "name" into `patch`.
status read_price_fields(const json& obj, price_list_patch& patch) {
  if (auto it = obj.find("per"); it != obj.end()) {
    bool ok = it->is_string() && (*it == "sheet" || *it == "impression");
    if (!ok) return bad("field \"per\" must be \"sheet\" or \"impression\"");
    patch.per = it->get<std::string>();
  }
  std::optional<int64_t>* rates[4] = {&patch.mono, &patch.colour, &patch.duplex_mono, &patch.duplex_colour};
  if (auto s = read_rates(obj, {}, rates)) return s;
  if (auto s = read_sizes(obj, patch.sizes)) return s;
  return optional_bool(obj, "mono_only", patch.mono_only);
}

bool empty(const price_list_patch& p) {
  return !p.per && !p.mono && !p.colour && !p.duplex_mono && !p.duplex_colour && !p.sizes && !p.mono_only;
}

// A list of names (a project's or quota's "groups", a quota's "users"):
// what `key` holds, and what a message calls one of them.
struct name_list {
  const char* key;   // "groups"
  const char* noun;  // "group"
  size_t max;
  const char* star;  // what "*" is told; nullptr where it is allowed (a quota's groups: every user)
};

// As the file's [projects]: no groups is everyone, and "*" would only
// match a group of that name.
constexpr name_list project_groups{"groups", "group", max_user_groups,
                                   "field \"groups\": \"*\" is for quotas; no groups means every user"};
constexpr name_list quota_groups{"groups", "group", max_user_groups, nullptr};
constexpr name_list quota_users{"users", "user", max_quota_users,
                                "field \"users\": \"*\" (every user) is for \"groups\""};

// The names `what` describes: each valid as a user name
// (validate_user_name), none twice, at most what.max.
status read_names(const json& obj, const name_list& what, std::optional<std::vector<std::string>>& out) {
  auto it = obj.find(what.key);
  if (it == obj.end()) return {};
  std::string field = std::string("field \"").append(what.key).append("\" ");
  if (!it->is_array()) return bad(std::string(field).append("must be an array of ").append(what.noun).append(" names"));
  if (it->size() > what.max) {
    std::string m = std::string(field).append("may list at most ").append(std::to_string(what.max));
    return bad(m.append(" ").append(what.noun).append("s"));
  }
  std::vector<std::string> names;
  for (const auto& g : *it) {
    if (!g.is_string() || validate_user_name(g.get_ref<const std::string&>())) {
      std::string m = std::string(field).append("must hold ").append(what.noun);
      return bad(m.append(" names of 1 to 64 characters without control characters"));
    }
    const auto& name = g.get_ref<const std::string&>();
    if (name == "*" && what.star) return bad(what.star);
    if (std::find(names.begin(), names.end(), name) != names.end())
      return bad(std::string(field).append("names a ").append(what.noun).append(" twice"));
    names.push_back(name);
  }
  out = std::move(names);
  return {};
}

status read_project_fields(const json& obj, project_patch& patch) {
  auto description = [](const std::string& v) { return check_text("description", v, false); };
  if (auto s = optional_string(obj, "description", patch.description, description)) return s;
  return read_names(obj, project_groups, patch.groups);
}

constexpr const char* quota_without_anyone = "a quota needs at least one group (\"*\": every user) or user";

// "sheets": a JSON integer within 1..max_quota_sheets (1.0 and 1e3 are
// floats to nlohmann, and refused as such).
status read_sheets(const json& obj, std::optional<uint32_t>& out) {
  auto it = obj.find("sheets");
  if (it == obj.end()) return {};
  bool fits = false;
  if (it->is_number_unsigned())
    fits = it->get<uint64_t>() >= 1 && it->get<uint64_t>() <= max_quota_sheets;
  else if (it->is_number_integer())
    fits = it->get<int64_t>() >= 1 && it->get<int64_t>() <= static_cast<int64_t>(max_quota_sheets);
  if (!fits) return bad(field_message("sheets", " must be a whole number from 1 to 100000000"));
  out = static_cast<uint32_t>(it->get<uint64_t>());
  return {};
}

status read_quota_fields(const json& obj, quota_patch& patch) {
  if (auto s = read_names(obj, quota_groups, patch.groups)) return s;
  if (auto s = read_names(obj, quota_users, patch.users)) return s;
  auto period = [](const std::string& v) {
    return valid_quota_period(v) ? status{} : bad("field \"period\" must be \"day\", \"week\", \"month\" or \"year\"");
  };
  if (auto s = optional_string(obj, "period", patch.period, period)) return s;
  return read_sheets(obj, patch.sheets);
}

ordered_json quota_object(const quota_record& q) {
  ordered_json j;
  j["name"] = q.name;
  j["groups"] = q.groups;
  j["users"] = q.users;
  j["period"] = q.period;
  j["sheets"] = q.sheets;
  j["origin"] = to_string(q.origin);
  return j;
}

ordered_json rate_fields(ordered_json j, const price_rate& r) {
  j["mono"] = r.mono;
  j["colour"] = r.colour;
  j["duplex_mono"] = r.duplex_mono;
  j["duplex_colour"] = r.duplex_colour;
  return j;
}

ordered_json price_list_object(const price_list_record& l) {
  ordered_json j;
  j["name"] = l.name;
  j["per"] = l.per;
  j = rate_fields(std::move(j), l.base);
  j["sizes"] = ordered_json::array();
  for (const auto& [media, rate] : l.sizes) {
    ordered_json s;
    s["media"] = media;
    j["sizes"].push_back(rate_fields(std::move(s), rate));
  }
  j["mono_only"] = l.mono_only;
  j["origin"] = to_string(l.origin);
  return j;
}

ordered_json project_object(const project_record& p) {
  ordered_json j;
  j["name"] = p.name;
  j["description"] = p.description;
  j["groups"] = p.groups;
  j["origin"] = to_string(p.origin);
  return j;
}

}  // namespace

result<price_list_record> parse_new_price_list(std::string_view body) {
  json obj;
  if (auto s = parse_object(body, obj)) return s;
  if (auto s = check_fleet_keys(
          obj, {"name", "per", "mono", "colour", "duplex_mono", "duplex_colour", "sizes", "mono_only"}))
    return s;
  price_list_record l;
  l.origin = record_origin::api;
  if (auto s = required_string(obj, "name", l.name)) return s;
  if (!valid_price_list_name(l.name)) return bad(field_message("name", name_rule));
  price_list_patch fields;
  if (auto s = read_price_fields(obj, fields)) return s;
  return patched(std::move(l), fields);  // the record's defaults stand for what is absent
}

result<price_list_patch> parse_price_list_patch(std::string_view body) {
  json obj;
  if (auto s = parse_object(body, obj)) return s;
  if (auto s = refuse_fixed_fields(obj, "price list")) return s;
  if (auto s = check_keys(obj, {"per", "mono", "colour", "duplex_mono", "duplex_colour", "sizes", "mono_only"}))
    return s;
  price_list_patch patch;
  if (auto s = read_price_fields(obj, patch)) return s;
  if (empty(patch))
    return bad("the body changes nothing: give per, mono, colour, duplex_mono, duplex_colour, sizes or mono_only");
  return patch;
}

result<project_record> parse_new_project(std::string_view body) {
  json obj;
  if (auto s = parse_object(body, obj)) return s;
  if (auto s = check_fleet_keys(obj, {"name", "description", "groups"})) return s;
  project_record p;
  p.origin = record_origin::api;
  if (auto s = required_string(obj, "name", p.name)) return s;
  if (!valid_project_name(p.name)) return bad(field_message("name", name_rule));
  project_patch fields;
  if (auto s = read_project_fields(obj, fields)) return s;
  return patched(std::move(p), fields);
}

result<project_patch> parse_project_patch(std::string_view body) {
  json obj;
  if (auto s = parse_object(body, obj)) return s;
  if (auto s = refuse_fixed_fields(obj, "project")) return s;
  if (auto s = check_keys(obj, {"description", "groups"})) return s;
  project_patch patch;
  if (auto s = read_project_fields(obj, patch)) return s;
  if (!patch.description && !patch.groups) return bad("the body changes nothing: give description or groups");
  return patch;
}

std::string price_list_record_json(const price_list_record& l) { return dump(price_list_object(l)); }

std::string price_list_list_json(const std::vector<price_list_record>& lists) {
  ordered_json j;
  j["prices"] = ordered_json::array();
  for (const auto& l : lists) j["prices"].push_back(price_list_object(l));
  return dump(j);
}

std::string project_record_json(const project_record& p) { return dump(project_object(p)); }

std::string project_list_json(const std::vector<project_record>& projects, bool full) {
  ordered_json j;
  j["projects"] = ordered_json::array();
  for (const auto& p : projects) {
    if (full) {
      j["projects"].push_back(project_object(p));
      continue;
    }
    ordered_json brief;
    brief["name"] = p.name;
    brief["description"] = p.description;
    j["projects"].push_back(std::move(brief));
  }
  return dump(j);
}

bool valid_quota_period(std::string_view period) noexcept {
  return period == "day" || period == "week" || period == "month" || period == "year";
}

result<quota_record> parse_new_quota(std::string_view body) {
  json obj;
  if (auto s = parse_object(body, obj)) return s;
  if (auto s = check_fleet_keys(obj, {"name", "groups", "users", "period", "sheets"})) return s;
  quota_record q;
  q.origin = record_origin::api;
  if (auto s = required_string(obj, "name", q.name)) return s;
  if (!valid_quota_name(q.name)) return bad(field_message("name", name_rule));
  quota_patch fields;
  if (auto s = read_quota_fields(obj, fields)) return s;
  if (!fields.sheets) return bad(field_message("sheets", " is required"));
  q = patched(std::move(q), fields);  // the record's defaults stand for what is absent
  if (q.groups.empty() && q.users.empty()) return bad(quota_without_anyone);
  return q;
}

result<quota_patch> parse_quota_patch(std::string_view body) {
  json obj;
  if (auto s = parse_object(body, obj)) return s;
  if (auto s = refuse_fixed_fields(obj, "quota")) return s;
  if (auto s = check_keys(obj, {"groups", "users", "period", "sheets"})) return s;
  quota_patch patch;
  if (auto s = read_quota_fields(obj, patch)) return s;
  if (!patch.groups && !patch.users && !patch.period && !patch.sheets)
    return bad("the body changes nothing: give groups, users, period or sheets");
  // Emptying one list is the service's to judge against the record's other
  // one; emptying both is wrong whatever the record holds.
  if (patch.groups && patch.users && patch.groups->empty() && patch.users->empty()) return bad(quota_without_anyone);
  return patch;
}

std::string quota_record_json(const quota_record& q) { return dump(quota_object(q)); }

std::string quota_list_json(const std::vector<quota_record>& quotas) {
  ordered_json j;
  j["quotas"] = ordered_json::array();
  for (const auto& q : quotas) j["quotas"].push_back(quota_object(q));
  return dump(j);
}

}  // namespace quire::web
