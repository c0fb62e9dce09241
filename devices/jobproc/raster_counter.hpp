// Counts the pages of a PWG raster or URF stream as Ghostscript writes it,
// without holding a page: the converter feeds it the bytes it streams into
// the output file, and learns how many pages were written and whether the
// stream is what the device should have produced (a PostScript job can
// switch gs to another device; the printer must not get that).
//
// Both formats (layouts in protocols/pdl/raster.cpp): a file header ("RaS2";
// "UNIRAST\0" and a page count), then per page a header (1796 or 32 bytes)
// and compressed lines: a line-repeat byte, then runs until the line is
// full (n 0-127: one pixel n+1 times; 129-255: 257-n literal pixels; 128:
// the rest is white). Only the structure is walked; pixels are skipped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace quire::jobproc {

class raster_counter {
 public:
  enum class format : uint8_t { pwg, urf };

  explicit raster_counter(format f) : format_(f) {}

  /// Walks `bytes`; false once the stream is not valid (error_message()
  /// says why), and ever after.
  bool feed(std::string_view bytes);

  /// Pages whose last line has been read.
  uint32_t pages() const { return pages_; }
  /// True when the stream so far ends between pages (or is empty).
  bool complete() const {
    return error_.empty() && have_ == 0 && (state_ == state::header || state_ == state::file_header);
  }
  bool failed() const { return !error_.empty(); }
  const std::string& error_message() const { return error_; }

 private:
  enum class state : uint8_t { file_header, header, line_repeat, run, skip };

  size_t file_header_size() const { return format_ == format::pwg ? 4 : 12; }
  size_t page_header_size() const { return format_ == format::pwg ? 1796 : 32; }
  bool fail(std::string why);
  // Takes up to `want` bytes of `in` into head_; true when it holds `want`.
  bool gather(std::string_view& in, size_t want);
  bool start_page();
  void end_line();
  void run_byte(unsigned n);

  format format_;
  state state_ = state::file_header;
  std::string head_;  // the header being gathered
  size_t have_ = 0;   // header bytes gathered (head_.size())
  uint64_t lines_left_ = 0, line_bytes_left_ = 0, skip_left_ = 0;
  uint64_t bytes_per_line_ = 0, unit_ = 1;
  uint32_t pages_ = 0;
  std::string error_;
};

}  // namespace quire::jobproc
