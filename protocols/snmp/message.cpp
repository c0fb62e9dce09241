#include "protocols/snmp/message.hpp"

#include <algorithm>
#include <cstdio>

namespace quire::snmp {

namespace {

// Universal and application tags (X.690 §8, RFC 2578 §7.1, RFC 3416 §3).
constexpr uint8_t tag_integer = 0x02;
constexpr uint8_t tag_octets = 0x04;
constexpr uint8_t tag_null = 0x05;
constexpr uint8_t tag_oid = 0x06;
constexpr uint8_t tag_sequence = 0x30;
constexpr uint8_t tag_ip_address = 0x40;
constexpr uint8_t tag_counter32 = 0x41;
constexpr uint8_t tag_gauge32 = 0x42;
constexpr uint8_t tag_timeticks = 0x43;
constexpr uint8_t tag_opaque = 0x44;
constexpr uint8_t tag_counter64 = 0x46;
constexpr uint8_t tag_no_such_object = 0x80;
constexpr uint8_t tag_no_such_instance = 0x81;
constexpr uint8_t tag_end_of_mib_view = 0x82;

std::string hex(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", b);
  return buf;
}

// ---------------------------------------------------------------- decoding

// One TLV's position: the tag's offset, and its content [begin, end).
struct tlv {
  uint8_t tag = 0;
  size_t at = 0;
  size_t begin = 0;
  size_t end = 0;
  size_t size() const { return end - begin; }
};

// Reads the fixed SNMP grammar front to back. Offsets in errors are from the
// start of the message. The grammar nests four deep at most (message, PDU,
// varbind list, varbind), so nothing here recurses.
class reader {
 public:
  reader(std::string_view bytes, const decode_limits& limits) : bytes_(bytes), limits_(limits) {}

  const error& err() const { return err_; }
  void set_where(std::string where) { where_ = std::move(where); }

  bool fail(std::string what, errc code = errc::invalid_argument) {
    err_ = error(code, "snmp: " + where_ + what);
    return false;
  }

  // Reads the TLV at `pos`, which must fit before `limit`; advances `pos`.
  bool next(size_t& pos, size_t limit, tlv& out) {
    out.at = pos;
    if (pos >= limit) return limit < bytes_.size() ? fail("missing element at byte " + std::to_string(pos))
                                                   : truncated(pos);
    out.tag = byte(pos++);
    // High tag numbers (0x1f) never occur in SNMP; the tag table rejects them.
    if (pos >= bytes_.size()) return truncated(pos);
    uint8_t first = byte(pos);
    size_t len_at = pos++;
    uint64_t len = first;
    if (first == 0x80) return fail("indefinite length at byte " + std::to_string(len_at));
    if (first > 0x80) {
      size_t n = first & 0x7f;
      if (n > 4) return fail("length at byte " + std::to_string(len_at) + " has more than 4 octets");
      if (bytes_.size() - pos < n) return truncated(bytes_.size());
      // Non-minimal long forms (0x82 0x00 0x05) are accepted: agents emit them.
      len = 0;
      for (size_t i = 0; i < n; ++i) len = (len << 8) | byte(pos++);
    }
    if (len > bytes_.size() - pos) return truncated(bytes_.size());
    if (len > limit - pos)
      return fail("length at byte " + std::to_string(len_at) + " overruns its enclosing element");
    out.begin = pos;
    out.end = pos + static_cast<size_t>(len);
    pos = out.end;
    return true;
  }

  bool expect(size_t& pos, size_t limit, uint8_t tag, const char* what, tlv& out) {
    if (!next(pos, limit, out)) return false;
    if (out.tag != tag)
      return fail(std::string("expected ") + what + " at byte " + std::to_string(out.at) +
                  ", found tag " + hex(out.tag));
    return true;
  }

  // INTEGER as Integer32: 1 to 4 octets, two's complement.
  bool integer32(const tlv& t, const char* what, int32_t& out) {
    if (t.size() == 0) return fail(std::string("empty ") + what + " at byte " + std::to_string(t.at));
    if (t.size() > 4) return fail(std::string(what) + " at byte " + std::to_string(t.at) + " is wider than 32 bits");
    uint32_t v = (byte(t.begin) & 0x80) ? 0xffffffffu : 0u;
    for (size_t i = t.begin; i < t.end; ++i) v = (v << 8) | byte(i);
    out = static_cast<int32_t>(v);
    return true;
  }

  // An unsigned type of `bits` bits: up to bits/8 octets, or one more whose
  // first octet is 0x00. A missing sign octet (41 01 ff) is read as unsigned,
  // as net-snmp does for the many agents that leave it out.
  bool unsigned_n(const tlv& t, unsigned bits, const char* what, uint64_t& out) {
    size_t width = bits / 8;
    if (t.size() == 0) return fail(std::string("empty ") + what + " at byte " + std::to_string(t.at));
    if (t.size() > width + 1 || (t.size() == width + 1 && byte(t.begin) != 0))
      return fail(std::string(what) + " at byte " + std::to_string(t.at) + " is wider than " +
                  std::to_string(bits) + " bits");
    out = 0;
    for (size_t i = t.begin; i < t.end; ++i) out = (out << 8) | byte(i);
    return true;
  }

  bool octets(const tlv& t, const char* what, std::string& out) {
    if (t.size() > limits_.max_octets)
      return fail(std::string(what) + " of " + std::to_string(t.size()) + " bytes exceeds the limit of " +
                      std::to_string(limits_.max_octets),
                  errc::limit_exceeded);
    out.assign(bytes_.substr(t.begin, t.size()));
    return true;
  }

  // X.690 §8.19: base-128 subidentifiers, the first one holding 40*X+Y.
  bool object_id(const tlv& t, oid& out) {
    out.clear();
    if (t.size() == 0) return fail("empty OID at byte " + std::to_string(t.at));
    size_t pos = t.begin;
    bool first = true;
    while (pos < t.end) {
      if (byte(pos) == 0x80) return fail("OID arc with leading 0x80 padding at byte " + std::to_string(pos));
      uint64_t v = 0;
      // The first subidentifier may reach 80 + (2^32-1).
      const uint64_t max = first ? 0xffffffffull + 80 : 0xffffffffull;
      for (;;) {
        if (pos >= t.end) return fail("OID ends inside an arc at byte " + std::to_string(pos));
        uint8_t b = byte(pos++);
        v = (v << 7) | (b & 0x7f);
        if (v > max) return fail("OID arc exceeds 32 bits at byte " + std::to_string(pos - 1));
        if (!(b & 0x80)) break;
      }
      if (first) {
        uint32_t x = v < 40 ? 0 : v < 80 ? 1 : 2;
        out.push_back(x);
        out.push_back(static_cast<uint32_t>(v - 40 * x));
        first = false;
      } else {
        out.push_back(static_cast<uint32_t>(v));
      }
      if (out.size() > limits_.max_oid_arcs)
        return fail("OID at byte " + std::to_string(t.at) + " has more than " +
                        std::to_string(limits_.max_oid_arcs) + " arcs",
                    errc::limit_exceeded);
    }
    return true;
  }

  bool value_of(const tlv& t, bool exceptions_allowed, value& out);
  bool message_of(message& m);
  bool varbinds_of(const tlv& list, bool exceptions_allowed, std::vector<varbind>& vbs);

 private:
  uint8_t byte(size_t i) const { return static_cast<uint8_t>(bytes_[i]); }
  bool truncated(size_t at) { return fail("truncated at byte " + std::to_string(at)); }

  std::string_view bytes_;
  const decode_limits& limits_;
  std::string where_;
  error err_;
};

bool reader::value_of(const tlv& t, bool exceptions_allowed, value& out) {
  out = value{};
  auto empty = [&](value_kind k, const char* what) {
    if (t.size() != 0) return fail(std::string(what) + " at byte " + std::to_string(t.at) + " has content");
    out.kind = k;
    return true;
  };
  auto exception = [&](value_kind k, const char* what) {
    // RFC 3416 §4.2.1: exceptions exist in v2c Response-PDUs only.
    if (!exceptions_allowed)
      return fail(std::string(what) + " at byte " + std::to_string(t.at) + " outside an SNMPv2c response");
    return empty(k, what);
  };
  auto unsigned_value = [&](value_kind k, unsigned bits, const char* what) {
    out.kind = k;
    return unsigned_n(t, bits, what, out.number);
  };
  switch (t.tag) {
    case tag_null: return empty(value_kind::null, "NULL");
    case tag_integer: {
      int32_t v = 0;
      if (!integer32(t, "INTEGER", v)) return false;
      out.kind = value_kind::integer;
      out.integer = v;
      return true;
    }
    case tag_octets: out.kind = value_kind::octets; return octets(t, "OCTET STRING", out.octets);
    case tag_oid: out.kind = value_kind::object_id; return object_id(t, out.object);
    case tag_ip_address:
      if (t.size() != 4) return fail("IpAddress at byte " + std::to_string(t.at) + " is not 4 octets");
      out.kind = value_kind::ip_address;
      return octets(t, "IpAddress", out.octets);
    case tag_counter32: return unsigned_value(value_kind::counter32, 32, "Counter32");
    case tag_gauge32: return unsigned_value(value_kind::gauge32, 32, "Gauge32");
    case tag_timeticks: return unsigned_value(value_kind::timeticks, 32, "TimeTicks");
    case tag_opaque: out.kind = value_kind::opaque; return octets(t, "Opaque", out.octets);
    case tag_counter64: return unsigned_value(value_kind::counter64, 64, "Counter64");
    case tag_no_such_object: return exception(value_kind::no_such_object, "noSuchObject");
    case tag_no_such_instance: return exception(value_kind::no_such_instance, "noSuchInstance");
    case tag_end_of_mib_view: return exception(value_kind::end_of_mib_view, "endOfMibView");
    default: return fail("unknown value tag " + hex(t.tag) + " at byte " + std::to_string(t.at));
  }
}

bool known_pdu(uint8_t tag) { return tag >= 0xA0 && tag <= 0xA8; }

// RFC 1157 §4, RFC 3416 §3: Message ::= SEQUENCE { version, community, PDU }.
bool reader::message_of(message& m) {
  size_t pos = 0;
  tlv whole, t;
  if (!expect(pos, bytes_.size(), tag_sequence, "SEQUENCE (message)", whole)) return false;
  if (pos != bytes_.size())
    return fail(std::to_string(bytes_.size() - pos) + " trailing bytes after the message at byte " +
                std::to_string(pos));
  pos = whole.begin;
  int32_t ver = 0;
  if (!expect(pos, whole.end, tag_integer, "INTEGER (version)", t) || !integer32(t, "version", ver)) return false;
  if (ver != 0 && ver != 1)
    return fail("unknown version " + std::to_string(ver) + " at byte " + std::to_string(t.at), errc::unsupported);
  m.ver = static_cast<version>(ver);
  if (!expect(pos, whole.end, tag_octets, "OCTET STRING (community)", t) || !octets(t, "community", m.community))
    return false;

  tlv pdu;
  if (!next(pos, whole.end, pdu)) return false;
  if (pdu.tag == static_cast<uint8_t>(pdu_type::trap_v1))
    return fail("SNMPv1 traps are not handled", errc::unsupported);
  if (!known_pdu(pdu.tag)) return fail("unknown PDU type " + hex(pdu.tag) + " at byte " + std::to_string(pdu.at));
  if (pos != whole.end)
    return fail(std::to_string(whole.end - pos) + " bytes after the PDU at byte " + std::to_string(pos));
  m.type = static_cast<pdu_type>(pdu.tag);

  pos = pdu.begin;
  if (!expect(pos, pdu.end, tag_integer, "INTEGER (request-id)", t) || !integer32(t, "request-id", m.request_id) ||
      !expect(pos, pdu.end, tag_integer, "INTEGER (error-status)", t) ||
      !integer32(t, "error-status", m.error_status) ||
      !expect(pos, pdu.end, tag_integer, "INTEGER (error-index)", t) || !integer32(t, "error-index", m.error_index))
    return false;
  tlv list;
  if (!expect(pos, pdu.end, tag_sequence, "SEQUENCE (varbind list)", list)) return false;
  if (pos != pdu.end)
    return fail(std::to_string(pdu.end - pos) + " bytes after the varbind list at byte " + std::to_string(pos));

  return varbinds_of(list, m.ver == version::v2c && m.type == pdu_type::response, m.varbinds);
}

// VarBindList ::= SEQUENCE OF SEQUENCE { name OBJECT IDENTIFIER, value }.
bool reader::varbinds_of(const tlv& list, bool exceptions_allowed, std::vector<varbind>& vbs) {
  size_t pos = list.begin;
  vbs.clear();
  while (pos < list.end) {
    if (vbs.size() == limits_.max_varbinds)
      return fail("more than " + std::to_string(limits_.max_varbinds) + " varbinds", errc::limit_exceeded);
    set_where("varbind " + std::to_string(vbs.size() + 1) + ": ");  // counted from 1
    tlv vb, name, val;
    if (!expect(pos, list.end, tag_sequence, "SEQUENCE (varbind)", vb)) return false;
    size_t in = vb.begin;
    varbind out;
    if (!expect(in, vb.end, tag_oid, "OBJECT IDENTIFIER (name)", name) || !object_id(name, out.name) ||
        !next(in, vb.end, val) || !value_of(val, exceptions_allowed, out.val))
      return false;
    if (in != vb.end) return fail(std::to_string(vb.end - in) + " bytes after the value at byte " + std::to_string(in));
    vbs.push_back(std::move(out));
  }
  return true;
}

// ---------------------------------------------------------------- encoding

void put_length(std::string& out, size_t n) {
  if (n < 0x80) {
    out.push_back(static_cast<char>(n));
    return;
  }
  char buf[sizeof(size_t)];
  int k = 0;
  for (; n; n >>= 8) buf[k++] = static_cast<char>(n & 0xff);
  out.push_back(static_cast<char>(0x80 | k));
  while (k) out.push_back(buf[--k]);
}

void put_tlv(std::string& out, uint8_t tag, std::string_view content) {
  out.push_back(static_cast<char>(tag));
  put_length(out, content.size());
  out.append(content);
}

// Minimal two's complement (X.690 §8.3.2).
std::string signed_content(int64_t v) {
  std::string s;
  for (int i = 7; i >= 0; --i) s.push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff));
  size_t skip = 0;
  while (skip + 1 < s.size()) {
    auto a = static_cast<uint8_t>(s[skip]), b = static_cast<uint8_t>(s[skip + 1]);
    if ((a == 0x00 && !(b & 0x80)) || (a == 0xff && (b & 0x80))) ++skip;
    else break;
  }
  return s.substr(skip);
}

// Unsigned types: the shortest form, with a leading 0x00 when the top bit is set.
std::string unsigned_content(uint64_t v) {
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>(v & 0xff));
    v >>= 8;
  } while (v);
  if (static_cast<uint8_t>(s[0]) & 0x80) s.insert(s.begin(), '\0');
  return s;
}

void put_base128(std::string& out, uint64_t v) {
  char buf[10];
  int k = 0;
  do {
    buf[k++] = static_cast<char>(v & 0x7f);
    v >>= 7;
  } while (v);
  while (k > 1) out.push_back(static_cast<char>(buf[--k] | 0x80));
  out.push_back(buf[0]);
}

std::string oid_content(const oid& o) {
  std::string s;
  // An OID is at least two arcs; a shorter one is sent as if padded with 0.
  uint64_t x = o.size() > 0 ? o[0] : 0, y = o.size() > 1 ? o[1] : 0;
  put_base128(s, 40 * x + y);
  for (size_t i = 2; i < o.size(); ++i) put_base128(s, o[i]);
  return s;
}

void put_value(std::string& out, const value& v) {
  switch (v.kind) {
    case value_kind::null: put_tlv(out, tag_null, {}); break;
    // Values wider than their wire type are cut to it.
    case value_kind::integer: put_tlv(out, tag_integer, signed_content(static_cast<int32_t>(v.integer))); break;
    case value_kind::octets: put_tlv(out, tag_octets, v.octets); break;
    case value_kind::object_id: put_tlv(out, tag_oid, oid_content(v.object)); break;
    case value_kind::ip_address: put_tlv(out, tag_ip_address, v.octets); break;
    case value_kind::counter32: put_tlv(out, tag_counter32, unsigned_content(static_cast<uint32_t>(v.number))); break;
    case value_kind::gauge32: put_tlv(out, tag_gauge32, unsigned_content(static_cast<uint32_t>(v.number))); break;
    case value_kind::timeticks: put_tlv(out, tag_timeticks, unsigned_content(static_cast<uint32_t>(v.number))); break;
    case value_kind::opaque: put_tlv(out, tag_opaque, v.octets); break;
    case value_kind::counter64: put_tlv(out, tag_counter64, unsigned_content(v.number)); break;
    case value_kind::no_such_object: put_tlv(out, tag_no_such_object, {}); break;
    case value_kind::no_such_instance: put_tlv(out, tag_no_such_instance, {}); break;
    case value_kind::end_of_mib_view: put_tlv(out, tag_end_of_mib_view, {}); break;
  }
}

}  // namespace

// ---------------------------------------------------------------- public API

std::string encode(const message& m) {
  std::string list;
  for (const auto& vb : m.varbinds) {
    std::string one;
    put_tlv(one, tag_oid, oid_content(vb.name));
    put_value(one, vb.val);
    put_tlv(list, tag_sequence, one);
  }
  std::string pdu;
  put_tlv(pdu, tag_integer, signed_content(m.request_id));
  put_tlv(pdu, tag_integer, signed_content(m.error_status));
  put_tlv(pdu, tag_integer, signed_content(m.error_index));
  put_tlv(pdu, tag_sequence, list);
  std::string body;
  put_tlv(body, tag_integer, signed_content(static_cast<uint8_t>(m.ver)));
  put_tlv(body, tag_octets, m.community);
  put_tlv(body, static_cast<uint8_t>(m.type), pdu);
  std::string out;
  put_tlv(out, tag_sequence, body);
  return out;
}

result<message> decode(std::string_view bytes, const decode_limits& limits) {
  if (bytes.size() > limits.max_bytes)
    return error(errc::limit_exceeded, "snmp: message of " + std::to_string(bytes.size()) +
                                           " bytes exceeds the limit of " + std::to_string(limits.max_bytes));
  reader r(bytes, limits);
  message m;
  if (!r.message_of(m)) return r.err();
  return m;
}

result<oid> parse_oid(std::string_view dotted) {
  auto bad = [&](const std::string& why) {
    return error(errc::invalid_argument, "snmp: OID \"" + std::string(dotted) + "\": " + why);
  };
  std::string_view s = dotted;
  if (!s.empty() && s.front() == '.') s.remove_prefix(1);
  if (s.empty()) return bad("empty");
  oid out;
  size_t pos = 0;
  for (;;) {
    size_t dot = s.find('.', pos);
    std::string_view arc = s.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
    if (arc.empty()) return bad("empty arc");
    uint64_t v = 0;
    for (char c : arc) {
      if (c < '0' || c > '9') return bad("arc \"" + std::string(arc) + "\" is not a number");
      v = v * 10 + static_cast<uint64_t>(c - '0');
      if (v > 0xffffffffull) return bad("arc exceeds 32 bits");
    }
    out.push_back(static_cast<uint32_t>(v));
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  if (out.size() < 2) return bad("fewer than two arcs");
  if (out[0] > 2) return bad("first arc above 2");
  // X.690 §8.19.4: under 0 and 1 the second arc is below 40, or 40*X+Y would
  // read back as another OID.
  if (out[0] < 2 && out[1] > 39) return bad("second arc above 39 under arc " + std::to_string(out[0]));
  return out;
}

std::string to_string(const oid& o) {
  std::string s;
  for (size_t i = 0; i < o.size(); ++i) {
    if (i) s.push_back('.');
    s += std::to_string(o[i]);
  }
  return s;
}

bool is_under(const oid& o, const oid& prefix) {
  return o.size() > prefix.size() && std::equal(prefix.begin(), prefix.end(), o.begin());
}

}  // namespace quire::snmp
