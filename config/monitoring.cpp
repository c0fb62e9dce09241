// SNMP monitoring settings: the checks [monitoring] and the printers' snmp_*
// keys share, and snmp_settings_of(), which resolves a printer's settings
// against the section's defaults. A community is a secret (SNMP v1/v2c
// authenticates by it alone), so no message here echoes one.
#include <algorithm>

#include "config/config_internal.hpp"

namespace quire {

namespace detail {

status check_snmp_community(const std::string& key, const std::string& value) {
  bool printable = std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
  if (value.empty() || value.size() > 255 || !printable)
    return invalid(key + ": must be 1 to 255 printable ASCII characters (the value is a secret: not shown)");
  return {};
}

status check_snmp_version(const std::string& key, const std::string& value) {
  if (value != "1" && value != "2c") return bad_value(key, "expected 1 or 2c", value);
  return {};
}

status read_printer_snmp(const toml::table& t, const std::string& key, printer_config& p) {
  if (const auto* v = t.get_as<bool>("snmp")) p.snmp = v->get();
  p.snmp_address = string_or(t, "snmp_address", "");
  if (!p.snmp_address.empty() && !parse_host_port(p.snmp_address))
    return bad_value(key + ".snmp_address", "expected host[:port]", p.snmp_address);
  p.snmp_community = string_or(t, "snmp_community", "");
  if (!p.snmp_community.empty())
    if (status s = check_snmp_community(key + ".snmp_community", p.snmp_community)) return s;
  p.snmp_version = string_or(t, "snmp_version", "");
  if (!p.snmp_version.empty())
    if (status s = check_snmp_version(key + ".snmp_version", p.snmp_version)) return s;
  // Asking for monitoring that cannot happen is a mistake worth stopping for;
  // leaving it unset on a file:// device is not.
  if (p.snmp.value_or(false) && p.snmp_address.empty() && !device_host(p.device_uri))
    return invalid(key + ".snmp: a file:// device has no host to poll; set snmp_address");
  return {};
}

}  // namespace detail

snmp_settings snmp_settings_of(const printer_config* p, const std::string& device_uri,
                               const monitoring_config& m) {
  snmp_settings s;
  s.community = p != nullptr && !p->snmp_community.empty() ? p->snmp_community : m.community;
  s.version = p != nullptr && !p->snmp_version.empty() ? p->snmp_version : m.version;
  // The device URI's port is the print service's, never the SNMP agent's.
  auto address = p != nullptr && !p->snmp_address.empty() ? detail::parse_host_port(p->snmp_address)
                                                          : detail::device_host(device_uri);
  if (!address) return s;
  s.host = std::move(address->host);
  if (p != nullptr && !p->snmp_address.empty() && address->port != 0) s.port = address->port;
  s.monitored = p != nullptr && p->snmp ? *p->snmp : m.enabled;
  return s;
}

}  // namespace quire
