#include "devices/printer_mib.hpp"

#include <algorithm>
#include <limits>

namespace quire::devices {

namespace {

using snmp::oid;
using snmp::value;
using snmp::value_kind;

const oid sys_descr{1, 3, 6, 1, 2, 1, 1, 1, 0};
const oid sys_uptime{1, 3, 6, 1, 2, 1, 1, 3, 0};
const oid sys_name{1, 3, 6, 1, 2, 1, 1, 5, 0};
const oid hr_device_status{1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 5, 1};
const oid hr_printer_status{1, 3, 6, 1, 2, 1, 25, 3, 5, 1, 1, 1};
const oid hr_printer_errors{1, 3, 6, 1, 2, 1, 25, 3, 5, 1, 2, 1};
const oid prt_serial{1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 17, 1};
const oid prt_life_count{1, 3, 6, 1, 2, 1, 43, 10, 2, 1, 4, 1, 1};

oid supplies_column(uint32_t c) { return {1, 3, 6, 1, 2, 1, 43, 11, 1, 1, c, 1}; }
oid alerts_column(uint32_t c) { return {1, 3, 6, 1, 2, 1, 43, 18, 1, 1, c, 1}; }
const oid covers_column{1, 3, 6, 1, 2, 1, 43, 6, 1, 1, 3, 1};

// Positions in table_columns().
enum column : size_t {
  sup_class,
  sup_type,
  sup_descr,
  sup_max,
  sup_level,
  al_severity,
  al_group,
  al_code,
  al_descr,
  cover_status,
  column_count
};

constexpr size_t max_text = 255;  // longer descriptions are cut

std::string text_of(const value& v) {
  std::string s = v.kind == value_kind::octets ? v.octets : std::string();
  if (s.size() > max_text) s.resize(max_text);
  // Agents pad with NULs and emit control characters; keep printable text.
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s)
    if (c >= 0x20 && c != 0x7f) out.push_back(static_cast<char>(c));
    else if (c == '\t' || c == '\n' || c == '\r') out.push_back(' ');
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool int_of(const value& v, int64_t& out) {
  switch (v.kind) {
    case value_kind::integer: out = v.integer; return true;
    case value_kind::counter32:
    case value_kind::gauge32:
    case value_kind::timeticks:
    case value_kind::counter64:
      out = v.number > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                ? std::numeric_limits<int64_t>::max()
                : static_cast<int64_t>(v.number);
      return true;
    default: return false;
  }
}

int32_t clamp32(int64_t v) {
  return static_cast<int32_t>(std::clamp<int64_t>(v, std::numeric_limits<int32_t>::min(),
                                                  std::numeric_limits<int32_t>::max()));
}

// The row index of each column's rows, to join columns of one table.
template <class Row, class Set>
void join(std::vector<Row>& rows, std::vector<oid>& keys, const column_rows& col, size_t max_rows, Set set) {
  for (const auto& [index, v] : col) {
    auto it = std::find(keys.begin(), keys.end(), index);
    size_t at;
    if (it != keys.end()) {
      at = static_cast<size_t>(it - keys.begin());
    } else {
      if (rows.size() >= max_rows) continue;
      keys.push_back(index);
      rows.emplace_back();
      at = rows.size() - 1;
    }
    set(rows[at], v);
  }
}

}  // namespace

int supply_info::percent() const {
  if (level < 0 || max_capacity <= 0) return -1;
  int64_t p = static_cast<int64_t>(level) * 100 / max_capacity;
  return static_cast<int>(std::clamp<int64_t>(p, 0, 100));
}

const std::vector<oid>& scalar_oids() {
  static const std::vector<oid> all{sys_descr,         sys_uptime,        sys_name,   hr_device_status,
                                    hr_printer_status, hr_printer_errors, prt_serial, prt_life_count};
  return all;
}

const std::vector<oid>& table_columns() {
  static const std::vector<oid> all{supplies_column(4), supplies_column(5), supplies_column(6), supplies_column(8),
                                    supplies_column(9), alerts_column(2),   alerts_column(4),   alerts_column(7),
                                    alerts_column(8),   covers_column};
  return all;
}

uint16_t error_bits_of(const std::string& octets) {
  uint16_t bits = 0;
  if (!octets.empty()) bits = static_cast<uint16_t>(static_cast<unsigned char>(octets[0]) << 8);
  if (octets.size() > 1) bits |= static_cast<unsigned char>(octets[1]);
  return bits;
}

device_status interpret(const std::vector<snmp::varbind>& scalars, const std::vector<column_rows>& columns,
                        std::vector<std::string>& warnings, size_t max_rows) {
  device_status s;
  for (const auto& vb : scalars) {
    if (vb.val.is_exception() || vb.val.kind == value_kind::null) continue;
    int64_t n = 0;
    if (vb.name == sys_descr) {
      s.description = text_of(vb.val);
    } else if (vb.name == sys_name) {
      s.name = text_of(vb.val);
    } else if (vb.name == prt_serial) {
      s.serial = text_of(vb.val);
    } else if (vb.name == sys_uptime) {
      if (int_of(vb.val, n) && n >= 0) s.uptime_cs = static_cast<uint64_t>(n);
    } else if (vb.name == hr_device_status) {
      if (int_of(vb.val, n) && n >= 1 && n <= 5) s.device_state = static_cast<int32_t>(n);
      else warnings.push_back("hrDeviceStatus out of range, ignored");
    } else if (vb.name == hr_printer_status) {
      if (int_of(vb.val, n) && n >= 1 && n <= 5) s.printer_state = static_cast<int32_t>(n);
      else warnings.push_back("hrPrinterStatus out of range, ignored");
    } else if (vb.name == hr_printer_errors) {
      if (vb.val.kind == value_kind::octets) s.error_bits = error_bits_of(vb.val.octets);
      else warnings.push_back("hrPrinterDetectedErrorState is not an OCTET STRING, ignored");
    } else if (vb.name == prt_life_count) {
      if (int_of(vb.val, n) && n >= 0) {
        s.has_life_count = true;
        s.life_count = static_cast<uint64_t>(n);
      } else {
        warnings.push_back("prtMarkerLifeCount is negative or not a number, ignored");
      }
    }
  }

  auto col = [&](size_t c) -> const column_rows& {
    static const column_rows none;
    return c < columns.size() ? columns[c] : none;
  };
  auto number = [](const value& v, int32_t& out) {
    int64_t n = 0;
    if (int_of(v, n)) out = clamp32(n);
  };

  std::vector<oid> keys;
  auto& sup = s.supplies;
  join(sup, keys, col(sup_class), max_rows, [&](supply_info& r, const value& v) { number(v, r.supply_class); });
  join(sup, keys, col(sup_type), max_rows, [&](supply_info& r, const value& v) { number(v, r.type); });
  join(sup, keys, col(sup_descr), max_rows, [&](supply_info& r, const value& v) { r.description = text_of(v); });
  join(sup, keys, col(sup_max), max_rows, [&](supply_info& r, const value& v) { number(v, r.max_capacity); });
  join(sup, keys, col(sup_level), max_rows, [&](supply_info& r, const value& v) { number(v, r.level); });
  for (size_t i = 0; i < sup.size(); ++i) {
    auto& r = sup[i];
    if (r.max_capacity < -2 || r.max_capacity == 0) {
      warnings.push_back("supply " + std::to_string(i + 1) + ": impossible max capacity " +
                         std::to_string(r.max_capacity) + ", taken as unknown");
      r.max_capacity = -2;
    }
    if (r.level < -3) {
      warnings.push_back("supply " + std::to_string(i + 1) + ": impossible level " + std::to_string(r.level) +
                         ", taken as unknown");
      r.level = -2;
    } else if (r.max_capacity > 0 && r.level > r.max_capacity) {
      warnings.push_back("supply " + std::to_string(i + 1) + ": level " + std::to_string(r.level) +
                         " above its capacity " + std::to_string(r.max_capacity) + ", clamped");
      r.level = r.max_capacity;
    }
    if (r.description.empty()) r.description = "supply " + std::to_string(i + 1);
  }

  keys.clear();
  auto& al = s.alerts;
  join(al, keys, col(al_severity), max_rows, [&](alert_info& r, const value& v) { number(v, r.severity); });
  join(al, keys, col(al_group), max_rows, [&](alert_info& r, const value& v) { number(v, r.group); });
  join(al, keys, col(al_code), max_rows, [&](alert_info& r, const value& v) { number(v, r.code); });
  join(al, keys, col(al_descr), max_rows, [&](alert_info& r, const value& v) { r.description = text_of(v); });

  for (const auto& [index, v] : col(cover_status)) {
    (void)index;
    if (s.covers.size() >= max_rows) break;
    int32_t c = 0;
    number(v, c);
    s.covers.push_back(c);
  }
  s.truncated = std::any_of(columns.begin(), columns.end(), [&](const column_rows& c) { return c.size() > max_rows; });
  if (s.truncated) warnings.push_back("a table has more than " + std::to_string(max_rows) + " rows; the rest is ignored");
  return s;
}

namespace {

struct bit_reason {
  uint16_t bit;
  const char* keyword;  // with its severity suffix
  const char* blocking;  // nullptr: the device can still print
};

// RFC 2790's bits, named as IPP printer-state-reasons (RFC 8011, PWG 5100.9).
constexpr bit_reason bit_reasons[] = {
    {low_paper, "media-low-warning", nullptr},
    {no_paper, "media-empty-error", "is out of paper"},
    {low_toner, "toner-low-warning", nullptr},
    {no_toner, "toner-empty-error", "is out of toner"},
    {door_open, "door-open-error", "has a door open"},
    {jammed, "media-jam-error", "has a paper jam"},
    {offline, "offline-error", "is offline"},
    {service_requested, "service-requested-warning", nullptr},
    {input_tray_missing, "input-tray-missing-warning", nullptr},
    {output_tray_missing, "output-tray-missing-error", "has its output tray missing"},
    {marker_supply_missing, "marker-supply-missing-error", "has a toner or ink cartridge missing"},
    {output_near_full, "output-area-almost-full-warning", nullptr},
    {output_full, "output-area-full-error", "has its output tray full"},
    {input_tray_empty, "input-tray-empty-warning", nullptr},
    {overdue_prevent_maint, "maintenance-overdue-report", nullptr},
};

bool cover_open(int32_t c) { return c == 3 || c == 5; }

}  // namespace

std::vector<std::string> state_reasons(const device_status& s, int low_percent) {
  std::vector<std::string> out;
  for (const auto& b : bit_reasons)
    if (s.error_bits & b.bit) out.emplace_back(b.keyword);
  if (std::any_of(s.covers.begin(), s.covers.end(), cover_open)) out.emplace_back("door-open-error");
  if (s.device_state == 5 && !(s.error_bits & offline)) out.emplace_back("offline-error");
  for (const auto& sup : s.supplies) {
    int p = sup.percent();
    bool receptacle = sup.supply_class == 4;
    if (receptacle) {
      // A receptacle's level is the room left in it.
      if (sup.level == 0) out.emplace_back("marker-waste-full-warning");
      else if (p >= 0 && p <= low_percent) out.emplace_back("marker-waste-almost-full-report");
    } else if (sup.level == 0) {
      out.emplace_back("marker-supply-empty-warning");
    } else if (p >= 0 && p <= low_percent) {
      out.emplace_back("marker-supply-low-report");
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool prevents_printing(const device_status& s, std::string* why) {
  const char* what = nullptr;
  for (const auto& b : bit_reasons)
    if ((s.error_bits & b.bit) && b.blocking) {
      what = b.blocking;
      break;
    }
  if (!what && std::any_of(s.covers.begin(), s.covers.end(), cover_open)) what = "has a cover open";
  if (!what && s.device_state == 5) what = "is down";
  if (!what) return false;
  if (why) *why = std::string("the printer reports it ") + what;
  return true;
}

std::string describe_supplies(const device_status& s, int low_percent) {
  std::string out;
  for (const auto& sup : s.supplies) {
    if (!out.empty()) out += ", ";
    out += sup.description;
    int p = sup.percent();
    if (p >= 0) {
      out.push_back(' ');
      out.append(std::to_string(p)).push_back('%');
      if (sup.supply_class != 4 && p <= low_percent) out += p == 0 ? " (empty)" : " (low)";
      if (sup.supply_class == 4 && p <= low_percent) out += p == 0 ? " (full)" : " (nearly full)";
    } else if (sup.level == -3) {
      out += " ok";
    } else if (sup.level == -1) {
      out += " unlimited";
    } else {
      out += " unknown";
    }
  }
  return out;
}

std::string describe_alerts(const device_status& s) {
  std::string out;
  for (const auto& a : s.alerts) {
    if (!out.empty()) out += "; ";
    out += a.severity == 3 ? "critical" : a.severity == 4 || a.severity == 5 ? "warning" : "other";
    out += ": ";
    out += a.description.empty() ? "alert code " + std::to_string(a.code) : a.description;
  }
  return out;
}

status_changes compare(const device_status& before, const device_status& after, int low_percent) {
  status_changes c;
  c.reasons = state_reasons(before, low_percent) != state_reasons(after, low_percent);
  if (before.supplies.size() != after.supplies.size()) {
    c.supplies = true;
  } else {
    for (size_t i = 0; i < before.supplies.size() && !c.supplies; ++i) {
      const auto& a = before.supplies[i];
      const auto& b = after.supplies[i];
      c.supplies = a.description != b.description || a.percent() != b.percent() ||
                   (a.percent() < 0 && a.level != b.level);
    }
  }
  c.alerts = before.alerts != after.alerts;
  return c;
}

}  // namespace quire::devices
