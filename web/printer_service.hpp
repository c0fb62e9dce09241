// What the admin API needs from the server to show printers: each
// printer's live state, what its device last said over SNMP, and the page
// counters the server snapshot. A narrow, asynchronous interface, so that
// web/ knows neither CAF nor RocksDB (the same contract as
// accounting_service.hpp).
//
// Every call returns at once and answers exactly once through its callback,
// from any thread, possibly before the call returns. The API has validated
// what it passes (a printer name follows valid_printer_name) and the caller
// is an authenticated administrator. Errors map to HTTP as in admin_api.hpp
// (http_status_for).
//
// printer_view is web's own copy of what a printer says about itself
// (actors/messages.hpp printer_status, devices/printer_mib.hpp
// device_status), with the device's raw values already given their meaning
// (a supply's kind and state, an alert's severity). It never holds the
// printer's device URI, which may embed credentials, nor an SNMP community.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "protocols/result.hpp"
#include "storage/records.hpp"

namespace quire::web {

/// A printer's state as IPP names it (RFC 8011 §5.4.11).
enum class printer_run_state : uint8_t { idle, processing, stopped };

/// prtMarkerSuppliesClass (RFC 3805): consumed (toner, ink) or a receptacle
/// (a waste toner box), whose level is the room left in it.
enum class supply_kind : uint8_t { consumed, receptacle };

/// What a supply's level means for whoever refills it:
///   ok       some remains (a known level above low_percent, "some remains",
///            or no restriction);
///   low      at or under low_percent: a consumed supply running out, or a
///            receptacle nearly full;
///   empty    a consumed supply at 0;
///   full     a receptacle with no room left (level 0);
///   unknown  the device does not say.
enum class supply_state : uint8_t { ok, low, empty, full, unknown };

/// prtAlertSeverityLevel (RFC 3805): critical (3); warning (4, and 5,
/// warningBinaryChangeEvent); other (1, and anything else).
enum class alert_severity : uint8_t { critical, warning, other };

struct supply_view {
  std::string description;
  supply_kind kind = supply_kind::consumed;
  int32_t type = 0;           // prtMarkerSuppliesType: 3 toner, 4 waste toner, 5 ink...
  int32_t max_capacity = -2;  // as the device says: -1 no restriction, -2 unknown
  int32_t level = -2;         // -1 no restriction, -2 unknown, -3 some remains, else 0..max
  std::optional<int> percent;  // 0..100; absent when the level is not a number of units
  supply_state state = supply_state::unknown;
};

struct alert_view {
  alert_severity severity = alert_severity::other;
  int32_t code = 0;   // prtAlertCode (RFC 3805 PrtAlertCodeTC): 8 jam, 13 cover open...
  int32_t group = 0;  // prtAlertGroup: 5 input, 6 output, 8 marker, 11 supplies, 13 cover...
  std::string description;
};

/// The device behind a printer, as its SNMP monitoring last saw it. Without
/// monitoring, or before the first answer, the device's fields are empty.
struct device_info {
  bool monitored = false;    // the printer polls its device
  bool online = false;       // it answered lately
  int64_t last_seen_ms = 0;  // the last answer (0: none since the server started)
  std::string address;       // where it is polled, "host:port"
  std::string description;   // sysDescr
  std::string name;          // sysName
  std::string serial;        // prtGeneralSerialNumber
  std::optional<uint64_t> life_count;  // prtMarkerLifeCount, when the device has one
  int32_t device_state = 0;   // hrDeviceStatus: 1 unknown, 2 running, 3 warning, 4 testing, 5 down
  int32_t printer_state = 0;  // hrPrinterStatus: 1 other, 2 unknown, 3 idle, 4 printing, 5 warmup
  std::vector<supply_view> supplies;
  std::vector<alert_view> alerts;
  bool truncated = false;  // a table had more rows than the server keeps
};

/// One printer as the API shows it.
struct printer_view {
  std::string name;
  std::string location;  // from the printer's configuration
  std::string info;
  printer_run_state state = printer_run_state::idle;
  std::string state_message;
  std::vector<std::string> reasons;  // IPP printer-state-reasons with their severity suffix
  uint64_t queued = 0;     // jobs waiting in its FIFO
  uint64_t delivered = 0;  // jobs delivered since the server started
  device_info device;
};

/// A supply's state from its level (devices/printer_mib.hpp's rules, which
/// also decide the printer's reasons): see supply_state. `percent` is -1
/// when the level is not a number of units.
inline supply_state classify_supply(supply_kind kind, int32_t level, int percent, int low_percent) {
  bool receptacle = kind == supply_kind::receptacle;
  if (level == 0) return receptacle ? supply_state::full : supply_state::empty;
  if (percent >= 0) return percent <= low_percent ? supply_state::low : supply_state::ok;
  if (level == -3 || level == -1) return supply_state::ok;
  return supply_state::unknown;
}

/// prtAlertSeverityLevel as an alert_severity.
inline alert_severity severity_of(int32_t severity) {
  if (severity == 3) return alert_severity::critical;
  if (severity == 4 || severity == 5) return alert_severity::warning;
  return alert_severity::other;
}

using printer_callback = std::function<void(result<printer_view>)>;
using printer_list_callback = std::function<void(result<std::vector<printer_view>>)>;
using counters_callback = std::function<void(result<std::vector<device_counter_record>>)>;

class printer_service {
 public:
  virtual ~printer_service() = default;

  /// Every printer of the site, sorted by name. A printer that does not
  /// answer in time is shown stopped, "not answering".
  virtual void list(printer_list_callback cb) = 0;
  /// One printer; not_found for a name the site does not have.
  virtual void get(std::string name, printer_callback cb) = 0;
  /// The printer's page counter snapshots with from_ms <= time < to_ms,
  /// oldest first, at most `limit`; not_found for an unknown printer.
  virtual void counters(std::string name, int64_t from_ms, int64_t to_ms, uint32_t limit, counters_callback cb) = 0;
};

}  // namespace quire::web
