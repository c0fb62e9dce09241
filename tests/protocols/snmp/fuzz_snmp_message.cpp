// Fuzz entry point for the SNMP v1/v2c message codec (RFC 1157, RFC 3416,
// X.690 BER) and the table walker that consumes its varbinds.
#include <cstdint>
#include <string>

#include "protocols/snmp/message.hpp"
#include "protocols/snmp/walk.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  quire::snmp::decode_limits lim;
  lim.max_varbinds = 64;
  lim.max_oid_arcs = 32;
  lim.max_octets = 1024;
  auto m = quire::snmp::decode(bytes, lim);
  if (!m) {
    if (m.err().message.empty()) __builtin_trap();
    return 0;
  }
  // What decodes must encode to something that decodes to the same message.
  std::string again = quire::snmp::encode(*m);
  auto m2 = quire::snmp::decode(again, lim);
  if (!m2 || !(*m2 == *m)) __builtin_trap();

  // Walk the varbinds' names as if each were a column of its own.
  std::vector<quire::snmp::oid> cols;
  for (const auto& vb : m->varbinds)
    if (vb.name.size() > 2) cols.emplace_back(vb.name.begin(), vb.name.end() - 1);
  quire::snmp::table_walk walk(cols, 4);
  for (int round = 0; round < 3 && !walk.done(); ++round) {
    size_t asked = walk.next_names().size();
    if (asked == 0) __builtin_trap();
    walk.feed(m->varbinds);
    for (size_t i = 0; i < walk.columns(); ++i)
      if (walk.rows(i).size() > 4) __builtin_trap();
  }
  if (walk.done() != walk.next_names().empty()) __builtin_trap();
  return 0;
}
