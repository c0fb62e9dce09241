// SNMP v1/v2c messages (RFC 1157, RFC 3416) and their BER encoding (X.690).
//
// Pure: bytes in, typed values out. The monitoring transport (devices/) and
// the test responders encode requests and decode responses with this; the
// Printer-MIB meaning of the values lives in devices/printer_mib.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"

namespace quire::snmp {

/// An object identifier, e.g. {1,3,6,1,2,1,1,1,0}.
using oid = std::vector<uint32_t>;

/// "1.3.6.1.2.1.1.1.0" -> oid; a leading dot is accepted. Fails on an empty
/// string, a non-number arc, an arc above 2^32-1, fewer than two arcs, or a
/// first arc above 2 (or a second arc above 39 under a first arc of 0 or 1,
/// which BER could not carry: X.690 §8.19.4).
result<oid> parse_oid(std::string_view dotted);
/// oid -> "1.3.6.1.2.1.1.1.0".
std::string to_string(const oid& o);
/// True when `o` lies strictly under `prefix` (is longer and starts with it).
bool is_under(const oid& o, const oid& prefix);

enum class version : uint8_t { v1 = 0, v2c = 1 };

enum class pdu_type : uint8_t {
  get = 0xA0,
  get_next = 0xA1,
  response = 0xA2,
  set = 0xA3,
  trap_v1 = 0xA4,  // decoded as an error: not a request/response PDU
  get_bulk = 0xA5,
  inform = 0xA6,
  trap_v2 = 0xA7,
  report = 0xA8,
};

enum class value_kind : uint8_t {
  null,              // 0x05 (requests carry it)
  integer,           // 0x02 INTEGER (Integer32)
  octets,            // 0x04 OCTET STRING
  object_id,         // 0x06 OBJECT IDENTIFIER
  ip_address,        // 0x40 IpAddress (4 octets, in `octets`)
  counter32,         // 0x41
  gauge32,           // 0x42 (also Unsigned32)
  timeticks,         // 0x43
  opaque,            // 0x44 (raw bytes in `octets`)
  counter64,         // 0x46
  no_such_object,    // 0x80 (v2c exception, empty)
  no_such_instance,  // 0x81
  end_of_mib_view,   // 0x82
};

struct value {
  value_kind kind = value_kind::null;
  int64_t integer = 0;   // integer: signed 32-bit value
  uint64_t number = 0;   // counter32, gauge32, timeticks, counter64
  std::string octets;    // octets, ip_address, opaque
  oid object;            // object_id

  bool is_exception() const {
    return kind == value_kind::no_such_object || kind == value_kind::no_such_instance ||
           kind == value_kind::end_of_mib_view;
  }
  bool operator==(const value&) const = default;
};

struct varbind {
  oid name;
  value val;
  bool operator==(const varbind&) const = default;
};

/// One message. For get_bulk, `error_status` carries non-repeaters and
/// `error_index` max-repetitions (the same wire positions, RFC 3416 §3).
struct message {
  version ver = version::v2c;
  std::string community;
  pdu_type type = pdu_type::get;
  int32_t request_id = 0;
  int32_t error_status = 0;  // 0 noError, 1 tooBig, 2 noSuchName, 5 genErr...
  int32_t error_index = 0;
  std::vector<varbind> varbinds;
  bool operator==(const message&) const = default;
};

/// Limits a decoder holds hostile packets to.
struct decode_limits {
  size_t max_bytes = 65507;      // the largest UDP payload
  size_t max_varbinds = 1024;
  size_t max_oid_arcs = 128;
  size_t max_octets = 65535;     // one OCTET STRING
};

/// Encodes `m` (BER, definite lengths, shortest forms).
std::string encode(const message& m);

/// Decodes one whole message. Fails (with a message saying what and where)
/// on anything malformed: truncation, trailing bytes, wrong tags, overlong or
/// indefinite lengths, an unknown version or PDU type, an integer wider than
/// its type, a limit exceeded. Never reads past `bytes`.
result<message> decode(std::string_view bytes, const decode_limits& limits = {});

}  // namespace quire::snmp
