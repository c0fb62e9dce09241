#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>

#include "protocols/pdl/analysis.hpp"
#include "protocols/pdl/pdl_checks.hpp"
#include "protocols/pdl/pdl_fixtures.hpp"

using namespace quire;
using namespace quire::pdl;
using namespace pdl_test;

namespace {

analysis must(const std::string& doc, const limits& lim = {}) {
  return pdl_test::must_analyse(doc, "application/pdf", lim);
}

colour ink_of(const std::string& content, const std::string& resources = "<< >>") {
  return must(one_page(content, resources)).page_list.at(0).ink;
}

using pdl_test::has_note;

const std::string helvetica = "<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>";
const std::string text_black = "BT /F1 12 Tf 72 700 Td (Hello) Tj ET\n";

}  // namespace

TEST_CASE("pdf: pages come from the tree, not a forged /Count") {
  std::vector<page_spec> pages(10, page_spec{text_black, helvetica});
  auto a = must(make_pdf(pages, 99));
  CHECK(a.format == "application/pdf");
  CHECK(a.pages == 10);
  CHECK(a.exact);
  CHECK(a.page_list.size() == 10);
  CHECK(has_note(a, "/Count says 99, the tree has 10 pages"));
}

TEST_CASE("pdf: neutral colours are mono") {
  CHECK(ink_of(text_black, helvetica) == colour::mono);                      // default black
  CHECK(ink_of("0.5 g " + text_black, helvetica) == colour::mono);           // gray text
  CHECK(ink_of("0 0 0 rg " + text_black, helvetica) == colour::mono);        // RGB black
  CHECK(ink_of("0.3 0.3 0.3 rg 10 10 50 50 re f", helvetica) == colour::mono);
  CHECK(ink_of("0 0 0 1 k 10 10 50 50 re f") == colour::mono);               // K only
  CHECK(ink_of("1 0 0 RG 0 g 10 10 50 50 re f") == colour::mono);            // red stroke unused
  CHECK(ink_of("") == colour::mono);                                          // blank page
  CHECK(ink_of("1 0 0 rg 10 10 m 50 50 l n") == colour::mono);               // path not painted
  CHECK(ink_of("1 0 0 rg BT 3 Tr /F1 12 Tf (x) Tj ET", helvetica) == colour::mono);  // invisible
}

TEST_CASE("pdf: a non-neutral colour used for painting is colour") {
  CHECK(ink_of("1 0 0 rg 10 10 100 100 re f") == colour::colour);
  CHECK(ink_of("0 0 1 RG 10 10 m 100 100 l S") == colour::colour);
  CHECK(ink_of("0.5 0.4 0.4 1 k 10 10 50 50 re f") == colour::colour);  // rich black
  CHECK(ink_of("0 0 0.01 0 k 10 10 50 50 re f") == colour::colour);
  CHECK(ink_of("/DeviceRGB cs 0 1 0 sc 10 10 50 50 re f") == colour::colour);
  CHECK(ink_of("1 0 0 rg BT /F1 12 Tf (x) Tj ET", helvetica) == colour::colour);
  // A tiny colour mark among black text.
  std::string body;
  for (int i = 0; i < 40; ++i) body += "BT /F1 10 Tf 72 " + std::to_string(700 - 12 * i) + " Td (line) Tj ET\n";
  body += "q 0 0.5 1 rg 300 300 1 1 re f Q\n" + text_black;
  CHECK(ink_of(body, helvetica) == colour::colour);
}

TEST_CASE("pdf: q/Q restore the colour") {
  CHECK(ink_of("q 1 0 0 rg Q 10 10 50 50 re f") == colour::mono);
  CHECK(ink_of("1 0 0 rg q 0 g Q 10 10 50 50 re f") == colour::colour);
}

TEST_CASE("pdf: images") {
  auto with_image = [](const std::string& dict, const std::string& data, const std::string& draw = "q 100 0 0 100 0 0 cm /Im0 Do Q") {
    return must(make_pdf({page_spec{draw, "<< /XObject << /Im0 1 0 R >> >>"}}, -1, [&](pdf_builder& b) {
             b.stream("/Type /XObject /Subtype /Image /Width 2 /Height 2 " + dict, data);
           })).page_list.at(0).ink;
  };
  std::string rgb_colour("\xff\x00\x00\x00\xff\x00\x00\x00\xff\x10\x10\x10", 12);
  std::string rgb_gray("\x00\x00\x00\x80\x80\x80\xff\xff\xff\x10\x10\x10", 12);
  CHECK(with_image("/ColorSpace /DeviceRGB /BitsPerComponent 8", rgb_colour) == colour::uncertain);
  CHECK(with_image("/ColorSpace /DeviceRGB /BitsPerComponent 8", rgb_gray) == colour::mono);
  CHECK(with_image("/ColorSpace /DeviceGray /BitsPerComponent 8", "abcd") == colour::mono);
  CHECK(with_image("/ImageMask true /BitsPerComponent 1", std::string(2, '\0')) == colour::mono);
  CHECK(with_image("/ImageMask true /BitsPerComponent 1", std::string(2, '\0'),
                   "1 0 0 rg /Im0 Do") == colour::colour);
  std::string cmyk_k(16, '\0');
  for (int i = 0; i < 4; ++i) cmyk_k[static_cast<size_t>(4 * i + 3)] = '\x80';
  CHECK(with_image("/ColorSpace /DeviceCMYK /BitsPerComponent 8", cmyk_k) == colour::mono);
  CHECK(with_image("/ColorSpace /DeviceCMYK /BitsPerComponent 8", std::string(16, '\x01')) ==
        colour::uncertain);
  // Indexed: an all-gray palette is mono whatever the indices.
  CHECK(with_image("/ColorSpace [/Indexed /DeviceRGB 1 <000000FFFFFF>] /BitsPerComponent 8",
                   "\x00\x01\x01\x00") == colour::mono);
  // A colour palette: only the used entries matter, decoded exactly.
  CHECK(with_image("/ColorSpace [/Indexed /DeviceRGB 1 <000000FF0000>] /BitsPerComponent 8",
                   std::string(4, '\0')) == colour::mono);
  CHECK(with_image("/ColorSpace [/Indexed /DeviceRGB 1 <000000FF0000>] /BitsPerComponent 8",
                   std::string("\0\1\0\0", 4)) == colour::uncertain);
  // Filters are decoded (ASCIIHex here; Flate, LZW, RunLength, DCT alike).
  CHECK(with_image("/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /ASCIIHexDecode",
                   "000000 808080 FFFFFF 101010>") == colour::mono);
  CHECK(with_image("/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /ASCIIHexDecode",
                   "000000 808080 FFFFFF 101011>") == colour::uncertain);
  // /Decode may map neutral samples to colour.
  CHECK(with_image("/ColorSpace /DeviceRGB /BitsPerComponent 8 /Decode [0 1 1 0 0 1]", rgb_gray) ==
        colour::uncertain);
  // A colour space hidden in JPEG 2000 data cannot be judged.
  CHECK(with_image("/Filter /JPXDecode", "not really jpx") == colour::uncertain);
}

TEST_CASE("pdf: inline images") {
  CHECK(ink_of("q 10 0 0 10 0 0 cm BI /W 2 /H 1 /CS /G /BPC 8 ID \x10\x20 EI Q") == colour::mono);
  CHECK(ink_of("q BI /W 1 /H 1 /CS /RGB /BPC 8 ID \x10\x20\x30 EI Q") == colour::uncertain);
  CHECK(ink_of("1 0 0 rg BI /W 8 /H 1 /IM true ID \xff EI") == colour::colour);
  // Data that looks like operators does not confuse the scan.
  CHECK(ink_of("BI /W 3 /H 1 /CS /G /BPC 8 ID rg  EI 0 g 1 1 1 1 re f") == colour::mono);
}

TEST_CASE("pdf: forms are scanned, inherit the colour and cannot loop") {
  auto with_form = [](const std::string& form, const std::string& page) {
    return must(make_pdf({page_spec{page, "<< /XObject << /Fm0 1 0 R >> >>"}}, -1, [&](pdf_builder& b) {
             b.stream("/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /XObject << /Fm0 1 0 R >> >>",
                      form);
           })).page_list.at(0).ink;
  };
  CHECK(with_form("0 g 0 0 10 10 re f", "/Fm0 Do") == colour::mono);
  CHECK(with_form("1 0 0 rg 0 0 10 10 re f", "/Fm0 Do") == colour::colour);
  CHECK(with_form("0 0 10 10 re f", "0 0 1 rg /Fm0 Do") == colour::colour);  // inherited fill
  CHECK(with_form("0 0 10 10 re f", "0 g /Fm0 Do 0 0 1 rg /Fm0 Do") == colour::colour);
  CHECK(with_form("0 0 10 10 re f /Fm0 Do", "/Fm0 Do") == colour::uncertain);  // draws itself
}

TEST_CASE("pdf: nested forms are bounded, shared forms decoded once") {
  SUBCASE("a chain of 100 forms") {
    auto doc = make_pdf({page_spec{"/F0 Do", "<< /XObject << /F0 1 0 R >> >>"}}, -1, [](pdf_builder& b) {
      for (int i = 0; i < 100; ++i)
        b.stream("/Subtype /Form /BBox [0 0 9 9] /Resources << /XObject << /F0 " + ref(i + 2) + " >> >>",
                 i == 99 ? "0 0 9 9 re f" : "/F0 Do");
    });
    CHECK(must(doc).page_list[0].ink == colour::uncertain);
  }
  SUBCASE("a 5 KB letterhead on 10 pages within a 20 KB budget") {
    // With its own /Resources; a form without them depends on each page's
    // resources and is scanned again on each page.
    std::string head = "0 g\n";
    while (head.size() < 5000) head += "0 0 9 9 re f\n";
    std::vector<page_spec> pages(10, page_spec{"/Head Do", "<< /XObject << /Head 1 0 R >> >>"});
    auto doc = make_pdf(pages, -1, [&](pdf_builder& b) { b.stream("/Subtype /Form /BBox [0 0 9 9] /Resources << >>", head); });
    limits lim;
    lim.max_content_bytes_total = 20000;
    auto a = must(doc, lim);
    CHECK(a.mono_pages() == 10);
  }
}

TEST_CASE("pdf: colour spaces") {
  std::string sep_black = "<< /ColorSpace << /CS0 [/Separation /Black /DeviceCMYK << /FunctionType 2 /Domain [0 1] /C0 [0 0 0 0] /C1 [0 0 0 1] /N 1 >>] >> >>";
  CHECK(ink_of("/CS0 cs 1 sc 0 0 9 9 re f", sep_black) == colour::mono);
  std::string spot = "<< /ColorSpace << /CS0 [/Separation /PANTONE#20485 /DeviceCMYK << /FunctionType 2 /Domain [0 1] /C0 [0 0 0 0] /C1 [0 0.95 1 0] /N 1 >>] >> >>";
  CHECK(ink_of("/CS0 cs 0.5 sc 0 0 9 9 re f", spot) == colour::colour);
  CHECK(ink_of("/CS0 cs 0 sc 0 0 9 9 re f", spot) == colour::mono);  // no ink
  std::string spot_fn4 = "<< /ColorSpace << /CS0 [/Separation /Spot /DeviceCMYK 1 0 R] >> >>";
  auto fn4 = make_pdf({page_spec{"/CS0 cs 1 sc 0 0 9 9 re f", spot_fn4}}, -1, [](pdf_builder& b) {
    b.stream("/FunctionType 4 /Domain [0 1] /Range [0 1 0 1 0 1 0 1]", "{ dup dup dup }");
  });
  CHECK(must(fn4).page_list[0].ink == colour::uncertain);
  std::string devn = "<< /ColorSpace << /CS0 [/DeviceN [/Cyan /Black] /DeviceCMYK 0 0 R] >> >>";
  CHECK(ink_of("/CS0 cs 0 1 sc 0 0 9 9 re f", devn) == colour::mono);
  CHECK(ink_of("/CS0 cs 0.2 1 sc 0 0 9 9 re f", devn) == colour::colour);
  std::string lab = "<< /ColorSpace << /CS0 [/Lab << /WhitePoint [0.9505 1 1.089] >>] >> >>";
  CHECK(ink_of("/CS0 cs 50 0 0 sc 0 0 9 9 re f", lab) == colour::mono);
  CHECK(ink_of("/CS0 cs 50 20 0 sc 0 0 9 9 re f", lab) == colour::colour);
  std::string indexed = "<< /ColorSpace << /CS0 [/Indexed /DeviceRGB 1 <FFFFFF00FF00>] >> >>";
  CHECK(ink_of("/CS0 cs 0 sc 0 0 9 9 re f", indexed) == colour::mono);
  CHECK(ink_of("/CS0 cs 1 sc 0 0 9 9 re f", indexed) == colour::colour);
  std::string calrgb = "<< /ColorSpace << /CS0 [/CalRGB << /WhitePoint [0.9505 1 1.089] /Gamma [2.2 2.2 2.2] /Matrix [0.4124 0.2126 0.0193 0.3576 0.7152 0.1192 0.1805 0.0722 0.9505] >>] >> >>";
  CHECK(ink_of("/CS0 cs 0.5 0.5 0.5 sc 0 0 9 9 re f", calrgb) == colour::mono);
  CHECK(ink_of("/CS0 cs 0.5 0.2 0.5 sc 0 0 9 9 re f", calrgb) == colour::colour);
  std::string calrgb_odd = "<< /ColorSpace << /CS0 [/CalRGB << /WhitePoint [0.9505 1 1.089] /Gamma [1.8 2.2 2.2] >>] >> >>";
  CHECK(ink_of("/CS0 cs 0.5 0.5 0.5 sc 0 0 9 9 re f", calrgb_odd) == colour::uncertain);
  // DefaultRGB replaces DeviceRGB (rg included).
  std::string default_rgb = "<< /ColorSpace << /DefaultRGB [/CalRGB << /WhitePoint [0.9505 1 1.089] /Gamma [1.8 2.2 2.2] >>] >> >>";
  CHECK(ink_of("0 0 0 rg 0 0 9 9 re f", default_rgb) == colour::uncertain);
}

TEST_CASE("pdf: shadings and patterns") {
  std::string gray_axial = "<< /ShadingType 2 /ColorSpace /DeviceGray /Coords [0 0 1 0] /Function << /FunctionType 2 /Domain [0 1] /C0 [0] /C1 [1] /N 1 >> >>";
  std::string red_axial = "<< /ShadingType 2 /ColorSpace /DeviceRGB /Coords [0 0 1 0] /Function << /FunctionType 2 /Domain [0 1] /C0 [1 1 1] /C1 [1 0 0] /N 1 >> >>";
  std::string neutral_axial = "<< /ShadingType 2 /ColorSpace /DeviceRGB /Coords [0 0 1 0] /Function << /FunctionType 2 /Domain [0 1] /C0 [1 1 1] /C1 [0 0 0] /N 1 >> >>";
  CHECK(ink_of("/Sh0 sh", "<< /Shading << /Sh0 " + gray_axial + " >> >>") == colour::mono);
  CHECK(ink_of("/Sh0 sh", "<< /Shading << /Sh0 " + red_axial + " >> >>") == colour::colour);
  CHECK(ink_of("/Sh0 sh", "<< /Shading << /Sh0 " + neutral_axial + " >> >>") == colour::mono);
  std::string pattern = "<< /Pattern << /P0 << /PatternType 2 /Shading " + red_axial + " >> >> >>";
  CHECK(ink_of("/Pattern cs /P0 scn 0 0 9 9 re f", pattern) == colour::colour);
  // A coloured tiling pattern: its cell is scanned.
  auto tiling = [](const std::string& cell, const std::string& use) {
    return must(make_pdf({page_spec{use, "<< /Pattern << /P0 1 0 R >> >>"}}, -1, [&](pdf_builder& b) {
             b.stream("/PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 10 10] /XStep 10 /YStep 10 /Resources << >>", cell);
           })).page_list.at(0).ink;
  };
  CHECK(tiling("0 g 0 0 5 5 re f", "/Pattern cs /P0 scn 0 0 99 99 re f") == colour::mono);
  CHECK(tiling("0 1 0 rg 0 0 5 5 re f", "/Pattern cs /P0 scn 0 0 99 99 re f") == colour::colour);
  CHECK(tiling("0 1 0 rg 0 0 5 5 re f", "/Pattern cs /P0 scn 0 0 99 99 re n") == colour::mono);
}

TEST_CASE("pdf: Type 3 glyphs paint with the text colour") {
  auto type3 = [](const std::string& glyph, const std::string& page) {
    return must(make_pdf({page_spec{page, "<< /Font << /T3 1 0 R >> >>"}}, -1, [&](pdf_builder& b) {
             b.reserve();
             int g = b.stream("", glyph);
             b.set(1, "<< /Type /Font /Subtype /Type3 /FontBBox [0 0 10 10] /FontMatrix [0.1 0 0 0.1 0 0] "
                      "/CharProcs << /a " + ref(g) + " >> /Encoding << /Differences [97 /a] >> /FirstChar 97 /LastChar 97 /Widths [10] >>");
           })).page_list.at(0).ink;
  };
  std::string mask_glyph = "10 0 0 0 10 10 d1 1 0 0 rg 0 0 10 10 re f";  // colour ignored after d1
  CHECK(type3(mask_glyph, "BT /T3 12 Tf (a) Tj ET") == colour::mono);
  CHECK(type3(mask_glyph, "0 0 1 rg BT /T3 12 Tf (a) Tj ET") == colour::colour);
  CHECK(type3("10 0 d0 1 0 0 rg 0 0 10 10 re f", "BT /T3 12 Tf (a) Tj ET") == colour::colour);
}

TEST_CASE("pdf: annotations print by their flags and appearance") {
  auto annotated = [](const std::string& annot) {
    return must(make_pdf({page_spec{"", "<< >>", "[0 0 595 842]", "/Annots [" + annot + "]"}}, -1, [](pdf_builder& b) {
             b.stream("/Type /XObject /Subtype /Form /BBox [0 0 10 10]", "1 0 0 rg 0 0 10 10 re f");
           })).page_list.at(0).ink;
  };
  CHECK(annotated("<< /Type /Annot /Subtype /Square /Rect [0 0 10 10] /F 4 /AP << /N 1 0 R >> >>") == colour::colour);
  CHECK(annotated("<< /Type /Annot /Subtype /Square /Rect [0 0 10 10] /F 0 /AP << /N 1 0 R >> >>") == colour::mono);
  CHECK(annotated("<< /Type /Annot /Subtype /Square /Rect [0 0 10 10] /F 6 /AP << /N 1 0 R >> >>") == colour::mono);
  CHECK(annotated("<< /Type /Annot /Subtype /Square /Rect [0 0 10 10] /F 4 >>") == colour::uncertain);
  CHECK(annotated("<< /Type /Annot /Subtype /Widget /Rect [0 0 10 10] /F 4 /AS /On /AP << /N << /On 1 0 R /Off 1 0 R >> >> >>") == colour::colour);
  // Form fields whose appearances the viewer regenerates.
  pdf_builder b;
  int tree = b.reserve();
  int page = b.add("<< /Type /Page /Parent " + ref(tree) + " /MediaBox [0 0 99 99] /Annots [<< /Subtype /Widget "
                   "/FT /Tx /Rect [0 0 9 9] /F 4 /AP << /N " + ref(b.stream("/Subtype /Form /BBox [0 0 9 9]", "")) + " >> >>] >>");
  b.set(tree, "<< /Type /Pages /Kids [" + ref(page) + "] /Count 1 >>");
  auto a = must(b.build(b.add("<< /Type /Catalog /Pages " + ref(tree) + " /AcroForm << /NeedAppearances true >> >>")));
  CHECK(a.page_list[0].ink == colour::uncertain);
}

TEST_CASE("pdf: what cannot be judged is uncertain") {
  CHECK(ink_of("/GS0 gs 0 g 0 0 9 9 re f", "<< /ExtGState << /GS0 << /TR << /FunctionType 2 /Domain [0 1] /C0 [0] /C1 [1] /N 2 >> >> >> >>") == colour::uncertain);
  CHECK(ink_of("/GS0 gs 0 g 0 0 9 9 re f", "<< /ExtGState << /GS0 << /TR /Identity >> >> >>") == colour::mono);
  CHECK(ink_of("/CS0 cs 0 sc 0 0 9 9 re f", "<< /ColorSpace << /CS0 [/ICCBased 0 0 R] >> >>") == colour::uncertain);
  CHECK(ink_of("1 0 rg 0 0 9 9 re f") == colour::uncertain);  // wrong operand count
  CHECK(ink_of("0 g [ 1 0 0 rg 0 0 9 9 re f") == colour::uncertain);  // damaged syntax
  CHECK(ink_of("0 g (unclosed 0 0 9 9 re f") == colour::uncertain);
  // Optional content off by default: a colour page may print mono.
  pdf_builder b;
  int tree = b.reserve();
  int content = b.stream("", "/OC /L0 BDC 1 0 0 rg 0 0 9 9 re f EMC");
  int ocg = b.add("<< /Type /OCG /Name (hidden) >>");
  int page = b.add("<< /Type /Page /Parent " + ref(tree) + " /MediaBox [0 0 200 200] /Contents " + ref(content) +
                   " /Resources << /Properties << /L0 " + ref(ocg) + " >> >> >>");
  b.set(tree, "<< /Type /Pages /Kids [" + ref(page) + "] /Count 1 >>");
  int root = b.add("<< /Type /Catalog /Pages " + ref(tree) + " /OCProperties << /OCGs [" + ref(ocg) +
                   "] /D << /OFF [" + ref(ocg) + "] >> >> >>");
  auto a = must(b.build(root));
  CHECK(a.page_list[0].ink == colour::uncertain);
  CHECK(has_note(a, "optional content"));
}

TEST_CASE("pdf: an ICC profile with a verified neutral axis") {
  // A minimal matrix/TRC RGB profile: colorants adding up to D50, one gamma.
  auto fixed = [](double v) { return be32(static_cast<uint32_t>(static_cast<int32_t>(v * 65536))); };
  auto profile = [&](double green_gamma) {
    std::string h(128, '\0');
    h.replace(16, 4, "RGB ");
    h.replace(20, 4, "XYZ ");
    std::string d50 = fixed(0.9642) + fixed(1.0) + fixed(0.8249);
    h.replace(68, 12, d50);
    const char* sigs[] = {"rXYZ", "gXYZ", "bXYZ", "rTRC", "gTRC", "bTRC"};
    double cols[3][3] = {{0.4361, 0.2225, 0.0139}, {0.3851, 0.7169, 0.0971}, {0.1431, 0.0606, 0.7139}};
    std::string table = be32(6), data;
    size_t base = 128 + 4 + 6 * 12;
    for (int i = 0; i < 6; ++i) {
      std::string tag;
      if (i < 3) tag = std::string("XYZ ") + std::string(4, '\0') + fixed(cols[i][0]) + fixed(cols[i][1]) + fixed(cols[i][2]);
      else tag = std::string("curv") + std::string(4, '\0') + be32(1) + std::string(1, '\x02') +
                 std::string(1, i == 4 ? static_cast<char>(static_cast<unsigned char>(green_gamma * 256 - 512)) : '\x33') + std::string(2, '\0');
      table += sigs[i] + be32(static_cast<uint32_t>(base + data.size())) + be32(static_cast<uint32_t>(tag.size()));
      data += tag;
    }
    std::string p = h + table + data;
    put_be32(p, 0, static_cast<uint32_t>(p.size()));
    return p;
  };
  for (double g : {2.2, 2.5}) {
    std::string icc = profile(g);
    auto doc = make_pdf({page_spec{"/CS0 cs 0.5 0.5 0.5 sc 0 0 9 9 re f", "<< /ColorSpace << /CS0 [/ICCBased 1 0 R] >> >>"}}, -1,
                        [&](pdf_builder& b) { b.stream("/N 3", icc); });
    CHECK(must(doc).page_list[0].ink == (g == 2.2 ? colour::mono : colour::uncertain));
  }
}

TEST_CASE("pdf: page sizes follow CropBox, UserUnit and Rotate") {
  std::vector<page_spec> pages = {
      {"", "<< >>", "[0 0 595.276 841.89]", ""},                       // A4
      {"", "<< >>", "[0 0 612 792]", ""},                              // Letter
      {"", "<< >>", "[0 0 841.89 1190.55]", "/Rotate 90"},             // A3 landscape
      {"", "<< >>", "[0 0 612 792]", "/CropBox [36 36 576 756]"},      // cropped
      {"", "<< >>", "[0 0 100 100]", "/UserUnit 2 /Rotate -270"},
      {"", "<< >>", "[0 0 0 0]", ""},                                  // broken: Letter assumed
  };
  auto a = must(make_pdf(pages));
  REQUIRE(a.page_list.size() == 6);
  CHECK(a.page_list[0].width_pt == doctest::Approx(595.276));
  CHECK(a.page_list[0].height_pt == doctest::Approx(841.89));
  CHECK(a.page_list[1].width_pt == doctest::Approx(612));
  CHECK(a.page_list[2].width_pt == doctest::Approx(1190.55));
  CHECK(a.page_list[2].height_pt == doctest::Approx(841.89));
  CHECK(a.page_list[3].width_pt == doctest::Approx(540));
  CHECK(a.page_list[3].height_pt == doctest::Approx(720));
  CHECK(a.page_list[4].width_pt == doctest::Approx(200));
  CHECK(a.page_list[5].width_pt == doctest::Approx(612));
  CHECK(has_note(a, "no valid MediaBox"));
}

TEST_CASE("pdf: inherited attributes come down the tree") {
  pdf_builder b;
  int root_tree = b.reserve();
  int mid = b.reserve();
  int c = b.stream("", "/CS0 cs 1 0 0 sc 0 0 9 9 re f");
  int p = b.add("<< /Type /Page /Parent " + ref(mid) + " /Contents " + ref(c) + " >>");
  b.set(mid, "<< /Type /Pages /Parent " + ref(root_tree) + " /Kids [" + ref(p) + "] /Count 1 /Rotate 90 >>");
  b.set(root_tree, "<< /Type /Pages /Kids [" + ref(mid) + "] /Count 1 /MediaBox [0 0 300 400] "
                   "/Resources << /ColorSpace << /CS0 /DeviceRGB >> >> >>");
  auto a = must(b.build(b.add("<< /Type /Catalog /Pages " + ref(root_tree) + " >>")));
  REQUIRE(a.pages == 1);
  CHECK(a.page_list[0].width_pt == doctest::Approx(400));
  CHECK(a.page_list[0].ink == colour::colour);
}

TEST_CASE("pdf: hostile page trees end") {
  SUBCASE("a cycle") {
    pdf_builder b;
    int tree = b.reserve();
    int c = b.stream("", "");
    int p = b.add("<< /Type /Page /Parent " + ref(tree) + " /MediaBox [0 0 10 10] /Contents " + ref(c) + " >>");
    b.set(tree, "<< /Type /Pages /Kids [" + ref(p) + " " + ref(tree) + "] /Count 2 >>");
    auto a = must(b.build(b.add("<< /Type /Catalog /Pages " + ref(tree) + " >>")));
    CHECK(a.pages == 1);
    CHECK(has_note(a, "repeats or loops"));
  }
  SUBCASE("a chain deeper than any real tree") {
    pdf_builder b;
    int first = b.reserve();
    int node = first;
    for (int i = 0; i < 20000; ++i) {
      int next = b.reserve();
      b.set(node, "<< /Type /Pages /Kids [" + ref(next) + "] /Count 1 >>");
      node = next;
    }
    b.set(node, "<< /Type /Page /MediaBox [0 0 10 10] >>");
    auto r = analyse(b.build(b.add("<< /Type /Catalog /Pages " + ref(first) + " >>")), "");
    REQUIRE_FALSE(r.ok());  // the only page is too deep to count
    CHECK(r.err().code == errc::corruption);
  }
  SUBCASE("more pages than allowed") {
    std::vector<page_spec> pages(30, page_spec{"", "<< >>"});
    limits lim;
    lim.max_pages = 20;
    auto r = analyse(make_pdf(pages), "", lim);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::limit_exceeded);
  }
}

TEST_CASE("pdf: damaged files are repaired or refused clearly") {
  std::vector<page_spec> pages(3, page_spec{text_black, helvetica});
  std::string doc = make_pdf(pages);
  SUBCASE("the xref cut off") {
    auto a = must(doc.substr(0, doc.find("xref")));
    CHECK(a.pages == 3);
    CHECK(has_note(a, "rebuilt from the objects"));
  }
  SUBCASE("wrong xref offsets") {
    std::string shifted = doc;
    shifted.insert(shifted.find("1 0 obj"), "% junk that moves every object\n");
    auto a = must(shifted);
    CHECK(a.pages == 3);
  }
  SUBCASE("cut in the middle of the pages") {
    auto r = analyse(doc.substr(0, doc.size() / 2), "application/pdf");
    if (r.ok()) CHECK(r->pages <= 3);
    else CHECK(r.err().message.find("the PDF") == 0);
  }
  SUBCASE("not a PDF past the header") {
    auto r = analyse("%PDF-1.4\nthis is not a pdf\n", "application/pdf");
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::corruption);
    CHECK(r.err().message.find("the PDF is damaged beyond repair") == 0);
  }
}

TEST_CASE("pdf: title from /Info, else XMP") {
  auto a = must(make_pdf({page_spec{}}, -1, {}, "<< /Title (Quarterly \\(draft\\)) >>"));
  CHECK(a.title == "Quarterly (draft)");
  auto utf16 = must(make_pdf({page_spec{}}, -1, {}, "<< /Title <FEFF00C90074006500CC> >>"));
  CHECK(utf16.title == "\xc3\x89te\xc3\x8c");
  pdf_builder b;
  int tree = b.reserve();
  int p = b.add("<< /Type /Page /Parent " + ref(tree) + " /MediaBox [0 0 10 10] >>");
  b.set(tree, "<< /Type /Pages /Kids [" + ref(p) + "] /Count 1 >>");
  int meta = b.stream("/Type /Metadata /Subtype /XML",
                      "<x:xmpmeta><rdf:RDF><rdf:Description><dc:title><rdf:Alt>"
                      "<rdf:li xml:lang=\"x-default\">Fish &amp; Chips</rdf:li></rdf:Alt></dc:title>"
                      "</rdf:Description></rdf:RDF></x:xmpmeta>");
  auto x = must(b.build(b.add("<< /Type /Catalog /Pages " + ref(tree) + " /Metadata " + ref(meta) + " >>")));
  CHECK(x.title == "Fish & Chips");
}

TEST_CASE("pdf: fixtures made by other tools") {
  SUBCASE("encrypted, no user password: opens") {
    auto a = must(read_fixture("encrypted-open.pdf"));
    CHECK(a.pages == 2);
    CHECK(a.page_list[1].ink == colour::colour);
  }
  SUBCASE("a user password: refused clearly") {
    auto r = analyse(read_fixture("encrypted-password.pdf"), "application/pdf");
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::unsupported);
    CHECK(r.err().message == "the PDF is protected by a password");
  }
  SUBCASE("object streams and compressed content (qpdf --object-streams=generate)") {
    auto a = must(read_fixture("object-streams.pdf"));
    CHECK(a.pages == 2);
    CHECK(a.page_list[0].ink == colour::mono);
    CHECK(a.page_list[1].ink == colour::colour);
  }
}

TEST_CASE("pdf: a limited budget makes pages uncertain, not wrong") {
  std::string big = "0 g\n";
  while (big.size() < 5000) big += "0 0 9 9 re f\n";
  std::vector<page_spec> pages(4, page_spec{big + "1 0 0 rg 0 0 1 1 re f"});
  limits lim;
  lim.max_content_bytes_per_page = 4000;
  auto a = must(make_pdf(pages), lim);
  for (auto& p : a.page_list) CHECK(p.ink == colour::uncertain);
  lim.max_content_bytes_per_page = 1 << 20;
  lim.max_content_bytes_total = 12000;
  auto b = must(make_pdf(pages), lim);
  CHECK(b.page_list[0].ink == colour::colour);
  CHECK(b.page_list[3].ink == colour::uncertain);
  CHECK(has_note(b, "budget spent"));
  lim.scan_content = false;
  auto c = must(make_pdf(pages), lim);
  CHECK(c.uncertain_pages().size() == 4);
}

TEST_CASE("pdf: timings (printed, not asserted)") {
  std::vector<page_spec> pages;
  for (int i = 0; i < 1000; ++i)
    pages.push_back(page_spec{"BT /F1 11 Tf 72 720 Td (Page " + std::to_string(i + 1) + ") Tj ET " +
                                  (i % 10 == 0 ? "1 0 0 rg 0 0 5 5 re f" : ""),
                              helvetica});
  std::string doc = make_pdf(pages);
  limits count_only;
  count_only.scan_content = false;
  auto t0 = std::chrono::steady_clock::now();
  auto a = must(doc, count_only);
  auto t1 = std::chrono::steady_clock::now();
  auto b = must(doc);
  auto t2 = std::chrono::steady_clock::now();
  CHECK(a.pages == 1000);
  CHECK(b.colour_pages() == 100);
  CHECK(b.mono_pages() == 900);
  std::printf("pdl timing: 1000-page PDF (%zu bytes) counted in %.1f ms, counted and scanned in %.1f ms\n",
              doc.size(), std::chrono::duration<double, std::milli>(t1 - t0).count(),
              std::chrono::duration<double, std::milli>(t2 - t1).count());

  // 100 text-heavy pages: ~60 lines of words each, as a word processor writes them.
  std::vector<page_spec> heavy;
  for (int i = 0; i < 100; ++i) {
    std::string c = "0 0 0 rg BT /F1 10 Tf 12 TL 72 760 Td\n";
    for (int l = 0; l < 60; ++l)
      c += "[(The quick brown fox jumps ) -20 (over the lazy dog, line ) 15 (" + std::to_string(l) + ")] TJ T*\n";
    c += "ET\n";
    heavy.push_back(page_spec{c, helvetica});
  }
  std::string heavy_doc = make_pdf(heavy);
  auto t3 = std::chrono::steady_clock::now();
  auto h = must(heavy_doc);
  auto t4 = std::chrono::steady_clock::now();
  CHECK(h.mono_pages() == 100);
  std::printf("pdl timing: 100 text-heavy pages (%zu bytes) scanned in %.1f ms\n", heavy_doc.size(),
              std::chrono::duration<double, std::milli>(t4 - t3).count());
}
