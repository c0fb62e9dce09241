#include <doctest/doctest.h>

#include "protocols/pdl/analysis.hpp"
#include "protocols/pdl/pdl_checks.hpp"
#include "protocols/pdl/pdl_fixtures.hpp"

using namespace quire;
using namespace quire::pdl;
using namespace pdl_test;

namespace {

analysis must(const std::string& doc) { return pdl_test::must_analyse(doc, "application/vnd.hp-pclxl"); }

using pdl_test::has_note;

}  // namespace

TEST_CASE("pclxl: EndPage operators are the pages") {
  pclxl x;
  x.begin_session();
  for (int i = 0; i < 3; ++i) x.begin_page().colour_space(1).gray_brush(0).rectangle().end_page();
  x.end_session();
  auto a = must(x.s);
  CHECK(a.format == "application/vnd.hp-pclxl");
  CHECK(a.pages == 3);
  CHECK(a.exact);
  CHECK(a.mono_pages() == 3);
  CHECK(a.page_list[0].width_pt == doctest::Approx(595.276));  // eA4Paper
}

TEST_CASE("pclxl: brush colours decide the page") {
  pclxl x;
  x.begin_session();
  x.begin_page().colour_space(2).rgb_brush(0, 0, 0).rectangle().end_page();        // RGB black
  x.begin_page().colour_space(2).rgb_brush(255, 0, 0).rectangle().end_page();      // red
  x.begin_page().colour_space(2).rgb_brush(255, 0, 0).gray_brush(0).rectangle().end_page();  // set, not used
  x.begin_page().colour_space(2).rgb_brush(0, 0, 255).end_page();                  // nothing painted
  x.begin_page().colour_space(2).op(0x85)                                          // an RGB image
      .ubyte(0).attr(0x64).ubyte(2).attr(0x62).uint16(1).attr(0x6c).uint16(1).attr(0x6b)
      .uint16_xy(10, 10).attr(0x67).op(0xb0)
      .uint16(0).attr(0x6d).uint16(1).attr(0x73).ubyte(0).attr(0x65).op(0xb1).data("\xff\x00\x00\x00")
      .op(0xb2).end_page();
  x.end_session();
  auto a = must(x.s);
  REQUIRE(a.pages == 5);
  CHECK(a.page_list[0].ink == colour::mono);
  CHECK(a.page_list[1].ink == colour::colour);
  CHECK(a.page_list[2].ink == colour::mono);
  CHECK(a.page_list[3].ink == colour::mono);
  CHECK(a.page_list[4].ink == colour::uncertain);
}

TEST_CASE("pclxl: PageCopies, media names and orientation") {
  pclxl x;
  x.begin_session();
  x.begin_page(0, 1).end_page(3);  // Letter, landscape, 3 copies
  x.ubyte_array("A3").attr(0x25).ubyte(0).attr(0x28).op(0x43).end_page();
  x.end_session();
  auto a = must(x.s);
  REQUIRE(a.pages == 4);
  CHECK(a.page_list[0].width_pt == doctest::Approx(792));
  CHECK(a.page_list[2].height_pt == doctest::Approx(612));
  CHECK(a.page_list[3].width_pt == doctest::Approx(841.89));
  CHECK(has_note(a, "PageCopies"));
}

TEST_CASE("pclxl: damage is reported, never crashes") {
  pclxl x;
  x.begin_session().begin_page().rectangle().end_page().begin_page().rectangle().end_page().end_session();
  SUBCASE("truncated inside the second page") {
    std::string cut = x.s.substr(0, x.s.size() - 4);
    auto a = must(cut);
    CHECK(a.pages == 1);
    CHECK_FALSE(a.exact);
    CHECK(has_note(a, "damaged"));
  }
  SUBCASE("an unknown tag before any page") {
    auto r = analyse(") HP-PCL XL;2;0\n\x01\x02\x03", "");
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::corruption);
  }
  SUBCASE("a UEL ends the stream cleanly") {
    auto a = must("\x1b%-12345X@PJL ENTER LANGUAGE=PCLXL\r\n" + x.s + "\x1b%-12345X@PJL EOJ\r\n\x1b%-12345X");
    CHECK(a.pages == 2);
    CHECK(a.exact);
  }
  SUBCASE("every prefix parses") {
    for (size_t n = 0; n <= x.s.size(); ++n) (void)analyse(x.s.substr(0, n), "");
  }
}

TEST_CASE("pclxl: Ghostscript's pxlmono and pxlcolor output") {
  auto mono = must(read_fixture("gs-pxlmono.pxl"));
  CHECK(mono.pages == 2);
  CHECK(mono.exact);
  CHECK(mono.mono_pages() == 2);
  auto col = must(read_fixture("gs-pxlcolor.pxl"));
  CHECK(col.pages == 2);
  CHECK(col.page_list[0].ink == colour::mono);
  CHECK(col.page_list[1].ink == colour::colour);
  CHECK(col.page_list[1].width_pt == doctest::Approx(595.276));
}
