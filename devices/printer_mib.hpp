// What a printer's SNMP agent says, in Quire's terms: the Host Resources
// MIB's printer rows (RFC 2790), the Printer MIB (RFC 3805) and the system
// group, read into one device_status and turned into IPP-style
// printer-state-reasons (RFC 8011 §5.4.12, with -report/-warning/-error).
//
// Pure: no I/O, no clock. The poller (snmp_poller.hpp) fetches the OIDs named
// here; the printer actor compares two statuses to decide which events to
// publish. The device is assumed to be hrDeviceIndex 1 with its markers
// under prtMarkerIndex 1, as on every single-engine printer.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "protocols/snmp/message.hpp"

namespace quire::devices {

/// One row of prtMarkerSuppliesTable.
struct supply_info {
  std::string description;   // "Black Toner Cartridge"
  int32_t supply_class = 0;  // 3 consumed (toner), 4 receptacle (waste toner box)
  int32_t type = 0;          // prtMarkerSuppliesType: 3 toner, 4 waste toner, 5 ink...
  int32_t max_capacity = -2; // -1 no restriction, -2 unknown
  int32_t level = -2;        // -1 no restriction, -2 unknown, -3 "some remains", else 0..max

  /// 0..100, or -1 when the level is not a number of units (the special values).
  int percent() const;
  bool operator==(const supply_info&) const = default;
};

/// One row of prtAlertTable.
struct alert_info {
  int32_t severity = 0;  // 1 other, 3 critical, 4 warning, 5 warningBinaryChangeEvent
  int32_t group = 0;     // prtAlertGroup: 5 input, 6 output, 8 marker, 11 supplies, 13 cover...
  int32_t code = 0;      // prtAlertCode: 8 jam, 13 coverOpen... (RFC 3805 PrtAlertCodeTC)
  std::string description;
  bool operator==(const alert_info&) const = default;
};

/// hrPrinterDetectedErrorState bits (RFC 2790): bit 0 is the most
/// significant bit of the first octet.
enum error_bit : uint16_t {
  low_paper = 0x8000,
  no_paper = 0x4000,
  low_toner = 0x2000,
  no_toner = 0x1000,
  door_open = 0x0800,
  jammed = 0x0400,
  offline = 0x0200,
  service_requested = 0x0100,
  input_tray_missing = 0x0080,
  output_tray_missing = 0x0040,
  marker_supply_missing = 0x0020,
  output_near_full = 0x0010,
  output_full = 0x0008,
  input_tray_empty = 0x0004,
  overdue_prevent_maint = 0x0002,
};

/// One device's answer to one poll.
struct device_status {
  std::string description;     // sysDescr
  std::string name;            // sysName
  std::string serial;          // prtGeneralSerialNumber
  uint64_t uptime_cs = 0;      // sysUpTime, hundredths of a second
  int32_t device_state = 0;    // hrDeviceStatus: 1 unknown, 2 running, 3 warning, 4 testing, 5 down
  int32_t printer_state = 0;   // hrPrinterStatus: 1 other, 2 unknown, 3 idle, 4 printing, 5 warmup
  uint16_t error_bits = 0;     // hrPrinterDetectedErrorState
  std::vector<int32_t> covers; // prtCoverStatus: 3 coverOpen, 4 coverClosed, 5 interlockOpen, 6 interlockClosed
  bool has_life_count = false;
  uint64_t life_count = 0;     // prtMarkerLifeCount: impressions (pages) the engine has made
  std::vector<supply_info> supplies;
  std::vector<alert_info> alerts;
  bool truncated = false;      // a table had more rows than Quire keeps

  bool operator==(const device_status&) const = default;
};

/// The scalars of a poll, asked in one GET, in this order: sysDescr,
/// sysUpTime, sysName, hrDeviceStatus, hrPrinterStatus,
/// hrPrinterDetectedErrorState, prtGeneralSerialNumber, prtMarkerLifeCount.
const std::vector<snmp::oid>& scalar_oids();

/// The table columns a poll walks, side by side, in this order: supplies
/// (class, type, description, max capacity, level), alerts (severity,
/// group, code, description), covers (status).
const std::vector<snmp::oid>& table_columns();

/// A walked column: (row index below the column, value) in walk order.
using column_rows = std::vector<std::pair<snmp::oid, snmp::value>>;

/// Builds a status from the scalar varbinds (any order; unknown names and
/// exceptions are skipped) and the walked columns (aligned with
/// table_columns(); fewer is fine). Values out of their range are clamped or
/// dropped; each correction adds a line to `warnings`. At most `max_rows`
/// supplies, alerts and covers are kept.
device_status interpret(const std::vector<snmp::varbind>& scalars, const std::vector<column_rows>& columns,
                        std::vector<std::string>& warnings, size_t max_rows = 64);

/// Decodes hrPrinterDetectedErrorState's octets (one or two; more are
/// ignored, none is 0).
uint16_t error_bits_of(const std::string& octets);

/// The status as IPP printer-state-reasons keywords with their severity
/// suffix ("media-jam-error", "toner-low-warning", "marker-supply-low-report"),
/// sorted and unique; empty when all is well. A consumed supply at or under
/// `low_percent` is low.
std::vector<std::string> state_reasons(const device_status& s, int low_percent = 10);

/// True when the device reports a condition that stops it printing (a jam,
/// no paper, no toner, a door open, offline or down, a missing or full
/// tray...). `why` gets a sentence for people: "the printer reports a paper
/// jam".
bool prevents_printing(const device_status& s, std::string* why = nullptr);

/// "Black Toner 15%, Waste Toner Box ok, Cyan unknown": for events and logs.
std::string describe_supplies(const device_status& s, int low_percent = 10);
/// "critical: Paper jam in tray 2; warning: Toner low": for events and logs.
std::string describe_alerts(const device_status& s);

/// What changed between two polls, for the events a printer publishes.
struct status_changes {
  bool reasons = false;   // the state reasons (printer.state)
  bool supplies = false;  // a supply's percent, state or row set (printer.supply)
  bool alerts = false;    // the alert rows (printer.alert)
};
status_changes compare(const device_status& before, const device_status& after, int low_percent = 10);

}  // namespace quire::devices
