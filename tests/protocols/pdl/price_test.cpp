#include <doctest/doctest.h>

#include <limits>

#include "protocols/pdl/price.hpp"

using namespace quire::pdl;

namespace {

units some_units(uint64_t mono_imp, uint64_t colour_imp, uint64_t mono_sheets, uint64_t colour_sheets) {
  units u;
  u.mono_impressions = mono_imp;
  u.colour_impressions = colour_imp;
  u.impressions = mono_imp + colour_imp;
  u.mono_sheets = mono_sheets;
  u.colour_sheets = colour_sheets;
  u.sheets = mono_sheets + colour_sheets;
  return u;
}

}  // namespace

TEST_CASE("price: per sheet and per impression use their own units") {
  price_list list;
  list.base = {5, 20, -1, -1};
  auto u = some_units(6, 2, 3, 1);  // duplex: 8 impressions on 4 sheets
  list.per = price_unit::sheet;
  CHECK(price_of(list, u, "iso_a4_210x297mm", true) == 3 * 5 + 1 * 20);
  list.per = price_unit::impression;
  CHECK(price_of(list, u, "iso_a4_210x297mm", true) == 6 * 5 + 2 * 20);
}

TEST_CASE("price: duplex rates apply to two-sided jobs only") {
  price_list list;
  list.base = {5, 20, 8, 30};
  auto u = some_units(4, 0, 2, 0);
  CHECK(price_of(list, u, "", true) == 2 * 8);
  CHECK(price_of(list, u, "", false) == 2 * 5);
  list.base.duplex_colour = -1;  // unset: as one-sided
  CHECK(price_of(list, some_units(0, 2, 0, 1), "", true) == 20);
}

TEST_CASE("price: a size's own rate wins, other sizes take the base") {
  price_list list;
  list.base = {5, 20, -1, -1};
  list.sizes.push_back({"iso_a3_297x420mm", {10, 40, -1, -1}});
  auto u = some_units(1, 1, 1, 1);
  CHECK(price_of(list, u, "iso_a3_297x420mm", false) == 50);
  CHECK(price_of(list, u, "iso_a4_210x297mm", false) == 25);
  CHECK(price_of(list, u, "100x200pt", false) == 25);
}

TEST_CASE("price: a mono-only list charges every unit as mono") {
  price_list list;
  list.base = {5, 20, -1, -1};
  list.mono_only = true;
  CHECK(price_of(list, some_units(1, 3, 1, 3), "", false) == 4 * 5);
}

TEST_CASE("price: huge counts saturate instead of wrapping") {
  price_list list;
  list.base = {max_rate, max_rate, -1, -1};
  auto u = some_units(0, 0, std::numeric_limits<uint64_t>::max() / 2, std::numeric_limits<uint64_t>::max() / 2);
  CHECK(price_of(list, u, "", false) == std::numeric_limits<int64_t>::max());
  CHECK(price_of(list, some_units(0, 0, 0, 0), "", false) == 0);
}

TEST_CASE("price: size entries parse, with short names") {
  auto a3 = parse_size_rate("a3=10/40");
  REQUIRE(a3.ok());
  CHECK(a3->first == "iso_a3_297x420mm");
  CHECK(a3->second == rate{10, 40, -1, -1});
  auto full = parse_size_rate("na_letter_8.5x11in=5/20/4/18");
  REQUIRE(full.ok());
  CHECK(full->second == rate{5, 20, 4, 18});
  for (const char* bad : {"a3", "=1/2", "a3=1", "a3=1/2/3", "a3=1/-2", "a3=1/x", "a3=1/2/3/4/5", "A3=1/2",
                          "a3=1/1000000001", "a3=1//2", "a3=/"})
    CHECK_MESSAGE(!parse_size_rate(bad).ok(), bad);
}

TEST_CASE("price: money for people") {
  CHECK(format_money(1234, 2, "EUR") == "12.34 EUR");
  CHECK(format_money(5, 2, "EUR") == "0.05 EUR");
  CHECK(format_money(0, 2, "") == "0.00");
  CHECK(format_money(-150, 2, "USD") == "-1.50 USD");
  CHECK(format_money(300, 0, "JPY") == "300 JPY");
  CHECK(format_money(std::numeric_limits<int64_t>::min(), 2, "") == "-92233720368547758.08");
}
