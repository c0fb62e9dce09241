#include <doctest/doctest.h>

#include "protocols/events/event.hpp"

using namespace quire;

TEST_CASE("the event catalogue: names round-trip, values are stable") {
  for (auto t : all_event_types()) {
    event_type back{};
    REQUIRE(parse_event_type(to_string(t), back));
    CHECK(back == t);
  }
  CHECK(std::string(to_string(event_type::job_held)) == "job.held");
  CHECK(static_cast<int>(event_type::job_printed) == 5);  // stored and sent to clients: never renumber
  event_type t{};
  CHECK_FALSE(parse_event_type("job.teleported", t));
  CHECK(is_job_event(event_type::job_forgotten));
  CHECK_FALSE(is_job_event(event_type::printer_state));
}

TEST_CASE("an event's topics follow from its ids") {
  event e;
  e.type = event_type::job_held;
  e.job_id = 12;
  e.user = "alice";
  e.queue = "secure";
  CHECK(e.topics() == std::vector<std::string>{"user:alice", "job:12", "queue:secure", "admin"});
  CHECK(in_topic(e, "user:alice"));
  CHECK_FALSE(in_topic(e, "user:alic"));
  CHECK_FALSE(in_topic(e, "user:bob"));
  CHECK(in_topic(e, "job:12"));
  CHECK_FALSE(in_topic(e, "job:1"));
  CHECK(in_topic(e, "queue:secure"));
  CHECK_FALSE(in_topic(e, "printer:secure"));
  CHECK(in_topic(e, "admin"));
  CHECK(in_topic(e, "*"));
  CHECK_FALSE(in_topic(e, "nonsense"));

  event p;
  p.type = event_type::printer_state;
  p.printer = "lab-1";
  CHECK(p.topics() == std::vector<std::string>{"printer:lab-1", "admin"});
  CHECK_FALSE(in_topic(p, "user:"));  // an empty id never matches
}
