// The event bus on CAF's deterministic scheduler: numbering, topics,
// resuming from a sequence number, and durable reservation of numbers.
#include <doctest/doctest.h>

#include <caf/all.hpp>

#include "actors/event_bus.hpp"

using namespace quire;

namespace {

struct seen {
  std::vector<event> events;
};

event_sink_actor::behavior_type recorder(event_sink_actor::pointer, std::shared_ptr<seen> log) {
  return {[log](event& e) { log->events.push_back(std::move(e)); }};
}

caf::actor_system_config& test_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  register_message_types(cfg);
  return cfg;
}

event job(event_type t, uint64_t id, const std::string& user) {
  event e;
  e.type = t;
  e.job_id = id;
  e.user = user;
  e.queue = "secure";
  return e;
}

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{test_config(cfg)};
  caf::scheduler::test_coordinator& sched = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  int64_t now = 5000;

  event_bus_actor bus(event_bus_options o = {}) {
    o.now_ms = [this] { return now; };
    auto b = spawn_event_bus(sys, std::move(o));
    sched.run();
    return b;
  }

  // Subscribes a new recorder; returns it, its log and the backlog it got.
  std::tuple<event_sink_actor, std::shared_ptr<seen>, event_backlog> subscribe(
      const event_bus_actor& b, std::vector<std::string> topics, uint64_t from) {
    auto log = std::make_shared<seen>();
    auto sink = sys.spawn(recorder, log);
    auto backlog = std::make_shared<event_backlog>();
    sys.spawn([=](caf::event_based_actor* self) {
      self->request(b, caf::infinite, subscribe_atom::value, sink, topics, from)
          .then([backlog](event_backlog& got) { *backlog = std::move(got); });
    });
    sched.run();
    return {sink, log, *backlog};
  }

  void publish(const event_bus_actor& b, event e) {
    caf::anon_send(b, publish_atom::value, std::move(e));
    sched.run();
  }
};

}  // namespace

TEST_CASE_FIXTURE(fixture, "events are numbered, timed and pushed to the subscribers of their topics") {
  auto b = bus();
  auto [alice_sink, alice, _a] = subscribe(b, {"user:alice"}, 0);
  auto [admin_sink, admin, _b] = subscribe(b, {"admin"}, 0);
  publish(b, job(event_type::job_held, 1, "alice"));
  now = 6000;
  publish(b, job(event_type::job_held, 2, "bob"));
  REQUIRE(alice->events.size() == 1);
  CHECK(alice->events[0].job_id == 1);
  CHECK(alice->events[0].seq == 1);
  CHECK(alice->events[0].time_ms == 5000);
  REQUIRE(admin->events.size() == 2);
  CHECK(admin->events[1].seq == 2);
  CHECK(admin->events[1].time_ms == 6000);
}

TEST_CASE_FIXTURE(fixture, "a subscriber resumes from its last sequence number, a lost window shows as a gap") {
  event_bus_options o;
  o.window = 3;
  auto b = bus(o);
  for (uint64_t i = 1; i <= 5; ++i) publish(b, job(event_type::job_received, i, i % 2 ? "alice" : "bob"));
  auto [s1, log1, back1] = subscribe(b, {"*"}, 3);
  CHECK_FALSE(back1.gap);
  CHECK(back1.last_seq == 5);
  REQUIRE(back1.events.size() == 2);
  CHECK(back1.events[0].seq == 4);
  auto [s2, log2, back2] = subscribe(b, {"user:alice"}, 0);
  CHECK(back2.gap);  // 1 and 2 are gone from a window of 3
  REQUIRE(back2.events.size() == 2);  // alice's 3 and 5
  CHECK(back2.events[0].job_id == 3);
  auto [s3, log3, back3] = subscribe(b, {"*"}, 5);
  CHECK(back3.events.empty());
  CHECK_FALSE(back3.gap);
  publish(b, job(event_type::job_held, 6, "alice"));
  CHECK(log2->events.size() == 1);
  CHECK(log3->events.size() == 1);
}

TEST_CASE_FIXTURE(fixture, "a subscriber that goes away or unsubscribes gets nothing more") {
  auto b = bus();
  auto [sink, log, _] = subscribe(b, {"*"}, 0);
  publish(b, job(event_type::job_held, 1, "alice"));
  caf::anon_send(b, unsub_atom::value, sink);
  sched.run();
  publish(b, job(event_type::job_held, 2, "alice"));
  CHECK(log->events.size() == 1);
}

TEST_CASE_FIXTURE(fixture, "numbers are reserved durably before they are handed out") {
  std::vector<std::pair<uint64_t, std::function<void(bool)>>> asked;
  event_bus_options o;
  o.first_seq = 100;
  o.reserved_until = 100;  // nothing reserved beyond the stored value yet
  o.block = 10;
  o.reserve = [&asked](uint64_t until, std::function<void(bool)> done) { asked.emplace_back(until, std::move(done)); };
  auto b = bus(o);
  REQUIRE(asked.size() == 1);
  CHECK(asked[0].first == 110);
  auto [sink, log, _] = subscribe(b, {"*"}, 0);
  publish(b, job(event_type::job_held, 1, "alice"));
  CHECK(log->events.empty());  // waits for the reservation
  asked[0].second(true);
  sched.run();
  REQUIRE(log->events.size() == 1);
  CHECK(log->events[0].seq == 100);
  for (int i = 0; i < 5; ++i) publish(b, job(event_type::job_held, 2, "alice"));
  CHECK(asked.size() == 2);  // half the block used: the next one is asked for early
  CHECK(asked[1].first == 120);
}
