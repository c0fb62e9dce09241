// The PWG raster / URF page counter on streams built by hand, fed in every
// chunking; gs's own output is counted in convert_test.cpp.
#include <doctest/doctest.h>

#include <string>

#include "devices/jobproc/raster_counter.hpp"

using namespace quire::jobproc;

namespace {

void put32(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + static_cast<size_t>(i)] = static_cast<char>(v >> (24 - 8 * i));
}

// A PWG page header: 8-bit sGray (or 24-bit sRGB), width x height.
std::string pwg_header(uint32_t width, uint32_t height, bool rgb = false) {
  std::string h(1796, '\0');
  put32(h, 372, width);
  put32(h, 376, height);
  put32(h, 384, 8);
  put32(h, 388, rgb ? 24 : 8);
  put32(h, 392, width * (rgb ? 3 : 1));
  put32(h, 400, rgb ? 19 : 18);
  put32(h, 420, rgb ? 3 : 1);
  return h;
}

std::string urf_header(uint32_t width, uint32_t height) {
  std::string h(32, '\0');
  h[0] = 24;  // bits per pixel
  h[1] = 1;   // sRGB
  put32(h, 12, width);
  put32(h, 16, height);
  put32(h, 20, 300);
  return h;
}

// Page 1 (4 x 3 gray): line 1 repeated twice, as one run of 4; line 3 as
// 4 literal pixels. Page 2: one line "rest is white" repeated 3 times.
std::string pwg_stream() {
  std::string s = "RaS2" + pwg_header(4, 3);
  s += std::string("\x01\x03\x7f", 3);             // 2 lines: pixel 0x7f x 4
  s += std::string("\x00\xfd\x01\x02\x03\x04", 6); // 1 line: 4 literal pixels
  s += pwg_header(4, 3) + std::string("\x02\x80", 2);
  return s;
}

uint32_t count(raster_counter::format f, const std::string& s, size_t step, bool& complete) {
  raster_counter c(f);
  for (size_t at = 0; at < s.size(); at += step) REQUIRE(c.feed(std::string_view(s).substr(at, step)));
  complete = c.complete();
  return c.pages();
}

}  // namespace

TEST_CASE("raster_counter: PWG and URF pages in any chunking") {
  std::string urf = std::string("UNIRAST\0\0\0\0\0", 12) + urf_header(2, 2) +
                    std::string("\x01\x01\xaa\xbb\xcc", 5) +  // 2 lines: 2 x one RGB pixel
                    urf_header(2, 1) + std::string("\x00\xff\x01\x02\x03\x04\x05\x06", 8);
  for (size_t step : {1, 2, 3, 7, 1800, 100000}) {
    bool complete = false;
    CHECK(count(raster_counter::format::pwg, pwg_stream(), step, complete) == 2);
    CHECK(complete);
    CHECK(count(raster_counter::format::urf, urf, step, complete) == 2);
    CHECK(complete);
  }
  raster_counter empty(raster_counter::format::pwg);
  CHECK(empty.complete());
  CHECK(empty.pages() == 0);
}

TEST_CASE("raster_counter: cut streams are incomplete, wrong ones fail for good") {
  std::string s = pwg_stream();
  for (size_t cut : {2ul, 100ul, 1800ul, s.size() - 1}) {
    raster_counter c(raster_counter::format::pwg);
    CHECK(c.feed(s.substr(0, cut)));
    CHECK_FALSE(c.complete());
  }
  raster_counter ps(raster_counter::format::pwg);
  CHECK_FALSE(ps.feed("%!PS-Adobe-3.0\n"));
  CHECK(ps.failed());
  CHECK_FALSE(ps.feed(pwg_stream()));  // stays failed
  CHECK_FALSE(ps.complete());

  std::string bad = "RaS2" + pwg_header(4, 3);
  put32(bad, 4 + 392, 5);  // bytes per line that do not match the width
  raster_counter c(raster_counter::format::pwg);
  CHECK_FALSE(c.feed(bad));
  CHECK(c.error_message().find("page 1") != std::string::npos);

  raster_counter u(raster_counter::format::urf);
  CHECK_FALSE(u.feed(std::string("RaS2") + std::string(20, '\0')));
}
