// The users' side of the jobs: the routes and rules of cancel, release and
// the queue list (api_request.hpp, job_service.hpp, api_json.hpp), the admin
// API answering a user about their own jobs only, and web print's pure parts
// and route (print_api.hpp) over in-memory fakes.
#include <doctest/doctest.h>

#include "api_test_util.hpp"
#include "fake_session_service.hpp"
#include "web/print_api.hpp"

using namespace quire;
using namespace quire::testing;

namespace {

// Jobs 1..6 as admin_api_jobs_test.cpp has them: alice's odd ones, bob's
// even ones; 2 and 5 done, the rest held.
void add_jobs(api_harness& h) {
  for (uint64_t id = 1; id <= 6; ++id)
    h.jobs.add(id, id % 2 ? "alice" : "bob", id <= 3 ? "secure" : "demo",
               id == 2 || id == 5 ? job_state::done : job_state::held);
  h.service.add("bob", "bob-password-1", false);
}

// The answer for job `id` is the one a missing job gets, byte for byte.
bool as_if_missing(const api_reply& r, uint64_t id) {
  return r.status() == 404 &&
         r.response.body == R"({"error":"not_found","message":")" + web::no_such_job(id).message + R"("})";
}

quire::testing::api_request as(const std::string& user, std::string method, std::string target, std::string body = "") {
  auto r = make_request<quire::testing::api_request>(std::move(method), std::move(target), std::move(body));
  r.authorization = basic(user, user + "-password-1");
  return r;
}

}  // namespace

TEST_CASE("match_route: cancel, release, queues and print, and who may call them") {
  auto m = web::match_route("DELETE", "/api/v1/jobs/7");
  REQUIRE(m.status == 0);
  CHECK(m.what == web::endpoint::cancel_job);
  CHECK(m.job == 7);
  m = web::match_route("POST", "/api/v1/jobs/8/release");
  REQUIRE(m.status == 0);
  CHECK(m.what == web::endpoint::release_job);
  CHECK(m.job == 8);
  CHECK(web::match_route("GET", "/api/v1/jobs/8/release").allow == "POST");
  CHECK(web::match_route("POST", "/api/v1/jobs/x/release").status == 400);
  CHECK(web::match_route("POST", "/api/v1/jobs/8/release/").status == 404);
  CHECK(web::match_route("POST", "/api/v1/jobs//release").status == 404);
  CHECK(web::match_route("GET", "/api/v1/queues").what == web::endpoint::list_queues);
  CHECK(web::match_route("PUT", "/api/v1/queues").allow == "GET, POST");  // POST: create_queue (administrators)
  CHECK(web::match_route("POST", "/api/v1/print").what == web::endpoint::print_document);
  CHECK(web::match_route("GET", "/api/v1/print").allow == "POST");
  CHECK(web::is_print_path("/api/v1/print"));
  CHECK_FALSE(web::is_print_path("/api/v1/print/"));

  for (auto e : {web::endpoint::list_jobs, web::endpoint::get_job, web::endpoint::cancel_job,
                 web::endpoint::release_job, web::endpoint::list_queues, web::endpoint::print_document}) {
    CAPTURE(web::to_string(e));
    CHECK(web::is_user_endpoint(e));
    CHECK_FALSE(web::needs_admin(e));
  }
  CHECK(web::takes_body(web::endpoint::release_job));
  CHECK(web::body_optional(web::endpoint::release_job));
  CHECK_FALSE(web::takes_body(web::endpoint::cancel_job));
  CHECK(web::takes_query(web::endpoint::print_document));
  CHECK_FALSE(web::takes_query(web::endpoint::list_queues));
}

TEST_CASE("who sees a job: may_see_job, no_such_job and restrict_job_query") {
  job_record job;
  job.id = 4;
  job.owner = "alice";
  CHECK(web::may_see_job({"alice", false}, job));
  CHECK(web::may_see_job({"root", true}, job));
  CHECK_FALSE(web::may_see_job({"bob", false}, job));
  CHECK_FALSE(web::may_see_job({"", false}, job));
  auto e = web::no_such_job(4);
  CHECK(e.code == errc::not_found);
  CHECK(e.message == "there is no job 4");

  web::job_list_query q;
  CHECK_FALSE(web::restrict_job_query({"alice", false}, q));
  CHECK(q.owner == "alice");
  q.owner = "bob";
  CHECK(web::restrict_job_query({"alice", false}, q).code == errc::permission_denied);
  q.owner.clear();
  CHECK_FALSE(web::restrict_job_query({"root", true}, q));
  CHECK(q.owner.empty());  // an administrator's listing stays everyone's
}

TEST_CASE("parse_job_release: no body, {}, printer and project, and what it refuses") {
  auto r = web::parse_job_release("");
  REQUIRE(r.ok());
  CHECK(r->printer.empty());
  r = web::parse_job_release("{}");
  REQUIRE(r.ok());
  r = web::parse_job_release(R"({"printer":"lab1","project":"Physics 101"})");
  REQUIRE(r.ok());
  CHECK(r->printer == "lab1");
  CHECK(r->project == "Physics 101");
  for (const char* bad : {R"({"printer":"a b"})", R"({"printer":7})", R"({"project":""})", R"({"pin":"1234"})",
                          R"({"project":"a\nb"})", "[]", "{"}) {
    CAPTURE(bad);
    auto x = web::parse_job_release(bad);
    CHECK_FALSE(x.ok());
    if (!x.ok()) CHECK(x.err().code == errc::invalid_argument);
  }
}

TEST_CASE("queue_list_json: name, type, description, printers and the IPP URI") {
  std::vector<web::queue_info> qs = {{"demo", "direct", "", {"lab2"}},
                                     {"secure", "pull", "Pull print", {"lab1", "lab2"}}};
  auto j = nlohmann::json::parse(web::queue_list_json(qs, "print.example:8631"));
  REQUIRE(j["queues"].size() == 2);
  CHECK(j["queues"][0]["name"] == "demo");
  CHECK(j["queues"][0]["description"] == "");
  CHECK(j["queues"][1]["type"] == "pull");
  CHECK(j["queues"][1]["printers"] == nlohmann::json::array({"lab1", "lab2"}));
  CHECK(j["queues"][1]["ipp_uri"] == "ipp://print.example:8631/ipp/print/secure");
  CHECK(web::authority_or(nullptr, "127.0.0.1:1") == "127.0.0.1:1");
  std::string hostile = "evil.example/\"><script>";
  CHECK(web::authority_or(&hostile, "127.0.0.1:1") == "127.0.0.1:1");
  std::string v6 = "[::1]:8631";
  CHECK(web::authority_or(&v6, "x") == v6);
}

TEST_CASE("a user lists and reads their own jobs, another's answers as a missing one") {
  api_harness h;
  add_jobs(h);
  auto r = h.send(as("alice", "GET", "/api/v1/jobs?which=all"));
  REQUIRE(r.status() == 200);
  CHECK(h.jobs.queries.back().owner == "alice");
  CHECK(r.json()["jobs"].size() == 3);
  r = h.send(as("alice", "GET", "/api/v1/jobs?queue=demo&which=all"));
  CHECK(h.jobs.queries.back().owner == "alice");
  CHECK(h.jobs.queries.back().queue == "demo");
  CHECK(h.send(as("alice", "GET", "/api/v1/jobs?user=bob")).status() == 403);
  CHECK(h.send(as("alice", "GET", "/api/v1/jobs?user=alice")).status() == 200);
  CHECK(h.send(as("root", "GET", "/api/v1/jobs?user=bob")).status() == 200);  // administrators: unchanged

  auto theirs = h.send(as("alice", "GET", "/api/v1/jobs/2"));
  auto missing = h.send(as("alice", "GET", "/api/v1/jobs/99"));
  CHECK(as_if_missing(theirs, 2));  // never tells that job 2 exists
  CHECK(as_if_missing(missing, 99));
  CHECK(h.send(as("alice", "GET", "/api/v1/jobs/3")).status() == 200);
  CHECK(h.send(as("root", "GET", "/api/v1/jobs/2")).status() == 200);
}

TEST_CASE("DELETE /api/v1/jobs/{id}: the owner or an administrator cancels, finished is 409") {
  api_harness h;
  add_jobs(h);
  auto r = h.send(as("alice", "DELETE", "/api/v1/jobs/3"));
  REQUIRE(r.status() == 200);
  CHECK(r.json()["state"] == "canceled");
  CHECK(h.jobs.calls.back() == "cancel_job 3 by alice");
  r = h.send(as("alice", "DELETE", "/api/v1/jobs/5"));  // done
  CHECK(r.status() == 409);
  CHECK(r.error() == "not_possible");
  auto theirs = h.send(as("alice", "DELETE", "/api/v1/jobs/4"));
  CHECK(as_if_missing(theirs, 4));
  CHECK(as_if_missing(h.send(as("alice", "DELETE", "/api/v1/jobs/99")), 99));
  CHECK(h.jobs.jobs[4].state == job_state::held);  // untouched
  CHECK(h.send(as("root", "DELETE", "/api/v1/jobs/4")).status() == 200);
  CHECK(h.send(as("alice", "DELETE", "/api/v1/jobs/1?x=1")).status() == 400);
  CHECK(h.send(as("alice", "DELETE", "/api/v1/jobs/1", "{}")).status() == 400);  // no body
}

TEST_CASE("POST /api/v1/jobs/{id}/release: optional body, owner, delegate, administrator, 409, 404") {
  api_harness h;
  add_jobs(h);
  auto r = h.send(as("alice", "POST", "/api/v1/jobs/1/release"));  // no body, no Content-Type
  REQUIRE(r.status() == 200);
  CHECK(r.json()["state"] == "queued");
  r = h.send(as("alice", "POST", "/api/v1/jobs/3/release", R"({"printer":"lab1","project":"p1"})"));
  REQUIRE(r.status() == 200);
  CHECK(h.jobs.releases.back().printer == "lab1");
  CHECK(h.jobs.releases.back().project == "p1");
  CHECK(h.send(as("alice", "POST", "/api/v1/jobs/3/release", "{}")).status() == 409);  // not held any more
  CHECK(h.send(as("alice", "POST", "/api/v1/jobs/5/release", "{}")).status() == 409);
  r = h.send(as("alice", "POST", "/api/v1/jobs/1/release", R"({"pin":"1234"})"));
  CHECK(r.status() == 400);
  CHECK(r.message().find("1234") == std::string::npos);
  auto bad_type = as("alice", "POST", "/api/v1/jobs/1/release", "printer=lab1");
  bad_type.content_type = "application/x-www-form-urlencoded";
  CHECK(h.send(bad_type).status() == 415);

  auto theirs = h.send(as("alice", "POST", "/api/v1/jobs/4/release"));
  CHECK(as_if_missing(theirs, 4));
  CHECK(as_if_missing(h.send(as("alice", "POST", "/api/v1/jobs/98/release")), 98));
  h.jobs.delegates["bob"] = {"alice"};
  CHECK(h.send(as("alice", "POST", "/api/v1/jobs/4/release")).status() == 200);
  CHECK(h.jobs.jobs[4].released_by == "alice");
  CHECK(h.send(as("root", "POST", "/api/v1/jobs/6/release")).status() == 200);

  h.jobs.jobs[1].state = job_state::held;
  h.jobs.fail_next = error(errc::not_possible, "not enough credit: 0.40 EUR needed");  // as the accounts answer
  r = h.send(as("alice", "POST", "/api/v1/jobs/1/release"));
  CHECK(r.status() == 409);
  CHECK(r.message() == "not enough credit: 0.40 EUR needed");
}

TEST_CASE("GET /api/v1/queues: any user, URIs from the Host the client used") {
  api_harness h;
  add_jobs(h);
  h.jobs.queues = {{"secure", "pull", "Follow-me", {"lab1"}}};
  auto r = h.send(as("bob", "GET", "/api/v1/queues"));
  REQUIRE(r.status() == 200);
  auto j = r.json();
  CHECK(j["queues"][0]["ipp_uri"] == "ipp://127.0.0.1:8631/ipp/print/secure");  // no Host: the local address
  CHECK(r.response.body.find("device") == std::string::npos);
  CHECK(h.send(as("bob", "GET", "/api/v1/queues?all=1")).status() == 400);
  auto anon = make_request<quire::testing::api_request>("GET", "/api/v1/queues");
  anon.no_authorization = true;
  CHECK(h.send(anon).status() == 401);
}

// ---- web print ---------------------------------------------------------

TEST_CASE("parse_print_query and print_format_of") {
  auto t = web::parse_print_query("queue=secure&name=Essay%20draft&copies=2&sides=two-sided-long-edge&color=false");
  REQUIRE(t.ok());
  CHECK(t->queue == "secure");
  CHECK(t->name == "Essay draft");
  CHECK(t->copies == 2);
  CHECK(t->sides == "two-sided-long-edge");
  CHECK(t->color_mode == "monochrome");
  t = web::parse_print_query("queue=q1");
  REQUIRE(t.ok());
  CHECK(t->copies == 1);
  CHECK(t->sides.empty());
  CHECK(t->color_mode.empty());
  CHECK(web::parse_print_query("queue=q&color=true")->color_mode == "color");
  for (const char* bad : {"", "name=x", "queue=a%20b", "queue=q&copies=0", "queue=q&copies=1000", "queue=q&copies=x",
                          "queue=q&sides=both", "queue=q&color=yes", "queue=q&user=bob", "queue=q&queue=r",
                          "queue=q&name=", "queue=q&name=a%0Ab"}) {
    CAPTURE(bad);
    auto x = web::parse_print_query(bad);
    CHECK_FALSE(x.ok());
  }
  std::string pdf = "Application/PDF; charset=binary", form = "multipart/form-data; boundary=x";
  CHECK(web::print_format_of(&pdf) == std::optional<std::string>("application/pdf"));
  CHECK_FALSE(web::print_format_of(&form));
  CHECK_FALSE(web::print_format_of(nullptr));
  for (std::string ok :
       {"application/postscript", "image/jpeg", "image/png", "text/plain", "application/octet-stream"}) {
    CAPTURE(ok);
    CHECK(web::print_format_of(&ok) == ok);
  }
}

namespace {

// A print_service in memory: uploads count what they hold and whether they
// were taken by a submission or dropped.
struct fake_print_service final : web::print_service {
  struct upload_state {
    std::string bytes;
    bool alive = true;
  };
  struct fake_upload final : web::print_upload {
    std::shared_ptr<upload_state> st;
    uint64_t max = 0;
    ~fake_upload() override { st->alive = false; }
    status append(std::string_view b) override {
      if (st->bytes.size() + b.size() > max) return error(errc::limit_exceeded, "too large");
      st->bytes.append(b);
      return {};
    }
    uint64_t size() const override { return st->bytes.size(); }
  };

  std::vector<std::shared_ptr<upload_state>> uploads;
  std::vector<std::pair<web::principal, web::print_ticket>> submitted;
  std::optional<error> fail_next;

  bool has_queue(const std::string& name) const override { return name == "secure"; }
  result<std::unique_ptr<web::print_upload>> open_upload(uint64_t max_bytes) override {
    auto u = std::make_unique<fake_upload>();
    u->st = std::make_shared<upload_state>();
    u->max = max_bytes;
    uploads.push_back(u->st);
    return std::unique_ptr<web::print_upload>(std::move(u));
  }
  void submit(const web::principal& by, web::print_ticket t, std::string, std::unique_ptr<web::print_upload> doc,
              web::job_callback cb) override {
    submitted.emplace_back(by, t);
    if (fail_next) {
      auto e = *fail_next;
      fail_next.reset();
      return cb(e);
    }
    job_record j;
    j.id = 41;
    j.owner = by.name;
    j.queue = t.queue;
    j.name = t.name;
    j.document_format = t.format;
    j.document_size = doc->size();
    j.state = job_state::held;
    cb(web::job_view{j, {}});
  }
};

struct print_harness {
  fake_user_service users;
  fake_session_service sessions;
  fake_print_service printing;
  web::api_options options;

  print_harness() {
    users.add("alice", "alice-password-1", false);
    options.max_document_bytes = 1000;
  }

  api_reply send(const std::string& target, const std::string& body, std::vector<http::header> headers,
                 std::optional<std::string> type = std::string("application/pdf"), bool chunked = false,
                 const std::string& method = "POST") {
    auto box = std::make_shared<api_reply>();
    http::request_head head = make_head(method, target, body, type, chunked, std::move(headers));
    io::request_info info{head, "192.0.2.9", "127.0.0.1:8631", true};
    drive(web::route_print_api(info, capture(box), users, &sessions, printing, options), *box, body, 100);
    return *box;
  }
  std::vector<http::header> alice() { return {{"Authorization", basic("alice", "alice-password-1")}}; }
};

}  // namespace

TEST_CASE("POST /api/v1/print: 201 with Location, owned by the caller, and every refusal") {
  print_harness h;
  std::string pdf = "%PDF-1.4\n" + std::string(300, 'x');
  auto r = h.send("/api/v1/print?queue=secure&name=Essay&copies=2", pdf, h.alice());
  REQUIRE(r.status() == 201);
  CHECK(r.answers == 1);
  CHECK(r.header("Location") == "/api/v1/jobs/41");
  CHECK(r.json()["owner"] == "alice");
  CHECK(r.json()["document_size"] == pdf.size());
  REQUIRE(h.printing.submitted.size() == 1);
  CHECK(h.printing.submitted[0].first.name == "alice");
  CHECK(h.printing.submitted[0].second.copies == 2);
  CHECK(h.printing.submitted[0].second.format == "application/pdf");
  CHECK(h.printing.uploads[0]->bytes == pdf);

  CHECK(h.send("/api/v1/print?queue=nowhere", pdf, h.alice()).status() == 404);
  CHECK(h.send("/api/v1/print", pdf, h.alice()).status() == 400);
  CHECK(h.send("/api/v1/print?queue=secure", pdf, h.alice(), std::string("text/html")).status() == 415);
  CHECK(h.send("/api/v1/print?queue=secure", pdf, h.alice(), std::nullopt).status() == 415);
  CHECK(h.send("/api/v1/print?queue=secure", "", h.alice()).status() == 400);
  CHECK(h.send("/api/v1/print?queue=secure", "", h.alice(), std::string("application/pdf"), true).status() == 400);
  r = h.send("/api/v1/print?queue=secure", pdf, {});
  CHECK(r.status() == 401);
  CHECK_FALSE(r.header("WWW-Authenticate").empty());
  CHECK(h.send("/api/v1/print?queue=secure", pdf, {{"Authorization", basic("alice", "wrong-password")}}).status() ==
        401);
  r = h.send("/api/v1/print?queue=secure", pdf, h.alice(), std::string("application/pdf"), false, "PUT");
  CHECK(r.status() == 405);
  CHECK(r.header("Allow") == "POST");
  h.printing.fail_next = error(errc::not_accepting, "queue secure is not accepting jobs (spool-area-full)");
  CHECK(h.send("/api/v1/print?queue=secure", pdf, h.alice()).status() == 503);
  // Every upload that did not become a job is gone.
  for (size_t i = 0; i < h.printing.uploads.size(); ++i) CHECK_FALSE(h.printing.uploads[i]->alive);
}

TEST_CASE("POST /api/v1/print: the document limit at the head and while it streams") {
  print_harness h;
  std::string big(1001, 'x');
  auto r = h.send("/api/v1/print?queue=secure", big, h.alice());
  CHECK(r.status() == 413);
  CHECK(h.printing.uploads.empty());  // refused before any upload was opened
  r = h.send("/api/v1/print?queue=secure", big, h.alice(), std::string("application/octet-stream"), true);
  CHECK(r.status() == 413);
  CHECK(r.answers == 1);
  REQUIRE(h.printing.uploads.size() == 1);
  CHECK_FALSE(h.printing.uploads[0]->alive);  // dropped at once
  CHECK(h.printing.submitted.empty());
  CHECK(h.send("/api/v1/print?queue=secure", std::string(1000, 'x'), h.alice()).status() == 201);
}

TEST_CASE("POST /api/v1/print with the session cookie needs X-CSRF-Token") {
  print_harness h;
  std::string token, csrf;
  h.sessions.create({"alice", false}, [&](result<web::new_session> s) {
    token = s->token;
    csrf = s->csrf_token;
  });
  std::string cookie = "quire_session=" + token;
  std::string pdf = "%PDF-1.4\n";
  auto r = h.send("/api/v1/print?queue=secure", pdf, {{"Cookie", cookie}});
  CHECK(r.status() == 403);
  CHECK(r.error() == "csrf_required");
  CHECK(h.printing.uploads.empty());  // refused at the head
  CHECK(h.send("/api/v1/print?queue=secure", pdf, {{"Cookie", cookie}, {"X-CSRF-Token", "csrf-999"}}).status() == 403);
  r = h.send("/api/v1/print?queue=secure", pdf, {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  CHECK(r.status() == 201);
  CHECK(r.json()["owner"] == "alice");
  CHECK(h.send("/api/v1/print?queue=secure", pdf, {{"Cookie", "quire_session=nope"}, {"X-CSRF-Token", csrf}})
            .status() == 401);
}

TEST_CASE("POST /api/v1/print: a request dropped mid-body leaves no upload") {
  print_harness h;
  std::string pdf = "%PDF-1.4\n" + std::string(300, 'x');
  http::request_head head = make_head("POST", "/api/v1/print?queue=secure", pdf, std::string("application/pdf"), false,
                                      h.alice());
  io::request_info info{head, "192.0.2.9", "127.0.0.1:8631", true};
  auto box = std::make_shared<api_reply>();
  auto handler = web::route_print_api(info, capture(box), h.users, &h.sessions, h.printing, h.options);
  REQUIRE(handler);
  handler->on_body(std::string_view(pdf).substr(0, 100));
  REQUIRE(h.printing.uploads.size() == 1);
  CHECK(h.printing.uploads[0]->alive);
  handler.reset();  // the connection dropped
  CHECK_FALSE(h.printing.uploads[0]->alive);
  CHECK(box->answers == 0);
  CHECK(h.printing.submitted.empty());
}
