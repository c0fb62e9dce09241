// The price-list, project and quota facet of quirectl_output.hpp: what
// prices, projects and quotas list/show/add/set answer, as a person reads
// it. Rates are
// printed as the server gives them, in minor units of the currency (the
// price list does not say which currency: the site's accounting does).
#include <algorithm>

#include "web/quirectl_output.hpp"
#include "web/quirectl_output_detail.hpp"

namespace quire::quirectl {

using namespace output_detail;

namespace {

// A rate field in decimal; "?" when absent or not an integer.
std::string rate_of(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return "?";
  return it->is_number_unsigned() ? std::to_string(it->get<uint64_t>()) : std::to_string(it->get<int64_t>());
}

// A duplex rate: "-1" is the one-sided rate's.
bool as_one_sided(const std::string& rate) { return rate == "-1"; }

std::string duplex_column(const json& l) {
  std::string mono = rate_of(l, "duplex_mono");
  std::string colour = rate_of(l, "duplex_colour");
  if (as_one_sided(mono) && as_one_sided(colour)) return "-";
  return (as_one_sided(mono) ? std::string("-") : mono) + "/" + (as_one_sided(colour) ? std::string("-") : colour);
}

size_t size_count(const json& l) {
  auto it = l.find("sizes");
  return it != l.end() && it->is_array() ? it->size() : 0;
}

// "iso_a3_297x420mm: mono 16, colour 80, duplex colour 60"
std::string size_line(const json& s) {
  std::string out = "  " + text_of(s, "media") + ": mono " + rate_of(s, "mono") + ", colour " + rate_of(s, "colour");
  std::string dm = rate_of(s, "duplex_mono");
  std::string dc = rate_of(s, "duplex_colour");
  if (!as_one_sided(dm)) out += ", duplex mono " + dm;
  if (!as_one_sided(dc)) out += ", duplex colour " + dc;
  return out + "\n";
}

// The names of the array `key` ("groups", "users"), comma-separated;
// `none` when there are none.
std::string names_of(const json& j, const char* key, const char* none) {
  std::string out;
  auto it = j.find(key);
  if (it != j.end() && it->is_array())
    for (const auto& n : *it)
      if (n.is_string()) out.append(out.empty() ? "" : ",").append(printable(n.get<std::string>()));
  return out.empty() ? std::string(none) : out;
}

// A project without groups is open to everyone.
std::string groups_of(const json& p) { return names_of(p, "groups", "everyone"); }

}  // namespace

std::string price_table(std::string_view prices_body) {
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "PER", "MONO", "COLOUR", "DUPLEX", "SIZES", "MONO ONLY", "ORIGIN"}};
  for (const auto& l : items_of({std::string(prices_body)}, "prices"))
    rows.push_back({text_of(l, "name"), text_of(l, "per"), rate_of(l, "mono"), rate_of(l, "colour"), duplex_column(l),
                    std::to_string(size_count(l)), yes_no(bool_of(l, "mono_only")), text_of(l, "origin")});
  return format_table(rows, "(no price lists)");
}

std::string price_details(std::string_view price_body) {
  auto parsed = parse_json(price_body);
  if (!parsed || !parsed->is_object()) return printable(price_body) + "\n";
  const json& l = *parsed;
  std::string dm = rate_of(l, "duplex_mono");
  std::string dc = rate_of(l, "duplex_colour");
  std::string out;
  out += "name:           " + text_of(l, "name") + "\n";
  out += "per:            " + text_of(l, "per") + "\n";
  out += "mono:           " + rate_of(l, "mono") + "\n";
  out += "colour:         " + rate_of(l, "colour") + "\n";
  out += "duplex mono:    " + (as_one_sided(dm) ? std::string("as mono") : dm) + "\n";
  out += "duplex colour:  " + (as_one_sided(dc) ? std::string("as colour") : dc) + "\n";
  out += "mono only:      " + std::string(yes_no(bool_of(l, "mono_only"))) + "\n";
  out += "origin:         " + text_of(l, "origin") + "\n";
  if (size_count(l) == 0) return tidy_lines(out + "sizes:          none\n");
  out += "sizes:\n";
  for (const auto& s : l["sizes"])
    if (s.is_object()) out += size_line(s);
  return tidy_lines(out);
}

std::string project_table(std::string_view projects_body) {
  auto projects = items_of({std::string(projects_body)}, "projects");
  // A user's answer has only names and descriptions.
  bool full = std::any_of(projects.begin(), projects.end(), [](const json& p) { return p.contains("groups"); });
  std::vector<std::vector<std::string>> rows;
  if (full)
    rows.push_back({"NAME", "DESCRIPTION", "GROUPS", "ORIGIN"});
  else
    rows.push_back({"NAME", "DESCRIPTION"});
  for (const auto& p : projects) {
    if (full)
      rows.push_back({text_of(p, "name"), text_of(p, "description"), groups_of(p), text_of(p, "origin")});
    else
      rows.push_back({text_of(p, "name"), text_of(p, "description")});
  }
  return format_table(rows, "(no projects)");
}

std::string project_details(std::string_view project_body) {
  auto parsed = parse_json(project_body);
  if (!parsed || !parsed->is_object()) return printable(project_body) + "\n";
  const json& p = *parsed;
  std::string out;
  out += "name:         " + text_of(p, "name") + "\n";
  out += "description:  " + text_of(p, "description") + "\n";
  out += "groups:       " + groups_of(p) + "\n";
  out += "origin:       " + text_of(p, "origin") + "\n";
  return tidy_lines(out);
}

std::string quota_table(std::string_view quotas_body) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "SHEETS", "PERIOD", "GROUPS", "USERS", "ORIGIN"}};
  for (const auto& q : items_of({std::string(quotas_body)}, "quotas"))
    rows.push_back({text_of(q, "name"), count_of(q, "sheets"), text_of(q, "period"), names_of(q, "groups", "-"),
                    names_of(q, "users", "-"), text_of(q, "origin")});
  return format_table(rows, "(no quotas)");
}

std::string quota_details(std::string_view quota_body) {
  auto parsed = parse_json(quota_body);
  if (!parsed || !parsed->is_object()) return printable(quota_body) + "\n";
  const json& q = *parsed;
  std::string out;
  out += "name:    " + text_of(q, "name") + "\n";
  out += "sheets:  " + count_of(q, "sheets") + "\n";
  out += "period:  " + text_of(q, "period") + "\n";
  out += "groups:  " + names_of(q, "groups", "none") + "\n";
  out += "users:   " + names_of(q, "users", "none") + "\n";
  out += "origin:  " + text_of(q, "origin") + "\n";
  return tidy_lines(out);
}

}  // namespace quire::quirectl
