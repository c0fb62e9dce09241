#include "actors/disk_watch.hpp"

#include <sys/statvfs.h>

#include <spdlog/spdlog.h>

namespace quire {

namespace {

using measure_atom = caf::atom_constant<caf::atom("measure")>;

struct watch_state {
  disk_watch_options opts;
  fleet_ptr queues;
  event_bus_actor events;
  disk_rule rule;
  static inline const char* name = "disk_watch";
};

using watch_self = caf::stateful_actor<watch_state>*;

// A statvfs call takes microseconds: fine on an event-based actor.
bool free_bytes(const std::string& path, uint64_t& out) {
  struct statvfs vfs {};
  if (::statvfs(path.c_str(), &vfs) != 0) return false;
  out = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  return true;
}

void measure(watch_self self) {
  auto& st = self->state;
  uint64_t avail = 0;
  if (free_bytes(st.opts.path, avail) && st.rule.update(avail)) {
    bool ok = st.rule.accepting;
    if (ok)
      spdlog::info("{} bytes free in {} again: queues accept jobs", avail, st.opts.path);
    else
      spdlog::warn("only {} bytes free in {} (limit {}): queues stop accepting jobs", avail, st.opts.path,
                   st.opts.min_free);
    for (const auto& [name, q] : st.queues->queues) {
      self->send(q.actor, accept_atom::value, ok, std::string("spool-area-full"));
      if (!st.events) continue;
      event e;
      e.type = event_type::queue_changed;
      e.queue = name;
      e.text = ok ? "accepting jobs again" : "not accepting jobs: the spool area is full";
      self->send(st.events, publish_atom::value, std::move(e));
    }
  }
  self->delayed_send(self, st.opts.interval, measure_atom::value);
}

caf::behavior watch_behavior(watch_self self, disk_watch_options opts, fleet_ptr queues, event_bus_actor events) {
  auto& st = self->state;
  st.opts = std::move(opts);
  st.queues = std::move(queues);
  st.events = std::move(events);
  st.rule.min_free = st.opts.min_free;
  measure(self);
  return {
      [self](measure_atom) { measure(self); },
      [self](fleet_atom, fleet_ptr& fl) {
        // A queue added while the spool area is full must not take jobs either.
        auto& s = self->state;
        if (!s.rule.accepting)
          for (const auto& [name, q] : fl->queues)
            if (!s.queues->queue(name)) self->send(q.actor, accept_atom::value, false, std::string("spool-area-full"));
        s.queues = std::move(fl);
      },
  };
}

}  // namespace

caf::actor spawn_disk_watch(caf::actor_system& sys, disk_watch_options opts, fleet_ptr queues,
                            event_bus_actor events) {
  return sys.spawn(watch_behavior, std::move(opts), std::move(queues), std::move(events));
}

}  // namespace quire
