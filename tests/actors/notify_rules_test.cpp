#include <doctest/doctest.h>

#include "actors/ipp/notify_rules.hpp"

using namespace quire;

namespace {

event job_event(event_type t, uint64_t id, const std::string& queue, uint8_t state) {
  event e;
  e.type = t;
  e.job_id = id;
  e.queue = queue;
  e.user = "alice";
  e.job_state = state;
  return e;
}

ipp_subscription printer_sub(uint32_t id, const std::string& queue, std::vector<std::string> events) {
  ipp_subscription s;
  s.id = id;
  s.owner = "alice";
  s.queue = queue;
  s.events = std::move(events);
  s.expires_ms = 100000;
  return s;
}

}  // namespace

TEST_CASE("events map to IPP keywords, most specific first") {
  auto k = ipp_events_of(job_event(event_type::job_printed, 1, "q", 6));
  REQUIRE(k.size() == 2);
  CHECK(k[0] == "job-completed");
  CHECK(k[1] == "job-state-changed");
  CHECK(ipp_events_of(job_event(event_type::job_received, 1, "q", 3)).front() == "job-created");
  CHECK(ipp_events_of(job_event(event_type::job_forgotten, 1, "q", 6)).empty());
  event stopped;
  stopped.type = event_type::printer_state;
  stopped.printer_state = 5;
  CHECK(ipp_events_of(stopped).front() == "printer-stopped");
}

TEST_CASE("a printer subscription numbers the events of its queue it asked for") {
  subscription_set set;
  REQUIRE(set.add(printer_sub(1, "secure", {"job-completed"})));
  REQUIRE(set.add(printer_sub(2, "demo", {"job-created", "job-state-changed"})));
  CHECK_FALSE(set.add(printer_sub(2, "demo", {})));  // ids are unique

  CHECK(set.record(job_event(event_type::job_received, 7, "secure", 3), {}, 10).empty());
  CHECK(set.record(job_event(event_type::job_printed, 7, "secure", 6), {}, 20) == std::vector<uint32_t>{1});
  auto touched = set.record(job_event(event_type::job_received, 8, "demo", 4), {}, 30);
  CHECK(touched == std::vector<uint32_t>{2});
  set.record(job_event(event_type::job_printed, 8, "demo", 6), {}, 40);

  auto* s2 = set.find(2);
  REQUIRE(s2);
  REQUIRE(s2->kept.size() == 2);
  CHECK(s2->kept[0].seq == 1);
  CHECK(s2->kept[0].keyword == "job-created");
  CHECK(s2->kept[1].seq == 2);
  CHECK(s2->kept[1].keyword == "job-state-changed");  // job-completed was not asked for
  CHECK(subscription_set::since(*s2, 2).size() == 1);
  CHECK(subscription_set::since(*s2, 3).empty());
}

TEST_CASE("printer state reaches the subscriptions of the queues that printer serves") {
  subscription_set set;
  set.add(printer_sub(1, "secure", {"printer-state-changed"}));
  set.add(printer_sub(2, "demo", {"printer-state-changed"}));
  event e;
  e.type = event_type::printer_state;
  e.printer = "lab";
  e.printer_state = 4;
  CHECK(set.record(e, {"secure"}, 5) == std::vector<uint32_t>{1});
}

TEST_CASE("a job subscription sees only its job and ends once the job finished and time passed") {
  notify_limits lim;
  lim.event_life_ms = 1000;
  subscription_set set(lim);
  ipp_subscription s;
  s.id = 5;
  s.owner = "alice";
  s.queue = "secure";
  s.job_id = 7;
  s.events = {"job-completed", "job-state-changed"};
  REQUIRE(set.add(s));
  CHECK(set.record(job_event(event_type::job_held, 8, "secure", 3), {}, 10).empty());
  CHECK(set.record(job_event(event_type::job_released, 7, "secure", 4), {}, 10) == std::vector<uint32_t>{5});
  CHECK_FALSE(set.find(5)->job_finished);
  set.record(job_event(event_type::job_canceled, 7, "secure", 8), {}, 20);
  CHECK(set.find(5)->job_finished);
  CHECK(set.find(5)->kept.back().keyword == "job-completed");
  CHECK(set.expire(500).empty());   // the client may still fetch the last events
  CHECK(set.expire(1020) == std::vector<uint32_t>{5});
  CHECK_FALSE(set.find(5));
}

TEST_CASE("leases, retention and limits") {
  notify_limits lim;
  lim.max_kept = 3;
  lim.event_life_ms = 1000;
  lim.max_per_user = 2;
  subscription_set set(lim);
  REQUIRE(set.add(printer_sub(1, "q", {"job-state-changed"})));
  REQUIRE(set.add(printer_sub(2, "q", {"job-state-changed"})));
  CHECK_FALSE(set.add(printer_sub(3, "q", {})));  // alice has her two
  for (int i = 0; i < 5; ++i) set.record(job_event(event_type::job_held, 10 + i, "q", 3), {}, 100);
  auto* s = set.find(1);
  REQUIRE(s->kept.size() == 3);
  CHECK(s->kept.front().seq == 3);  // the oldest went first
  CHECK(s->last_seq == 5);
  CHECK(set.expire(1200).empty());
  CHECK(set.find(1)->kept.empty());  // aged out, the subscription stays
  CHECK(set.expire(100000).size() == 2);  // leases over
  CHECK(set.size() == 0);
  CHECK(set.add(printer_sub(3, "q", {})));  // her count went back down
}
