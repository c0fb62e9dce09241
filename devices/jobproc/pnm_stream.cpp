#include "devices/jobproc/pnm_stream.hpp"

#include <algorithm>
#include <cstring>

namespace quire::jobproc {

namespace {

constexpr size_t max_header = 4096;     // gs writes ~60 bytes
constexpr uint32_t max_side = 1u << 20; // pixels; 14,400 pt at 20 dpi is 4,000

bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

}  // namespace

void pnm_stream::fail(std::string message) {
  state_ = state::failed;
  error_ = std::move(message);
}

// Parses header_ from the start. done leaves the pixel bytes to expect in
// remaining_; need_more means the header may still complete.
pnm_stream::header_status pnm_stream::parse_header() {
  const std::string& h = header_;
  if (h.size() >= 1 && h[0] != 'P') return header_status::bad;
  if (h.size() < 2) return header_status::need_more;
  if (h[1] < '4' || h[1] > '6') return header_status::bad;
  unsigned kind = static_cast<unsigned>(h[1] - '0');
  unsigned wanted = kind == 4 ? 2 : 3;  // width height [maxval]
  uint64_t values[3] = {};
  size_t at = 2;
  for (unsigned i = 0; i < wanted; ++i) {
    // Whitespace and comments; a number must be preceded by at least one.
    bool spaced = false;
    for (;;) {
      if (at >= h.size()) return header_status::need_more;
      auto c = static_cast<unsigned char>(h[at]);
      if (is_space(c)) {
        spaced = true;
        ++at;
      } else if (c == '#') {
        size_t nl = h.find('\n', at);
        if (nl == std::string::npos) return header_status::need_more;
        spaced = true;
        at = nl + 1;
      } else {
        break;
      }
    }
    if (!spaced) return header_status::bad;
    size_t digits = 0;
    while (at < h.size() && h[at] >= '0' && h[at] <= '9') {
      values[i] = values[i] * 10 + static_cast<uint64_t>(h[at] - '0');
      if (values[i] > max_side) return header_status::bad;
      ++at;
      ++digits;
    }
    if (at >= h.size()) return header_status::need_more;  // the number may go on
    if (digits == 0) return header_status::bad;
  }
  // Exactly one whitespace byte ends the header.
  if (!is_space(static_cast<unsigned char>(h[at]))) return header_status::bad;
  if (at + 1 != h.size()) return header_status::bad;  // parsed after each byte: never more

  uint64_t w = values[0], hgt = values[1];
  kind_ = kind;
  maxval_ = kind == 4 ? 1 : static_cast<uint32_t>(values[2]);
  if (kind != 4 && (maxval_ == 0 || maxval_ > 65535)) return header_status::bad;
  unsigned sample = maxval_ < 256 ? 1 : 2;
  if (kind == 4)
    remaining_ = (w + 7) / 8 * hgt;
  else
    remaining_ = w * hgt * (kind == 6 ? 3 : 1) * sample;
  pixel_bytes_ = kind == 6 ? 3 * sample : 0;
  partial_len_ = 0;
  pages_.push_back(pnm_page{static_cast<uint32_t>(w), static_cast<uint32_t>(hgt), false});
  return header_status::done;
}

void pnm_stream::check_pixel(const unsigned char* px) {
  uint32_t c[3];
  if (pixel_bytes_ == 3) {
    c[0] = px[0], c[1] = px[1], c[2] = px[2];
  } else {
    for (int i = 0; i < 3; ++i) c[i] = static_cast<uint32_t>(px[2 * i]) << 8 | px[2 * i + 1];
  }
  uint32_t spread = std::max({c[0], c[1], c[2]}) - std::min({c[0], c[1], c[2]});
  // spread/maxval > threshold/255, in integers.
  if (uint64_t{spread} * 255 > uint64_t{threshold_} * maxval_) {
    pages_.back().colour = true;
    pixel_bytes_ = 0;  // decided: skip the rest of the page
  }
}

size_t pnm_stream::consume_pixels(const unsigned char* p, size_t n) {
  size_t take = static_cast<size_t>(std::min<uint64_t>(n, remaining_));
  remaining_ -= take;
  size_t i = 0;
  // A pixel split across two feeds is completed from partial_ first.
  if (pixel_bytes_ != 0 && partial_len_ > 0) {
    size_t fill = std::min<size_t>(pixel_bytes_ - partial_len_, take);
    std::memcpy(partial_ + partial_len_, p, fill);
    partial_len_ += static_cast<unsigned>(fill);
    i = fill;
    if (partial_len_ == pixel_bytes_) {
      partial_len_ = 0;
      check_pixel(partial_);
    }
  }
  while (pixel_bytes_ != 0 && take - i >= pixel_bytes_) {
    check_pixel(p + i);
    i += pixel_bytes_;
  }
  if (pixel_bytes_ != 0 && i < take) {  // fewer than pixel_bytes_ left
    partial_len_ = static_cast<unsigned>(take - i);
    std::memcpy(partial_, p + i, partial_len_);
  }
  if (remaining_ == 0) state_ = state::header;
  return take;
}

bool pnm_stream::feed(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  while (n > 0 && !failed()) {
    if (state_ == state::pixels) {
      size_t used = consume_pixels(p, n);
      p += used;
      n -= used;
      continue;
    }
    header_.push_back(static_cast<char>(*p++));
    --n;
    if (header_.size() > max_header) {
      fail("PNM header too long");
      break;
    }
    // Re-parsed at every byte (headers are ~60 bytes): garbage fails at the
    // first byte that cannot belong to a header.
    switch (parse_header()) {
      case header_status::need_more:
        break;
      case header_status::bad:
        fail("not a binary PNM page header: " + header_.substr(0, 16));
        break;
      case header_status::done:
        header_.clear();
        state_ = remaining_ == 0 ? state::header : state::pixels;
        break;
    }
  }
  return !failed();
}

}  // namespace quire::jobproc
