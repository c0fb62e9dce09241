#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "protocols/snmp/message.hpp"

using namespace quire;
using namespace quire::snmp;

namespace {

// "30 26 02 ..." -> bytes.
std::string hex(std::string_view text) {
  std::string out;
  int hi = -1;
  for (char c : text) {
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<char>(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

// A TLV with the shortest length form, for building malformed messages.
std::string tlv(uint8_t tag, const std::string& content) {
  std::string out(1, static_cast<char>(tag));
  size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<char>(n));
  } else if (n < 0x100) {
    out += {'\x81', static_cast<char>(n)};
  } else {
    out += {'\x82', static_cast<char>(n >> 8), static_cast<char>(n & 0xff)};
  }
  return out + content;
}

// A whole message around raw varbind-list content.
std::string wrap(const std::string& varbinds, uint8_t ver = 1, uint8_t pdu = 0xA2) {
  std::string p = hex("02 01 07 02 01 00 02 01 00") + tlv(0x30, varbinds);
  return tlv(0x30, tlv(0x02, std::string(1, static_cast<char>(ver))) + tlv(0x04, "public") + tlv(pdu, p));
}

// One varbind for sysDescr.0 with a raw value TLV.
std::string vb(const std::string& value_tlv) {
  return tlv(0x30, hex("06 08 2b 06 01 02 01 01 01 00") + value_tlv);
}

oid sys_descr() { return {1, 3, 6, 1, 2, 1, 1, 1, 0}; }

value make(value_kind k) {
  value v;
  v.kind = k;
  return v;
}

// Decodes and expects a failure whose message contains `what`.
void rejects(const std::string& bytes, const std::string& what, const decode_limits& lim = {}) {
  auto r = decode(bytes, lim);
  REQUIRE_FALSE(r.ok());
  INFO(r.err().message);
  CHECK(r.err().message.rfind("snmp: ", 0) == 0);
  CHECK(r.err().message.find(what) != std::string::npos);
}

message round_trip(const message& m) {
  auto r = decode(encode(m));
  REQUIRE(r.ok());
  CHECK(*r == m);
  return *r;
}

const std::string classic_get =
    hex("30 26 02 01 00 04 06 70 75 62 6c 69 63 a0 19 02 01 01 02 01 00 02 01 00 30 0e 30 0c 06 08 2b 06 "
        "01 02 01 01 01 00 05 00");

}  // namespace

TEST_CASE("snmp: the classic v1 GetRequest for sysDescr.0") {
  message m;
  m.ver = version::v1;
  m.community = "public";
  m.type = pdu_type::get;
  m.request_id = 1;
  m.varbinds.push_back({sys_descr(), {}});
  CHECK(encode(m) == classic_get);
  auto r = decode(classic_get);
  REQUIRE(r.ok());
  CHECK(*r == m);
}

TEST_CASE("snmp: encodes requests byte for byte as net-snmp 5.9 sends them") {
  // snmpbulkget -v2c -Cn0 -Cr3 ifDescr ifInOctets ifHCInOctets, captured on 127.0.0.1.
  message bulk;
  bulk.ver = version::v2c;
  bulk.community = "public";
  bulk.type = pdu_type::get_bulk;
  bulk.request_id = 0x5956738d;
  bulk.error_status = 0;  // non-repeaters
  bulk.error_index = 3;   // max-repetitions
  for (oid o : {oid{1, 3, 6, 1, 2, 1, 2, 2, 1, 2}, oid{1, 3, 6, 1, 2, 1, 2, 2, 1, 10}, oid{1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6}})
    bulk.varbinds.push_back({o, {}});
  CHECK(encode(bulk) ==
        hex("304902010104067075626c6963a53c02045956738d020100020103302e300d06092b06010201020201020500300d06"
            "092b060102010202010a0500300e060a2b060102011f010101060500"));

  // snmpgetnext -v1 ifDescr ifSpeed.
  message next;
  next.ver = version::v1;
  next.community = "public";
  next.type = pdu_type::get_next;
  next.request_id = 0x1e54b8db;
  next.varbinds = {{{1, 3, 6, 1, 2, 1, 2, 2, 1, 2}, {}}, {{1, 3, 6, 1, 2, 1, 2, 2, 1, 5}, {}}};
  CHECK(encode(next) ==
        hex("303902010004067075626c6963a12c02041e54b8db020100020100301e300d06092b06010201020201020500300d06"
            "092b06010201020201050500"));
}

TEST_CASE("snmp: decodes net-snmp's v2c response with a string an OID and TimeTicks") {
  auto r = decode(hex(
      "30818a02010104067075626c6963a27d02045d55ce1f020100020100306f304506082b0601020101010004394c696e757820766d"
      "20362e31382e34342d66632d7635393520233120534d5020505245454d50545f44594e414d4943204030207838365f363430160608"
      "2b06010201010200060a2b06010401bf0803020a300e06082b060102010103004302027c"));
  REQUIRE(r.ok());
  CHECK(r->ver == version::v2c);
  CHECK(r->type == pdu_type::response);
  CHECK(r->request_id == 0x5d55ce1f);
  REQUIRE(r->varbinds.size() == 3);
  CHECK(r->varbinds[0].name == sys_descr());
  CHECK(r->varbinds[0].val.kind == value_kind::octets);
  CHECK(r->varbinds[0].val.octets.rfind("Linux vm 6.18", 0) == 0);
  CHECK(r->varbinds[1].val.kind == value_kind::object_id);
  CHECK(to_string(r->varbinds[1].val.object) == "1.3.6.1.4.1.8072.3.2.10");
  CHECK(r->varbinds[2].val.kind == value_kind::timeticks);
  CHECK(r->varbinds[2].val.number == 636);
}

TEST_CASE("snmp: decodes net-snmp's GETBULK response with Counter32 and Counter64") {
  auto r = decode(hex(
      "3081c702010104067075626c6963a281b902045956738d0201000201003081aa3010060a2b06010201020201020104026c6f3012"
      "060a2b060102010202010a01410479c2a0813014060b2b060102011f010101060146050c79c2a0813012060a2b06010201020201"
      "0202040469666230300f060a2b060102010202010a024101003010060b2b060102011f01010106024601003012060a2b06010201"
      "0202010203040469666231300f060a2b060102010202010a034101003010060b2b060102011f0101010603460100"));
  REQUIRE(r.ok());
  REQUIRE(r->varbinds.size() == 9);
  CHECK(r->varbinds[0].val.octets == "lo");
  CHECK(r->varbinds[1].val.kind == value_kind::counter32);
  CHECK(r->varbinds[1].val.number == 2042798209u);
  CHECK(r->varbinds[2].val.kind == value_kind::counter64);
  CHECK(r->varbinds[2].val.number == 53582405761ull);
  CHECK(to_string(r->varbinds[8].name) == "1.3.6.1.2.1.31.1.1.1.6.3");
  round_trip(*r);
}

TEST_CASE("snmp: decodes net-snmp's Opaque INTEGER and IpAddress") {
  auto r = decode(hex(
      "305b02010104067075626c6963a24e020441e2ab0302010002010030403016060b2b060104018f650a01060144079f78043eb70000"
      "300f060a2b0601020102020107010201013015060d2b06010201041401017f00000140047f000001"));
  REQUIRE(r.ok());
  REQUIRE(r->varbinds.size() == 3);
  CHECK(to_string(r->varbinds[0].name) == "1.3.6.1.4.1.2021.10.1.6.1");
  CHECK(r->varbinds[0].val.kind == value_kind::opaque);
  CHECK(r->varbinds[0].val.octets == hex("9f 78 04 3e b7 00 00"));  // an Opaque-wrapped float
  CHECK(r->varbinds[1].val.kind == value_kind::integer);
  CHECK(r->varbinds[1].val.integer == 1);
  CHECK(r->varbinds[2].val.kind == value_kind::ip_address);
  CHECK(r->varbinds[2].val.octets == hex("7f 00 00 01"));
}

TEST_CASE("snmp: decodes v2c exceptions and a v1 noSuchName error") {
  auto ex = decode(hex(
      "303702010104067075626c6963a22a02040a58c732020100020100301c300c06082b060102010163008000300c06082b06010201"
      "01010181 00"));
  REQUIRE(ex.ok());
  REQUIRE(ex->varbinds.size() == 2);
  CHECK(ex->varbinds[0].val.kind == value_kind::no_such_object);
  CHECK(ex->varbinds[1].val.kind == value_kind::no_such_instance);
  CHECK(ex->varbinds[1].val.is_exception());

  auto end = decode(hex(
      "303902010104067075626c6963a22c0204609a91c1020100020100301e3015060d2b06010201041401017f00000140047f000001"
      "30050601318200"));
  REQUIRE(end.ok());
  CHECK(end->varbinds[1].name == oid{1, 9});
  CHECK(end->varbinds[1].val.kind == value_kind::end_of_mib_view);

  auto v1 = decode(hex(
      "302902010004067075626c6963a21c020462215be0020102020101300e300c06082b060102010163000500"));
  REQUIRE(v1.ok());
  CHECK(v1->ver == version::v1);
  CHECK(v1->error_status == 2);  // noSuchName
  CHECK(v1->error_index == 1);
  CHECK(v1->varbinds[0].val.kind == value_kind::null);
}

TEST_CASE("snmp: every value kind survives a round trip") {
  message m;
  m.type = pdu_type::response;
  m.community = std::string("pr\0v", 4);
  m.request_id = -5;
  m.error_status = 0;
  auto add = [&](value v) { m.varbinds.push_back({{1, 3, 6, 1, 4, 1, 99, static_cast<uint32_t>(m.varbinds.size())}, v}); };
  add(make(value_kind::null));
  value i = make(value_kind::integer);
  for (int64_t n : {0LL, 1LL, -1LL, 127LL, 128LL, -128LL, -129LL, 2147483647LL, -2147483648LL}) {
    i.integer = n;
    add(i);
  }
  value s = make(value_kind::octets);
  s.octets = std::string(300, 'x');  // a long-form length
  add(s);
  s.octets.clear();
  add(s);
  value o = make(value_kind::object_id);
  o.object = {2, 999, 4294967295u, 0};
  add(o);
  value ip = make(value_kind::ip_address);
  ip.octets = hex("c0 a8 01 0a");
  add(ip);
  for (auto k : {value_kind::counter32, value_kind::gauge32, value_kind::timeticks}) {
    value u = make(k);
    for (uint64_t n : {0ull, 127ull, 128ull, 4294967295ull}) {
      u.number = n;
      add(u);
    }
  }
  value op = make(value_kind::opaque);
  op.octets = hex("9f 78 04 3e b7 00 00");
  add(op);
  value c64 = make(value_kind::counter64);
  for (uint64_t n : {0ull, 1ull << 63, 18446744073709551615ull}) {
    c64.number = n;
    add(c64);
  }
  for (auto k : {value_kind::no_such_object, value_kind::no_such_instance, value_kind::end_of_mib_view})
    add(make(k));
  round_trip(m);

  m.ver = version::v1;
  m.varbinds.resize(m.varbinds.size() - 3);  // v1 has no exceptions
  for (auto t : {pdu_type::get, pdu_type::get_next, pdu_type::set, pdu_type::get_bulk, pdu_type::inform,
                 pdu_type::trap_v2, pdu_type::report}) {
    m.type = t;
    round_trip(m);
  }
}

TEST_CASE("snmp: integers and unsigned types use minimal encodings") {
  // The last `n` bytes of a message carrying `v`: its value TLV.
  auto tail = [](value v, size_t n) {
    message m;
    m.varbinds.push_back({sys_descr(), v});
    std::string e = encode(m);
    return e.substr(e.size() - n);
  };
  value i = make(value_kind::integer);
  i.integer = -1;
  CHECK(tail(i, 3) == hex("02 01 ff"));
  i.integer = 128;
  CHECK(tail(i, 4) == hex("02 02 00 80"));
  i.integer = -129;
  CHECK(tail(i, 4) == hex("02 02 ff 7f"));
  i.integer = -2147483648LL;
  CHECK(tail(i, 6) == hex("02 04 80 00 00 00"));
  value c = make(value_kind::counter32);
  c.number = 4294967295u;
  CHECK(tail(c, 7) == hex("41 05 00 ff ff ff ff"));
  c.number = 0;
  CHECK(tail(c, 3) == hex("41 01 00"));
  value g = make(value_kind::gauge32);
  g.number = 0x80;
  CHECK(tail(g, 4) == hex("42 02 00 80"));
  value c64 = make(value_kind::counter64);
  c64.number = 18446744073709551615ull;
  CHECK(tail(c64, 11) == hex("46 09 00 ff ff ff ff ff ff ff ff"));
  value o = make(value_kind::object_id);
  o.object = {1, 3, 4294967295u};
  CHECK(tail(o, 8) == hex("06 06 2b 8f ff ff ff 7f"));
  o.object = {2, 999};
  CHECK(tail(o, 4) == hex("06 02 88 37"));  // X.690 §8.19.5's example
}

TEST_CASE("snmp: length forms") {
  // A non-minimal long form (0x82 0x00 0x28) as some agents emit, and a negative INTEGER.
  auto r = decode(hex("30 82 00 28 02 01 01 04 06 70 75 62 6c 69 63 a2 81 1a 02 01 01 02 01 00 02 01 00 30 0f 30 "
                      "0d 06 08 2b 06 01 02 01 01 01 00 02 01 ff"));
  REQUIRE(r.ok());
  CHECK(r->varbinds[0].val.integer == -1);
  rejects(hex("30 80") + classic_get.substr(2) + hex("00 00"), "indefinite length at byte 1");
  rejects(hex("30 85 00 00 00 00 26") + classic_get.substr(2), "length at byte 1 has more than 4 octets");
  rejects(hex("30 ff"), "more than 4 octets");
  rejects(hex("30 84 00 00 01 00") + classic_get.substr(2), "truncated at byte");
  rejects(hex("30 82 00"), "truncated at byte 3");
  // An OID whose length overruns its varbind (into the next one), not the buffer.
  rejects(wrap(tlv(0x30, hex("06 0b 2b 06 01 02 01 01 01 00 05 00")) + vb(hex("05 00"))),
          "varbind 1: length at byte");
  rejects(wrap(tlv(0x30, hex("06 0b 2b 06 01 02 01 01 01 00 05 00")) + vb(hex("05 00"))),
          "overruns its enclosing element");
}

TEST_CASE("snmp: every truncation of a valid message fails") {
  for (size_t n = 0; n < classic_get.size(); ++n) {
    auto r = decode(classic_get.substr(0, n));
    CHECK_FALSE(r.ok());
    if (!r.ok()) CHECK_FALSE(r.err().message.empty());
  }
  rejects(classic_get.substr(0, 20), "truncated at byte 20");
}

TEST_CASE("snmp: message framing errors") {
  rejects(classic_get + hex("00"), "1 trailing bytes after the message at byte 40");
  rejects(hex("31 00"), "expected SEQUENCE (message) at byte 0");
  std::string v = classic_get;
  v[4] = 2;
  rejects(v, "unknown version 2");
  v[4] = 3;
  rejects(v, "unknown version 3");
  std::string c = classic_get;
  c[5] = 0x06;
  rejects(c, "expected OCTET STRING (community) at byte 5");
  std::string p = classic_get;
  p[13] = static_cast<char>(0xA9);
  rejects(p, "unknown PDU type 0xa9 at byte 13");
  p[13] = static_cast<char>(0xA4);
  auto trap = decode(p);
  REQUIRE_FALSE(trap.ok());
  CHECK(trap.err().message == "snmp: SNMPv1 traps are not handled");
  CHECK(trap.err().code == errc::unsupported);
  // The varbind list is not a SEQUENCE.
  std::string l = classic_get;
  l[24] = 0x31;
  rejects(l, "expected SEQUENCE (varbind list) at byte 24");
  // A request-id wider than 32 bits.
  rejects(tlv(0x30, hex("02 01 01") + tlv(0x04, "public") + tlv(0xA2, hex("02 05 01 00 00 00 00 02 01 00 02 01 00 30 00"))),
          "request-id at byte 15 is wider than 32 bits");
  // Extra bytes inside a varbind after its value.
  rejects(wrap(tlv(0x30, hex("06 08 2b 06 01 02 01 01 01 00 05 00 05 00"))), "varbind 1: 2 bytes after the value");
}

TEST_CASE("snmp: malformed INTEGER and unsigned values") {
  rejects(wrap(vb(hex("02 00"))), "varbind 1: empty INTEGER");
  rejects(wrap(vb(hex("02 05 00 ff ff ff ff"))), "INTEGER at byte");
  rejects(wrap(vb(hex("02 05 00 ff ff ff ff"))), "wider than 32 bits");
  rejects(wrap(vb(hex("41 00"))), "empty Counter32");
  rejects(wrap(vb(hex("42 05 01 00 00 00 00"))), "Gauge32 at byte");
  rejects(wrap(vb(hex("43 06 00 00 ff ff ff ff"))), "TimeTicks at byte");
  rejects(wrap(vb(hex("46 09 01 00 00 00 00 00 00 00 00"))), "wider than 64 bits");
  rejects(wrap(vb(hex("46 0a 00 00 ff ff ff ff ff ff ff ff"))), "wider than 64 bits");

  auto number = [](const std::string& value_tlv) {
    auto r = decode(wrap(vb(value_tlv)));
    REQUIRE(r.ok());
    return r->varbinds[0].val.number;
  };
  CHECK(number(hex("41 05 00 ff ff ff ff")) == 4294967295u);
  CHECK(number(hex("41 04 ff ff ff ff")) == 4294967295u);  // agents that leave out the sign octet
  CHECK(number(hex("42 01 ff")) == 255u);
  CHECK(number(hex("46 09 00 ff ff ff ff ff ff ff ff")) == 18446744073709551615ull);
  auto r = decode(wrap(vb(hex("02 04 80 00 00 00"))));
  REQUIRE(r.ok());
  CHECK(r->varbinds[0].val.integer == -2147483648LL);
}

TEST_CASE("snmp: malformed OIDs") {
  auto with_name = [](const std::string& oid_tlv) { return wrap(tlv(0x30, oid_tlv + hex("05 00"))); };
  rejects(with_name(hex("06 00")), "varbind 1: empty OID");
  rejects(with_name(hex("06 08 2b 06 01 90 80 80 80 00")), "varbind 1: OID arc exceeds 32 bits");
  rejects(with_name(hex("06 04 2b 06 80 01")), "leading 0x80 padding");
  rejects(with_name(hex("06 03 2b 06 81")), "OID ends inside an arc");
  rejects(with_name(hex("04 01 2b")), "expected OBJECT IDENTIFIER (name)");
  // The largest arc, and the largest first subidentifier 2.(2^32-1).
  auto big = decode(with_name(hex("06 07 2b 06 8f ff ff ff 7f")));
  REQUIRE(big.ok());
  CHECK(big->varbinds[0].name == oid{1, 3, 6, 4294967295u});
  auto first = decode(with_name(hex("06 05 90 80 80 80 4f")));
  REQUIRE(first.ok());
  CHECK(first->varbinds[0].name == oid{2, 4294967295u});
  rejects(with_name(hex("06 05 90 80 80 80 50")), "OID arc exceeds 32 bits");
  // An OID value, too, and the varbind number in the message.
  std::string two = vb(hex("05 00")) + vb(hex("06 02 2b 81"));
  rejects(wrap(two), "varbind 2: OID ends inside an arc");
}

TEST_CASE("snmp: malformed NULL IpAddress and exceptions") {
  rejects(wrap(vb(hex("05 01 00"))), "varbind 1: NULL at byte");
  rejects(wrap(vb(hex("40 03 7f 00 01"))), "IpAddress at byte");
  rejects(wrap(vb(hex("40 05 7f 00 00 01 01"))), "is not 4 octets");
  rejects(wrap(vb(hex("82 01 00"))), "endOfMibView at byte");
  rejects(wrap(vb(hex("47 00"))), "unknown value tag 0x47");
  rejects(wrap(vb(hex("24 00"))), "unknown value tag 0x24");  // constructed OCTET STRING
  // Exceptions belong to v2c responses only.
  for (uint8_t t : {0x80, 0x81, 0x82}) {
    std::string e = vb(std::string{static_cast<char>(t), '\0'});
    CHECK(decode(wrap(e, 1, 0xA2)).ok());
    rejects(wrap(e, 0, 0xA2), "outside an SNMPv2c response");
    rejects(wrap(e, 1, 0xA0), "outside an SNMPv2c response");
  }
}

TEST_CASE("snmp: decode limits") {
  decode_limits lim;
  lim.max_bytes = classic_get.size() - 1;
  auto big = decode(classic_get, lim);
  REQUIRE_FALSE(big.ok());
  CHECK(big.err().code == errc::limit_exceeded);
  CHECK(big.err().message == "snmp: message of 40 bytes exceeds the limit of 39");
  // max_bytes comes first, even before the first byte is looked at.
  rejects(std::string(100, '\xff'), "exceeds the limit of 39", lim);
  lim.max_bytes = classic_get.size();
  CHECK(decode(classic_get, lim).ok());

  decode_limits few;
  few.max_varbinds = 2;
  std::string two = vb(hex("05 00")) + vb(hex("05 00"));
  CHECK(decode(wrap(two), few).ok());
  rejects(wrap(two + vb(hex("05 00"))), "more than 2 varbinds", few);

  decode_limits arcs;
  arcs.max_oid_arcs = 9;
  CHECK(decode(classic_get, arcs).ok());
  arcs.max_oid_arcs = 8;
  rejects(classic_get, "has more than 8 arcs", arcs);
  arcs.max_oid_arcs = 20;
  rejects(wrap(vb(tlv(0x06, "\x2b" + std::string(20, '\x01')))), "has more than 20 arcs", arcs);

  decode_limits octets;
  octets.max_octets = 5;
  rejects(classic_get, "community of 6 bytes exceeds the limit of 5", octets);
  octets.max_octets = 6;
  CHECK(decode(classic_get, octets).ok());
  rejects(wrap(vb(tlv(0x04, "1234567"))), "varbind 1: OCTET STRING of 7 bytes", octets);
  rejects(wrap(vb(tlv(0x44, "1234567"))), "varbind 1: Opaque of 7 bytes", octets);
}

TEST_CASE("snmp: parse_oid to_string and is_under") {
  auto o = parse_oid("1.3.6.1.2.1.43.11.1.1.9");
  REQUIRE(o.ok());
  CHECK(*o == oid{1, 3, 6, 1, 2, 1, 43, 11, 1, 1, 9});
  CHECK(to_string(*o) == "1.3.6.1.2.1.43.11.1.1.9");
  auto dot = parse_oid(".1.3.6.1.4294967295");
  REQUIRE(dot.ok());
  CHECK(dot->back() == 4294967295u);
  CHECK(parse_oid("2.999").ok());
  for (const char* bad : {"", ".", "1", "1.", "1..3", "1.3.x", "1.3.-1", "3.1", "1.3.4294967296", "1.40", " 1.3",
                          "1.3 "}) {
    INFO(bad);
    auto r = parse_oid(bad);
    CHECK_FALSE(r.ok());
    if (!r.ok()) CHECK_FALSE(r.err().message.empty());
  }
  CHECK(to_string(oid{}) == "");
  oid col{1, 3, 6, 1, 2, 1, 43, 11, 1, 1, 9};
  CHECK(is_under(oid{1, 3, 6, 1, 2, 1, 43, 11, 1, 1, 9, 1, 1}, col));
  CHECK_FALSE(is_under(col, col));
  CHECK_FALSE(is_under(oid{1, 3, 6, 1, 2, 1, 43, 11, 1, 1, 10, 1, 1}, col));
  CHECK_FALSE(is_under(oid{1, 3}, col));
}
