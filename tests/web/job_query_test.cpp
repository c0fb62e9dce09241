// The jobs facet of api_request.hpp and job_service.hpp: the {id} segment,
// the listing's query string and the paging every job_service shares.
#include <doctest/doctest.h>

#include "web/api_request.hpp"
#include "web/job_service.hpp"

using namespace quire;
using namespace quire::web;

TEST_CASE("match_route: /jobs (GET) and /jobs/{id} (GET, DELETE), the id a positive decimal integer") {
  auto m = match_route("GET", "/api/v1/jobs");
  REQUIRE(m.status == 0);
  CHECK(m.what == endpoint::list_jobs);
  m = match_route("GET", "/api/v1/jobs/42");
  REQUIRE(m.status == 0);
  CHECK(m.what == endpoint::get_job);
  CHECK(m.job == 42);
  CHECK(match_route("GET", "/api/v1/jobs/%34%32").job == 42);  // %-escapes name the same resource
  CHECK(match_route("GET", "/api/v1/jobs/18446744073709551615").job == UINT64_MAX);

  for (const char* method : {"POST", "PUT", "PATCH", "DELETE", "HEAD"}) {
    CAPTURE(method);
    CHECK(match_route(method, "/api/v1/jobs").status == 405);
    CHECK(match_route(method, "/api/v1/jobs").allow == "GET");
  }
  for (const char* method : {"POST", "PUT", "PATCH", "HEAD"}) {
    CAPTURE(method);
    CHECK(match_route(method, "/api/v1/jobs/7").status == 405);
    CHECK(match_route(method, "/api/v1/jobs/7").allow == "GET, DELETE");
    CHECK(match_route(method, "/api/v1/jobs/x").status == 405);  // the method is checked first, as for users
  }
  for (const char* path : {"/api/v1/jobs/", "/api/v1/jobs/7/", "/api/v1/jobs/7/cancel", "/api/v1/jobs//7",
                           "/api/v1/jobsx"}) {
    CAPTURE(path);
    CHECK(match_route("GET", path).status == 404);
  }
  for (const char* path : {"/api/v1/jobs/0", "/api/v1/jobs/-1", "/api/v1/jobs/+1", "/api/v1/jobs/1.5",
                           "/api/v1/jobs/abc", "/api/v1/jobs/0x10", "/api/v1/jobs/%20%31", "/api/v1/jobs/1e3",
                           "/api/v1/jobs/18446744073709551616", "/api/v1/jobs/%zz", "/api/v1/jobs/%00"}) {
    CAPTURE(path);
    auto bad = match_route("GET", path);
    CHECK(bad.status == 400);
    CHECK_FALSE(bad.message.empty());
  }
  CHECK(takes_query(endpoint::list_jobs));
  CHECK(takes_query(endpoint::list_users));
  CHECK_FALSE(takes_query(endpoint::get_job));
  CHECK_FALSE(takes_body(endpoint::list_jobs));
  CHECK_FALSE(takes_body(endpoint::get_job));
  CHECK_FALSE(needs_admin(endpoint::get_job));  // any user: their own jobs (restrict_job_query)
  CHECK_FALSE(needs_admin(endpoint::list_jobs));
}

TEST_CASE("parse_job_id and valid_queue_name") {
  uint64_t id = 9;
  CHECK(parse_job_id("1", id));
  CHECK(id == 1);
  CHECK(parse_job_id("007", id));
  CHECK(id == 7);
  for (const char* no : {"", "0", "00", "-1", "+1", " 1", "1 ", "1a", "18446744073709551616"}) {
    CAPTURE(no);
    id = 5;
    CHECK_FALSE(parse_job_id(no, id));
    CHECK(id == 5);  // untouched
  }
  CHECK(valid_queue_name("secure"));
  CHECK(valid_queue_name("A-z_0.9"));
  CHECK(valid_queue_name(std::string(64, 'q')));
  for (std::string no : {std::string(), std::string(65, 'q'), std::string("a b"), std::string("a/b"),
                         std::string("\xc3\xa9"), std::string("a\nb")}) {
    CAPTURE(no);
    CHECK_FALSE(valid_queue_name(no));
  }
}

TEST_CASE("parse_job_query: defaults, every parameter, and what it refuses") {
  auto q = parse_job_query("", 100, 1000);
  REQUIRE(q.ok());
  CHECK(q->owner.empty());
  CHECK(q->queue.empty());
  CHECK(q->which == job_filter::active);
  CHECK(q->after == 0);
  CHECK(q->limit == 100);

  q = parse_job_query("user=b%C3%A9a+t&queue=secure&which=completed&after=17&limit=1000", 100, 1000);
  REQUIRE(q.ok());
  CHECK(q->owner == "b\xc3\xa9" "a t");
  CHECK(q->queue == "secure");
  CHECK(q->which == job_filter::completed);
  CHECK(q->after == 17);
  CHECK(q->limit == 1000);
  CHECK(parse_job_query("which=all", 5, 10)->which == job_filter::all);
  CHECK(parse_job_query("which=active&&", 5, 10)->limit == 5);

  struct bad_row {
    const char* query;
    const char* says;
  };
  for (auto b : {bad_row{"limit=0", "limit"}, bad_row{"limit=1001", "limit"}, bad_row{"limit=-1", "limit"},
                 bad_row{"limit=1x", "limit"}, bad_row{"limit=", "limit"}, bad_row{"after=0", "after"},
                 bad_row{"after=x", "after"}, bad_row{"after=", "after"}, bad_row{"which=done", "which"},
                 bad_row{"which=", "which"}, bad_row{"which=ALL", "which"}, bad_row{"user=", "user"},
                 bad_row{"user=%01", "user"}, bad_row{"queue=", "queue"}, bad_row{"queue=a%2Fb", "queue"},
                 bad_row{"owner=bob", "unknown query parameter"}, bad_row{"limit=5&limit=6", "twice"},
                 bad_row{"user=%zz", "%-escape"}}) {
    CAPTURE(b.query);
    auto r = parse_job_query(b.query, 100, 1000);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::invalid_argument);
    CHECK(r.err().message.find(b.says) != std::string::npos);
  }
}

TEST_CASE("select_page pages a listing in its own order") {
  std::vector<uint64_t> ascending = {2, 3, 5, 8, 13};
  job_list_query q;
  q.limit = 2;
  auto p = select_page(ascending, q);
  CHECK(p.ids == std::vector<uint64_t>{2, 3});
  CHECK(p.more);
  q.after = 3;
  p = select_page(ascending, q);
  CHECK(p.ids == std::vector<uint64_t>{5, 8});
  CHECK(p.more);
  q.after = 8;
  p = select_page(ascending, q);
  CHECK(p.ids == std::vector<uint64_t>{13});
  CHECK_FALSE(p.more);
  q.after = 4;  // a job that left the listing still marks a place in it
  CHECK(select_page(ascending, q).ids == std::vector<uint64_t>{5, 8});
  q.after = 13;
  p = select_page(ascending, q);
  CHECK(p.ids.empty());
  CHECK_FALSE(p.more);
  q.after = 0;
  q.limit = 5;
  p = select_page(ascending, q);
  CHECK(p.ids.size() == 5);
  CHECK_FALSE(p.more);  // exactly full: no empty page follows

  std::vector<uint64_t> descending = {13, 8, 5, 3, 2};  // completed: newest first
  q.which = job_filter::completed;
  q.limit = 2;
  q.after = 8;
  p = select_page(descending, q);
  CHECK(p.ids == std::vector<uint64_t>{5, 3});
  CHECK(p.more);
  q.after = 100;
  CHECK(select_page(descending, q).ids == std::vector<uint64_t>{13, 8});
  CHECK(select_page({}, q).ids.empty());
  CHECK(std::string(to_string(job_filter::completed)) == "completed");
}
