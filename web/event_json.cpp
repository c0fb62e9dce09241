#include "web/event_json.hpp"

#include <algorithm>

#include "web/api_json_detail.hpp"

namespace quire::web {

namespace {

using json_detail::json;
using json_detail::ordered_json;

constexpr size_t max_topics = 32;
constexpr size_t max_topic_chars = 200;

// quire::job_state's names (storage/records.hpp), as the REST API shows them.
const char* job_state_name(uint8_t s) {
  static const char* const names[] = {"unknown", "receiving", "analysing", "held",     "queued",
                                      "delivering", "done",   "failed",    "canceled", "expired"};
  return s < std::size(names) ? names[s] : "unknown";
}

const char* printer_state_name(uint8_t s) {
  switch (s) {
    case 3: return "idle";
    case 4: return "processing";
    case 5: return "stopped";
    default: return "unknown";
  }
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

result<stream_request> parse_stream_request(std::string_view text) {
  json j;
  if (status s = json_detail::parse_object(text, j)) return s;
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return json_detail::bad("type: expected \"subscribe\" or \"ping\"");
  stream_request r;
  const auto& t = type->get_ref<const std::string&>();
  if (t == "ping") {
    if (status s = json_detail::check_keys(j, {"type"})) return s;
    r.what = stream_request::kind::ping;
    return r;
  }
  if (t != "subscribe") return json_detail::bad("type: expected \"subscribe\" or \"ping\"");
  if (status s = json_detail::check_keys(j, {"type", "topics", "after"})) return s;
  r.what = stream_request::kind::subscribe;
  auto topics = j.find("topics");
  if (topics == j.end() || !topics->is_array() || topics->empty() || topics->size() > max_topics)
    return json_detail::bad("topics: expected a list of 1 to " + std::to_string(max_topics) + " topics");
  for (const auto& v : *topics) {
    if (!v.is_string()) return json_detail::bad("topics: every topic is a string");
    const auto& name = v.get_ref<const std::string&>();
    if (name.empty() || name.size() > max_topic_chars)
      return json_detail::bad("topics: a topic has 1 to " + std::to_string(max_topic_chars) + " characters");
    if (std::find(r.topics.begin(), r.topics.end(), name) == r.topics.end()) r.topics.push_back(name);
  }
  if (auto after = j.find("after"); after != j.end()) {
    if (!after->is_number_unsigned()) return json_detail::bad("after: expected a sequence number (0 or more)");
    r.after = after->get<uint64_t>();
  }
  return r;
}

bool allowed_topic(const std::string& topic, const std::string& user, bool admin) {
  if (admin) return true;
  return !user.empty() && topic == "user:" + user;
}

bool topic_covers(const std::string& topic, const event& e) {
  if (topic == "printer:*") return e.type == event_type::printer_state || e.type == event_type::printer_supply ||
                                   e.type == event_type::printer_alert;
  return in_topic(e, topic);
}

std::string event_message(const event& e, bool full) {
  ordered_json ev;
  ev["seq"] = e.seq;
  ev["time_ms"] = e.time_ms;
  ev["type"] = to_string(e.type);
  if (e.job_id != 0) ev["job_id"] = e.job_id;
  if (!e.user.empty()) ev["user"] = e.user;
  if (!e.queue.empty()) ev["queue"] = e.queue;
  if (!e.printer.empty()) ev["printer"] = e.printer;
  if (is_job_event(e.type)) ev["job_state"] = job_state_name(e.job_state);
  bool printer_event = starts_with(to_string(e.type), "printer.");
  if (printer_event && e.printer_state != 0) ev["printer_state"] = printer_state_name(e.printer_state);
  if (full && !e.job_name.empty()) ev["job_name"] = e.job_name;
  if (!e.text.empty()) ev["text"] = e.text;
  if (e.type == event_type::printer_state) ev["reasons"] = e.reasons;
  ordered_json out;
  out["type"] = "event";
  out["event"] = std::move(ev);
  return json_detail::dump(out);
}

std::string hello_message(const std::string& user, bool admin) {
  ordered_json out;
  out["type"] = "hello";
  out["user"] = user;
  out["admin"] = admin;
  return json_detail::dump(out);
}

std::string subscribed_message(const std::vector<std::string>& topics, bool gap, uint64_t last_seq) {
  ordered_json out;
  out["type"] = "subscribed";
  out["topics"] = topics;
  out["gap"] = gap;
  out["last_seq"] = last_seq;
  return json_detail::dump(out);
}

std::string error_message(const std::string& message) {
  ordered_json out;
  out["type"] = "error";
  out["message"] = message;
  return json_detail::dump(out);
}

std::string pong_message() { return "{\"type\":\"pong\"}"; }

}  // namespace quire::web
