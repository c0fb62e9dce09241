// The audit log's query and JSON.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "web/audit.hpp"

using namespace quire;
using namespace quire::web;

TEST_CASE("audit: the query, and the entries as JSON") {
  constexpr int64_t day = 86400000;
  int64_t now = 1761955200000 + 5 * day + 7;  // 2025-11-06
  auto d = parse_audit_query("", now);
  REQUIRE(d.ok());
  CHECK(d->limit == 100);
  CHECK(d->actor.empty());
  CHECK(d->to_ms == 1761955200000 + 6 * day);
  auto q = parse_audit_query("user=alice&limit=5&from=2025-11-01&to=2025-11-02", now);
  REQUIRE(q.ok());
  CHECK(q->actor == "alice");
  CHECK(q->limit == 5);
  CHECK(q->from_ms == 1761955200000);
  CHECK(q->to_ms == 1761955200000 + 2 * day);
  for (const char* bad : {"limit=0", "limit=1001", "user=", "by=user", "from=nope", "limit=5&limit=6"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_audit_query(bad, now).ok());
  }
  auto j = nlohmann::json::parse(
      audit_json({{1761955200000, "root", "POST /api/v1/users/{name}/credit", "alice", 200, "127.0.0.1"}}));
  REQUIRE(j["entries"].size() == 1);
  CHECK(j["entries"][0]["user"] == "root");
  CHECK(j["entries"][0]["target"] == "alice");
  CHECK(j["entries"][0]["status"] == 200);
  CHECK(j["entries"][0]["time"] == "2025-11-01T00:00:00.000Z");
}
