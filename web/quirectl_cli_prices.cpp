// The price-list, project and quota commands of quirectl_cli.hpp: prices,
// projects and quotas list/show/add/set/remove; their arguments in, their
// REST requests out (admin_api.hpp, fleet_json.hpp). Rates are checked
// against the range the server takes (0..pdl::max_rate, -1 for a duplex
// rate), a --size as the configuration file's size entries are
// (pdl::parse_size_rate), a quota's sheets and period as the server takes
// them; what only the server knows (a name taken, a list a printer uses)
// is its.
#include <nlohmann/json.hpp>

#include <charconv>

#include "protocols/pdl/price.hpp"
#include "storage/users.hpp"
#include "web/api_request.hpp"
#include "web/fleet_json.hpp"
#include "web/quirectl_cli.hpp"

namespace quire::quirectl {

namespace {

error usage(std::string message) { return error(errc::invalid_argument, std::move(message)); }

std::string said(std::string_view option, const char* what) {
  std::string m(option);
  return m.append(" ").append(what);
}

// Which collection a command is about, and how its messages name it.
struct collection {
  const char* noun;  // "price list"
  bool (*valid)(std::string_view) noexcept;
};

constexpr collection price_lists{"price list", web::valid_price_list_name};
constexpr collection projects{"project", web::valid_project_name};
constexpr collection quotas{"quota", web::valid_quota_name};

const collection& collection_of(action what) noexcept {
  if (what >= action::quotas_list) return quotas;
  if (what >= action::projects_list) return projects;
  return price_lists;
}

bool is_quota(action what) noexcept { return what >= action::quotas_list && what <= action::quotas_remove; }

// A rate option's value: a whole number of minor units within the
// server's range (-1 too for a duplex rate).
status rate(std::string_view option, const std::string& value, bool duplex, std::optional<int64_t>& out) {
  if (out) return usage(said(option, "is given twice"));
  int64_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  int64_t low = duplex ? -1 : 0;
  if (ec != std::errc() || end != value.data() + value.size() || v < low || v > pdl::max_rate) {
    std::string m = said(option, "must be a whole number of minor units from ");
    return usage(m.append(std::to_string(low)).append(" to ").append(std::to_string(pdl::max_rate)));
  }
  out = v;
  return {};
}

status size(invocation& inv, const std::string& value) {
  auto parsed = pdl::parse_size_rate(value);
  if (!parsed.ok()) return usage("--size: " + parsed.err().message);
  for (const auto& s : inv.sizes)
    if (s.media == parsed->first) return usage("--size prices " + s.media + " twice");
  const pdl::rate& r = parsed->second;
  inv.sizes.push_back({parsed->first, r.mono, r.colour, r.duplex_mono, r.duplex_colour});
  inv.sizes_given = true;
  return {};
}

status flag(std::string_view option, std::optional<bool>& field, bool v) {
  if (field && *field != v) return usage(said(option, "contradicts an earlier option"));
  field = v;
  return {};
}

std::string body_of(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

nlohmann::ordered_json price_fields(const invocation& inv) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (inv.what == action::prices_add) j["name"] = inv.name;
  if (inv.per) j["per"] = *inv.per;
  if (inv.mono) j["mono"] = *inv.mono;
  if (inv.colour) j["colour"] = *inv.colour;
  if (inv.duplex_mono) j["duplex_mono"] = *inv.duplex_mono;
  if (inv.duplex_colour) j["duplex_colour"] = *inv.duplex_colour;
  if (inv.sizes_given) {
    j["sizes"] = nlohmann::ordered_json::array();
    for (const auto& s : inv.sizes) {
      nlohmann::ordered_json e;
      e["media"] = s.media;
      e["mono"] = s.mono;
      e["colour"] = s.colour;
      e["duplex_mono"] = s.duplex_mono;
      e["duplex_colour"] = s.duplex_colour;
      j["sizes"].push_back(std::move(e));
    }
  }
  if (inv.mono_only) j["mono_only"] = *inv.mono_only;
  return j;
}

nlohmann::ordered_json quota_fields(const invocation& inv) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (inv.what == action::quotas_add) j["name"] = inv.name;
  if (inv.groups_given) j["groups"] = inv.groups;
  if (inv.users_given) j["users"] = inv.quota_users;
  if (inv.period) j["period"] = *inv.period;
  if (inv.sheets) j["sheets"] = *inv.sheets;
  return j;
}

status sheets(invocation& inv, const std::string& value) {
  if (inv.sheets) return usage("--sheets is given twice");
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || v < 1 || v > web::max_quota_sheets)
    return usage("--sheets must be a whole number from 1 to " + std::to_string(web::max_quota_sheets));
  inv.sheets = v;
  return {};
}

// The names of --group (`noun` "group") or a quota's --member: as a user's
// (validate_user_name), none twice; "*" (every user) refused with `star`
// unless that is null (a quota's groups).
status check_names(const std::vector<std::string>& names, const char* option, const char* noun, const char* star) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (validate_user_name(names[i])) {
      std::string m = std::string(option).append(" must be a ").append(noun);
      return usage(m.append(" name of 1 to 64 characters without control characters"));
    }
    if (names[i] == "*" && star) return usage(star);
    for (size_t k = 0; k < i; ++k)
      if (names[k] == names[i]) return usage(std::string(option).append(" names a ").append(noun).append(" twice"));
  }
  return {};
}

status finish_quotas(const invocation& inv) {
  if (inv.what == action::quotas_add) {
    if (!inv.sheets) return usage("quotas add: --sheets is required");
    if (inv.groups.empty() && inv.quota_users.empty())
      return usage("quotas add: a quota needs at least one --group ('*': every user) or --member");
  }
  if (inv.what == action::quotas_set) {
    if (quota_fields(inv).empty())
      return usage("quotas set: nothing to change (--sheets, --period, --group, --no-groups, --member, --no-members)");
    if (inv.groups_given && inv.groups.empty() && inv.users_given && inv.quota_users.empty())
      return usage("quotas set: --no-groups and --no-members would leave the quota applying to no one");
  }
  if (auto s = check_names(inv.groups, "--group", "group", nullptr)) return s;
  return check_names(inv.quota_users, "--member", "user", "--member '*' is no user: --group '*' is every user");
}

nlohmann::ordered_json project_fields(const invocation& inv) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (inv.what == action::projects_add) j["name"] = inv.name;
  if (inv.description) j["description"] = *inv.description;
  if (inv.groups_given) j["groups"] = inv.groups;
  return j;
}

}  // namespace

bool is_price_action(action what) noexcept { return what >= action::prices_list && what <= action::quotas_remove; }

bool is_price_option(std::string_view o) noexcept {
  for (std::string_view f : {"--per", "--mono", "--colour", "--duplex-mono", "--duplex-colour", "--size", "--no-sizes",
                             "--mono-only", "--no-mono-only", "--description", "--sheets", "--period", "--member",
                             "--no-members"})
    if (o == f) return true;
  return false;
}

status apply_price_option(invocation& inv, std::string_view o, const std::string& value) {
  if (o == "--per") {
    if (inv.per) return usage("--per is given twice");
    if (value != "sheet" && value != "impression") return usage("--per must be sheet or impression");
    inv.per = value;
    return {};
  }
  if (o == "--mono") return rate(o, value, false, inv.mono);
  if (o == "--colour") return rate(o, value, false, inv.colour);
  if (o == "--duplex-mono") return rate(o, value, true, inv.duplex_mono);
  if (o == "--duplex-colour") return rate(o, value, true, inv.duplex_colour);
  if (o == "--size") return size(inv, value);
  if (o == "--no-sizes") return inv.sizes_given = true, status{};
  if (o == "--mono-only") return flag(o, inv.mono_only, true);
  if (o == "--no-mono-only") return flag(o, inv.mono_only, false);
  if (o == "--description") {
    if (inv.description) return usage("--description is given twice");
    inv.description = value;
    return {};
  }
  if (o == "--sheets") return sheets(inv, value);
  if (o == "--period") {
    if (inv.period) return usage("--period is given twice");
    if (!web::valid_quota_period(value)) return usage("--period must be day, week, month or year");
    inv.period = value;
    return {};
  }
  if (o == "--member") {
    if (value.empty()) return usage("--member needs a non-empty value");
    inv.quota_users.push_back(value);
    inv.users_given = true;
    return {};
  }
  if (o == "--no-members") return inv.users_given = true, status{};
  return usage(said(o, "is not a price-list, project or quota option"));
}

status take_price_words(invocation& inv, const std::vector<std::string>& words) {
  const collection& of = collection_of(inv.what);
  bool list = inv.what == action::prices_list || inv.what == action::projects_list || inv.what == action::quotas_list;
  size_t want = list ? 0 : 1;
  if (words.size() < want) return usage(std::string("this command needs a ").append(of.noun).append(" NAME"));
  if (words.size() > want) return usage("unexpected argument '" + words[want] + "'");
  if (want == 0) return {};
  // The same rule for all three (api_request.hpp).
  if (!of.valid(words[0]))
    return usage(std::string("the ").append(of.noun).append(" NAME must be 1 to 64 of A-Z a-z 0-9 _ . -"));
  inv.name = words[0];
  return {};
}

status finish_prices(const invocation& inv) {
  if (inv.what == action::prices_set && price_fields(inv).empty())
    return usage("prices set: nothing to change (--per, --mono, --colour, --duplex-mono, --duplex-colour, --size, "
                 "--no-sizes, --mono-only, --no-mono-only)");
  if (inv.what == action::projects_set && project_fields(inv).empty())
    return usage("projects set: nothing to change (--description, --group, --no-groups)");
  if (is_quota(inv.what)) return finish_quotas(inv);
  // A project's groups are named as a user's are; none is every user (the
  // server refuses "*" there, as the configuration file does).
  return check_names(inv.groups, "--group", "group", "--group '*' is for quotas: no --group means every user");
}

api_request prices_request(const invocation& inv) {
  switch (inv.what) {
    case action::prices_list: return {"GET", resource_path("prices", {}), {}};
    case action::prices_show: return {"GET", resource_path("prices", inv.name), {}};
    case action::prices_add: return {"POST", resource_path("prices", {}), body_of(price_fields(inv))};
    case action::prices_set: return {"PATCH", resource_path("prices", inv.name), body_of(price_fields(inv))};
    case action::prices_remove: return {"DELETE", resource_path("prices", inv.name), {}};
    case action::projects_list: return {"GET", resource_path("projects", {}), {}};
    case action::projects_show: return {"GET", resource_path("projects", inv.name), {}};
    case action::projects_add: return {"POST", resource_path("projects", {}), body_of(project_fields(inv))};
    case action::projects_set: return {"PATCH", resource_path("projects", inv.name), body_of(project_fields(inv))};
    case action::projects_remove: return {"DELETE", resource_path("projects", inv.name), {}};
    case action::quotas_list: return {"GET", resource_path("quotas", {}), {}};
    case action::quotas_show: return {"GET", resource_path("quotas", inv.name), {}};
    case action::quotas_add: return {"POST", resource_path("quotas", {}), body_of(quota_fields(inv))};
    case action::quotas_set: return {"PATCH", resource_path("quotas", inv.name), body_of(quota_fields(inv))};
    case action::quotas_remove: return {"DELETE", resource_path("quotas", inv.name), {}};
    default: return {};
  }
}

}  // namespace quire::quirectl
