#include "protocols/compression/inflater.hpp"

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace quire::compression {

const char* keyword(format f) noexcept {
  return f == format::gzip ? "gzip" : "deflate";
}

std::optional<format> format_from_keyword(std::string_view keyword) noexcept {
  if (keyword == "gzip") return format::gzip;
  if (keyword == "deflate") return format::deflate;
  return std::nullopt;
}

namespace {

// A zlib header (RFC 1950 section 2.2): CM = 8, a window of at most 32 KiB,
// and a check value that makes the first two bytes a multiple of 31. A raw
// deflate stream (RFC 1951) starting with the same bits would need a stored
// block with non-zero padding bits, which no zlib-based encoder writes.
bool looks_like_zlib(unsigned char cmf, unsigned char flg) {
  return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
}

}  // namespace

struct inflater::zstate {
  z_stream s{};
  bool initialized = false;

  ~zstate() {
    if (initialized) inflateEnd(&s);
  }
};

inflater::inflater(options opt) : opt_(opt), z_(std::make_unique<zstate>()) {
  QUIRE_ASSERT(opt_.max_output_bytes > 0, "inflater: max_output_bytes must be positive");
  QUIRE_ASSERT(opt_.chunk_bytes > 0, "inflater: chunk_bytes must be positive");
  opt_.chunk_bytes = std::min<size_t>(opt_.chunk_bytes, UINT_MAX);
}

inflater::~inflater() = default;

bool inflater::done() const noexcept {
  return !failed() && (phase_ == phase::member_end || phase_ == phase::finished);
}

status inflater::fail(errc code, std::string message) {
  error_ = status(code, std::string(keyword(opt_.fmt)) + ": " + message);
  return error_;
}

// Opens the next stream (or gzip member) once its first two bytes are known.
status inflater::start_stream(std::string_view head) {
  const auto b0 = static_cast<unsigned char>(head[0]);
  const auto b1 = static_cast<unsigned char>(head[1]);
  int window_bits = 0;
  if (opt_.fmt == format::gzip) {
    // RFC 1952 section 2.3.1: ID1 = 31, ID2 = 139.
    if (b0 != 0x1f || b1 != 0x8b)
      return fail(errc::corruption, z_->initialized ? "trailing data after the gzip member"
                                                    : "not gzip data (no gzip magic number)");
    window_bits = 16 + MAX_WBITS;
  } else {
    window_bits = looks_like_zlib(b0, b1) ? MAX_WBITS : -MAX_WBITS;
  }
  int rc = z_->initialized ? inflateReset2(&z_->s, window_bits)
                           : inflateInit2(&z_->s, window_bits);
  if (rc != Z_OK) return fail(errc::internal, "zlib could not start a stream");
  z_->initialized = true;
  if (buf_.size() != opt_.chunk_bytes) buf_.resize(opt_.chunk_bytes);
  phase_ = phase::body;
  return {};
}

// Inflates from `in` until it is used up or the stream ends; `used` says how
// much was consumed. Every byte produced goes to the sink before this returns.
status inflater::inflate_some(std::string_view in, size_t& used, const sink& out) {
  z_stream& s = z_->s;
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = 0;  // whatever zlib kept pointed at the last input (or a header buffer) is not ours now
  size_t left = in.size();
  for (;;) {
    if (s.avail_in == 0 && left > 0) {
      s.avail_in = static_cast<uInt>(std::min<size_t>(left, UINT_MAX));
      left -= s.avail_in;
    }
    // Ask for at most one byte past the cap: enough to notice a bomb
    // without decompressing any more of it.
    uint64_t room = opt_.max_output_bytes - total_out_;
    size_t want = opt_.chunk_bytes;
    if (room < want) want = static_cast<size_t>(room) + 1;
    s.next_out = reinterpret_cast<Bytef*>(buf_.data());
    s.avail_out = static_cast<uInt>(want);
    int rc = inflate(&s, Z_NO_FLUSH);
    size_t produced = want - s.avail_out;
    if (produced > 0) {
      if (produced > room)
        return fail(errc::limit_exceeded, "decompressed data exceeds " +
                                              std::to_string(opt_.max_output_bytes) + " bytes");
      total_out_ += produced;
      if (status st = out(std::string_view(buf_.data(), produced)); st) {
        error_ = st;
        return error_;
      }
    }
    switch (rc) {
      case Z_STREAM_END:
        used = in.size() - left - s.avail_in;
        consumed_ += used;
        phase_ = phase::member_end;
        return {};
      case Z_OK:
        break;
      case Z_BUF_ERROR:  // no progress possible: all input used, output flushed
        if (s.avail_in > 0 || left > 0) return fail(errc::internal, "zlib made no progress");
        break;
      case Z_NEED_DICT:
        return fail(errc::corruption, "stream needs a preset dictionary");
      case Z_MEM_ERROR:
        return fail(errc::internal, "zlib is out of memory");
      default:  // Z_DATA_ERROR: a bad header, block, CRC-32/Adler-32 or length
        return fail(errc::corruption, std::string(s.msg ? s.msg : "invalid compressed data") +
                                          " (near input byte " +
                                          std::to_string(consumed_ + in.size() - left - s.avail_in) +
                                          ")");
    }
    // Z_OK or Z_BUF_ERROR: go on while input remains or output may be pending.
    if (s.avail_in == 0 && left == 0 && s.avail_out > 0) break;
  }
  used = in.size();
  consumed_ += used;
  return {};
}

status inflater::feed(std::string_view in, const sink& out) {
  if (failed()) return error_;
  if (phase_ == phase::finished) return fail(errc::not_possible, "data fed after finish()");
  total_in_ += in.size();
  while (!in.empty()) {
    if (phase_ == phase::member_end) {
      if (opt_.fmt == format::deflate)
        return fail(errc::corruption, "trailing data after the end of the stream");
      phase_ = phase::header;  // RFC 1952 section 2.2: members may follow one another
    }
    if (phase_ == phase::header) {
      size_t take = std::min(in.size(), 2 - head_.size());
      head_.append(in.substr(0, take));
      in.remove_prefix(take);
      if (head_.size() < 2) break;
      if (status st = start_stream(head_); st) return st;
      std::string head = std::move(head_);
      head_.clear();
      size_t used = 0;
      if (status st = inflate_some(head, used, out); st) return st;
      // Every stream is longer than two bytes, so none can end inside them.
      QUIRE_ASSERT(used == head.size(), "inflater: stream ended inside its header");
      continue;
    }
    size_t used = 0;
    if (status st = inflate_some(in, used, out); st) return st;
    in.remove_prefix(used);
  }
  return {};
}

status inflater::feed(std::string_view in, std::string& out) {
  return feed(in, [&out](std::string_view chunk) {
    out.append(chunk);
    return status{};
  });
}

status inflater::finish() {
  if (failed()) return error_;
  switch (phase_) {
    case phase::member_end:
    case phase::finished:
      phase_ = phase::finished;
      return {};
    case phase::header:
      if (total_in_ == 0) return fail(errc::corruption, "no data (empty stream)");
      return fail(errc::corruption, "truncated (stream cut inside a header)");
    case phase::body:
      break;
  }
  return fail(errc::corruption, "truncated (stream ended early after " +
                                    std::to_string(total_in_) + " bytes)");
}

}  // namespace quire::compression
