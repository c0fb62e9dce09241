// route_admin_api() for /api/v1/jobs and /api/v1/jobs/{id}, with the fake
// services: the same checks, in the same order, as the user endpoints.
#include <doctest/doctest.h>

#include "api_test_util.hpp"

using namespace quire;
using namespace quire::testing;

namespace {

// Jobs 1..6: alice's odd ones, bob's even ones; 1-3 in "secure", 4-6 in
// "demo"; 2 and 5 done, the rest held.
void add_jobs(api_harness& h) {
  for (uint64_t id = 1; id <= 6; ++id) {
    auto& j = h.jobs.add(id, id % 2 ? "alice" : "bob", id <= 3 ? "secure" : "demo",
                         id == 2 || id == 5 ? job_state::done : job_state::held);
    j.pin_hash = "aes:job-pin-hmac-" + std::to_string(id);
  }
  h.jobs.money = {"EUR", 2};
}

std::vector<uint64_t> ids_of(const nlohmann::json& page) {
  std::vector<uint64_t> out;
  for (const auto& j : page["jobs"]) out.push_back(j["id"].get<uint64_t>());
  return out;
}

}  // namespace

TEST_CASE("GET /api/v1/jobs/{id}: the job, 404 when there is none, 400 for a bad id") {
  api_harness h;
  add_jobs(h);
  h.jobs.jobs[3].price = {1, 40, 60, ""};
  auto r = h.get("/api/v1/jobs/3");
  REQUIRE(r.status() == 200);
  CHECK(r.answers == 1);
  CHECK(r.response.content_type == "application/json");
  CHECK(r.header("Cache-Control") == "no-store");
  auto j = r.json();
  CHECK(j["id"] == 3);
  CHECK(j["owner"] == "alice");
  CHECK(j["state"] == "held");
  CHECK(j["price"]["text"] == "0.40 to 0.60 EUR");
  CHECK(r.response.body.find("job-pin-hmac") == std::string::npos);
  CHECK(h.jobs.calls == std::vector<std::string>{"get_job 3 by root"});

  r = h.get("/api/v1/jobs/99");
  CHECK(r.status() == 404);
  CHECK(r.error() == "not_found");
  CHECK(r.message() == "there is no job 99");

  h.jobs.calls.clear();
  h.service.calls.clear();
  for (const char* bad :
       {"/api/v1/jobs/0", "/api/v1/jobs/-3", "/api/v1/jobs/3x", "/api/v1/jobs/99999999999999999999"}) {
    CAPTURE(bad);
    r = h.get(bad);
    CHECK(r.status() == 400);
    CHECK(r.error() == "invalid_argument");
  }
  CHECK(h.service.calls.empty());  // refused at the head, as a bad user name is
  CHECK(h.jobs.calls.empty());

  CHECK(h.get("/api/v1/jobs/3?x=1").status() == 400);  // no query here
  CHECK(h.call("GET", "/api/v1/jobs/3", "{}").status() == 400);  // nor a body
  r = h.call("PUT", "/api/v1/jobs/3");
  CHECK(r.status() == 405);
  CHECK(r.header("Allow") == "GET, DELETE");
  CHECK(h.call("POST", "/api/v1/jobs", "{}").header("Allow") == "GET");
  CHECK(h.jobs.calls.empty());
}

TEST_CASE("jobs: any user for their own jobs, over TLS, with credentials, the same order of checks") {
  api_harness h;
  add_jobs(h);
  for (const char* target : {"/api/v1/jobs", "/api/v1/jobs/1", "/api/v1/jobs?user=alice"}) {
    CAPTURE(target);
    api_request r;
    r.target = target;
    r.authorization = basic("alice", "alice-password-1");
    h.service.calls.clear();
    auto reply = h.send(r);
    CHECK(reply.status() == 200);
    CHECK(h.service.calls == std::vector<std::string>{"authenticate alice"});

    r.no_authorization = true;
    reply = h.send(r);
    CHECK(reply.status() == 401);
    CHECK_FALSE(reply.header("WWW-Authenticate").empty());
  }
  // Another user's listing is an administrator's to see.
  api_request q;
  q.target = "/api/v1/jobs?user=bob";
  q.authorization = basic("alice", "alice-password-1");
  auto reply = h.send(q);
  CHECK(reply.status() == 403);
  CHECK(reply.error() == "forbidden");
  q.target = "/api/v1/jobs?limit=0";
  CHECK(h.send(q).status() == 400);
  q.authorization = basic("root", "wrong-password");
  CHECK(h.send(q).status() == 401);

  h.secure = false;
  h.peer = "198.51.100.3";
  h.service.calls.clear();
  h.jobs.calls.clear();
  CHECK(h.get("/api/v1/jobs/1").error() == "https_required");
  CHECK(h.service.calls.empty());
  CHECK(h.jobs.calls.empty());
}

TEST_CASE("GET /api/v1/jobs lists in the store's order, in pages with a next cursor") {
  api_harness h;
  add_jobs(h);
  auto r = h.get("/api/v1/jobs");
  REQUIRE(r.status() == 200);
  CHECK(ids_of(r.json()) == std::vector<uint64_t>{1, 3, 4, 6});  // active, oldest first
  CHECK(r.json()["next"].is_null());
  CHECK(r.response.body.find("job-pin-hmac") == std::string::npos);
  REQUIRE(h.jobs.queries.size() == 1);
  CHECK(h.jobs.queries[0].limit == 100);  // api_options.default_page_size
  CHECK(h.jobs.queries[0].which == web::job_filter::active);

  r = h.get("/api/v1/jobs?which=all&limit=4");
  CHECK(ids_of(r.json()) == std::vector<uint64_t>{1, 2, 3, 4});
  CHECK(r.json()["next"] == 4);
  r = h.get("/api/v1/jobs?which=all&limit=4&after=4");
  CHECK(ids_of(r.json()) == std::vector<uint64_t>{5, 6});
  CHECK(r.json()["next"].is_null());

  r = h.get("/api/v1/jobs?which=completed&limit=1");
  CHECK(ids_of(r.json()) == std::vector<uint64_t>{5});  // newest first
  CHECK(r.json()["next"] == 5);
  r = h.get("/api/v1/jobs?which=completed&limit=1&after=5");
  CHECK(ids_of(r.json()) == std::vector<uint64_t>{2});
  CHECK(r.json()["next"].is_null());

  CHECK(ids_of(h.get("/api/v1/jobs?user=bob&which=all").json()) == std::vector<uint64_t>{2, 4, 6});
  CHECK(ids_of(h.get("/api/v1/jobs?queue=demo").json()) == std::vector<uint64_t>{4, 6});
  CHECK(ids_of(h.get("/api/v1/jobs?queue=demo&user=alice&which=all").json()) == std::vector<uint64_t>{5});
  CHECK(h.jobs.queries.back().owner == "alice");
  CHECK(h.jobs.queries.back().queue == "demo");
  CHECK(h.get("/api/v1/jobs?user=nobody").json()["jobs"] == nlohmann::json::array());

  h.options.default_page_size = 2;
  h.options.max_page_size = 3;
  CHECK(h.get("/api/v1/jobs").json()["next"] == 3);
  CHECK(h.get("/api/v1/jobs?limit=3").status() == 200);
  CHECK(h.get("/api/v1/jobs?limit=4").status() == 400);
}

TEST_CASE("GET /api/v1/jobs validates its query like GET /api/v1/users") {
  api_harness h;
  add_jobs(h);
  for (const char* bad : {"/api/v1/jobs?limit=0", "/api/v1/jobs?limit=1001", "/api/v1/jobs?limit=x",
                          "/api/v1/jobs?after=0", "/api/v1/jobs?after=-1", "/api/v1/jobs?which=held",
                          "/api/v1/jobs?user=", "/api/v1/jobs?queue=a%20b", "/api/v1/jobs?state=held",
                          "/api/v1/jobs?owner=alice", "/api/v1/jobs?user=a&user=b", "/api/v1/jobs?user=%zz"}) {
    CAPTURE(bad);
    auto e = h.get(bad);
    CHECK(e.status() == 400);
    CHECK(e.error() == "invalid_argument");
    CHECK_FALSE(e.message().empty());
  }
  CHECK(h.jobs.calls.empty());
  CHECK(h.get("/api/v1/jobs?unknown").message().find("use user, queue, which, after, limit") != std::string::npos);
}

TEST_CASE("jobs: service errors map to HTTP, and late answers arrive once") {
  api_harness h;
  add_jobs(h);
  h.jobs.fail_next = error(errc::unavailable, "the store is closing");
  auto r = h.get("/api/v1/jobs");
  CHECK(r.status() == 503);
  CHECK(r.error() == "unavailable");
  h.jobs.fail_next = error(errc::corruption, "job 1 does not decode");
  CHECK(h.get("/api/v1/jobs/1").status() == 500);

  h.service.deferred = true;
  h.jobs.deferred = true;
  auto reply = h.start([] {
    api_request q;
    q.target = "/api/v1/jobs/1";
    return q;
  }());
  CHECK(reply->answers == 0);
  h.service.run_pending();  // authenticated; get_job waits
  CHECK(reply->answers == 0);
  h.jobs.run_pending();
  CHECK(reply->answers == 1);
  CHECK(reply->status() == 200);
}
