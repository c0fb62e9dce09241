#include "web/directory_json.hpp"

#include "web/api_json_detail.hpp"

namespace quire::web {

using namespace json_detail;

namespace {

ordered_json report_object(const directory_report_view& r) {
  ordered_json j;
  j["full"] = r.full;
  j["started_ms"] = r.started_ms;
  j["finished_ms"] = r.finished_ms;
  j["error"] = r.error.empty() ? ordered_json(nullptr) : ordered_json(r.error);
  j["users_read"] = r.users_read;
  j["groups_read"] = r.groups_read;
  j["created"] = r.created;
  j["updated"] = r.updated;
  j["unchanged"] = r.unchanged;
  j["gone"] = r.gone;
  j["returned"] = r.returned;
  j["cards_added"] = r.cards_added;
  j["cards_removed"] = r.cards_removed;
  j["problem_count"] = r.problem_count;
  j["problems"] = r.problems;
  return j;
}

ordered_json report_or_null(const std::optional<directory_report_view>& r) {
  return r ? report_object(*r) : ordered_json(nullptr);
}

}  // namespace

result<sync_request> parse_sync_request(std::string_view body) {
  sync_request req;
  if (body.empty()) return req;
  json obj;
  if (auto s = parse_object(body, obj)) return s;
  if (auto s = check_keys(obj, {"full"})) return s;
  if (auto it = obj.find("full"); it != obj.end()) {
    if (!it->is_boolean()) return bad("field \"full\" must be true or false");
    req.full = it->get<bool>();
  }
  return req;
}

std::string directory_json(const directory_view& v) {
  ordered_json j;
  j["url"] = v.url;
  j["base_dn"] = v.base_dn;
  j["running"] = v.running;
  j["running_full"] = v.running_full;
  j["entries_read"] = v.entries_read;
  j["started_ms"] = v.started_ms;
  j["last_full_ms"] = v.last_full_ms;
  j["next_ms"] = v.next_ms;
  j["watermark"] = v.watermark;
  j["last"] = report_or_null(v.last);
  j["last_full"] = report_or_null(v.last_full);
  return dump(j);
}

std::string directory_report_json(const directory_report_view& report) { return dump(report_object(report)); }

std::string sync_started_json(bool started) {
  ordered_json j;
  j["started"] = started;
  return dump(j);
}

}  // namespace quire::web
