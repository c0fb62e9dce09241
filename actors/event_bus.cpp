#include "actors/event_bus.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>

namespace quire {

namespace {

using reserved_atom = caf::atom_constant<caf::atom("reserved")>;

struct subscriber {
  event_sink_actor sink;
  std::vector<std::string> topics;

  bool wants(const event& e) const {
    return std::any_of(topics.begin(), topics.end(), [&](const std::string& t) { return in_topic(e, t); });
  }
};

struct bus_state {
  event_bus_options opts;
  uint64_t next_seq = 1;
  uint64_t reserved_until = 0;
  bool reserving = false;
  std::deque<event> window;
  std::vector<subscriber> subscribers;
  std::deque<event> unnumbered;  // published while a reservation was on its way
  static inline const char* name = "event_bus";
};

using bus_self = caf::stateful_actor<bus_state>*;

bool needs_reservation(const bus_state& st) { return static_cast<bool>(st.opts.reserve); }

void reserve(bus_self self) {
  auto& st = self->state;
  if (st.reserving || !needs_reservation(st)) return;
  st.reserving = true;
  uint64_t until = std::max(st.next_seq, st.reserved_until) + st.opts.block;
  auto me = caf::actor_cast<caf::actor>(self);
  st.opts.reserve(until, [me, until](bool ok) { caf::anon_send(me, reserved_atom::value, until, ok); });
}

void emit(bus_self self, event e) {
  auto& st = self->state;
  e.seq = st.next_seq++;
  if (st.opts.now_ms) e.time_ms = st.opts.now_ms();
  for (auto& s : st.subscribers)
    if (s.wants(e)) self->send(s.sink, e);
  st.window.push_back(std::move(e));
  while (st.window.size() > st.opts.window) st.window.pop_front();
  if (needs_reservation(st) && st.next_seq + st.opts.block / 2 >= st.reserved_until) reserve(self);
}

void publish(bus_self self, event e) {
  auto& st = self->state;
  if (needs_reservation(st) && st.next_seq >= st.reserved_until) {
    st.unnumbered.push_back(std::move(e));
    reserve(self);
    return;
  }
  emit(self, std::move(e));
}

event_backlog subscribe(bus_self self, event_sink_actor sink, std::vector<std::string> topics, uint64_t from) {
  auto& st = self->state;
  subscriber sub{sink, std::move(topics)};
  event_backlog out;
  out.last_seq = st.next_seq - 1;
  if (from < out.last_seq) {
    uint64_t oldest = st.window.empty() ? st.next_seq : st.window.front().seq;
    out.gap = from + 1 < oldest;
    for (const auto& e : st.window)
      if (e.seq > from && sub.wants(e)) out.events.push_back(e);
  }
  self->monitor(sink);
  st.subscribers.push_back(std::move(sub));
  return out;
}

void drop(bus_self self, const caf::actor_addr& who) {
  auto& subs = self->state.subscribers;
  subs.erase(std::remove_if(subs.begin(), subs.end(), [&](const subscriber& s) { return s.sink.address() == who; }),
             subs.end());
}

caf::behavior bus_behavior(bus_self self, event_bus_options opts) {
  auto& st = self->state;
  st.opts = std::move(opts);
  st.next_seq = std::max<uint64_t>(st.opts.first_seq, 1);
  st.reserved_until = st.opts.reserved_until;
  if (needs_reservation(st) && st.next_seq + st.opts.block / 2 >= st.reserved_until) reserve(self);
  self->set_down_handler([self](caf::down_msg& dm) { drop(self, dm.source); });
  return {
      [self](publish_atom, event& e) { publish(self, std::move(e)); },
      [self](subscribe_atom, event_sink_actor& sink, std::vector<std::string>& topics, uint64_t from) {
        return subscribe(self, std::move(sink), std::move(topics), from);
      },
      [self](unsub_atom, event_sink_actor& sink) {
        self->demonitor(sink.address());
        drop(self, sink.address());
      },
      [self](reserved_atom, uint64_t until, bool ok) {
        auto& s = self->state;
        s.reserving = false;
        if (!ok) {
          // Without a durable reservation, numbers could repeat after a
          // crash; events wait (bounded) and the reservation is retried.
          spdlog::error("cannot reserve event sequence numbers; retrying");
          if (s.unnumbered.size() > s.opts.window) s.unnumbered.pop_front();
          self->delayed_send(self, std::chrono::seconds(1), reserved_atom::value, uint64_t{0}, true);
          return;
        }
        s.reserved_until = std::max(s.reserved_until, until);
        while (!s.unnumbered.empty() && s.next_seq < s.reserved_until) {
          auto e = std::move(s.unnumbered.front());
          s.unnumbered.pop_front();
          emit(self, std::move(e));
        }
        if (!s.unnumbered.empty() || s.next_seq + s.opts.block / 2 >= s.reserved_until) reserve(self);
      },
  };
}

}  // namespace

event_bus_actor spawn_event_bus(caf::actor_system& sys, event_bus_options opts) {
  return caf::actor_cast<event_bus_actor>(sys.spawn(bus_behavior, std::move(opts)));
}

}  // namespace quire
