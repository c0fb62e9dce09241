#include "web/audit.hpp"

#include <charconv>

#include "storage/users.hpp"
#include "web/api_json_detail.hpp"
#include "web/api_request.hpp"
#include "web/report.hpp"

namespace quire::web {

using namespace json_detail;

result<audit_query> parse_audit_query(std::string_view query, int64_t now_ms) {
  // The period's rules are the usage report's; the other keys are ours.
  std::string period;
  audit_query q;
  auto params = parse_query(query);
  if (!params.ok()) return params.err();
  bool user_given = false, limit_given = false;
  for (const auto& p : *params) {
    if (p.name == "from" || p.name == "to") {
      period.append(period.empty() ? "" : "&").append(p.name).append("=").append(p.value);
    } else if (p.name == "user") {
      if (user_given || validate_user_name(p.value)) return bad("user must be one valid user name");
      user_given = true;
      q.actor = p.value;
    } else if (p.name == "limit") {
      uint32_t n = 0;
      auto [end, ec] = std::from_chars(p.value.data(), p.value.data() + p.value.size(), n);
      if (limit_given || ec != std::errc() || end != p.value.data() + p.value.size() || n < 1 || n > 1000)
        return bad("limit must be 1 to 1000");
      limit_given = true;
      q.limit = n;
    } else {
      return bad("unknown query parameter (use from, to, user, limit)");
    }
  }
  auto days = parse_report_query(period, now_ms);
  if (!days.ok()) return days.err();
  q.from_ms = days->from_ms;
  q.to_ms = days->to_ms;
  return q;
}

std::string audit_json(const std::vector<audit_record>& entries) {
  ordered_json list = ordered_json::array();
  for (const auto& a : entries) {
    ordered_json j;
    j["time"] = time_or_null(a.time_ms);
    j["user"] = a.actor;
    j["action"] = a.action;
    j["target"] = a.target;
    j["status"] = a.status;
    j["peer"] = a.peer;
    list.push_back(std::move(j));
  }
  ordered_json j;
  j["entries"] = std::move(list);
  return dump(j);
}

}  // namespace quire::web
