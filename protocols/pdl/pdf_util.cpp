#include "protocols/pdl/pdf_util.hpp"

#include <stdexcept>

namespace quire::pdl::detail {

void bounded_sink::write(unsigned char const* data, size_t len) {
  if (out_.size() + len > max_) {
    overflowed_ = true;
    throw std::length_error("stream data over the byte budget");
  }
  out_.append(reinterpret_cast<const char*>(data), len);
}

bool read_stream(QPDFObjectHandle stream, uint64_t max, std::string& out, bool* overflowed,
                 qpdf_stream_decode_level_e level) {
  out.clear();
  if (overflowed) *overflowed = false;
  if (!stream.isStream()) return false;
  bounded_sink sink(out, max);
  bool attempted = false;
  bool ok = false;
  try {
    // suppress_warnings: a damaged stream is a verdict here, not a warning
    // to accumulate in the QPDF object.
    ok = stream.pipeStreamData(&sink, &attempted, 0, level, /*suppress_warnings=*/true);
  } catch (const std::exception&) {
    ok = false;
  }
  if (overflowed) *overflowed = sink.overflowed();
  return ok && attempted && !sink.overflowed();
}

QPDFObjectHandle dict_of(QPDFObjectHandle h) {
  if (h.isDictionary()) return h;
  if (h.isStream()) return h.getDict();
  return QPDFObjectHandle::newNull();
}

QPDFObjectHandle key(QPDFObjectHandle h, const char* k) {
  QPDFObjectHandle d = dict_of(h);
  if (!d.isDictionary()) return QPDFObjectHandle::newNull();
  return d.getKey(k);
}

std::string name_of(QPDFObjectHandle h) { return h.isName() ? h.getName() : std::string(); }

double number_of(QPDFObjectHandle h, double fallback) {
  return h.isNumber() ? h.getNumericValue() : fallback;
}

std::vector<QPDFObjectHandle> items(QPDFObjectHandle h, size_t max) {
  std::vector<QPDFObjectHandle> out;
  if (!h.isArray()) return out;
  int n = h.getArrayNItems();
  for (int i = 0; i < n && out.size() < max; ++i) out.push_back(h.getArrayItem(i));
  return out;
}

}  // namespace quire::pdl::detail
