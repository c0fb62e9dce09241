#include <doctest/doctest.h>

#include "protocols/pdl/units.hpp"

using namespace quire::pdl;

namespace {

// Pages from a pattern: 'm' mono, 'c' colour, 'u' uncertain.
analysis doc(const std::string& inks) {
  analysis a;
  a.pages = static_cast<uint32_t>(inks.size());
  for (char c : inks)
    a.page_list.push_back({595, 842, c == 'm' ? colour::mono : c == 'c' ? colour::colour : colour::uncertain});
  return a;
}

}  // namespace

TEST_CASE("units: one-sided, one-up") {
  auto u = count_units(doc("mmcm"), {});
  CHECK(u.pages == 4);
  CHECK(u.impressions == 4);
  CHECK(u.sheets == 4);
  CHECK(u.colour_impressions == 1);
  CHECK(u.mono_impressions == 3);
}

TEST_CASE("units: copies multiply impressions and sheets, not pages") {
  auto u = count_units(doc("mmc"), {3, 1, false});
  CHECK(u.pages == 3);
  CHECK(u.impressions == 9);
  CHECK(u.colour_impressions == 3);
  CHECK(u.mono_impressions == 6);
  CHECK(u.sheets == 9);
}

TEST_CASE("units: duplex rounds up per copy") {
  auto u = count_units(doc("mmm"), {2, 1, true});
  CHECK(u.impressions == 6);
  CHECK(u.sheets == 4);  // 2 sheets per copy: a copy starts on a fresh sheet
  CHECK(count_units(doc("mmmm"), {1, 1, true}).sheets == 2);
  CHECK(count_units(doc("m"), {1, 1, true}).sheets == 1);
}

TEST_CASE("units: number-up groups pages in order") {
  auto u = count_units(doc("mmmcmmm"), {1, 2, false});
  CHECK(u.impressions == 4);  // mm | mc | mm | m
  CHECK(u.colour_impressions == 1);
  CHECK(u.mono_impressions == 3);
  auto four = count_units(doc("mmmcmmm"), {2, 4, true});
  CHECK(four.impressions == 4);  // 2 per copy
  CHECK(four.colour_impressions == 2);
  CHECK(four.sheets == 2);
  CHECK(count_units(doc("mmmm"), {1, 0, false}).impressions == 4);  // 0 is taken as 1
}

TEST_CASE("units: uncertain pages count as colour for the estimate") {
  auto u = count_units(doc("mumm"), {1, 1, false});
  CHECK(u.colour_impressions == 1);
  analysis quote;  // a count without per-page knowledge (PostScript)
  quote.pages = 3;
  auto q = count_units(quote, {2, 1, false});
  CHECK(q.colour_impressions == 6);
  CHECK(q.mono_impressions == 0);
}

TEST_CASE("units: nothing to print") {
  auto u = count_units(doc(""), {5, 2, true});
  CHECK(u.pages == 0);
  CHECK(u.impressions == 0);
  CHECK(u.sheets == 0);
  auto none = count_units(doc("mc"), {0, 1, false});
  CHECK(none.impressions == 0);
  CHECK(none.sheets == 0);
  CHECK(none.pages == 2);
}

TEST_CASE("units: large counts do not overflow") {
  analysis a;
  a.pages = 100000;
  auto u = count_units(a, {4000000000u, 1, true});
  CHECK(u.impressions == 400000000000000ull);
  CHECK(u.sheets == 200000000000000ull);
}

TEST_CASE("units: a duplex sheet is colour when either side is") {
  auto u = count_units(doc("mcmmccm"), {2, 1, true});  // sheets: mc | mm | cc | m
  CHECK(u.sheets == 8);
  CHECK(u.colour_sheets == 4);
  CHECK(u.mono_sheets == 4);
  CHECK(u.colour_impressions == 6);
  auto simplex = count_units(doc("mcmmccm"), {1, 1, false});
  CHECK(simplex.colour_sheets == 3);
  CHECK(simplex.mono_sheets == 4);
  auto up2 = count_units(doc("mmmmmmmc"), {1, 2, true});  // impressions mm mm mm mc: sheets (mm,mm) (mm,mc)
  CHECK(up2.sheets == 2);
  CHECK(up2.colour_sheets == 1);
}

TEST_CASE("units: monochrome printing makes every impression and sheet mono") {
  auto u = count_units(doc("cucm"), {2, 1, false, true});
  CHECK(u.impressions == 8);
  CHECK(u.colour_impressions == 0);
  CHECK(u.mono_impressions == 8);
  CHECK(u.colour_sheets == 0);
  CHECK(u.mono_sheets == 8);
}
