#include "protocols/ipp/codec.hpp"

#include <cstring>
#include <strings.h>

namespace quire::ipp {

namespace {

constexpr uint8_t end_of_attributes = 0x03;
constexpr uint8_t extension_tag = 0x7f;

uint16_t read16(std::string_view b, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(b[at]) << 8) | static_cast<uint8_t>(b[at + 1]));
}

struct reader {
  std::string_view bytes;
  size_t pos = 0;
};

ssize_t read_cb(void* ctx, ipp_uchar_t* buf, size_t n) {
  auto* r = static_cast<reader*>(ctx);
  size_t left = r->bytes.size() - r->pos;
  size_t take = n < left ? n : left;
  std::memcpy(buf, r->bytes.data() + r->pos, take);
  r->pos += take;
  return static_cast<ssize_t>(take);
}

ssize_t write_cb(void* ctx, ipp_uchar_t* buf, size_t n) {
  static_cast<std::string*>(ctx)->append(reinterpret_cast<const char*>(buf), n);
  return static_cast<ssize_t>(n);
}

}  // namespace

scan_result scan_attributes(std::string_view b, size_t max_size) {
  // Returns the state for "the next `need` bytes from `pos` are required".
  auto missing = [&](size_t pos, size_t need) -> scan_state {
    if (pos + need > max_size) return scan_state::too_large;
    if (pos + need > b.size()) return scan_state::need_more;
    return scan_state::complete;  // i.e. present
  };
  size_t pos = 0;
  if (auto s = missing(pos, 8); s != scan_state::complete) return {s};
  pos = 8;
  for (;;) {
    if (auto s = missing(pos, 1); s != scan_state::complete) return {s};
    auto tag = static_cast<uint8_t>(b[pos]);
    ++pos;
    if (tag == end_of_attributes) return {scan_state::complete, pos};
    if (tag < 0x10) {  // a delimiter (group) tag
      if (tag == 0x00) return {scan_state::malformed};
      continue;
    }
    if (tag == extension_tag) {  // RFC 8010 §3.5.2: four more octets of tag
      if (auto s = missing(pos, 4); s != scan_state::complete) return {s};
      if (static_cast<uint8_t>(b[pos]) & 0x80) return {scan_state::malformed};
      pos += 4;
    }
    if (auto s = missing(pos, 2); s != scan_state::complete) return {s};
    pos += 2 + read16(b, pos);  // name
    if (auto s = missing(pos, 2); s != scan_state::complete) return {s};
    pos += 2 + read16(b, pos);  // value
  }
}

message decode(std::string_view section, std::string& error) {
  message msg(ippNew());
  reader r{section, 0};
  ipp_state_t st = ippReadIO(&r, read_cb, 1, nullptr, msg.get());
  if (st != IPP_STATE_DATA) {
    error = "the attribute section does not decode";
    return nullptr;
  }
  if (r.pos != section.size()) {
    error = "the attribute section ends before its end tag";
    return nullptr;
  }
  return msg;
}

std::string encode(ipp_t* msg) {
  std::string out;
  out.reserve(ippLength(msg) + 8);
  ippSetState(msg, IPP_STATE_IDLE);
  ippWriteIO(&out, write_cb, 1, nullptr, msg);
  return out;
}

check validate_request(ipp_t* req) {
  int minor = 0;
  int major = ippGetVersion(req, &minor);
  if (major < 1 || major > 2)
    return {IPP_STATUS_ERROR_VERSION_NOT_SUPPORTED,
            "IPP version " + std::to_string(major) + "." + std::to_string(minor) + " is not supported"};
  if (ippGetRequestId(req) <= 0) return {IPP_STATUS_ERROR_BAD_REQUEST, "request-id must be positive"};

  ipp_attribute_t* first = ippFirstAttribute(req);
  ipp_tag_t previous = IPP_TAG_ZERO;
  for (ipp_attribute_t* a = first; a; a = ippNextAttribute(req)) {
    ipp_tag_t group = ippGetGroupTag(a);
    if (group == IPP_TAG_ZERO) continue;  // separator
    if (group < previous) return {IPP_STATUS_ERROR_BAD_REQUEST, "attribute groups are out of order"};
    previous = group;
    if (!ippGetName(a)) return {IPP_STATUS_ERROR_BAD_REQUEST, "an attribute has no name"};
  }
  if (!first || ippGetGroupTag(first) != IPP_TAG_OPERATION)
    return {IPP_STATUS_ERROR_BAD_REQUEST, "the operation attributes group must come first"};

  ipp_attribute_t* charset = ippFirstAttribute(req);
  ipp_attribute_t* language = ippNextAttribute(req);
  if (!charset || std::strcmp(ippGetName(charset), "attributes-charset") != 0 ||
      ippGetValueTag(charset) != IPP_TAG_CHARSET || ippGetCount(charset) != 1)
    return {IPP_STATUS_ERROR_BAD_REQUEST, "attributes-charset must be the first operation attribute"};
  if (!language || ippGetGroupTag(language) != IPP_TAG_OPERATION || !ippGetName(language) ||
      std::strcmp(ippGetName(language), "attributes-natural-language") != 0 ||
      ippGetValueTag(language) != IPP_TAG_LANGUAGE || ippGetCount(language) != 1)
    return {IPP_STATUS_ERROR_BAD_REQUEST,
            "attributes-natural-language must be the second operation attribute"};
  const char* cs = ippGetString(charset, 0, nullptr);
  if (!cs || (::strcasecmp(cs, "utf-8") != 0 && ::strcasecmp(cs, "us-ascii") != 0))
    return {IPP_STATUS_ERROR_CHARSET, std::string("charset '") + (cs ? cs : "") + "' is not supported"};
  return {};
}

message make_response(ipp_t* request, ipp_status_t status, const std::string& text) {
  message resp(ippNewResponse(request));
  int minor = 0;
  int major = ippGetVersion(request, &minor);
  if (major > 2) ippSetVersion(resp.get(), 2, 0);
  if (major < 1) ippSetVersion(resp.get(), 1, 1);
  ippSetStatusCode(resp.get(), status);
  if (!text.empty())
    ippAddString(resp.get(), IPP_TAG_OPERATION, IPP_TAG_TEXT, "status-message", nullptr, text.c_str());
  return resp;
}

std::string encode_error(std::string_view header, ipp_status_t status, const std::string& text) {
  message resp(ippNew());
  int major = header.size() >= 1 ? static_cast<uint8_t>(header[0]) : 1;
  int minor = header.size() >= 2 ? static_cast<uint8_t>(header[1]) : 1;
  if (major < 1 || major > 2) {
    major = major > 2 ? 2 : 1;
    minor = major == 2 ? 0 : 1;
  }
  ippSetVersion(resp.get(), major, minor);
  if (header.size() >= 8) {
    uint32_t id = 0;
    for (size_t i = 4; i < 8; ++i) id = (id << 8) | static_cast<uint8_t>(header[i]);
    if (id > 0 && id <= 0x7fffffffu) ippSetRequestId(resp.get(), static_cast<int>(id));
  }
  ippSetStatusCode(resp.get(), status);
  ippAddString(resp.get(), IPP_TAG_OPERATION, IPP_TAG_CHARSET, "attributes-charset", nullptr, "utf-8");
  ippAddString(resp.get(), IPP_TAG_OPERATION, IPP_TAG_LANGUAGE, "attributes-natural-language",
               nullptr, "en");
  if (!text.empty())
    ippAddString(resp.get(), IPP_TAG_OPERATION, IPP_TAG_TEXT, "status-message", nullptr, text.c_str());
  return encode(resp.get());
}

}  // namespace quire::ipp
