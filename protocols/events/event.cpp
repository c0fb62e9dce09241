#include "protocols/events/event.hpp"

#include <algorithm>

namespace quire {

namespace {

struct entry {
  event_type type;
  const char* name;
};

constexpr entry catalogue[] = {
    {event_type::job_received, "job.received"},     {event_type::job_held, "job.held"},
    {event_type::job_released, "job.released"},   {event_type::job_printing, "job.printing"},
    {event_type::job_printed, "job.printed"},     {event_type::job_failed, "job.failed"},
    {event_type::job_canceled, "job.canceled"},   {event_type::job_expired, "job.expired"},
    {event_type::job_forgotten, "job.forgotten"}, {event_type::job_analysed, "job.analysed"},
    {event_type::printer_state, "printer.state"},
    {event_type::printer_supply, "printer.supply"},
    {event_type::printer_alert, "printer.alert"},
    {event_type::queue_changed, "queue.changed"},
    {event_type::balance_changed, "balance.changed"}, {event_type::job_charged, "job.charged"},
    {event_type::session_opened, "session.opened"}, {event_type::session_closed, "session.closed"},
    {event_type::directory_synced, "directory.synced"},
};

}  // namespace

const char* to_string(event_type t) noexcept {
  for (const auto& e : catalogue)
    if (e.type == t) return e.name;
  return "unknown";
}

bool parse_event_type(std::string_view name, event_type& out) noexcept {
  for (const auto& e : catalogue)
    if (name == e.name) {
      out = e.type;
      return true;
    }
  return false;
}

const std::vector<event_type>& all_event_types() {
  static const std::vector<event_type> all = [] {
    std::vector<event_type> v;
    for (const auto& e : catalogue) v.push_back(e.type);
    return v;
  }();
  return all;
}

bool is_job_event(event_type t) noexcept {
  auto v = static_cast<uint8_t>(t);
  return v >= 1 && v < 20;
}

std::vector<std::string> event::topics() const {
  std::vector<std::string> out;
  if (!user.empty()) out.push_back("user:" + user);
  if (job_id != 0) out.push_back("job:" + std::to_string(job_id));
  if (!queue.empty()) out.push_back("queue:" + queue);
  if (!printer.empty()) out.push_back("printer:" + printer);
  out.emplace_back("admin");
  return out;
}

bool in_topic(const event& e, std::string_view topic) {
  if (topic == "*" || topic == "admin") return true;
  auto colon = topic.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view kind = topic.substr(0, colon), id = topic.substr(colon + 1);
  if (kind == "user") return !e.user.empty() && id == e.user;
  if (kind == "queue") return !e.queue.empty() && id == e.queue;
  if (kind == "printer") return !e.printer.empty() && id == e.printer;
  if (kind == "job") return e.job_id != 0 && id == std::to_string(e.job_id);
  return false;
}

}  // namespace quire
