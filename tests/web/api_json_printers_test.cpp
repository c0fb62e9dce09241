// The printer facet of api_json.hpp, and the meaning printer_service.hpp
// gives a device's raw values.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "web/api_json.hpp"

using namespace quire;
using namespace quire::web;
using nlohmann::json;

TEST_CASE("classify_supply: a level's meaning, by the Printer MIB's special values and low_percent") {
  using k = supply_kind;
  using s = supply_state;
  struct row {
    supply_kind kind;
    int32_t level;
    int percent;
    supply_state want;
  };
  for (const auto& r : {row{k::consumed, 80, 80, s::ok},          row{k::consumed, 11, 11, s::ok},
                        row{k::consumed, 10, 10, s::low},         row{k::consumed, 1, 0, s::low},
                        row{k::consumed, 0, 0, s::empty},         row{k::consumed, 0, -1, s::empty},
                        row{k::consumed, -3, -1, s::ok},          row{k::consumed, -1, -1, s::ok},
                        row{k::consumed, -2, -1, s::unknown},     row{k::consumed, 50, -1, s::unknown},
                        row{k::receptacle, 0, 0, s::full},        row{k::receptacle, 0, -1, s::full},
                        row{k::receptacle, 5, 5, s::low},         row{k::receptacle, 90, 90, s::ok},
                        row{k::receptacle, -3, -1, s::ok},        row{k::receptacle, -2, -1, s::unknown}}) {
    CAPTURE(r.level);
    CAPTURE(r.percent);
    CHECK(classify_supply(r.kind, r.level, r.percent, 10) == r.want);
  }
  CHECK(classify_supply(supply_kind::consumed, 30, 30, 50) == supply_state::low);
  CHECK(classify_supply(supply_kind::consumed, 1, 1, 0) == supply_state::ok);

  CHECK(severity_of(3) == alert_severity::critical);
  CHECK(severity_of(4) == alert_severity::warning);
  CHECK(severity_of(5) == alert_severity::warning);
  for (int32_t v : {0, 1, 2, 6, -1}) CHECK(severity_of(v) == alert_severity::other);
}

TEST_CASE("printer_json: names for the MIB's numbers, life_count only when counted, never a device URI") {
  printer_view p;
  p.name = "lab-1";
  p.state = printer_run_state::processing;
  p.device.monitored = true;
  p.device.address = "192.0.2.10:161";
  auto j = json::parse(printer_json(p));
  CHECK(j["state"] == "processing");
  CHECK_FALSE(j["device"].contains("life_count"));
  CHECK(j["device"]["last_seen_ms"].is_null());
  CHECK(j["device"]["device_state"] == "unknown");
  CHECK(j["device"]["printer_state"] == "unknown");
  CHECK_FALSE(j.contains("device_uri"));

  p.device.life_count = 0;  // counted, and 0
  p.device.last_seen_ms = 5;
  p.device.truncated = true;
  const char* device_states[] = {"unknown", "unknown", "running", "warning", "testing", "down", "unknown"};
  const char* printer_states[] = {"unknown", "other", "unknown", "idle", "printing", "warmup", "unknown"};
  for (int32_t v = 0; v <= 6; ++v) {
    CAPTURE(v);
    p.device.device_state = p.device.printer_state = v;
    j = json::parse(printer_json(p));
    CHECK(j["device"]["device_state"] == device_states[v]);
    CHECK(j["device"]["printer_state"] == printer_states[v]);
  }
  CHECK(j["device"]["life_count"] == 0);
  CHECK(j["device"]["last_seen_ms"] == 5);
  CHECK(j["device"]["truncated"] == true);

  p.device.supplies = {{"Cyan", supply_kind::consumed, 5, -2, -2, std::nullopt, supply_state::unknown}};
  p.device.alerts = {{alert_severity::other, 13, 13, "Cover open"}, {alert_severity::warning, 1101, 11, ""}};
  j = json::parse(printer_json(p));
  CHECK(j["device"]["supplies"][0] == json::parse(R"({"description":"Cyan","kind":"consumed","type":5,
    "level":-2,"max_capacity":-2,"percent":null,"state":"unknown"})"));
  CHECK(j["device"]["alerts"] == json::parse(R"([{"severity":"other","code":13,"group":13,"description":"Cover open"},
    {"severity":"warning","code":1101,"group":11,"description":""}])"));
}

TEST_CASE("printer JSON never throws on what a device sends that is not UTF-8") {
  printer_view p;
  p.name = "lab-1";
  p.state_message = "bad \xff byte";
  // Built from characters: GCC 12 warns falsely (-Wrestrict) on assigning short literals.
  p.device.description = std::string(1, '\xc3');
  p.device.serial = std::string{'\x80', '\x81'};
  p.device.alerts = {{alert_severity::critical, 8, 5, "jam \xfe"}};
  std::string out;
  REQUIRE_NOTHROW(out = printer_list_json({p}));
  auto j = json::parse(out);
  CHECK(j["printers"][0]["state_message"] == "bad \xef\xbf\xbd byte");
  CHECK_NOTHROW(printer_counters_json("lab-1", {{1, 2, "\xff", 3}}));
}

TEST_CASE("printer_counters_json: the printer and its snapshots in the order given") {
  std::vector<device_counter_record> c = {{1714552200250, 123456, "CNB1", 40}, {1714552300000, 123500, "CNB2", 41}};
  CHECK(json::parse(printer_counters_json("lab-1", c)) == json::parse(R"({"printer":"lab-1","counters":[
    {"time_ms":1714552200250,"life_count":123456,"serial":"CNB1","delivered":40},
    {"time_ms":1714552300000,"life_count":123500,"serial":"CNB2","delivered":41}]})"));
  CHECK(printer_counters_json("lab-2", {}) == R"({"printer":"lab-2","counters":[]})");
  CHECK(printer_list_json({}) == R"({"printers":[]})");
}
