// Documents assembled in test code: PDFs with a correct cross-reference
// table, PCL XL streams, PWG raster and URF pages. Pure std, so the tests
// need no tool and no file, and what each test feeds is visible in it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

namespace pdl_test {

// ---- PDF --------------------------------------------------------------------

/// Objects numbered from 1 in the order added; build() writes the file.
class pdf_builder {
 public:
  /// Reserves an object number to fill in later with set().
  int reserve() {
    objects_.emplace_back();
    return static_cast<int>(objects_.size());
  }
  int add(std::string body) {
    objects_.push_back(std::move(body));
    return static_cast<int>(objects_.size());
  }
  void set(int n, std::string body) { objects_[static_cast<size_t>(n - 1)] = std::move(body); }
  /// A stream object; `dict` holds extra entries, e.g. "/Subtype /Form".
  int stream(const std::string& dict, const std::string& data) {
    return add(stream_body(dict, data));
  }
  static std::string stream_body(const std::string& dict, const std::string& data) {
    return "<< /Length " + std::to_string(data.size()) + " " + dict + " >>\nstream\n" + data +
           "\nendstream";
  }
  /// The file: header, objects, xref, trailer (Root and optional Info).
  std::string build(int root, int info = 0) const {
    std::string out = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
    std::vector<size_t> offsets;
    for (size_t i = 0; i < objects_.size(); ++i) {
      offsets.push_back(out.size());
      out += std::to_string(i + 1) + " 0 obj\n" + objects_[i] + "\nendobj\n";
    }
    size_t xref = out.size();
    out += "xref\n0 " + std::to_string(objects_.size() + 1) + "\n0000000000 65535 f \n";
    char line[32];
    for (size_t off : offsets) {
      std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
      out += line;
    }
    out += "trailer\n<< /Size " + std::to_string(objects_.size() + 1) + " /Root " +
           std::to_string(root) + " 0 R";
    if (info) out += " /Info " + std::to_string(info) + " 0 R";
    out += " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return out;
  }

 private:
  std::vector<std::string> objects_;
};

inline std::string ref(int n) { return std::to_string(n) + " 0 R"; }

struct page_spec {
  std::string content;     // the content stream
  std::string resources;
  std::string media_box;   // A4, rounded, by default
  std::string extra;       // more page entries, e.g. "/Rotate 90"

  page_spec(std::string c = "", std::string r = "<< >>", std::string box = "[0 0 595 842]",
            std::string more = "")
      : content(std::move(c)), resources(std::move(r)), media_box(std::move(box)), extra(std::move(more)) {}
};

/// A PDF with one flat page tree; `count` forges /Count when >= 0. `more`
/// may add objects first (resources referring to them by number).
inline std::string make_pdf(const std::vector<page_spec>& pages, long count = -1,
                            const std::function<void(pdf_builder&)>& more = {},
                            const std::string& info = "") {
  pdf_builder b;
  if (more) more(b);
  int tree = b.reserve();
  std::string kids;
  for (auto& p : pages) {
    int content = b.stream("", p.content);
    int page = b.add("<< /Type /Page /Parent " + ref(tree) + " /MediaBox " + p.media_box +
                     " /Resources " + p.resources + " /Contents " + ref(content) + " " +
                     p.extra + " >>");
    kids += ref(page) + " ";
  }
  long n = count >= 0 ? count : static_cast<long>(pages.size());
  b.set(tree, "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(n) + " >>");
  int root = b.add("<< /Type /Catalog /Pages " + ref(tree) + " >>");
  int info_obj = info.empty() ? 0 : b.add(info);
  return b.build(root, info_obj);
}

inline std::string one_page(const std::string& content, const std::string& resources = "<< >>") {
  return make_pdf({page_spec{content, resources}});
}

// ---- binary helpers -----------------------------------------------------------

inline void put_be32(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + static_cast<size_t>(i)] = static_cast<char>(v >> (24 - 8 * i));
}
inline std::string be32(uint32_t v) {
  std::string s(4, '\0');
  put_be32(s, 0, v);
  return s;
}

/// Compresses one raster line (PWG 5102.4 / URF): a repeat byte of 0, then
/// literal runs of at most 128 pixels of `unit` bytes.
inline std::string raster_line(const std::string& pixels, size_t unit) {
  std::string out(1, '\0');
  size_t count = pixels.size() / unit;
  for (size_t at = 0; at < count;) {
    size_t n = std::min<size_t>(128, count - at);
    out += n == 1 ? '\0' : static_cast<char>(257 - n);
    out += pixels.substr(at * unit, n * unit);
    at += n;
  }
  return out;
}

/// A PWG raster page: header and lines. `pixel(x, y)` returns one pixel's
/// bytes (bits per pixel / 8 of them).
inline std::string pwg_page(uint32_t width, uint32_t height, uint32_t bits_per_colour,
                            uint32_t colours, uint32_t colour_space,
                            const std::function<std::string(uint32_t, uint32_t)>& pixel,
                            uint32_t dpi = 72) {
  std::string h(1796, '\0');
  std::string name = "PwgRaster";
  h.replace(256 - 64, name.size(), name);  // OutputType, for realism
  put_be32(h, 276, dpi);
  put_be32(h, 280, dpi);
  put_be32(h, 352, width * 72 / dpi);
  put_be32(h, 356, height * 72 / dpi);
  put_be32(h, 372, width);
  put_be32(h, 376, height);
  put_be32(h, 384, bits_per_colour);
  put_be32(h, 388, bits_per_colour * colours);
  put_be32(h, 392, (width * bits_per_colour * colours + 7) / 8);
  put_be32(h, 400, colour_space);
  put_be32(h, 420, colours);
  std::string out = h;
  size_t unit = (bits_per_colour * colours + 7) / 8;
  for (uint32_t y = 0; y < height; ++y) {
    std::string line;
    for (uint32_t x = 0; x < width; ++x) line += pixel(x, y);
    out += raster_line(line, unit);
  }
  return out;
}

/// An URF page (32-byte header and lines).
inline std::string urf_page(uint32_t width, uint32_t height, uint8_t bits_per_pixel,
                            uint8_t colour_space,
                            const std::function<std::string(uint32_t, uint32_t)>& pixel,
                            uint32_t dpi = 72) {
  std::string h(32, '\0');
  h[0] = static_cast<char>(bits_per_pixel);
  h[1] = static_cast<char>(colour_space);
  put_be32(h, 12, width);
  put_be32(h, 16, height);
  put_be32(h, 20, dpi);
  std::string out = h;
  for (uint32_t y = 0; y < height; ++y) {
    std::string line;
    for (uint32_t x = 0; x < width; ++x) line += pixel(x, y);
    out += raster_line(line, bits_per_pixel / 8u);
  }
  return out;
}

inline std::string urf_file(uint32_t declared_pages, const std::vector<std::string>& pages) {
  std::string out("UNIRAST\0", 8);
  out += be32(declared_pages);
  for (auto& p : pages) out += p;
  return out;
}

// ---- PCL XL (little-endian binding) ----------------------------------------------

struct pclxl {
  std::string s = ") HP-PCL XL;2;0;Comment quire test\n";

  pclxl& ubyte(uint8_t v) { s += '\xc0'; s += static_cast<char>(v); return *this; }
  pclxl& uint16(uint16_t v) { s += '\xc1'; le16(v); return *this; }
  pclxl& uint16_xy(uint16_t x, uint16_t y) { s += '\xd1'; le16(x); le16(y); return *this; }
  pclxl& uint16_box(uint16_t a, uint16_t b, uint16_t c, uint16_t d) {
    s += '\xe1'; le16(a); le16(b); le16(c); le16(d); return *this;
  }
  pclxl& ubyte_array(const std::string& bytes) {
    s += '\xc8'; s += '\xc0'; s += static_cast<char>(bytes.size()); s += bytes; return *this;
  }
  pclxl& attr(uint8_t id) { s += '\xf8'; s += static_cast<char>(id); return *this; }
  pclxl& op(uint8_t tag) { s += static_cast<char>(tag); return *this; }
  pclxl& data(const std::string& bytes) {
    s += '\xfb'; s += static_cast<char>(bytes.size()); s += bytes; return *this;
  }

  pclxl& begin_session() {
    return uint16_xy(600, 600).attr(0x89).ubyte(0).attr(0x86).ubyte(0).attr(0x8f).op(0x41)
        .ubyte(0).attr(0x88).ubyte(1).attr(0x82).op(0x48);  // OpenDataSource
  }
  pclxl& begin_page(uint8_t media = 2, uint8_t orientation = 0) {
    return ubyte(orientation).attr(0x28).ubyte(media).attr(0x25).op(0x43);
  }
  pclxl& colour_space(uint8_t space) { return ubyte(space).attr(0x03).op(0x6a); }
  pclxl& gray_brush(uint8_t level) { return ubyte(level).attr(0x09).op(0x63); }
  pclxl& rgb_brush(uint8_t r, uint8_t g, uint8_t b) {
    return ubyte_array(std::string{static_cast<char>(r), static_cast<char>(g), static_cast<char>(b)})
        .attr(0x0b).op(0x63);
  }
  pclxl& rectangle() { return op(0x85).uint16_box(100, 100, 500, 500).attr(0x42).op(0xa0); }
  pclxl& end_page(uint16_t copies = 0) {
    if (copies) uint16(copies).attr(0x31);
    return op(0x44);
  }
  pclxl& end_session() { return op(0x49).op(0x42); }  // CloseDataSource, EndSession

 private:
  void le16(uint16_t v) { s += static_cast<char>(v & 0xff); s += static_cast<char>(v >> 8); }
};

// ---- fixtures on disk ----------------------------------------------------------

inline std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(QUIRE_SOURCE_DIR) + "/tests/protocols/pdl/data/" + name,
                   std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace pdl_test
