// An incremental reader of the binary PNM pages Ghostscript's pbmraw,
// pgmraw and ppmraw devices write one after another to -sOutputFile=-.
//
// Each page is a header ("P4"/"P5"/"P6", width, height, and for P5/P6 a
// maxval, separated by whitespace and '#' comments, then one whitespace
// byte) followed by exactly the pixel bytes the header announces. The reader
// takes the stream in whatever pieces the pipe delivers, never keeps more
// than a header and one partial pixel, and for every page records its size
// and whether it is colour: a P6 page is colour when some pixel's
// max - min channel exceeds `threshold` (on a 0..255 scale), which is what
// STACK-NOTES found right where gs's inkcov was wrong (black text drawn as
// RGB, rich black, neutral images). P4 and P5 pages are never colour.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace quire::jobproc {

struct pnm_page {
  uint32_t width = 0;
  uint32_t height = 0;
  bool colour = false;
};

class pnm_stream {
 public:
  /// Default threshold: 8/255.
  explicit pnm_stream(uint32_t threshold = 8) : threshold_(threshold) {}

  /// Consumes `bytes`. false once the stream is malformed (then stays so).
  bool feed(std::string_view bytes);
  /// true when the stream ended on a page boundary (call at EOF).
  bool complete() const { return !failed() && state_ == state::header && header_.empty(); }

  const std::vector<pnm_page>& pages() const { return pages_; }
  bool failed() const { return state_ == state::failed; }
  const std::string& error_message() const { return error_; }

 private:
  enum class state : uint8_t { header, pixels, failed };
  enum class header_status : uint8_t { need_more, done, bad };

  header_status parse_header();
  void fail(std::string message);
  size_t consume_pixels(const unsigned char* p, size_t n);
  void check_pixel(const unsigned char* px);

  uint32_t threshold_;
  state state_ = state::header;
  std::string header_;        // bytes of the current header so far
  uint64_t remaining_ = 0;    // pixel bytes left in the current page
  unsigned kind_ = 0;         // 4, 5 or 6
  uint32_t maxval_ = 0;
  unsigned pixel_bytes_ = 0;  // bytes per pixel (P6 only; 0 = not checked)
  unsigned char partial_[6] = {};
  unsigned partial_len_ = 0;
  std::vector<pnm_page> pages_;
  std::string error_;
};

}  // namespace quire::jobproc
