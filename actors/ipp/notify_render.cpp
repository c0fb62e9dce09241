#include "actors/ipp/notify_render.hpp"

#include "actors/ipp/ipp_render.hpp"

namespace quire {

namespace {

using ipp::attribute_group;

std::string notify_text(const event& e, bool full) {
  std::string what = to_string(e.type);
  if (is_job_event(e.type)) {
    std::string job = "Job " + std::to_string(e.job_id);
    if (full && !e.job_name.empty()) job += " (" + e.job_name + ")";
    std::string out = job + ": " + what;
    if (!e.text.empty()) out += " - " + e.text;
    return out;
  }
  std::string out = "Printer " + e.printer + ": " + what;
  if (!e.text.empty()) out += " - " + e.text;
  return out;
}

}  // namespace

void add_subscription_attributes(ipp_t* r, const ipp_subscription& s, const std::string& authority, int64_t now_ms,
                                 const ipp::attribute_filter& want) {
  constexpr auto g = attribute_group::subscription_description;
  constexpr auto t = attribute_group::subscription_template;
  auto wants = [&](const char* name, attribute_group group) { return want.wants(name, group); };
  if (wants("notify-subscription-id", g))
    ippAddInteger(r, IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-subscription-id", static_cast<int>(s.id));
  if (wants("notify-printer-uri", g))
    ippAddString(r, IPP_TAG_SUBSCRIPTION, IPP_TAG_URI, "notify-printer-uri", nullptr,
                 printer_uri(authority, s.queue).c_str());
  if (wants("notify-subscriber-user-name", g))
    ippAddString(r, IPP_TAG_SUBSCRIPTION, IPP_TAG_NAME, "notify-subscriber-user-name", nullptr, s.owner.c_str());
  if (wants("notify-sequence-number", g))
    ippAddInteger(r, IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-sequence-number", static_cast<int>(s.last_seq));
  if (s.job_id != 0 && wants("notify-job-id", t))
    ippAddInteger(r, IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-job-id", static_cast<int>(s.job_id));
  if (wants("notify-events", t)) {
    std::vector<const char*> ev;
    for (const auto& e : s.events) ev.push_back(e.c_str());
    ippAddStrings(r, IPP_TAG_SUBSCRIPTION, IPP_TAG_KEYWORD, "notify-events", static_cast<int>(ev.size()), nullptr,
                  ev.data());
  }
  if (wants("notify-pull-method", t))
    ippAddString(r, IPP_TAG_SUBSCRIPTION, IPP_TAG_KEYWORD, "notify-pull-method", nullptr, "ippget");
  if (s.job_id == 0 && wants("notify-lease-duration", t)) {
    int64_t left = s.expires_ms == 0 ? 0 : std::max<int64_t>(1, (s.expires_ms - now_ms + 999) / 1000);
    ippAddInteger(r, IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-lease-duration", static_cast<int>(left));
  }
  if (wants("notify-time-interval", t))
    ippAddInteger(r, IPP_TAG_SUBSCRIPTION, IPP_TAG_INTEGER, "notify-time-interval", s.time_interval);
  if (!s.user_data.empty() && wants("notify-user-data", t))
    ippAddOctetString(r, IPP_TAG_SUBSCRIPTION, "notify-user-data", s.user_data.data(),
                      static_cast<int>(s.user_data.size()));
  if (wants("notify-charset", t))
    ippAddString(r, IPP_TAG_SUBSCRIPTION, IPP_TAG_CHARSET, "notify-charset", nullptr, "utf-8");
  if (wants("notify-natural-language", t))
    ippAddString(r, IPP_TAG_SUBSCRIPTION, IPP_TAG_LANGUAGE, "notify-natural-language", nullptr, "en");
}

void add_notification(ipp_t* r, const ipp_subscription& s, const notification& n, const std::string& authority,
                      bool full) {
  constexpr auto g = IPP_TAG_EVENT_NOTIFICATION;
  const event& e = n.what;
  ippAddInteger(r, g, IPP_TAG_INTEGER, "notify-subscription-id", static_cast<int>(s.id));
  ippAddInteger(r, g, IPP_TAG_INTEGER, "notify-sequence-number", static_cast<int>(n.seq));
  ippAddString(r, g, IPP_TAG_KEYWORD, "notify-subscribed-event", nullptr, n.keyword.c_str());
  ippAddString(r, g, IPP_TAG_TEXT, "notify-text", nullptr, notify_text(e, full).c_str());
  ippAddString(r, g, IPP_TAG_CHARSET, "notify-charset", nullptr, "utf-8");
  ippAddString(r, g, IPP_TAG_LANGUAGE, "notify-natural-language", nullptr, "en");
  if (!s.user_data.empty())
    ippAddOctetString(r, g, "notify-user-data", s.user_data.data(), static_cast<int>(s.user_data.size()));
  ippAddString(r, g, IPP_TAG_URI, "notify-printer-uri", nullptr, printer_uri(authority, s.queue).c_str());
  ippAddInteger(r, g, IPP_TAG_INTEGER, "printer-up-time", static_cast<int>(n.at_ms / 1000));
  if (is_job_event(e.type)) {
    job_record j;
    j.state = static_cast<job_state>(e.job_state);
    auto st = to_ipp_state(j);
    ippAddInteger(r, g, IPP_TAG_INTEGER, "job-id", static_cast<int>(e.job_id));
    ippAddInteger(r, g, IPP_TAG_ENUM, "job-state", st.state);
    ippAddStrings(r, g, IPP_TAG_KEYWORD, "job-state-reasons", static_cast<int>(st.reasons.size()), nullptr,
                  st.reasons.data());
    if (full && !e.job_name.empty()) ippAddString(r, g, IPP_TAG_NAME, "job-name", nullptr, e.job_name.c_str());
  } else {
    int state = e.printer_state == 0 ? static_cast<int>(IPP_PSTATE_IDLE) : static_cast<int>(e.printer_state);
    ippAddString(r, g, IPP_TAG_NAME, "printer-name", nullptr, s.queue.c_str());
    ippAddInteger(r, g, IPP_TAG_ENUM, "printer-state", state);
    std::vector<const char*> reasons;
    for (const auto& k : e.reasons) reasons.push_back(k.c_str());
    if (reasons.empty()) reasons.push_back(state == IPP_PSTATE_STOPPED ? "stopped-partly" : "none");
    ippAddStrings(r, g, IPP_TAG_KEYWORD, "printer-state-reasons", static_cast<int>(reasons.size()), nullptr,
                  reasons.data());
    ippAddBoolean(r, g, "printer-is-accepting-jobs", 1);
  }
}

void add_notify_printer_attributes(ipp_t* r, const notify_limits& limits, const ipp::attribute_filter& want) {
  constexpr auto d = attribute_group::printer_description;
  auto strs = [&](const char* name, const std::vector<std::string>& v) {
    if (!want.wants(name, d)) return;
    std::vector<const char*> p;
    for (const auto& s : v) p.push_back(s.c_str());
    ippAddStrings(r, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, name, static_cast<int>(p.size()), nullptr, p.data());
  };
  auto num = [&](const char* name, int v) {
    if (want.wants(name, d)) ippAddInteger(r, IPP_TAG_PRINTER, IPP_TAG_INTEGER, name, v);
  };
  strs("notify-events-default", {"job-completed"});
  strs("notify-events-supported", ipp_events_supported());
  strs("notify-pull-method-supported", {"ippget"});
  num("notify-lease-duration-default", limits.default_lease_s);
  if (want.wants("notify-lease-duration-supported", d))
    ippAddRange(r, IPP_TAG_PRINTER, "notify-lease-duration-supported", 0, limits.max_lease_s);
  num("notify-max-events-supported", 16);
  num("ippget-event-life", static_cast<int>(limits.event_life_ms / 1000));
  strs("notify-attributes-supported", {"printer-state-change-time", "job-state-change-time"});
}

}  // namespace quire
