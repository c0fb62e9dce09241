#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "web/event_json.hpp"

using namespace quire;
using namespace quire::web;
using nlohmann::json;

namespace {

event printed_job() {
  event e;
  e.seq = 41;
  e.time_ms = 1'700'000'000'000;
  e.type = event_type::job_printed;
  e.job_id = 7;
  e.user = "alice";
  e.queue = "secure";
  e.printer = "lab1";
  e.job_state = 6;  // done
  e.job_name = "thesis.pdf";
  return e;
}

}  // namespace

TEST_CASE("event stream: a job event is rendered with its state by name") {
  auto j = json::parse(event_message(printed_job(), true));
  CHECK(j["type"] == "event");
  auto ev = j["event"];
  CHECK(ev["seq"] == 41);
  CHECK(ev["time_ms"] == 1'700'000'000'000);
  CHECK(ev["type"] == "job.printed");
  CHECK(ev["job_id"] == 7);
  CHECK(ev["user"] == "alice");
  CHECK(ev["queue"] == "secure");
  CHECK(ev["printer"] == "lab1");
  CHECK(ev["job_state"] == "done");
  CHECK(ev["job_name"] == "thesis.pdf");
  CHECK_FALSE(ev.contains("printer_state"));
  CHECK_FALSE(ev.contains("reasons"));
}

TEST_CASE("event stream: job names stay private to their owner and administrators") {
  auto ev = json::parse(event_message(printed_job(), false))["event"];
  CHECK_FALSE(ev.contains("job_name"));
  CHECK(ev["job_id"] == 7);
}

TEST_CASE("event stream: a printer event carries its state and reasons") {
  event e;
  e.seq = 9;
  e.type = event_type::printer_state;
  e.printer = "lab1";
  e.printer_state = 5;
  e.text = "the printer reports it has a paper jam";
  e.reasons = {"media-jam-error", "toner-low-warning"};
  auto ev = json::parse(event_message(e, false))["event"];
  CHECK(ev["type"] == "printer.state");
  CHECK(ev["printer_state"] == "stopped");
  CHECK(ev["reasons"] == json::array({"media-jam-error", "toner-low-warning"}));
  CHECK(ev["text"] == "the printer reports it has a paper jam");
  CHECK_FALSE(ev.contains("job_state"));
  e.type = event_type::printer_supply;
  e.text = "Black Toner 5% (low)";
  ev = json::parse(event_message(e, false))["event"];
  CHECK(ev["type"] == "printer.supply");
  CHECK_FALSE(ev.contains("reasons"));
}

TEST_CASE("event stream: text needing escapes stays valid JSON") {
  auto e = printed_job();
  e.text = "quote \" backslash \\ newline \n tab \t";
  e.job_name = std::string("ctl \x01 end");
  auto ev = json::parse(event_message(e, true))["event"];
  CHECK(ev["text"] == "quote \" backslash \\ newline \n tab \t");
  CHECK(ev["job_name"] == std::string("ctl \x01 end"));
}

TEST_CASE("event stream: subscribe and ping requests are read strictly") {
  auto r = parse_stream_request(R"({"type":"subscribe","topics":["user:alice","user:alice","admin"],"after":12})");
  REQUIRE(r.ok());
  CHECK(r->what == stream_request::kind::subscribe);
  CHECK(r->topics == std::vector<std::string>{"user:alice", "admin"});
  CHECK(r->after == 12);
  r = parse_stream_request(R"({"type":"subscribe","topics":["user:bob"]})");
  REQUIRE(r.ok());
  CHECK(r->after == 0);
  r = parse_stream_request(R"({"type":"ping"})");
  REQUIRE(r.ok());
  CHECK(r->what == stream_request::kind::ping);
  for (const char* bad : {"", "[]", "{", R"({"type":"ping","x":1})", R"({"type":"sub"})", R"({"topics":["a"]})",
                          R"({"type":"subscribe"})", R"({"type":"subscribe","topics":[]})",
                          R"({"type":"subscribe","topics":[1]})", R"({"type":"subscribe","topics":[""]})",
                          R"({"type":"subscribe","topics":["a"],"after":-1})",
                          R"({"type":"subscribe","topics":["a"],"after":"1"})",
                          R"({"type":"subscribe","topics":["a"],"topics":["b"]})"}) {
    CAPTURE(bad);
    auto got = parse_stream_request(bad);
    CHECK_FALSE(got.ok());
    if (!got.ok()) CHECK_FALSE(got.err().message.empty());
  }
  std::string many = R"({"type":"subscribe","topics":[)";
  for (int i = 0; i < 33; ++i) {
    if (i > 0) many.push_back(',');
    many.append("\"t").append(std::to_string(i)).push_back('"');
  }
  CHECK_FALSE(parse_stream_request(many + "]}").ok());
  CHECK_FALSE(parse_stream_request(R"({"type":"subscribe","topics":[")" + std::string(201, 'x') + "\"]}").ok());
}

TEST_CASE("event stream: users see their own topic, administrators any") {
  CHECK(allowed_topic("user:alice", "alice", false));
  CHECK_FALSE(allowed_topic("user:bob", "alice", false));
  CHECK_FALSE(allowed_topic("user:alice2", "alice", false));
  CHECK_FALSE(allowed_topic("admin", "alice", false));
  CHECK_FALSE(allowed_topic("printer:*", "alice", false));
  CHECK_FALSE(allowed_topic("*", "alice", false));
  CHECK_FALSE(allowed_topic("user:", "", false));
  CHECK(allowed_topic("printer:*", "root", true));
  CHECK(allowed_topic("user:bob", "root", true));
  CHECK(allowed_topic("*", "root", true));
}

TEST_CASE("event stream: printer:* covers every printer event and nothing else") {
  event p;
  p.type = event_type::printer_alert;
  p.printer = "lab9";
  CHECK(topic_covers("printer:*", p));
  CHECK(topic_covers("printer:lab9", p));
  CHECK_FALSE(topic_covers("printer:lab1", p));
  auto j = printed_job();
  CHECK_FALSE(topic_covers("printer:*", j));
  CHECK(topic_covers("user:alice", j));
  CHECK_FALSE(topic_covers("user:bob", j));
}
