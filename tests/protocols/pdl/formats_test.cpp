// JPEG, PNG, plain text, PostScript, and how analyse() picks the format.
#include <doctest/doctest.h>

#include "protocols/pdl/analysis.hpp"
#include "protocols/pdl/pdl_checks.hpp"
#include "protocols/pdl/pdl_fixtures.hpp"

using namespace quire;
using namespace quire::pdl;
using namespace pdl_test;

namespace {

analysis must(const std::string& doc, std::string_view declared = "", const limits& lim = {}) {
  return pdl_test::must_analyse(doc, declared, lim);
}

using pdl_test::has_note;

std::string be16(uint16_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; }

std::string jpeg(int components, bool jfif_dpi) {
  std::string s = "\xff\xd8";
  if (jfif_dpi) s += std::string("\xff\xe0", 2) + be16(16) + std::string("JFIF\0\x01\x02\x01", 8) + be16(300) + be16(150) + std::string(2, '\0');
  std::string sof = std::string("\x08", 1) + be16(600) + be16(900) + static_cast<char>(components);
  for (int c = 0; c < components; ++c) sof += std::string{static_cast<char>(c + 1), '\x11', '\0'};
  s += std::string("\xff\xc0", 2) + be16(static_cast<uint16_t>(sof.size() + 2)) + sof;
  return s + "\xff\xda" + be16(2) + "scan data\xff\xd9";
}

std::string png_chunk(const std::string& type, const std::string& data) {
  return be32(static_cast<uint32_t>(data.size())) + type + data + be32(0);  // CRC not checked
}

std::string png(int colour_type, const std::string& palette = "", bool phys = false) {
  std::string s = "\x89PNG\r\n\x1a\n";
  s += png_chunk("IHDR", be32(1000) + be32(500) + std::string{8, static_cast<char>(colour_type), 0, 0, 0});
  if (phys) s += png_chunk("pHYs", be32(11811) + be32(11811) + std::string(1, '\x01'));  // 300 dpi
  if (!palette.empty()) s += png_chunk("PLTE", palette);
  return s + png_chunk("IDAT", "xx") + png_chunk("IEND", "");
}

}  // namespace

TEST_CASE("jpeg: components decide, JFIF gives the size") {
  auto gray = must(jpeg(1, true));
  CHECK(gray.format == "image/jpeg");
  CHECK(gray.pages == 1);
  CHECK(gray.page_list[0].ink == colour::mono);
  CHECK(gray.page_list[0].width_pt == doctest::Approx(900 * 72 / 300.0));
  CHECK(gray.page_list[0].height_pt == doctest::Approx(600 * 72 / 150.0));
  auto rgb = must(jpeg(3, false));
  CHECK(rgb.page_list[0].ink == colour::uncertain);
  CHECK(rgb.page_list[0].width_pt == doctest::Approx(900));
  CHECK(has_note(rgb, "72 dpi assumed"));
  auto r = analyse("\xff\xd8\xff\xe0\x00\x10JFIF", "");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::corruption);
}

TEST_CASE("png: colour type and palette decide, pHYs gives the size") {
  CHECK(must(png(0)).page_list[0].ink == colour::mono);
  CHECK(must(png(4)).page_list[0].ink == colour::mono);
  CHECK(must(png(2)).page_list[0].ink == colour::uncertain);
  CHECK(must(png(6)).page_list[0].ink == colour::uncertain);
  CHECK(must(png(3, std::string("\0\0\0\x80\x80\x80\xff\xff\xff", 9))).page_list[0].ink == colour::mono);
  CHECK(must(png(3, std::string("\0\0\0\xff\0\0", 6))).page_list[0].ink == colour::uncertain);
  auto sized = must(png(0, "", true));
  CHECK(sized.page_list[0].width_pt == doctest::Approx(1000 * 72 / 299.9994).epsilon(0.001));
  CHECK_FALSE(analyse("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", "").ok());
}

TEST_CASE("text: 66 lines a page, form feeds, wrapping") {
  auto lines = [](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += "line " + std::to_string(i) + "\n";
    return s;
  };
  CHECK(must("hello\n").pages == 1);
  CHECK(must(lines(66)).pages == 1);
  CHECK(must(lines(67)).pages == 2);
  CHECK(must("a\fb\fc").pages == 3);
  CHECK(must("a\f").pages == 1);            // a final form feed prints nothing more
  CHECK(must("a\f\r\n").pages == 1);
  CHECK(must("a\f\fb").pages == 3);         // FF FF: a blank page
  CHECK(must(std::string(161, 'x')).pages == 1);
  CHECK(must(lines(65) + std::string(81, 'x')).pages == 2);  // the long line wraps
  CHECK(must(lines(65) + "\t\t\t\t\t\t\t\t\t\tx").pages == 2);  // tabs to column 81
  CHECK(must(lines(65) + "\xc3\xa9" + std::string(79, 'x')).pages == 1);  // 80 characters
  auto a = must("plain text\r\n", "text/plain");
  CHECK(a.format == "text/plain");
  CHECK(a.exact);
  CHECK(a.page_list[0].ink == colour::mono);
  CHECK(a.page_list[0].width_pt == doctest::Approx(595.276));
}

TEST_CASE("postscript: a quote from DSC, never exact") {
  auto a = must(read_fixture("dsc-two-pages.ps"));
  CHECK(a.format == "application/postscript");
  CHECK(a.pages == 2);
  CHECK_FALSE(a.exact);
  CHECK(a.title == "Quire sample");
  CHECK(a.uncertain_pages() == std::vector<uint32_t>{1, 2});
  CHECK(a.page_list[0].width_pt == 595);
  std::string atend =
      "%!PS-Adobe-3.0\n%%Pages: (atend)\n%%BoundingBox: 0 0 612 792\n%%EndComments\n"
      "%%BeginDocument: inner.eps\n%%Page: 1 1\n%%EndDocument\n"
      "%%Page: 1 1\nshowpage\n%%Page: 2 2\nshowpage\n%%Page: 3 3\nshowpage\n%%Trailer\n%%Pages: 3\n%%EOF\n";
  auto b = must(atend);
  CHECK(b.pages == 3);
  CHECK(b.page_list[2].height_pt == 792);
  CHECK(b.notes.size() == 1);  // the size came from the bounding box
  auto liar = must("%!PS-Adobe-3.0\n%%Pages: 9\n%%EndComments\n%%Page: 1 1\nshowpage\n");
  CHECK(liar.pages == 9);
  CHECK(has_note(liar, "%%Pages: says 9, the document has 1 %%Page: comments"));
  auto bare = must("%!\n/Times-Roman findfont 12 scalefont setfont 72 72 moveto (hi) show showpage\n");
  CHECK(bare.pages == 0);
  CHECK(has_note(bare, "only interpreting can count"));
  limits lim;
  lim.max_pages = 100;
  auto r = analyse("%!PS-Adobe-3.0\n%%Pages: 100000000\n", "", lim);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::limit_exceeded);
}

TEST_CASE("analyse: the content decides the format") {
  std::string pdf = make_pdf({page_spec{"1 0 0 rg 0 0 9 9 re f"}});
  SUBCASE("a declared format that disagrees adds a note") {
    auto a = must(pdf, "image/urf");
    CHECK(a.format == "application/pdf");
    CHECK(has_note(a, "declared image/urf, the content is application/pdf"));
    CHECK_FALSE(has_note(must(pdf, "application/pdf; charset=x"), "declared"));
    CHECK_FALSE(has_note(must(pdf, "application/octet-stream"), "declared"));
  }
  SUBCASE("a PJL header and trailer are skipped") {
    std::string job = "\x1b%-12345X@PJL JOB NAME=\"x\"\r\n@PJL ENTER LANGUAGE=PDF\r\n" + pdf +
                      "\x1b%-12345X@PJL EOJ\r\n\x1b%-12345X";
    auto a = must(job);
    CHECK(a.format == "application/pdf");
    CHECK(a.pages == 1);
    CHECK(a.page_list[0].ink == colour::colour);
  }
  SUBCASE("PCL 5 is refused clearly") {
    auto r = analyse("\x1b" "E\x1b&l0O hello \x0c\x1b" "E", "application/vnd.hp-pcl");
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::unsupported);
    CHECK(r.err().message.find("PCL 5 page counting is not supported") == 0);
  }
  SUBCASE("unknown, empty and oversized documents") {
    auto unknown = analyse(std::string("\x00\x01\x02\x03garbage", 11), "application/pdf");
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.err().code == errc::unsupported);
    auto empty = analyse("", "application/pdf");
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.err().code == errc::corruption);
    limits lim;
    lim.max_bytes = 100;
    auto big = analyse(pdf, "application/pdf", lim);
    REQUIRE_FALSE(big.ok());
    CHECK(big.err().code == errc::limit_exceeded);
  }
}

TEST_CASE("analysis: page lists") {
  analysis a;
  a.pages = 4;
  a.page_list = {{0, 0, colour::mono}, {0, 0, colour::colour}, {0, 0, colour::uncertain}, {0, 0, colour::mono}};
  CHECK(a.mono_pages() == 2);
  CHECK(a.colour_pages() == 1);
  CHECK(a.uncertain_pages() == std::vector<uint32_t>{3});
  a.page_list.clear();
  CHECK(a.uncertain_pages() == std::vector<uint32_t>{1, 2, 3, 4});
  CHECK(std::string(to_string(colour::uncertain)) == "uncertain");
}
