// JPEG and PNG documents: one page each, read from the headers only.
//
// JPEG (ITU T.81 annex B): the first SOFn segment gives the size and the
// number of components: 1 is mono; 3 (YCbCr/RGB) and 4 (CMYK/YCCK) are
// uncertain (a gray photo saved in colour is common). Density from the JFIF
// APP0 segment; without one (or with aspect-ratio units only), 72 dpi is
// assumed and a note says so (EXIF resolution is not read).
// PNG (ISO 15948): IHDR gives size and colour type: gray (0) and gray+alpha
// (4) are mono, palette (3) is mono when every PLTE entry is gray, else
// uncertain; truecolour (2, 6) is uncertain. Density from pHYs (metres).
// The printed size depends on the job's media and print-scaling; the size
// here is the image's own.
#include <cmath>

#include "protocols/pdl/formats.hpp"

namespace quire::pdl::detail {

namespace {

analysis one_page(double width_px, double height_px, double dpi_x, double dpi_y, colour ink,
                  bool density_known) {
  analysis a;
  a.exact = true;
  a.pages = 1;
  if (!(dpi_x > 0) || !(dpi_y > 0)) dpi_x = dpi_y = 72, density_known = false;
  a.page_list.push_back(page{width_px * 72 / dpi_x, height_px * 72 / dpi_y, ink});
  if (!density_known) a.notes.push_back("the image gives no resolution; 72 dpi assumed");
  return a;
}

bool is_sof(unsigned m) {
  return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

}  // namespace

result<analysis> analyse_jpeg(std::string_view s, const limits&) {
  double dpi_x = 0, dpi_y = 0;
  bool density = false;
  size_t at = 2;  // after SOI
  while (at + 4 <= s.size()) {
    if (static_cast<unsigned char>(s[at]) != 0xff) return corrupt("the JPEG is damaged: a marker is missing");
    unsigned m = static_cast<unsigned char>(s[at + 1]);
    if (m == 0xff) {  // fill byte
      ++at;
      continue;
    }
    if (m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      at += 2;
      continue;
    }
    if (m == 0xd9 || m == 0xda) break;  // EOI or scan data before any SOF
    size_t len = be16(s, at + 2);
    if (len < 2 || len > s.size() - at - 2) return corrupt("the JPEG is damaged: a segment is cut");
    std::string_view seg = s.substr(at + 4, len - 2);
    if (m == 0xe0 && seg.size() >= 12 && seg.substr(0, 5) == std::string_view("JFIF\0", 5)) {
      unsigned units = static_cast<unsigned char>(seg[7]);
      double scale = units == 1 ? 1 : units == 2 ? 2.54 : 0;
      dpi_x = be16(seg, 8) * scale;
      dpi_y = be16(seg, 10) * scale;
      density = scale > 0;
    }
    if (is_sof(m)) {
      if (seg.size() < 6) return corrupt("the JPEG is damaged: the frame header is cut");
      unsigned comps = static_cast<unsigned char>(seg[5]);
      colour ink = comps == 1 ? colour::mono : colour::uncertain;
      return one_page(be16(seg, 3), be16(seg, 1), dpi_x, dpi_y, ink, density);
    }
    at += 2 + len;
  }
  return corrupt("the JPEG is damaged: no frame header");
}

result<analysis> analyse_png(std::string_view s, const limits&) {
  size_t at = 8;  // after the signature
  double width = 0, height = 0, dpi_x = 0, dpi_y = 0;
  int type = -1;
  bool density = false;
  colour palette = colour::uncertain;
  while (at + 8 <= s.size()) {
    uint32_t len = be32(s, at);
    std::string_view name = s.substr(at + 4, 4);
    if (len > s.size() - at - 8) return corrupt("the PNG is damaged: a chunk is cut");
    std::string_view d = s.substr(at + 8, len);
    if (name == "IHDR" && len >= 13) {
      width = be32(d, 0);
      height = be32(d, 4);
      type = static_cast<unsigned char>(d[9]);
    } else if (name == "PLTE") {
      palette = len % 3 == 0 && len > 0 ? colour::mono : colour::uncertain;
      for (size_t i = 0; i + 2 < len; i += 3)
        if (d[i] != d[i + 1] || d[i + 1] != d[i + 2]) palette = colour::uncertain;
    } else if (name == "pHYs" && len >= 9 && d[8] == 1) {  // pixels per metre
      dpi_x = be32(d, 0) * 0.0254;
      dpi_y = be32(d, 4) * 0.0254;
      density = true;
    } else if (name == "IDAT" || name == "IEND") {
      break;  // PLTE and pHYs come before the image data
    }
    at += 12 + size_t{len};
  }
  if (type < 0 || width == 0 || height == 0) return corrupt("the PNG is damaged: no image header");
  colour ink = type == 0 || type == 4 ? colour::mono : type == 3 ? palette : colour::uncertain;
  return one_page(width, height, dpi_x, dpi_y, ink, density);
}

}  // namespace quire::pdl::detail
