#include <doctest/doctest.h>

#include "protocols/pdl/analysis.hpp"
#include "protocols/pdl/pdl_checks.hpp"
#include "protocols/pdl/pdl_fixtures.hpp"

using namespace quire;
using namespace quire::pdl;
using namespace pdl_test;

namespace {

analysis must(const std::string& doc) { return pdl_test::must_analyse(doc, ""); }

std::string px(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s += static_cast<char>(b);
  return s;
}

using pdl_test::has_note;

}  // namespace

TEST_CASE("pwg raster: pages, sizes and exact colour from the pixels") {
  auto white = [](uint32_t, uint32_t) { return px({255, 255, 255}); };
  auto gray = [](uint32_t x, uint32_t) { return px({int(x), int(x), int(x)}); };
  auto dot = [](uint32_t x, uint32_t y) { return x == 3 && y == 2 ? px({200, 40, 40}) : px({255, 255, 255}); };
  auto faint = [](uint32_t, uint32_t) { return px({128, 130, 134}); };  // within 8/255
  std::string doc = "RaS2" + pwg_page(72, 10, 8, 3, 19, white) + pwg_page(72, 10, 8, 3, 19, gray) +
                    pwg_page(72, 10, 8, 3, 19, dot) + pwg_page(72, 10, 8, 3, 19, faint) +
                    pwg_page(144, 20, 8, 1, 18, [](uint32_t, uint32_t) { return px({0}); }, 144);
  auto a = must(doc);
  CHECK(a.format == "image/pwg-raster");
  REQUIRE(a.pages == 5);
  CHECK(a.exact);
  CHECK(a.page_list[0].ink == colour::mono);
  CHECK(a.page_list[1].ink == colour::mono);
  CHECK(a.page_list[2].ink == colour::colour);
  CHECK(a.page_list[3].ink == colour::mono);
  CHECK(a.page_list[4].ink == colour::mono);
  CHECK(a.page_list[0].width_pt == doctest::Approx(72));
  CHECK(a.page_list[4].width_pt == doctest::Approx(72));
}

TEST_CASE("pwg raster: CMYK, 16 bits and colour spaces it cannot judge") {
  auto k_only = [](uint32_t, uint32_t) { return px({0, 0, 0, 200}); };
  auto cyan = [](uint32_t x, uint32_t) { return x == 5 ? px({1, 0, 0, 0}) : px({0, 0, 0, 0}); };
  auto rgb16 = [](uint32_t, uint32_t) { return px({1, 2, 1, 2, 1, 2}); };
  auto lab = [](uint32_t, uint32_t) { return px({50, 128, 128}); };
  std::string doc = "RaS2" + pwg_page(8, 2, 8, 4, 6, k_only) + pwg_page(8, 2, 8, 4, 6, cyan) +
                    pwg_page(8, 2, 16, 3, 19, rgb16) + pwg_page(8, 2, 8, 3, 16, lab);
  auto a = must(doc);
  REQUIRE(a.pages == 4);
  CHECK(a.page_list[0].ink == colour::mono);
  CHECK(a.page_list[1].ink == colour::colour);
  CHECK(a.page_list[2].ink == colour::mono);
  CHECK(a.page_list[3].ink == colour::uncertain);
}

TEST_CASE("pwg raster: line repeats, white fills and damage") {
  // One page 4x300 of gray: a single line repeated 256 + 44 times, with a fill.
  std::string page = pwg_page(4, 300, 8, 1, 18, [](uint32_t, uint32_t) { return px({7}); });
  std::string head = page.substr(0, 1796);
  std::string lines = std::string("\xff\x80", 2) + std::string("\x2b\x80", 2);
  auto a = must("RaS2" + head + lines);
  CHECK(a.pages == 1);
  CHECK(a.exact);
  SUBCASE("cut inside a page") {
    auto cut = must("RaS2" + page + page.substr(0, 1796 + 3));
    CHECK(cut.pages == 2);
    CHECK_FALSE(cut.exact);
    CHECK(cut.page_list[1].ink == colour::uncertain);
    CHECK(has_note(cut, "ends inside page 2"));
  }
  SUBCASE("a header that makes no sense") {
    std::string bad = head;
    put_be32(bad, 392, 12345);  // bytes per line disagree with width and depth
    auto r = analyse("RaS2" + bad + lines, "");
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::corruption);
  }
  SUBCASE("every prefix parses") {
    std::string doc = "RaS2" + page + page;
    for (size_t n = 0; n <= doc.size(); n += 7) (void)analyse(doc.substr(0, n), "");
  }
}

TEST_CASE("urf: pages and colour") {
  auto gray = [](uint32_t x, uint32_t) { return px({int(x * 9)}); };
  auto red = [](uint32_t x, uint32_t) { return x == 0 ? px({255, 0, 0}) : px({255, 255, 255}); };
  auto neutral = [](uint32_t, uint32_t) { return px({9, 9, 9}); };
  std::string doc = urf_file(3, {urf_page(20, 4, 8, 0, gray, 300), urf_page(20, 4, 24, 1, red),
                                 urf_page(20, 4, 24, 1, neutral)});
  auto a = must(doc);
  CHECK(a.format == "image/urf");
  REQUIRE(a.pages == 3);
  CHECK(a.exact);
  CHECK(a.page_list[0].ink == colour::mono);
  CHECK(a.page_list[1].ink == colour::colour);
  CHECK(a.page_list[2].ink == colour::mono);
  CHECK(a.page_list[0].width_pt == doctest::Approx(20 * 72.0 / 300));
  auto wrong_count = must(urf_file(5, {urf_page(20, 4, 8, 0, gray)}));
  CHECK(wrong_count.pages == 1);
  CHECK(has_note(wrong_count, "announces 5 pages"));
}

TEST_CASE("raster: Ghostscript's pwgraster and urf output") {
  auto black = must(read_fixture("gs-black.pwg"));
  CHECK(black.pages == 2);
  CHECK(black.mono_pages() == 2);
  auto srgb = must(read_fixture("gs-srgb.pwg"));
  CHECK(srgb.pages == 2);
  CHECK(srgb.page_list[0].ink == colour::mono);
  CHECK(srgb.page_list[1].ink == colour::colour);
  CHECK(srgb.page_list[0].width_pt == doctest::Approx(595));
  auto sgray = must(read_fixture("gs-sgray.urf"));
  CHECK(sgray.pages == 2);
  CHECK(sgray.mono_pages() == 2);
  auto urf = must(read_fixture("gs-srgb.urf"));
  CHECK(urf.pages == 2);
  CHECK(urf.page_list[1].ink == colour::colour);
  CHECK(urf.notes.empty());  // gs writes a page count of 0: not worth a note
}
