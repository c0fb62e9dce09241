#include "actors/ipp/printer_attributes_cache.hpp"

#include "actors/ipp/notify_render.hpp"
#include "protocols/ipp/codec.hpp"

namespace quire {

namespace {

constexpr char printer_group_tag = 0x04;  // RFC 8010 §3.5.1
constexpr char end_tag = 0x03;
constexpr size_t header_bytes = 8;  // version, status-code, request-id

bool has_printer_group(ipp_t* msg) {
  for (ipp_attribute_t* a = ippFirstAttribute(msg); a; a = ippNextAttribute(msg))
    if (ippGetGroupTag(a) == IPP_TAG_PRINTER) return true;
  return false;
}

}  // namespace

const std::string& printer_attributes_cache::description(const queue_view& view, const ipp::attribute_filter& want,
                                                         const std::string& key) {
  if (auto it = bytes_.find(key); it != bytes_.end()) return it->second;
  if (bytes_.size() >= max_) bytes_.clear();
  // A message holding only the description attributes, in one printer
  // group; its encoding minus the header, the group tag and the end tag is
  // the run of attributes to splice.
  ipp_t* msg = ippNew();
  add_printer_description(msg, view, want);
  add_notify_printer_attributes(msg, notify_limits{}, want);
  std::string bytes = has_printer_group(msg) ? ipp::encode(msg) : std::string();
  ippDelete(msg);
  if (!bytes.empty()) {
    QUIRE_ASSERT(bytes.size() > header_bytes + 1 && bytes[header_bytes] == printer_group_tag &&
                     bytes.back() == end_tag,
                 "libcups encoded a printer group in an unexpected shape");
    bytes = bytes.substr(header_bytes + 1, bytes.size() - header_bytes - 2);
  }
  return bytes_.emplace(key, std::move(bytes)).first->second;
}

std::string printer_attributes_cache::answer(ipp_t* request, const queue_view& view,
                                             const std::vector<std::string>& requested, const void* config) {
  if (config != config_) {
    bytes_.clear();
    config_ = config;
  }
  ipp::attribute_filter want(requested, {"all"});
  std::string key = view.queue->name;
  key += '\n';
  key += view.authority;
  key += view.secure ? "\ns\n" : "\np\n";
  key += view.tls_available ? "t" : "-";
  for (const auto& r : requested) (key += '\n') += r;
  const std::string& fixed = description(view, want, key);

  auto resp = ipp::make_response(request, IPP_STATUS_OK);
  add_printer_state(resp.get(), view, want);
  bool group_open = has_printer_group(resp.get());
  std::string out = ipp::encode(resp.get());
  QUIRE_ASSERT(!out.empty() && out.back() == end_tag, "an encoded IPP message ends with the end tag");
  out.pop_back();
  if (!fixed.empty()) {
    if (!group_open) out += printer_group_tag;
    out += fixed;
  }
  out += end_tag;
  return out;
}

}  // namespace quire
