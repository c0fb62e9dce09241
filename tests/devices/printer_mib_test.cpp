#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "devices/printer_mib.hpp"

using namespace quire;
using namespace quire::devices;
using snmp::value_kind;

namespace {

snmp::value integer(int64_t v) {
  snmp::value x;
  x.kind = value_kind::integer;
  x.integer = v;
  return x;
}
snmp::value octets(std::string s) {
  snmp::value x;
  x.kind = value_kind::octets;
  x.octets = std::move(s);
  return x;
}
snmp::value counter(uint64_t v) {
  snmp::value x;
  x.kind = value_kind::counter32;
  x.number = v;
  return x;
}

snmp::varbind vb(const snmp::oid& name, snmp::value v) { return {name, std::move(v)}; }

// The scalars of a healthy printer, in the order scalar_oids() names them.
std::vector<snmp::varbind> healthy_scalars(uint64_t pages = 1200) {
  const auto& o = scalar_oids();
  snmp::value ticks;
  ticks.kind = value_kind::timeticks;
  ticks.number = 360000;
  return {vb(o[0], octets("ACME LaserJet 9000")), vb(o[1], ticks),         vb(o[2], octets("lab-1")),
          vb(o[3], integer(2)),                     vb(o[4], integer(3)),    vb(o[5], octets(std::string("\0\0", 2))),
          vb(o[6], octets("SN123")),                vb(o[7], counter(pages))};
}

// Table columns as a poll walks them: rows of (index, value) per column.
std::vector<column_rows> tables(const std::vector<supply_info>& supplies, const std::vector<alert_info>& alerts = {},
                                const std::vector<int32_t>& covers = {}) {
  std::vector<column_rows> c(table_columns().size());
  for (size_t i = 0; i < supplies.size(); ++i) {
    snmp::oid idx{static_cast<uint32_t>(i + 1)};
    c[0].push_back({idx, integer(supplies[i].supply_class)});
    c[1].push_back({idx, integer(supplies[i].type)});
    c[2].push_back({idx, octets(supplies[i].description)});
    c[3].push_back({idx, integer(supplies[i].max_capacity)});
    c[4].push_back({idx, integer(supplies[i].level)});
  }
  for (size_t i = 0; i < alerts.size(); ++i) {
    snmp::oid idx{static_cast<uint32_t>(i + 1)};
    c[5].push_back({idx, integer(alerts[i].severity)});
    c[6].push_back({idx, integer(alerts[i].group)});
    c[7].push_back({idx, integer(alerts[i].code)});
    c[8].push_back({idx, octets(alerts[i].description)});
  }
  for (size_t i = 0; i < covers.size(); ++i) c[9].push_back({{static_cast<uint32_t>(i + 1)}, integer(covers[i])});
  return c;
}

supply_info toner(std::string name, int32_t max, int32_t level, int32_t cls = 3) {
  supply_info s;
  s.description = std::move(name);
  s.supply_class = cls;
  s.type = cls == 4 ? 4 : 3;
  s.max_capacity = max;
  s.level = level;
  return s;
}

}  // namespace

TEST_CASE("printer mib: a healthy printer reads whole and has no reasons") {
  std::vector<std::string> warnings;
  auto s = interpret(healthy_scalars(), tables({toner("Black Toner", 1000, 800)}), warnings);
  CHECK(warnings.empty());
  CHECK(s.description == "ACME LaserJet 9000");
  CHECK(s.name == "lab-1");
  CHECK(s.serial == "SN123");
  CHECK(s.uptime_cs == 360000);
  CHECK(s.device_state == 2);
  CHECK(s.printer_state == 3);
  CHECK(s.error_bits == 0);
  CHECK(s.has_life_count);
  CHECK(s.life_count == 1200);
  REQUIRE(s.supplies.size() == 1);
  CHECK(s.supplies[0].percent() == 80);
  CHECK(state_reasons(s).empty());
  CHECK_FALSE(prevents_printing(s));
  CHECK(describe_supplies(s) == "Black Toner 80%");
}

TEST_CASE("printer mib: error state bits are read most significant bit first") {
  CHECK(error_bits_of(std::string("\x04\x00", 2)) == jammed);
  CHECK(error_bits_of(std::string("\x40", 1)) == no_paper);
  CHECK(error_bits_of(std::string("\x00\x08\xff", 3)) == output_full);
  CHECK(error_bits_of("") == 0);
}

TEST_CASE("printer mib: each blocking bit stops printing with a sentence") {
  struct row {
    uint16_t bit;
    const char* reason;
    const char* words;
  };
  for (auto r : {row{jammed, "media-jam-error", "paper jam"}, row{no_paper, "media-empty-error", "out of paper"},
                 row{no_toner, "toner-empty-error", "out of toner"}, row{door_open, "door-open-error", "door open"},
                 row{offline, "offline-error", "offline"}}) {
    device_status s;
    s.device_state = 2;
    s.error_bits = r.bit;
    auto reasons = state_reasons(s);
    REQUIRE(reasons.size() == 1);
    CHECK(reasons[0] == r.reason);
    std::string why;
    CHECK(prevents_printing(s, &why));
    CHECK(why.find(r.words) != std::string::npos);
  }
}

TEST_CASE("printer mib: warnings do not stop printing") {
  device_status s;
  s.error_bits = low_toner | low_paper | service_requested;
  CHECK(state_reasons(s) == std::vector<std::string>{"media-low-warning", "service-requested-warning", "toner-low-warning"});
  CHECK_FALSE(prevents_printing(s));
}

TEST_CASE("printer mib: an open cover or a device that is down stops printing") {
  device_status s;
  s.covers = {4, 3};
  CHECK(prevents_printing(s));
  CHECK(state_reasons(s) == std::vector<std::string>{"door-open-error"});
  device_status down;
  down.device_state = 5;
  std::string why;
  CHECK(prevents_printing(down, &why));
  CHECK(why == "the printer reports it is down");
}

TEST_CASE("printer mib: supply levels and their special values") {
  CHECK(toner("t", 1000, 50).percent() == 5);
  CHECK(toner("t", -2, 50).percent() == -1);
  CHECK(toner("t", 100, -3).percent() == -1);
  device_status s;
  s.supplies = {toner("Black", 100, 5), toner("Cyan", 100, 0), toner("Waste", 100, 0, 4), toner("Magenta", 100, -3),
                toner("Yellow", 100, -2)};
  CHECK(state_reasons(s) == std::vector<std::string>{"marker-supply-empty-warning", "marker-supply-low-report",
                                                     "marker-waste-full-warning"});
  CHECK(describe_supplies(s) == "Black 5% (low), Cyan 0% (empty), Waste 0% (full), Magenta ok, Yellow unknown");
}

TEST_CASE("printer mib: absurd values are clamped or dropped with a warning") {
  auto scalars = healthy_scalars();
  scalars[3].val = integer(99);            // hrDeviceStatus out of range
  scalars[7].val = integer(-5);            // a negative page counter
  scalars[5].val = integer(7);             // the error state is not an OCTET STRING
  std::vector<std::string> warnings;
  auto s = interpret(scalars, tables({toner("Black", 100, 500), toner("Cyan", -7, -9), toner("", 0, 10)}), warnings);
  CHECK(s.device_state == 0);
  CHECK_FALSE(s.has_life_count);
  CHECK(s.error_bits == 0);
  REQUIRE(s.supplies.size() == 3);
  CHECK(s.supplies[0].level == 100);       // clamped to its capacity
  CHECK(s.supplies[1].max_capacity == -2);
  CHECK(s.supplies[1].level == -2);
  CHECK(s.supplies[2].description == "supply 3");
  CHECK(s.supplies[2].max_capacity == -2);
  CHECK(warnings.size() >= 6);
}

TEST_CASE("printer mib: exceptions, unknown names and text noise are skipped") {
  auto scalars = healthy_scalars();
  scalars[6].val.kind = value_kind::no_such_object;
  scalars.push_back(vb({1, 3, 6, 1, 4, 1, 9999, 1}, integer(4)));
  scalars[0].val = octets(std::string("Model\0\0\x01 X  ", 12));
  std::vector<std::string> warnings;
  auto s = interpret(scalars, {}, warnings);
  CHECK(s.serial.empty());
  CHECK(s.description == "Model X");
  CHECK(warnings.empty());
}

TEST_CASE("printer mib: tables beyond max_rows are cut and said") {
  std::vector<supply_info> many;
  for (int i = 0; i < 100; ++i) many.push_back(toner(std::string(1, 's').append(std::to_string(i)), 100, 50));
  std::vector<std::string> warnings;
  auto s = interpret(healthy_scalars(), tables(many), warnings, 64);
  CHECK(s.supplies.size() == 64);
  CHECK(s.truncated);
  CHECK_FALSE(warnings.empty());
}

TEST_CASE("printer mib: rows of one table are joined by index, not position") {
  auto c = tables({toner("Black", 100, 40), toner("Cyan", 100, 70)});
  std::swap(c[4][0], c[4][1]);  // levels walked in another order
  std::vector<std::string> warnings;
  auto s = interpret({}, c, warnings);
  REQUIRE(s.supplies.size() == 2);
  CHECK(s.supplies[0].level == 40);
  CHECK(s.supplies[1].level == 70);
}

TEST_CASE("printer mib: alerts are read and described") {
  alert_info jam{3, 8, 8, "Paper jam in tray 2"};
  alert_info low{4, 11, 1101, "Toner low"};
  std::vector<std::string> warnings;
  auto s = interpret(healthy_scalars(), tables({}, {jam, low}, {4}), warnings);
  REQUIRE(s.alerts.size() == 2);
  CHECK(s.alerts[0] == jam);
  CHECK(describe_alerts(s) == "critical: Paper jam in tray 2; warning: Toner low");
  CHECK(s.covers == std::vector<int32_t>{4});
}

TEST_CASE("printer mib: compare tells which events a change makes") {
  std::vector<std::string> w;
  auto a = interpret(healthy_scalars(), tables({toner("Black", 1000, 800)}), w);
  auto b = a;
  b.life_count += 10;
  b.supplies[0].level = 799;  // still 79%? no: 79.9 -> 79
  auto c = compare(a, b);
  CHECK(c.supplies);
  CHECK_FALSE(c.reasons);
  CHECK_FALSE(c.alerts);
  b = a;
  b.supplies[0].level = 801;  // 80% as before
  CHECK_FALSE(compare(a, b).supplies);
  b.error_bits = jammed;
  b.alerts.push_back({3, 8, 8, "jam"});
  c = compare(a, b);
  CHECK(c.reasons);
  CHECK(c.alerts);
}
