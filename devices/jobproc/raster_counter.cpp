#include "devices/jobproc/raster_counter.hpp"

#include <algorithm>

namespace quire::jobproc {

namespace {

uint32_t be32(const std::string& s, size_t at) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[at + i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

// Lines per page and bytes per line and per compression unit from a PWG
// header (offsets of cups_page_header2_t, as protocols/pdl/raster.cpp).
bool pwg_geometry(const std::string& h, uint64_t& lines, uint64_t& bytes_per_line, uint64_t& unit) {
  uint64_t width = be32(h, 372), height = be32(h, 376);
  uint32_t bits_per_colour = be32(h, 384), bits_per_pixel = be32(h, 388);
  uint32_t order = be32(h, 396), colours = std::max<uint32_t>(be32(h, 420), 1);
  bytes_per_line = be32(h, 392);
  if (width == 0 || height == 0 || bits_per_pixel == 0 || bits_per_pixel > 240 || order > 2) return false;
  unit = order == 0 ? (bits_per_pixel + 7) / 8 : (bits_per_colour + 7) / 8;
  uint64_t bits = width * (order == 0 ? bits_per_pixel : bits_per_colour) * (order == 1 ? colours : 1);
  lines = order == 2 ? height * colours : height;
  return unit != 0 && bytes_per_line == (bits + 7) / 8;
}

bool urf_geometry(const std::string& h, uint64_t& lines, uint64_t& bytes_per_line, uint64_t& unit) {
  uint32_t bpp = static_cast<unsigned char>(h[0]);
  uint64_t width = be32(h, 12);
  lines = be32(h, 16);
  if (width == 0 || lines == 0 || bpp == 0 || bpp % 8 != 0) return false;
  unit = bpp / 8;
  bytes_per_line = width * unit;
  return true;
}

}  // namespace

bool raster_counter::fail(std::string why) {
  if (error_.empty()) error_ = std::move(why);
  return false;
}

bool raster_counter::gather(std::string_view& in, size_t want) {
  size_t take = std::min(want - have_, in.size());
  head_.append(in.data(), take);
  have_ += take;
  in.remove_prefix(take);
  return have_ == want;
}

bool raster_counter::start_page() {
  bool ok = format_ == format::pwg ? pwg_geometry(head_, lines_left_, bytes_per_line_, unit_)
                                   : urf_geometry(head_, lines_left_, bytes_per_line_, unit_);
  head_.clear();
  have_ = 0;
  if (!ok) return fail("page " + std::to_string(pages_ + 1) + " has an invalid header");
  state_ = state::line_repeat;
  return true;
}

void raster_counter::end_line() {
  if (lines_left_ > 0) {
    state_ = state::line_repeat;
    return;
  }
  ++pages_;
  state_ = state::header;
}

// One run-control byte of the current line.
void raster_counter::run_byte(unsigned n) {
  if (n == 128) {  // the rest of the line is white
    line_bytes_left_ = 0;
    end_line();
    return;
  }
  uint64_t pixels = n < 128 ? n + 1 : 257 - n;
  uint64_t bytes = std::min(pixels * unit_, line_bytes_left_);
  line_bytes_left_ -= bytes;
  skip_left_ = n < 128 ? unit_ : bytes;
  state_ = state::skip;
}

bool raster_counter::feed(std::string_view in) {
  if (failed()) return false;
  while (!in.empty()) {
    switch (state_) {
      case state::file_header:
        if (!gather(in, file_header_size())) break;
        if (format_ == format::pwg ? head_ != "RaS2" : head_.compare(0, 8, std::string("UNIRAST\0", 8)) != 0)
          return fail(format_ == format::pwg ? "no PWG raster sync word" : "no URF file header");
        head_.clear();
        have_ = 0;
        state_ = state::header;
        break;
      case state::header:
        if (gather(in, page_header_size()) && !start_page()) return false;
        break;
      case state::line_repeat: {
        uint64_t repeat = static_cast<unsigned char>(in.front()) + uint64_t{1};
        in.remove_prefix(1);
        lines_left_ -= std::min(repeat, lines_left_);
        line_bytes_left_ = bytes_per_line_;
        state_ = state::run;
        break;
      }
      case state::run: {
        auto n = static_cast<unsigned char>(in.front());
        in.remove_prefix(1);
        run_byte(n);
        break;
      }
      case state::skip: {
        auto take = static_cast<size_t>(std::min<uint64_t>(skip_left_, in.size()));
        in.remove_prefix(take);
        skip_left_ -= take;
        if (skip_left_ > 0) break;
        if (line_bytes_left_ == 0)
          end_line();
        else
          state_ = state::run;
        break;
      }
    }
  }
  return true;
}

}  // namespace quire::jobproc
