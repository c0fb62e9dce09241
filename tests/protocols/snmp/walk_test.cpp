#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocols/snmp/walk.hpp"

using namespace quire::snmp;

namespace {

// Printer-MIB prtMarkerSuppliesEntry columns (RFC 3805 §5.4).
const oid entry{1, 3, 6, 1, 2, 1, 43, 11, 1, 1};
oid column(uint32_t c) {
  oid o = entry;
  o.push_back(c);
  return o;
}
oid cell(uint32_t c, uint32_t device, uint32_t row) {
  oid o = column(c);
  o.push_back(device);
  o.push_back(row);
  return o;
}

varbind integer(oid name, int64_t n) {
  varbind vb{std::move(name), {}};
  vb.val.kind = value_kind::integer;
  vb.val.integer = n;
  return vb;
}
varbind text(oid name, std::string s) {
  varbind vb{std::move(name), {}};
  vb.val.kind = value_kind::octets;
  vb.val.octets = std::move(s);
  return vb;
}
varbind end_of_view(oid name) {
  varbind vb{std::move(name), {}};
  vb.val.kind = value_kind::end_of_mib_view;
  return vb;
}

const uint32_t descr = 6, max_capacity = 8, level = 9;

}  // namespace

TEST_CASE("snmp walk: two columns side by side with GETBULK") {
  table_walk walk({column(descr), column(level)}, 100);
  CHECK_FALSE(walk.done());
  CHECK(walk.next_names() == std::vector<oid>{column(descr), column(level)});
  // max-repetitions 2: row after row, descr then level.
  CHECK(walk.feed({text(cell(descr, 1, 1), "Black Toner"), integer(cell(level, 1, 1), 80),
                   text(cell(descr, 1, 2), "Waste Toner"), integer(cell(level, 1, 2), -3)}));
  CHECK(walk.next_names() == std::vector<oid>{cell(descr, 1, 2), cell(level, 1, 2)});
  // Past the last row: descr runs into column 7, level into column 10.
  CHECK(walk.feed({text(cell(descr, 1, 3), "Drum"), integer(cell(level, 1, 3), 55),
                   integer(cell(7, 1, 1), 3), integer(cell(10, 1, 1), 1)}));
  CHECK(walk.done());
  CHECK_FALSE(walk.failed());
  CHECK_FALSE(walk.truncated());
  CHECK(walk.next_names().empty());
  REQUIRE(walk.columns() == 2);
  REQUIRE(walk.rows(0).size() == 3);
  CHECK(walk.rows(0)[1].first == oid{1, 2});
  CHECK(walk.rows(0)[1].second.octets == "Waste Toner");
  REQUIRE(walk.rows(1).size() == 3);
  CHECK(walk.rows(1)[1].second.integer == -3);
  CHECK(walk.rows(1)[2].first == oid{1, 3});
}

TEST_CASE("snmp walk: a column that ends before the others") {
  table_walk walk({column(descr), column(max_capacity), column(level)}, 100);
  // max_capacity has one row only; its later repetitions are already in level's column.
  CHECK(walk.feed({text(cell(descr, 1, 1), "Cyan"), integer(cell(max_capacity, 1, 1), 1000),
                   integer(cell(level, 1, 1), 10),
                   text(cell(descr, 1, 2), "Magenta"), integer(cell(level, 1, 1), 10),
                   integer(cell(level, 1, 2), 20)}));
  CHECK(walk.next_names() == std::vector<oid>{cell(descr, 1, 2), cell(level, 1, 2)});
  // Now two columns asked: the k-th varbind belongs to open column k % 2.
  CHECK(walk.feed({text(cell(descr, 1, 3), "Yellow"), integer(cell(level, 1, 3), 30)}));
  CHECK(walk.feed({integer(cell(7, 1, 1), 3), integer(cell(10, 1, 1), 1)}));
  CHECK(walk.done());
  CHECK(walk.rows(0).size() == 3);
  CHECK(walk.rows(1).size() == 1);
  CHECK(walk.rows(2).size() == 3);
  CHECK(walk.rows(2)[2].second.integer == 30);
}

TEST_CASE("snmp walk: endOfMibView closes a column") {
  table_walk walk({column(descr), column(level)}, 100);
  CHECK(walk.feed({text(cell(descr, 1, 1), "Black"), end_of_view(column(level))}));
  CHECK(walk.next_names() == std::vector<oid>{cell(descr, 1, 1)});
  CHECK(walk.feed({end_of_view(cell(descr, 1, 1))}));
  CHECK(walk.done());
  CHECK_FALSE(walk.failed());
  CHECK(walk.rows(0).size() == 1);
  CHECK(walk.rows(1).empty());
}

TEST_CASE("snmp walk: a looping agent cannot keep a walk going") {
  table_walk walk({column(level)}, 1000);
  CHECK(walk.feed({integer(cell(level, 1, 1), 1), integer(cell(level, 1, 2), 2)}));
  // The agent answers with a name it already gave, then with an earlier one.
  CHECK(walk.feed({integer(cell(level, 1, 2), 2), integer(cell(level, 1, 3), 3)}));
  CHECK(walk.done());
  CHECK(walk.rows(0).size() == 2);

  table_walk back({column(level)}, 1000);
  CHECK(back.feed({integer(cell(level, 1, 5), 5)}));
  CHECK(back.feed({integer(cell(level, 1, 4), 4)}));
  CHECK(back.done());
  CHECK(back.rows(0).size() == 1);
  // The column OID itself is not inside the column.
  table_walk self({column(level)}, 1000);
  CHECK(self.feed({integer(column(level), 1)}));
  CHECK(self.done());
  CHECK(self.rows(0).empty());
}

TEST_CASE("snmp walk: max_rows truncates a column") {
  table_walk walk({column(descr), column(level)}, 2);
  CHECK(walk.feed({text(cell(descr, 1, 1), "a"), integer(cell(level, 1, 1), 1),
                   text(cell(descr, 1, 2), "b"), integer(cell(level, 1, 2), 2)}));
  CHECK_FALSE(walk.done());  // two rows each: no way yet to know there are more
  CHECK_FALSE(walk.truncated());
  CHECK(walk.feed({text(cell(descr, 1, 3), "c"), integer(cell(10, 1, 1), 0)}));
  CHECK(walk.done());
  CHECK(walk.truncated());
  CHECK(walk.rows(0).size() == 2);
  CHECK(walk.rows(1).size() == 2);

  table_walk exact({column(level)}, 2);
  CHECK(exact.feed({integer(cell(level, 1, 1), 1), integer(cell(level, 1, 2), 2), integer(cell(10, 1, 1), 0)}));
  CHECK(exact.done());
  CHECK_FALSE(exact.truncated());
}

TEST_CASE("snmp walk: v1 GETNEXT one row per response") {
  table_walk walk({column(descr), column(level)}, 100);
  for (uint32_t row = 1; row <= 3; ++row) {
    auto names = walk.next_names();
    REQUIRE(names.size() == 2);
    CHECK(names[1] == (row == 1 ? column(level) : cell(level, 1, row - 1)));
    CHECK(walk.feed({text(cell(descr, 1, row), std::to_string(row)), integer(cell(level, 1, row), row)}));
  }
  // The end of the MIB in v1: a noSuchName error echoing the request's names.
  auto names = walk.next_names();
  CHECK(walk.feed({{names[0], {}}, {names[1], {}}}));
  CHECK(walk.done());
  CHECK_FALSE(walk.failed());
  CHECK(walk.rows(0).size() == 3);
  CHECK(walk.rows(0)[2].second.octets == "3");
  CHECK(walk.rows(1).size() == 3);
}

TEST_CASE("snmp walk: a v1 noSuchName for one column closes only that column") {
  table_walk walk({column(descr), column(max_capacity), column(level)}, 100);
  CHECK(walk.feed({text(cell(descr, 1, 1), "a"), integer(cell(max_capacity, 1, 1), 9), integer(cell(level, 1, 1), 1)}));
  // error-index 2: the second name asked (max_capacity) is past the end.
  walk.close_open_column(1);
  CHECK(walk.next_names() == std::vector<oid>{cell(descr, 1, 1), cell(level, 1, 1)});
  // Positions count open columns only: 1 is now level.
  walk.close_open_column(1);
  CHECK(walk.next_names() == std::vector<oid>{cell(descr, 1, 1)});
  walk.close_open_column(5);  // out of range: nothing
  CHECK_FALSE(walk.done());
  walk.close_open_column(0);
  CHECK(walk.done());
  CHECK_FALSE(walk.failed());
  CHECK(walk.rows(1).size() == 1);
}

TEST_CASE("snmp walk: a GETBULK response cut short") {
  table_walk walk({column(descr), column(level)}, 100);
  // Three varbinds for two columns: the agent stopped mid-row (tooBig avoidance).
  CHECK(walk.feed({text(cell(descr, 1, 1), "a"), integer(cell(level, 1, 1), 1), text(cell(descr, 1, 2), "b")}));
  CHECK(walk.next_names() == std::vector<oid>{cell(descr, 1, 2), cell(level, 1, 1)});
  CHECK(walk.feed({end_of_view(cell(descr, 1, 2)), end_of_view(cell(level, 1, 1))}));
  CHECK(walk.done());
  CHECK(walk.rows(0).size() == 2);
  CHECK(walk.rows(1).size() == 1);
}

TEST_CASE("snmp walk: an empty response fails the walk") {
  table_walk walk({column(level)}, 100);
  CHECK(walk.feed({integer(cell(level, 1, 1), 1)}));
  CHECK_FALSE(walk.feed({}));
  CHECK(walk.done());
  CHECK(walk.failed());
  CHECK(walk.next_names().empty());
  CHECK(walk.rows(0).size() == 1);  // what came before stays
  // A finished walk takes nothing more.
  CHECK_FALSE(walk.feed({integer(cell(level, 1, 2), 2)}));
  CHECK(walk.rows(0).size() == 1);
}

TEST_CASE("snmp walk: no columns is done at once") {
  table_walk walk({}, 10);
  CHECK(walk.done());
  CHECK_FALSE(walk.failed());
  CHECK(walk.next_names().empty());
  CHECK(walk.columns() == 0);
  CHECK_FALSE(walk.feed({integer(cell(level, 1, 1), 1)}));
}
