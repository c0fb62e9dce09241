// quirectl's directory commands: directory status and directory sync
// [--full] [--wait], their arguments, their requests, the wait for a sync
// to end, and their output for people.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <deque>

#include "fake_directory_service.hpp"
#include "quirectl_test_util.hpp"
#include "web/directory_json.hpp"
#include "web/quirectl_cli.hpp"
#include "web/quirectl_output.hpp"

using namespace quire;
using namespace quire::quirectl;
using quire::testing::fake_directory_service;
using quire::testing::parse;
using quire::testing::request_of;
using quire::testing::usage_message;
using nlohmann::json;

namespace {

// A directory status as the server renders it.
std::string status_body(const web::directory_view& v) { return web::directory_json(v); }

web::directory_view idle_with_last(int64_t started_ms, std::string error = {}) {
  fake_directory_service fake;
  fake.view.last = fake_directory_service::report(false, started_ms, std::move(error));
  return fake.view;
}

}  // namespace

TEST_CASE("quirectl: directory status and sync, their arguments") {
  for (const auto& args : {std::vector<std::string>{"directory"}, std::vector<std::string>{"directory", "status"},
                           std::vector<std::string>{"--json", "directory", "status"}}) {
    auto inv = parse(args);
    REQUIRE(inv.ok());
    CHECK(inv->what == action::directory_status);
  }
  auto inv = parse({"directory", "sync", "--full", "--wait"});
  REQUIRE(inv.ok());
  CHECK(inv->what == action::directory_sync);
  CHECK(inv->full);
  CHECK(inv->wait);
  inv = parse({"--wait", "directory", "sync", "--json"});  // options anywhere
  REQUIRE(inv.ok());
  CHECK(!inv->full);
  CHECK(inv->wait);
  CHECK(inv->json);
  inv = parse({"directory", "sync"});
  REQUIRE(inv.ok());
  CHECK(!inv->full);
  CHECK(!inv->wait);

  CHECK(usage_message({"directory", "sync", "--fast"}) == "unknown option --fast");
  CHECK(usage_message({"directory", "sync", "--full=yes"}) == "--full takes no value");
  CHECK(usage_message({"directory", "status", "--full"}) == "--full does not apply to this command");
  CHECK(usage_message({"directory", "status", "--wait"}) == "--wait does not apply to this command");
  CHECK(usage_message({"user", "list", "--wait"}) == "--wait does not apply to this command");
  CHECK(usage_message({"directory", "sync", "now"}) == "unexpected argument 'now'");
  CHECK(usage_message({"directory", "status", "x"}) == "unexpected argument 'x'");
  CHECK(usage_message({"directory", "resync"}) == "unexpected argument 'resync'");
}

TEST_CASE("quirectl: directory status and sync, their requests") {
  auto req = request_of({"directory"});
  CHECK(req.method == "GET");
  CHECK(req.path == "/api/v1/directory");
  CHECK(req.body.empty());
  req = request_of({"directory", "status", "--json"});
  CHECK(req.method == "GET");
  CHECK(req.path == "/api/v1/directory");

  req = request_of({"directory", "sync"});
  CHECK(req.method == "POST");
  CHECK(req.path == "/api/v1/directory/sync");
  CHECK(req.body == "{}");
  req = request_of({"directory", "sync", "--full", "--wait"});
  CHECK(req.method == "POST");
  CHECK(req.path == "/api/v1/directory/sync");
  CHECK(req.body == R"({"full":true})");
  // What the server parses is what quirectl sends.
  CHECK(web::parse_sync_request(req.body)->full);
  CHECK(!web::parse_sync_request(request_of({"directory", "sync"}).body)->full);
}

TEST_CASE("quirectl: the usage text names the directory commands") {
  std::string usage = usage_text;
  for (const char* c : {"directory [status]", "directory sync [--full] [--wait]"}) {
    CAPTURE(c);
    CHECK(usage.find(c) != std::string::npos);
  }
}

TEST_CASE("quirectl: what directory sync --wait waits for") {
  // Started: the sync that began then. Not started (one ran): a full one
  // runs after the running one; an incremental one waits for that.
  CHECK(sync_wait_since(false, true, 5000) == 5000);
  CHECK(sync_wait_since(true, true, 5000) == 5000);
  CHECK(sync_wait_since(true, false, 5000) == 5000);
  CHECK(sync_wait_since(false, false, 5000) == 0);

  fake_directory_service fake;
  CHECK(sync_wait_state(status_body(fake.view), 0) == sync_wait::pending);  // no report yet
  fake.view.running = true;
  fake.view.last = fake_directory_service::report(false, 9000);
  CHECK(sync_wait_state(status_body(fake.view), 5000) == sync_wait::pending);  // still running
  fake.view.running = false;
  CHECK(sync_wait_state(status_body(fake.view), 5000) == sync_wait::done);
  CHECK(sync_wait_state(status_body(fake.view), 9000) == sync_wait::done);  // at the time: counts
  CHECK(sync_wait_state(status_body(fake.view), 9001) == sync_wait::pending);  // an older report
  CHECK(sync_wait_state("not json", 0) == sync_wait::unreadable);
  CHECK(sync_wait_state(R"({"error":"x"})", 0) == sync_wait::unreadable);
}

TEST_CASE("quirectl: directory sync --wait polls once a second until its sync is done") {
  // The answers GET /api/v1/directory gives, one per poll: still running,
  // then done with the report of an older sync (a full one asked for while
  // one ran waits for its own), then its own.
  fake_directory_service fake;
  std::deque<std::string> answers;
  fake.view.running = true;
  fake.view.last = fake_directory_service::report(false, 1000);
  answers.push_back(status_body(fake.view));
  fake.view.running = false;
  answers.push_back(status_body(fake.view));
  fake.view.last = fake_directory_service::report(true, 6000, "ldap: timeout");
  answers.push_back(status_body(fake.view));
  answers.push_back("never read");

  int pauses = 0, fetches = 0;
  auto fetch = [&]() -> result<std::string> {
    ++fetches;
    CHECK(fetches == pauses);  // a second's pause before every GET
    std::string body = answers.front();
    answers.pop_front();
    return body;
  };
  auto done = wait_for_sync(fetch, [&] { ++pauses; }, sync_wait_since(true, false, 5000));
  REQUIRE(done.ok());
  CHECK(fetches == 3);
  CHECK(sync_error(*done) == "ldap: timeout");
  CHECK(json::parse(*done)["last"]["full"] == true);

  // A refused GET ends the wait with its error; an answer that is no
  // status ends it too.
  auto refused = wait_for_sync([]() -> result<std::string> { return error(errc::unavailable, "down"); }, [] {}, 0);
  CHECK(!refused.ok());
  CHECK(refused.err().message == "down");
  auto odd = wait_for_sync([]() -> result<std::string> { return std::string("[]"); }, [] {}, 0);
  CHECK(!odd.ok());
}

TEST_CASE("quirectl: directory status for people") {
  fake_directory_service fake;
  std::string out = directory_details(status_body(fake.view));
  CHECK(out ==
        "directory:  ldaps://ldap.example.edu\n"
        "base dn:    dc=example,dc=edu\n"
        "running:    no\n"
        "last sync:  none yet\n"
        "last full:  never\n"
        "next sync:  -\n"
        "watermark:\n");

  auto& v = fake.view;
  v.running = true;
  v.running_full = true;
  v.entries_read = 42;
  v.started_ms = 1'700'000'100'000;
  v.last_full_ms = 1'699'990'000'000;
  v.next_ms = 1'700'000'900'000;
  v.watermark = "20231114221320Z";
  v.last = fake_directory_service::report(false, 1'700'000'000'000, "ldap: server down (81)");
  v.last->problems = {"uid=x,ou=people: no uid", "uid=y\x1b[2J: name taken"};
  v.last->problem_count = 2;
  out = directory_details(status_body(v));
  CHECK(out ==
        "directory:  ldaps://ldap.example.edu\n"
        "base dn:    dc=example,dc=edu\n"
        "running:    yes (full, since 2023-11-14T22:15:00.000Z, 42 entries read)\n"
        "last sync:  incremental, 2023-11-14T22:13:20.000Z to 2023-11-14T22:13:24.000Z\n"
        "  read:     120 users, 8 groups\n"
        "  users:    3 created, 5 updated, 112 unchanged, 1 gone, 0 returned\n"
        "  cards:    2 added, 1 removed\n"
        "  error:    ldap: server down (81)\n"
        "  problems: 2\n"
        "    uid=x,ou=people: no uid\n"
        "    uid=y?[2J: name taken\n"
        "last full:  2023-11-14T19:26:40.000Z\n"
        "next sync:  2023-11-14T22:28:20.000Z\n"
        "watermark:  20231114221320Z\n");
  CHECK(sync_error(status_body(v)) == "ldap: server down (81)");
}

TEST_CASE("quirectl: at most 20 problems, then how many more") {
  auto v = idle_with_last(1'700'000'000'000);
  for (int i = 0; i < 100; ++i) v.last->problems.push_back("problem " + std::to_string(i));
  v.last->problem_count = 250;  // the service keeps the first 100
  std::string out = sync_report_lines(status_body(v));
  CHECK(out.find("  problems: 250\n") != std::string::npos);
  CHECK(out.find("    problem 19\n") != std::string::npos);
  CHECK(out.find("problem 20") == std::string::npos);
  CHECK(out.find("    ... 230 more\n") != std::string::npos);
  CHECK(std::count(out.begin(), out.end(), '\n') == 4 + 1 + 20 + 1);

  v.last->problems.resize(20);
  v.last->problem_count = 20;
  out = sync_report_lines(status_body(v));
  CHECK(out.find("more") == std::string::npos);
  CHECK(out.find("    problem 19\n") != std::string::npos);
}

TEST_CASE("quirectl: directory sync's output, with and without --wait") {
  invocation inv = *parse({"directory", "sync"});
  CHECK(sync_started_line(inv, web::sync_started_json(true)) == "incremental directory sync started\n");
  CHECK(sync_started_line(inv, web::sync_started_json(false)) == "a directory sync is running already\n");
  inv = *parse({"directory", "sync", "--full"});
  CHECK(sync_started_line(inv, web::sync_started_json(true)) == "full directory sync started\n");
  CHECK(sync_started_line(inv, web::sync_started_json(false)) ==
        "a directory sync is running already; the full sync runs after it\n");
  CHECK(sync_started(R"({"started":true})") == std::optional<bool>(true));
  CHECK(!sync_started(R"({"started":1})"));
  CHECK(!sync_started("x"));

  // --wait prints the report as status does; an error fails the command
  // (quirectl.cpp: exit status 1, the error on stderr).
  auto ok = idle_with_last(1'700'000'000'000);
  std::string out = sync_report_lines(status_body(ok));
  CHECK(out.rfind("last sync:  incremental, 2023-11-14T22:13:20.000Z to 2023-11-14T22:13:24.000Z\n", 0) == 0);
  CHECK(out.find("error") == std::string::npos);
  CHECK(sync_error(status_body(ok)).empty());
  auto failed = idle_with_last(1'700'000'000'000, "bind failed: invalid credentials (49)");
  CHECK(sync_report_lines(status_body(failed)).find("  error:    bind failed: invalid credentials (49)\n") !=
        std::string::npos);
  CHECK(sync_error(status_body(failed)) == "bind failed: invalid credentials (49)");
  CHECK(sync_report_lines(status_body(fake_directory_service().view)) == "last sync:  none yet\n");
  CHECK(sync_error("not json").empty());
}

TEST_CASE("quirectl: what directory status and sync print, --json, and the exit status of a failed sync") {
  auto failed = status_body(idle_with_last(1'700'000'000'000, "bind failed: invalid credentials (49)"));
  auto applied = status_body(idle_with_last(1'700'000'000'000));
  struct expect {
    std::vector<std::string> args;
    std::string body;
    int code;
    std::string out;  // "" for the JSON as it came
    std::string err;
  };
  const std::string report = sync_report_lines(applied);
  const std::string failed_report = sync_report_lines(failed);
  const std::string failure = "quirectl: the directory sync failed: bind failed: invalid credentials (49)\n";
  for (const auto& e : {
           expect{{"directory"}, failed, exit_ok, directory_details(failed), ""},  // status: the report, no failure
           expect{{"directory", "--json"}, failed, exit_ok, "", ""},
           expect{{"directory", "sync"}, R"({"started":true})", exit_ok, "incremental directory sync started\n", ""},
           expect{{"directory", "sync", "--json"}, R"({"started":false})", exit_ok, "", ""},
           expect{{"directory", "sync", "--wait"}, applied, exit_ok, report, ""},
           expect{{"directory", "sync", "--wait", "--full"}, failed, exit_refused, failed_report, failure},
           expect{{"directory", "sync", "--wait", "--json"}, failed, exit_refused, "", failure},
           expect{{"directory", "sync", "--wait", "--json"}, applied, exit_ok, "", ""},
       }) {
    CAPTURE(e.args);
    auto inv = parse(e.args);
    REQUIRE(inv.ok());
    std::string out, err;
    CHECK(directory_output(*inv, e.body, out, err) == e.code);
    CHECK(out == (e.out.empty() ? e.body + "\n" : e.out));
    CHECK(err == e.err);
  }
}
