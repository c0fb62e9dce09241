// PWG raster (PWG 5102.4) and Apple raster (URF): the page headers are read
// and every page's compressed lines decoded, both to find the next header
// and to look at the pixels.
//
// PWG raster: "RaS2", then per page a 1796-byte big-endian header (CUPS's
// cups_page_header2_t layout) and the page's lines. URF: "UNIRAST\0", a
// page count, then per page a 32-byte header (bits per pixel, colour space,
// duplex, quality, width, height, resolution) and the lines. Both compress
// lines the same way: a line-repeat byte (the line appears n+1 times), then
// runs until the line is full: n in 0-127, one pixel repeated n+1 times;
// n in 129-255, 257-n literal pixels; 128, the rest of the line is white.
//
// Colour is decided exactly from the pixels: gray spaces are mono; in RGB a
// pixel whose channels differ by more than 8/255 (the renderer's threshold,
// see STACK-NOTES) makes the page colour; in CMYK any cyan, magenta or
// yellow does. Other colour spaces are uncertain.
#include <algorithm>

#include "protocols/pdl/formats.hpp"

namespace quire::pdl::detail {

namespace {

enum class kind : uint8_t { gray, rgb, cmyk, other };

struct raster_page {
  uint64_t width = 0, height = 0;    // pixels
  uint64_t bytes_per_line = 0;
  uint32_t unit = 1;                 // bytes per compression unit (pixel)
  uint32_t bits_per_colour = 8;
  kind space = kind::other;
  int cmy_at = 0;                    // CMYK: index of the first of C, M, Y
  bool planar = false;
  uint32_t colours = 1;
};

class line_decoder {
 public:
  line_decoder(std::string_view s, size_t at, const raster_page& p) : s_(s), at_(at), p_(p) {}

  // Decodes the page's lines; false when the data ends first or is bad.
  bool run();
  size_t end() const { return at_; }
  colour verdict() const { return verdict_; }

 private:
  bool line();
  void look(size_t at);

  std::string_view s_;
  size_t at_;
  const raster_page& p_;
  colour verdict_ = colour::mono;
};

bool line_decoder::run() {
  if (p_.space == kind::other) verdict_ = colour::uncertain;
  uint64_t lines = p_.planar ? p_.height * p_.colours : p_.height;
  while (lines > 0) {
    if (at_ >= s_.size()) return false;
    uint64_t repeat = static_cast<unsigned char>(s_[at_++]) + uint64_t{1};
    if (!line()) return false;
    lines -= std::min(repeat, lines);
  }
  return true;
}

bool line_decoder::line() {
  uint64_t left = p_.bytes_per_line;
  while (left > 0) {
    if (at_ >= s_.size()) return false;
    unsigned n = static_cast<unsigned char>(s_[at_++]);
    if (n == 128) return true;  // the rest is white
    uint64_t pixels = n < 128 ? n + 1 : 257 - n;
    uint64_t bytes = std::min<uint64_t>(pixels * p_.unit, left);
    uint64_t stored = n < 128 ? p_.unit : bytes;
    if (stored > s_.size() - at_) return false;
    if (verdict_ == colour::mono && !p_.planar)
      for (uint64_t i = 0; i + p_.unit <= stored; i += p_.unit) look(at_ + i);
    at_ += stored;
    left -= bytes;
  }
  return true;
}

// One pixel at `at` (chunky order, 8 or 16 bits per colour).
void line_decoder::look(size_t at) {
  if (p_.space == kind::gray) return;
  auto sample = [&](uint32_t c) -> unsigned {
    const auto* b = reinterpret_cast<const unsigned char*>(s_.data() + at);
    return p_.bits_per_colour == 16 ? (b[2 * c] << 8 | b[2 * c + 1]) : b[c];
  };
  if (p_.space == kind::rgb) {
    unsigned r = sample(0), g = sample(1), b = sample(2);
    unsigned hi = std::max({r, g, b}), lo = std::min({r, g, b});
    unsigned threshold = p_.bits_per_colour == 16 ? 8 * 257 : 8;
    if (hi - lo > threshold) verdict_ = colour::colour;
    return;
  }
  for (int c = 0; c < 3; ++c)
    if (sample(static_cast<uint32_t>(p_.cmy_at + c)) != 0) verdict_ = colour::colour;
}

// cupsColorSpace values (CUPS raster.h / PWG 5102.4 section 4.3.1.3).
void pwg_space(uint32_t cs, uint32_t colours, raster_page& p) {
  switch (cs) {
    case 0: case 3: case 18: case 48: p.space = kind::gray; break;      // W, K, SW, Device1
    case 1: case 2: case 17: case 19: case 20: p.space = kind::rgb; break;  // RGB(A/W), sRGB, AdobeRGB
    case 6: p.space = kind::cmyk; p.cmy_at = 0; break;                 // CMYK
    case 8: p.space = kind::cmyk; p.cmy_at = 1; break;                 // KCMY
    default: p.space = kind::other; break;
  }
  if (p.space == kind::rgb && colours < 3) p.space = kind::other;
  if (p.space == kind::cmyk && colours < 4) p.space = kind::other;
}

// Whether a header describes a page the decoder can walk; fills `p`.
bool pwg_header(std::string_view h, raster_page& p, page& out) {
  uint32_t res_x = be32(h, 276), res_y = be32(h, 280);
  p.width = be32(h, 372);
  p.height = be32(h, 376);
  p.bits_per_colour = be32(h, 384);
  uint32_t bits_per_pixel = be32(h, 388);
  p.bytes_per_line = be32(h, 392);
  uint32_t order = be32(h, 396);
  p.colours = be32(h, 420);
  if (p.width == 0 || p.height == 0 || bits_per_pixel == 0 || bits_per_pixel > 240 || order > 2)
    return false;
  if (p.colours == 0) p.colours = 1;
  p.planar = order == 2;
  p.unit = order == 0 ? (bits_per_pixel + 7) / 8 : (p.bits_per_colour + 7) / 8;
  uint64_t bits = order == 0 ? p.width * bits_per_pixel : p.width * p.bits_per_colour;
  if (order == 1) bits *= p.colours;
  if (p.bytes_per_line != (bits + 7) / 8 || p.unit == 0) return false;
  pwg_space(be32(h, 400), p.colours, p);
  bool samples_ok = order == 0 && (p.bits_per_colour == 8 || p.bits_per_colour == 16) &&
                    bits_per_pixel == p.bits_per_colour * p.colours;
  if (p.space != kind::gray && !samples_ok) p.space = kind::other;
  out.width_pt = be32(h, 352);
  out.height_pt = be32(h, 356);
  if ((out.width_pt == 0 || out.height_pt == 0) && res_x && res_y) {
    out.width_pt = p.width * 72.0 / res_x;
    out.height_pt = p.height * 72.0 / res_y;
  }
  return true;
}

// The pages of either format: `header` reads one page header at `at` (of
// `header_bytes`) and says whether it is usable.
template <class Header>
result<analysis> pages(std::string_view s, size_t at, size_t header_bytes, const char* what,
                       const limits& lim, Header header) {
  analysis a;
  a.exact = true;
  while (at < s.size()) {
    if (s.size() - at < header_bytes) {
      a.exact = false;
      a.notes.push_back(std::string("the ") + what + " data ends inside a page header");
      break;
    }
    raster_page p;
    page pg;
    if (!header(s.substr(at, header_bytes), p, pg)) {
      a.exact = false;
      a.notes.push_back(std::string("page ") + std::to_string(a.page_list.size() + 1) +
                        " has an invalid " + what + " header; counting stopped");
      break;
    }
    line_decoder lines(s, at + header_bytes, p);
    bool complete = lines.run();
    if (status st = check_pages(a.page_list.size() + 1, lim)) return st;
    pg.ink = complete ? lines.verdict() : combine(lines.verdict(), colour::uncertain);
    a.page_list.push_back(pg);
    if (!complete) {
      a.exact = false;
      a.notes.push_back(std::string("the ") + what + " data ends inside page " +
                        std::to_string(a.page_list.size()));
      break;
    }
    at = lines.end();
  }
  a.pages = static_cast<uint32_t>(a.page_list.size());
  if (a.pages == 0) return corrupt(std::string("the ") + what + " document has no readable page");
  return a;
}

}  // namespace

result<analysis> analyse_pwg_raster(std::string_view data, const limits& lim) {
  if (data.substr(0, 4) != "RaS2") return corrupt("the PWG raster sync word is missing");
  return pages(data, 4, 1796, "PWG raster", lim, pwg_header);
}

result<analysis> analyse_urf(std::string_view data, const limits& lim) {
  if (data.size() < 12 || data.substr(0, 8) != std::string_view("UNIRAST\0", 8))
    return corrupt("the URF header is missing");
  uint32_t declared = be32(data, 8);
  auto header = [](std::string_view h, raster_page& p, page& out) {
    uint32_t bpp = static_cast<unsigned char>(h[0]);
    uint32_t cs = static_cast<unsigned char>(h[1]);
    p.width = be32(h, 12);
    p.height = be32(h, 16);
    uint32_t dpi = be32(h, 20);
    // URF colour spaces: 0 sGray, 1 sRGB, 2 CIELab, 3 AdobeRGB, 4 gray, 5 RGB, 6 CMYK.
    static const kind kinds[] = {kind::gray, kind::rgb, kind::other, kind::rgb,
                                 kind::gray, kind::rgb, kind::cmyk};
    static const uint32_t colours[] = {1, 3, 3, 3, 1, 3, 4};
    if (p.width == 0 || p.height == 0 || bpp == 0 || bpp % 8 || cs > 6) return false;
    p.space = kinds[cs];
    p.colours = colours[cs];
    p.unit = bpp / 8;
    p.bits_per_colour = bpp / p.colours;
    p.bytes_per_line = p.width * p.unit;
    if (p.space != kind::gray && p.bits_per_colour != 8 && p.bits_per_colour != 16)
      p.space = kind::other;
    if (p.bits_per_colour * p.colours != bpp) p.space = p.space == kind::gray ? p.space : kind::other;
    if (dpi) {
      out.width_pt = p.width * 72.0 / dpi;
      out.height_pt = p.height * 72.0 / dpi;
    }
    return true;
  };
  auto r = pages(data, 12, 32, "URF", lim, header);
  // gs writes 0 when it cannot seek back to fill the count in.
  if (r.ok() && declared != 0 && declared != r->pages)
    r->notes.push_back("the URF header announces " + std::to_string(declared) + " pages, the data has " +
                       std::to_string(r->pages));
  return r;
}

}  // namespace quire::pdl::detail
