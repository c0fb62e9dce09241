// The event bus: one ordered stream of the site's events, by topic.
//
// Actors publish events (job changes, printer states...); the bus gives each
// its site-wide sequence number and time, keeps a bounded window of recent
// events, and pushes each to the subscribers of its topics. A subscriber
// names the topics it may see (`user:alice`, `queue:secure`, `admin`, or
// "*") and the last sequence number it has: it gets the retained events
// after that one at once (with `gap` set when some are no longer retained),
// then every new one as it happens. Subscribers are monitored: one that
// goes away is dropped.
//
// Sequence numbers start at `first_seq` (the site reserves them durably in
// blocks, like job ids, so they never repeat after a restart) and the bus
// asks `reserve` for the next block before it runs out.
#pragma once

#include <functional>

#include "actors/messages.hpp"

namespace quire {

struct event_bus_options {
  size_t window = 4096;           // events retained for subscribers that resume
  uint64_t first_seq = 1;         // the first sequence number to hand out
  uint64_t reserved_until = 0;    // numbers below this are durably reserved (0: no reservation needed)
  uint64_t block = 100000;        // how many to reserve at a time
  // Makes `until` durable, then calls `done(ok)` from any thread. Empty: no
  // persistence (tests).
  std::function<void(uint64_t until, std::function<void(bool)> done)> reserve;
  std::function<int64_t()> now_ms;  // wall clock
};

event_bus_actor spawn_event_bus(caf::actor_system& sys, event_bus_options opts);

}  // namespace quire
