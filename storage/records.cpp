#include "storage/records.hpp"

#include <algorithm>

namespace quire {

bool is_terminal(job_state s) noexcept {
  switch (s) {
    case job_state::done:
    case job_state::failed:
    case job_state::canceled:
    case job_state::expired:
      return true;
    default:
      return false;
  }
}

const char* to_string(job_state s) noexcept {
  switch (s) {
    case job_state::receiving: return "receiving";
    case job_state::analysing: return "analysing";
    case job_state::held: return "held";
    case job_state::queued: return "queued";
    case job_state::delivering: return "delivering";
    case job_state::done: return "done";
    case job_state::failed: return "failed";
    case job_state::canceled: return "canceled";
    case job_state::expired: return "expired";
  }
  return "unknown";
}

namespace {

pdl::rate to_rate(const price_rate& r) { return {r.mono, r.colour, r.duplex_mono, r.duplex_colour}; }
price_rate to_price_rate(const pdl::rate& r) { return {r.mono, r.colour, r.duplex_mono, r.duplex_colour}; }

}  // namespace

pdl::price_list to_price_list(const price_list_record& r) {
  pdl::price_list l;
  l.name = r.name;
  l.per = r.per == "impression" ? pdl::price_unit::impression : pdl::price_unit::sheet;
  l.base = to_rate(r.base);
  for (const auto& [media, rate] : r.sizes) l.sizes.emplace_back(media, to_rate(rate));
  l.mono_only = r.mono_only;
  return l;
}

price_list_record to_price_list_record(const pdl::price_list& list, record_origin origin) {
  price_list_record r;
  r.name = list.name;
  r.per = list.per == pdl::price_unit::impression ? "impression" : "sheet";
  r.base = to_price_rate(list.base);
  for (const auto& [media, rate] : list.sizes) r.sizes.emplace_back(media, to_price_rate(rate));
  r.mono_only = list.mono_only;
  r.origin = origin;
  return r;
}

bool may_charge_project(const std::vector<std::string>& project_groups, const std::vector<std::string>& groups) {
  if (project_groups.empty()) return true;
  return std::any_of(project_groups.begin(), project_groups.end(), [&](const std::string& g) {
    return g == "*" || std::find(groups.begin(), groups.end(), g) != groups.end();
  });
}

}  // namespace quire
