// One poll of one printer over SNMP: a GET of the scalars of printer_mib.hpp
// in one packet, then the supplies, alert and cover tables walked side by
// side (GETBULK in v2c, GETNEXT in v1), read into a device_status.
//
// Runs on the loop thread through the shared snmp_client; `done` runs there,
// exactly once.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "devices/printer_mib.hpp"
#include "devices/snmp_client.hpp"

namespace quire::devices {

struct poll_target {
  sockaddr_storage address{};
  std::string community = "public";
  snmp::version ver = snmp::version::v2c;
};

struct poll_options {
  size_t max_rows = 64;             // per table; more rows are ignored (and said)
  uint32_t max_repetitions = 8;     // GETBULK rows per request
  uint32_t max_requests = 32;       // per poll: a walk that needs more stops there
};

struct poll_result {
  bool answered = false;   // false: the device did not answer; `error` says how
  std::string error;
  device_status status;
  std::vector<std::string> warnings;  // values corrected, tables cut, a walk that stopped early
  uint32_t requests = 0;              // request/response exchanges of this poll
};

void poll_device(snmp_client& client, const poll_target& target, const poll_options& opts,
                 std::function<void(poll_result)> done);

}  // namespace quire::devices
