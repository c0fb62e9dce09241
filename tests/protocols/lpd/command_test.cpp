#include <doctest/doctest.h>

#include <string>

#include "protocols/lpd/command.hpp"

using namespace quire;
using namespace quire::lpd;

TEST_CASE("lpd command: receive-job as CUPS's lpd backend sends it") {
  auto c = parse_command("\x02" "secure");
  REQUIRE(c.ok());
  CHECK(c->code == command_code::receive_job);
  CHECK(c->queue == "secure");
  CHECK(c->users.empty());
  CHECK(c->jobs.empty());
  CHECK(std::string(to_string(c->code)) == "receive-job");
}

TEST_CASE("lpd command: print-waiting, extra operands and a CR are ignored") {
  auto c = parse_command("\x01lp");
  REQUIRE(c.ok());
  CHECK(c->code == command_code::print_waiting);
  CHECK(c->queue == "lp");
  auto d = parse_command("\x02" "lp extra\r");
  REQUIRE(d.ok());
  CHECK(d->queue == "lp");
}

TEST_CASE("lpd command: queue state lists split users from job numbers") {
  auto s = parse_command("\x03secure alice 12 bob\t007");
  REQUIRE(s.ok());
  CHECK(s->code == command_code::queue_state_short);
  CHECK(s->users == std::vector<std::string>{"alice", "bob"});
  CHECK(s->jobs == std::vector<uint32_t>{12, 7});
  auto l = parse_command("\x04secure");
  REQUIRE(l.ok());
  CHECK(l->code == command_code::queue_state_long);
  CHECK(l->users.empty());
  CHECK(l->jobs.empty());
}

TEST_CASE("lpd command: remove jobs needs an agent") {
  auto r = parse_command("\x05secure root 123 alice");
  REQUIRE(r.ok());
  CHECK(r->code == command_code::remove_jobs);
  CHECK(r->agent == "root");
  CHECK(r->jobs == std::vector<uint32_t>{123});
  CHECK(r->users == std::vector<std::string>{"alice"});
  auto empty_list = parse_command("\x05secure alice");
  REQUIRE(empty_list.ok());
  CHECK(empty_list->agent == "alice");
  auto no_agent = parse_command("\x05secure");
  REQUIRE_FALSE(no_agent.ok());
  CHECK(no_agent.err().message.find("agent") != std::string::npos);
}

TEST_CASE("lpd command: malformed lines are rejected with a message") {
  const char* bad[] = {
      "",                          // empty
      "\x06lp",                    // unknown code
      "Alp",                       // a text protocol, not LPD
      "\x02",                      // no queue
      "\x02   ",                   // only white space
      "\x02../etc",                // '/' in the queue name
      "\x02lp\x7f",                // DEL
      "\x02q\xc3\xa9",             // non-ASCII
      "\x03lp 99999999999",        // job number over 32 bits
      "\x03lp al\x01ice",          // control octet in a user name
  };
  for (const char* line : bad) {
    CAPTURE(line);
    auto r = parse_command(line);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::invalid_argument);
    CHECK_FALSE(r.err().message.empty());
  }
  CHECK_FALSE(parse_command(std::string(1, '\x02') + std::string(128, 'q')).ok());
  CHECK(parse_command(std::string(1, '\x02') + std::string(127, 'q')).ok());
}

TEST_CASE("lpd command: queue names") {
  CHECK(valid_queue_name("lp"));
  CHECK(valid_queue_name("secure-print_2.floor"));
  CHECK_FALSE(valid_queue_name(""));
  CHECK_FALSE(valid_queue_name("a b"));
  CHECK_FALSE(valid_queue_name("a/b"));
  CHECK_FALSE(valid_queue_name(std::string(128, 'x')));
}

TEST_CASE("line_reader: lines in any split, the rest left for the caller") {
  std::string wire = std::string("\x02secure\n") + "\x02" "95 cfA123host\n";
  for (size_t step = 1; step <= wire.size(); ++step) {
    CAPTURE(step);
    line_reader r;
    std::vector<std::string> lines;
    std::string pending;
    for (size_t at = 0; at < wire.size(); at += step) {
      pending += wire.substr(at, step);
      while (!pending.empty()) {
        auto s = r.feed(pending);
        REQUIRE(s.consumed <= pending.size());
        if (s.complete) lines.emplace_back(s.line);
        pending.erase(0, s.consumed);
        if (!s.complete) break;
      }
    }
    CHECK(pending.empty());
    CHECK(r.pending() == 0);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == "\x02secure");
    CHECK(lines[1] == "\x02" "95 cfA123host");
  }
}

TEST_CASE("line_reader: stops right after the LF") {
  line_reader r;
  std::string_view in = "\x02lp\nBINARY";
  auto s = r.feed(in);
  CHECK(s.complete);
  CHECK(s.consumed == 4);
  CHECK(s.line == "\x02lp");
  auto t = r.feed("\n");
  CHECK(t.complete);
  CHECK(t.line.empty());
}

TEST_CASE("line_reader: an overlong line fails and stays failed") {
  line_reader r(8);
  CHECK(r.feed("12345678\n").complete);  // exactly the limit is fine
  auto s = r.feed("12345");
  CHECK_FALSE(s.complete);
  CHECK(s.consumed == 5);
  auto t = r.feed("6789");
  CHECK(r.failed());
  CHECK(r.error().code == errc::limit_exceeded);
  CHECK(t.consumed == 0);
  CHECK(r.feed("\n").consumed == 0);
}
