#include "protocols/jobproc/wire.hpp"

#ifndef MSGPACK_NO_BOOST
#define MSGPACK_NO_BOOST  // as quire_storage does: keeps ~900 Boost headers out
#endif
#include <msgpack.hpp>

#include <algorithm>
#include <cmath>
#include <exception>
#include <iterator>
#include <limits>

namespace quire::jobproc {

// ---------------------------------------------------------------- framing

namespace {

uint32_t read_be32(const char* p) {
  auto b = [p](int i) { return static_cast<uint32_t>(static_cast<unsigned char>(p[i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

bool starts_map(unsigned char c) { return (c >= 0x80 && c <= 0x8f) || c == 0xde || c == 0xdf; }

}  // namespace

void frame_reader::fail(std::string message) {
  error_ = std::move(message);
  buf_.clear();
  pos_ = 0;
}

void frame_reader::feed(std::string_view bytes) {
  if (failed()) return;
  // Drop what next() has consumed once it is at least half the buffer, so a
  // long stream of frames costs amortised O(1) per byte.
  if (pos_ > 0 && pos_ * 2 >= buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
}

frame_reader::status frame_reader::next(std::string& payload) {
  if (failed()) return status::error;
  size_t avail = buf_.size() - pos_;
  if (avail < 4) return status::need_more;
  uint32_t len = read_be32(buf_.data() + pos_);
  if (len == 0) {
    fail("empty frame");
    return status::error;
  }
  if (len > max_frame_) {
    fail("frame of " + std::to_string(len) + " bytes is over the limit of " + std::to_string(max_frame_));
    return status::error;
  }
  // Garbage is caught on its first byte rather than after waiting for a
  // length's worth of it.
  if (avail >= 5 && !starts_map(static_cast<unsigned char>(buf_[pos_ + 4]))) {
    fail("frame is not a msgpack map");
    return status::error;
  }
  if (avail - 4 < len) return status::need_more;
  payload.assign(buf_, pos_ + 4, len);
  pos_ += 4 + size_t{len};
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  return status::frame;
}

// ---------------------------------------------------------------- encoding

namespace {

// msgpack::packer writes to anything with write(const char*, size_t).
struct string_sink {
  std::string& out;
  void write(const char* p, size_t n) { out.append(p, n); }
};
using packer = msgpack::packer<string_sink>;

void key(packer& pk, std::string_view k) {
  pk.pack_str(static_cast<uint32_t>(k.size()));
  pk.pack_str_body(k.data(), static_cast<uint32_t>(k.size()));
}
void str(packer& pk, std::string_view k, std::string_view v) {
  key(pk, k);
  pk.pack_str(static_cast<uint32_t>(v.size()));
  pk.pack_str_body(v.data(), static_cast<uint32_t>(v.size()));
}
template <class T>
void num(packer& pk, std::string_view k, T v) {
  key(pk, k);
  pk.pack(v);
}
void bin(packer& pk, std::string_view k, std::string_view v) {
  key(pk, k);
  pk.pack_bin(static_cast<uint32_t>(v.size()));
  pk.pack_bin_body(v.data(), static_cast<uint32_t>(v.size()));
}
// The first max_notes of `notes`.
void notes(packer& pk, const std::vector<std::string>& all) {
  size_t n = std::min(all.size(), max_notes);
  key(pk, "notes");
  pk.pack_array(static_cast<uint32_t>(n));
  for (size_t i = 0; i < n; ++i) {
    pk.pack_str(static_cast<uint32_t>(all[i].size()));
    pk.pack_str_body(all[i].data(), static_cast<uint32_t>(all[i].size()));
  }
}

// An inline document cannot fit: said before packing it.
status fits(const std::string& document, const std::string& path, size_t max_frame) {
  if (document.size() > max_frame || path.size() > max_frame)
    return error{errc::limit_exceeded, "inline document of " + std::to_string(document.size()) +
                                           " bytes is over the frame limit of " + std::to_string(max_frame)};
  return status{};
}

// Packs a map of `fields` entries through `body` behind a 4-byte length.
template <class Body>
result<std::string> frame(size_t fields, size_t max_frame, Body&& body) {
  std::string out(4, '\0');
  string_sink sink{out};
  packer pk(sink);
  pk.pack_map(static_cast<uint32_t>(fields));
  body(pk);
  size_t len = out.size() - 4;
  if (len > max_frame || len > std::numeric_limits<uint32_t>::max())
    return error{errc::limit_exceeded,
                 "frame of " + std::to_string(len) + " bytes is over the limit of " + std::to_string(max_frame)};
  for (int i = 0; i < 4; ++i) out[static_cast<size_t>(i)] = static_cast<char>(len >> (24 - 8 * i));
  return out;
}

}  // namespace

result<std::string> encode_request(const analyse_request& r, size_t max_frame) {
  if (status st = fits(r.document, r.path, max_frame)) return st;
  return frame(11, max_frame, [&](packer& pk) {
    str(pk, "type", "analyse_request");
    num(pk, "job_id", r.job_id);
    str(pk, "path", r.path);
    bin(pk, "document", r.document);
    str(pk, "declared_format", r.declared_format);
    num(pk, "copies", r.copies);
    num(pk, "number_up", r.number_up);
    num(pk, "duplex", r.duplex);
    num(pk, "render_dpi", r.render_dpi);
    num(pk, "timeout_ms", r.timeout_ms);
    str(pk, "normalised_path", r.normalised_path);
  });
}

result<std::string> encode_reply(const analyse_reply& r, size_t max_frame) {
  size_t ncolour = std::min(r.colour_page_numbers.size(), max_colour_page_numbers);
  size_t nsizes = std::min(r.sizes.size(), max_sizes);
  return frame(17, max_frame, [&](packer& pk) {
    str(pk, "type", "analyse_reply");
    num(pk, "job_id", r.job_id);
    num(pk, "ok", r.ok);
    str(pk, "reason", r.reason);
    str(pk, "failure", r.failure);
    str(pk, "format", r.format);
    num(pk, "normalised", r.normalised);
    num(pk, "pages", r.pages);
    num(pk, "colour_pages", r.colour_pages);
    num(pk, "mono_pages", r.mono_pages);
    key(pk, "colour_page_numbers");
    pk.pack_array(static_cast<uint32_t>(ncolour));
    for (size_t i = 0; i < ncolour; ++i) pk.pack(r.colour_page_numbers[i]);
    key(pk, "sizes");
    pk.pack_array(static_cast<uint32_t>(nsizes));
    for (size_t i = 0; i < nsizes; ++i) {
      pk.pack_map(3);
      num(pk, "count", r.sizes[i].count);
      num(pk, "width_pt", r.sizes[i].width_pt);
      num(pk, "height_pt", r.sizes[i].height_pt);
    }
    str(pk, "title", r.title);
    num(pk, "exact", r.exact);
    str(pk, "method", r.method);
    num(pk, "elapsed_us", r.elapsed_us);
    notes(pk, r.notes);
  });
}

result<std::string> encode_convert_request(const convert_request& r, size_t max_frame) {
  if (status st = fits(r.document, r.path, max_frame)) return st;
  return frame(14, max_frame, [&](packer& pk) {
    str(pk, "type", "convert_request");
    num(pk, "job_id", r.job_id);
    str(pk, "path", r.path);
    bin(pk, "document", r.document);
    str(pk, "source_format", r.source_format);
    str(pk, "target_format", r.target_format);
    str(pk, "output_path", r.output_path);
    num(pk, "monochrome", r.monochrome);
    num(pk, "duplex", r.duplex);
    num(pk, "tumble", r.tumble);
    num(pk, "media_width_pt", r.media_width_pt);
    num(pk, "media_height_pt", r.media_height_pt);
    num(pk, "resolution_dpi", r.resolution_dpi);
    num(pk, "timeout_ms", r.timeout_ms);
  });
}

result<std::string> encode_convert_reply(const convert_reply& r, size_t max_frame) {
  return frame(11, max_frame, [&](packer& pk) {
    str(pk, "type", "convert_reply");
    num(pk, "job_id", r.job_id);
    num(pk, "ok", r.ok);
    str(pk, "reason", r.reason);
    str(pk, "failure", r.failure);
    num(pk, "passthrough", r.passthrough);
    str(pk, "format", r.format);
    num(pk, "output_bytes", r.output_bytes);
    num(pk, "pages", r.pages);
    num(pk, "elapsed_us", r.elapsed_us);
    notes(pk, r.notes);
  });
}

// ---------------------------------------------------------------- decoding

namespace {

using msgpack::object;
namespace mt = msgpack::type;

// Thrown by the field readers below, caught in decode(): never leaves this file.
struct bad_field {
  std::string message;
};

[[noreturn]] void wrong(std::string_view field, std::string_view expected) {
  throw bad_field{"field '" + std::string(field) + "': expected " + std::string(expected)};
}

uint64_t as_u64(const object& o, std::string_view f) {
  if (o.type != mt::POSITIVE_INTEGER) wrong(f, "an unsigned integer");
  return o.via.u64;
}
uint32_t as_u32(const object& o, std::string_view f) {
  uint64_t v = as_u64(o, f);
  if (v > std::numeric_limits<uint32_t>::max()) wrong(f, "an unsigned 32-bit integer");
  return static_cast<uint32_t>(v);
}
bool as_bool(const object& o, std::string_view f) {
  if (o.type != mt::BOOLEAN) wrong(f, "a boolean");
  return o.via.boolean;
}
double as_double(const object& o, std::string_view f) {
  double v = 0;
  if (o.type == mt::FLOAT32 || o.type == mt::FLOAT64)
    v = o.via.f64;
  else if (o.type == mt::POSITIVE_INTEGER)
    v = static_cast<double>(o.via.u64);
  else if (o.type == mt::NEGATIVE_INTEGER)
    v = static_cast<double>(o.via.i64);
  else
    wrong(f, "a number");
  if (!std::isfinite(v)) wrong(f, "a finite number");
  return v;
}
std::string as_str(const object& o, std::string_view f, bool or_bin = false) {
  if (o.type == mt::STR) return std::string(o.via.str.ptr, o.via.str.size);
  if (or_bin && o.type == mt::BIN) return std::string(o.via.bin.ptr, o.via.bin.size);
  wrong(f, or_bin ? "bytes (bin or str)" : "a string");
}
const object* as_array(const object& o, std::string_view f, uint32_t& n) {
  if (o.type != mt::ARRAY) wrong(f, "an array");
  n = o.via.array.size;
  return o.via.array.ptr;
}

// Unpacks `payload` (which must be one map and nothing more) and calls
// on_field(key, value) for each string key with a non-nil value. Keys that
// are not strings are skipped like unknown ones.
template <class OnField>
status visit_map(std::string_view payload, std::string_view expected_type, OnField&& on_field,
                 std::string* type_seen = nullptr) {
  // Every element takes at least one byte, and the deepest valid frame is
  // map > array > map; these limits keep msgpack-c from allocating for
  // counts the payload cannot hold.
  size_t cap = std::max<size_t>(payload.size(), 1);
  msgpack::unpack_limit limits(std::min<size_t>(cap, 1u << 16), std::min<size_t>(cap, 1024), cap, cap, 1024, 4);
  try {
    size_t off = 0;
    // Strings and bins reference the payload instead of being copied: they
    // are copied once, into the result, before the payload goes away.
    auto reference = [](mt::object_type, size_t, void*) { return true; };
    msgpack::object_handle h = msgpack::unpack(payload.data(), payload.size(), off, reference, nullptr, limits);
    if (off != payload.size()) return error{errc::corruption, "bytes after the map"};
    const object& root = h.get();
    if (root.type != mt::MAP) return error{errc::corruption, "payload is not a map"};
    for (uint32_t i = 0; i < root.via.map.size; ++i) {
      const auto& kv = root.via.map.ptr[i];
      if (kv.key.type != mt::STR || kv.val.type == mt::NIL) continue;
      std::string_view k(kv.key.via.str.ptr, kv.key.via.str.size);
      if (k == "type") {
        std::string t = as_str(kv.val, k);
        if (type_seen) *type_seen = t;
        if (!expected_type.empty() && t != expected_type)
          return error{errc::corruption, "a '" + t + "' frame where '" + std::string(expected_type) + "' was expected"};
        continue;
      }
      on_field(k, kv.val);
    }
    return status{};
  } catch (const bad_field& e) {
    return error{errc::corruption, e.message};
  } catch (const std::bad_alloc&) {
    return error{errc::limit_exceeded, "frame too large to decode"};
  } catch (const std::exception& e) {  // msgpack::unpack_error, type_error, size overflows
    return error{errc::corruption, std::string("malformed msgpack: ") + e.what()};
  }
}

std::vector<std::string> as_str_array(const object& o, std::string_view f) {
  uint32_t n = 0;
  const object* a = as_array(o, f, n);
  std::vector<std::string> out;
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) out.push_back(as_str(a[i], f));
  return out;
}

page_summary as_page_summary(const object& o) {
  page_summary s;
  if (o.type != mt::MAP) wrong("sizes", "an array of maps");
  for (uint32_t i = 0; i < o.via.map.size; ++i) {
    const auto& kv = o.via.map.ptr[i];
    if (kv.key.type != mt::STR || kv.val.type == mt::NIL) continue;
    std::string_view k(kv.key.via.str.ptr, kv.key.via.str.size);
    if (k == "count") s.count = as_u32(kv.val, "sizes.count");
    else if (k == "width_pt") s.width_pt = as_double(kv.val, "sizes.width_pt");
    else if (k == "height_pt") s.height_pt = as_double(kv.val, "sizes.height_pt");
  }
  return s;
}

}  // namespace

result<analyse_request> decode_request(std::string_view payload) {
  analyse_request r;
  status st = visit_map(payload, "analyse_request", [&r](std::string_view k, const object& v) {
    if (k == "job_id") r.job_id = as_u64(v, k);
    else if (k == "path") r.path = as_str(v, k);
    else if (k == "document") r.document = as_str(v, k, true);
    else if (k == "declared_format") r.declared_format = as_str(v, k);
    else if (k == "copies") r.copies = as_u32(v, k);
    else if (k == "number_up") r.number_up = as_u32(v, k);
    else if (k == "duplex") r.duplex = as_bool(v, k);
    else if (k == "render_dpi") r.render_dpi = as_u32(v, k);
    else if (k == "timeout_ms") r.timeout_ms = as_u32(v, k);
    else if (k == "normalised_path") r.normalised_path = as_str(v, k);
  });
  if (st) return st;
  return r;
}

result<analyse_reply> decode_reply(std::string_view payload) {
  analyse_reply r;
  status st = visit_map(payload, "analyse_reply", [&r](std::string_view k, const object& v) {
    uint32_t n = 0;
    if (k == "job_id") r.job_id = as_u64(v, k);
    else if (k == "ok") r.ok = as_bool(v, k);
    else if (k == "reason") r.reason = as_str(v, k);
    else if (k == "failure") r.failure = as_str(v, k);
    else if (k == "format") r.format = as_str(v, k);
    else if (k == "normalised") r.normalised = as_bool(v, k);
    else if (k == "pages") r.pages = as_u32(v, k);
    else if (k == "colour_pages") r.colour_pages = as_u32(v, k);
    else if (k == "mono_pages") r.mono_pages = as_u32(v, k);
    else if (k == "colour_page_numbers") {
      const object* a = as_array(v, k, n);
      r.colour_page_numbers.clear();
      for (uint32_t i = 0; i < n; ++i) r.colour_page_numbers.push_back(as_u32(a[i], k));
    } else if (k == "sizes") {
      const object* a = as_array(v, k, n);
      r.sizes.clear();
      for (uint32_t i = 0; i < n; ++i) r.sizes.push_back(as_page_summary(a[i]));
    } else if (k == "title") r.title = as_str(v, k);
    else if (k == "exact") r.exact = as_bool(v, k);
    else if (k == "method") r.method = as_str(v, k);
    else if (k == "elapsed_us") r.elapsed_us = as_u64(v, k);
    else if (k == "notes") r.notes = as_str_array(v, k);
  });
  if (st) return st;
  return r;
}

result<convert_request> decode_convert_request(std::string_view payload) {
  convert_request r;
  status st = visit_map(payload, "convert_request", [&r](std::string_view k, const object& v) {
    if (k == "job_id") r.job_id = as_u64(v, k);
    else if (k == "path") r.path = as_str(v, k);
    else if (k == "document") r.document = as_str(v, k, true);
    else if (k == "source_format") r.source_format = as_str(v, k);
    else if (k == "target_format") r.target_format = as_str(v, k);
    else if (k == "output_path") r.output_path = as_str(v, k);
    else if (k == "monochrome") r.monochrome = as_bool(v, k);
    else if (k == "duplex") r.duplex = as_bool(v, k);
    else if (k == "tumble") r.tumble = as_bool(v, k);
    else if (k == "media_width_pt") r.media_width_pt = as_double(v, k);
    else if (k == "media_height_pt") r.media_height_pt = as_double(v, k);
    else if (k == "resolution_dpi") r.resolution_dpi = as_u32(v, k);
    else if (k == "timeout_ms") r.timeout_ms = as_u32(v, k);
  });
  if (st) return st;
  return r;
}

result<convert_reply> decode_convert_reply(std::string_view payload) {
  convert_reply r;
  status st = visit_map(payload, "convert_reply", [&r](std::string_view k, const object& v) {
    if (k == "job_id") r.job_id = as_u64(v, k);
    else if (k == "ok") r.ok = as_bool(v, k);
    else if (k == "reason") r.reason = as_str(v, k);
    else if (k == "failure") r.failure = as_str(v, k);
    else if (k == "passthrough") r.passthrough = as_bool(v, k);
    else if (k == "format") r.format = as_str(v, k);
    else if (k == "output_bytes") r.output_bytes = as_u64(v, k);
    else if (k == "pages") r.pages = as_u32(v, k);
    else if (k == "elapsed_us") r.elapsed_us = as_u64(v, k);
    else if (k == "notes") r.notes = as_str_array(v, k);
  });
  if (st) return st;
  return r;
}

result<std::string> frame_type(std::string_view payload) {
  std::string type;
  status st = visit_map(payload, "", [](std::string_view, const object&) {}, &type);
  if (st) return st;
  return type;
}

namespace {

bool absolute(const std::string& p) { return !p.empty() && p.front() == '/' && p.find('\0') == std::string::npos; }

status one_document(const std::string& path, const std::string& document) {
  if (path.empty() == document.empty())
    return error{errc::invalid_argument, "exactly one of path and document must be set"};
  if (!path.empty() && !absolute(path)) return error{errc::invalid_argument, "path must be absolute"};
  return status{};
}

constexpr std::string_view convert_targets[] = {"application/pdf", "application/postscript",
                                                "application/vnd.hp-pclxl", "image/pwg-raster", "image/urf"};

// 0.5 in to 200 in: smaller is no paper, larger is beyond any wide-format
// roll and makes a raster target allocate gigabytes per line band.
bool media_side_ok(double pt) { return pt >= 36 && pt <= 14400; }

}  // namespace

bool is_convert_target(std::string_view mime) {
  return std::find(std::begin(convert_targets), std::end(convert_targets), mime) != std::end(convert_targets);
}

status validate(const analyse_request& r) {
  if (status st = one_document(r.path, r.document)) return st;
  if (r.copies < 1 || r.number_up < 1) return error{errc::invalid_argument, "copies and number_up must be at least 1"};
  if (r.render_dpi < 1 || r.render_dpi > 600) return error{errc::invalid_argument, "render_dpi must be 1..600"};
  if (r.timeout_ms < 1 || r.timeout_ms > 3'600'000)
    return error{errc::invalid_argument, "timeout_ms must be 1..3600000"};
  if (!r.normalised_path.empty()) {
    if (!absolute(r.normalised_path)) return error{errc::invalid_argument, "normalised_path must be absolute"};
    // The child writes normalised_path + ".part", then renames it.
    std::string part = r.normalised_path;
    part.append(".part");
    if (r.normalised_path == r.path || part == r.path)
      return error{errc::invalid_argument, "normalised_path must not be the document"};
  }
  return status{};
}

status validate(const convert_request& r) {
  if (status st = one_document(r.path, r.document)) return st;
  if (!absolute(r.output_path)) return error{errc::invalid_argument, "output_path must be absolute"};
  if (r.output_path == r.path) return error{errc::invalid_argument, "output_path must not be the document"};
  if (!is_convert_target(r.target_format))
    return error{errc::invalid_argument, "target_format '" + r.target_format + "' is not a language Quire converts to"};
  bool no_media = r.media_width_pt == 0 && r.media_height_pt == 0;
  if (!no_media && !(media_side_ok(r.media_width_pt) && media_side_ok(r.media_height_pt)))
    return error{errc::invalid_argument, "media_width_pt and media_height_pt must both be 0 or both 36..14400"};
  if (r.resolution_dpi != 0 && (r.resolution_dpi < 72 || r.resolution_dpi > 1200))
    return error{errc::invalid_argument, "resolution_dpi must be 0 or 72..1200"};
  if (r.timeout_ms < 1 || r.timeout_ms > 3'600'000)
    return error{errc::invalid_argument, "timeout_ms must be 1..3600000"};
  return status{};
}

}  // namespace quire::jobproc
