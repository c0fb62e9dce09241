// The printer facet of api_json.hpp: printers with their device, and their
// page counter snapshots, as the admin API shows them. Nothing is read in:
// the printer endpoints take no body.
#include "web/api_json.hpp"
#include "web/api_json_detail.hpp"

namespace quire::web {

namespace {

using namespace json_detail;

const char* to_string(printer_run_state s) {
  switch (s) {
    case printer_run_state::idle: return "idle";
    case printer_run_state::processing: return "processing";
    case printer_run_state::stopped: return "stopped";
  }
  return "stopped";
}

const char* to_string(supply_kind k) { return k == supply_kind::receptacle ? "receptacle" : "consumed"; }

const char* to_string(supply_state s) {
  switch (s) {
    case supply_state::ok: return "ok";
    case supply_state::low: return "low";
    case supply_state::empty: return "empty";
    case supply_state::full: return "full";
    case supply_state::unknown: return "unknown";
  }
  return "unknown";
}

const char* to_string(alert_severity s) {
  switch (s) {
    case alert_severity::critical: return "critical";
    case alert_severity::warning: return "warning";
    case alert_severity::other: return "other";
  }
  return "other";
}

// hrDeviceStatus (RFC 2790); 0, before any answer, and values the MIB does
// not define are "unknown".
const char* device_state_name(int32_t v) {
  switch (v) {
    case 2: return "running";
    case 3: return "warning";
    case 4: return "testing";
    case 5: return "down";
    default: return "unknown";
  }
}

// hrPrinterStatus (RFC 2790), likewise.
const char* printer_state_name(int32_t v) {
  switch (v) {
    case 1: return "other";
    case 3: return "idle";
    case 4: return "printing";
    case 5: return "warmup";
    default: return "unknown";
  }
}

ordered_json supply_object(const supply_view& s) {
  ordered_json j;
  j["description"] = s.description;
  j["kind"] = to_string(s.kind);
  j["type"] = s.type;
  j["level"] = s.level;
  j["max_capacity"] = s.max_capacity;
  j["percent"] = s.percent ? ordered_json(*s.percent) : ordered_json(nullptr);
  j["state"] = to_string(s.state);
  return j;
}

ordered_json alert_object(const alert_view& a) {
  ordered_json j;
  j["severity"] = to_string(a.severity);
  j["code"] = a.code;
  j["group"] = a.group;
  j["description"] = a.description;
  return j;
}

ordered_json device_object(const device_info& d) {
  ordered_json j;
  j["monitored"] = d.monitored;
  j["online"] = d.online;
  j["last_seen_ms"] = d.last_seen_ms > 0 ? ordered_json(d.last_seen_ms) : ordered_json(nullptr);
  j["address"] = d.address;
  j["description"] = d.description;
  j["name"] = d.name;
  j["serial"] = d.serial;
  if (d.life_count) j["life_count"] = *d.life_count;
  j["device_state"] = device_state_name(d.device_state);
  j["printer_state"] = printer_state_name(d.printer_state);
  j["supplies"] = ordered_json::array();
  for (const auto& s : d.supplies) j["supplies"].push_back(supply_object(s));
  j["alerts"] = ordered_json::array();
  for (const auto& a : d.alerts) j["alerts"].push_back(alert_object(a));
  j["truncated"] = d.truncated;
  return j;
}

ordered_json printer_object(const printer_view& p) {
  ordered_json j;
  j["name"] = p.name;
  j["location"] = p.location;
  j["info"] = p.info;
  j["state"] = to_string(p.state);
  j["state_message"] = p.state_message;
  j["reasons"] = p.reasons;
  j["queued"] = p.queued;
  j["delivered"] = p.delivered;
  j["device"] = device_object(p.device);
  return j;
}

}  // namespace

std::string printer_json(const printer_view& printer) { return dump(printer_object(printer)); }

std::string printer_list_json(const std::vector<printer_view>& printers) {
  ordered_json j;
  j["printers"] = ordered_json::array();
  for (const auto& p : printers) j["printers"].push_back(printer_object(p));
  return dump(j);
}

std::string printer_counters_json(const std::string& printer, const std::vector<device_counter_record>& counters) {
  ordered_json j;
  j["printer"] = printer;
  j["counters"] = ordered_json::array();
  for (const auto& c : counters) {
    ordered_json e;
    e["time_ms"] = c.time_ms;
    e["life_count"] = c.life_count;
    e["serial"] = c.serial;
    e["delivered"] = c.delivered;
    j["counters"].push_back(std::move(e));
  }
  return dump(j);
}

}  // namespace quire::web
