#include "actors/queue.hpp"

#include <memory>

#include "actors/monitor_rules.hpp"

namespace quire {

namespace {

struct queue_state_data {
  queue_record record;
  registry_actor registry;
  std::vector<std::pair<std::string, printer_actor>> printers;  // direct/group: where jobs print
  bool accepting = true;
  std::string not_accepting_reason;
  size_t turn = 0;  // group queues: where ties between printers start
  static inline const char* name = "queue";
};

using queue_self = queue_actor::stateful_pointer<queue_state_data>;

// Asks every printer of the queue for its state; `then` gets them in order
// (a printer that does not answer counts as stopped).
template <class F>
void poll_printers(queue_self self, F then) {
  auto& ps = self->state.printers;
  auto got = std::make_shared<std::vector<printer_status>>(ps.size());
  auto left = std::make_shared<size_t>(ps.size());
  for (size_t i = 0; i < ps.size(); ++i) {
    auto done = [got, left, i, then](printer_status s) mutable {
      (*got)[i] = std::move(s);
      if (--*left == 0) then(*got);
    };
    self->request(ps[i].second, caf::infinite, describe_atom::value)
        .then([done](printer_status& s) mutable { done(std::move(s)); },
              [done](caf::error&) mutable {
                printer_status stopped;
                stopped.state = printer_state::stopped;
                done(stopped);
              });
  }
}

caf::result<job_record> submit(queue_self self, new_job& nj) {
  auto& st = self->state;
  if (!st.accepting)
    return make_caf_error(errc::not_accepting,
                          "queue " + st.record.name + " is not accepting jobs (" + st.not_accepting_reason + ")");
  auto& rec = nj.record;
  rec.queue = st.record.name;
  if (st.record.type == queue_type::pull) {
    rec.state = job_state::held;
    rec.held_by = hold_reason::pull_queue;
  } else if (rec.held_by == hold_reason::client) {
    rec.state = job_state::held;
  } else {
    rec.state = job_state::queued;
    rec.held_by = hold_reason::none;
  }
  // Create-Job: the job waits for its document in `receiving`; where it
  // goes then (held or the printer) is decided now, by the same rules.
  if (nj.awaiting_document) rec.state = job_state::receiving;
  bool to_printer = st.record.type != queue_type::pull && rec.held_by == hold_reason::none && !st.printers.empty();
  if (!to_printer || st.printers.size() == 1) {
    if (to_printer) rec.printer = st.printers.front().first;
    return self->delegate(st.registry, create_atom::value, std::move(nj));
  }
  auto rp = self->make_response_promise<job_record>();
  poll_printers(self, [self, rp, nj = std::move(nj)](const std::vector<printer_status>& statuses) mutable {
    auto& s = self->state;
    nj.record.printer = s.printers[least_busy(statuses, s.turn++)].first;
    rp.delegate(self->state.registry, create_atom::value, std::move(nj));
  });
  return rp;
}

queue_actor::behavior_type queue_behavior(queue_self self, queue_record record, registry_actor registry,
                                          std::vector<std::pair<std::string, printer_actor>> printers) {
  self->state.record = std::move(record);
  self->state.registry = std::move(registry);
  self->state.printers = std::move(printers);
  return {
      [self](submit_atom, new_job& nj) -> caf::result<job_record> { return submit(self, nj); },
      [self](fleet_atom, const fleet_ptr& fl) {
        // The fleet changed: this queue's record and its printers' actors
        // as they are now (the fleet actor stops a queue it removes).
        auto& s = self->state;
        const auto* me = fl->queue(s.record.name);
        if (!me) return;
        s.record = me->record;
        s.printers = fl->printers_of(s.record);
      },
      [self](accept_atom, bool accepting, std::string& reason) {
        self->state.accepting = accepting;
        self->state.not_accepting_reason = accepting ? std::string() : std::move(reason);
      },
      [self](describe_atom) -> caf::result<printer_status> {
        auto rp = self->make_response_promise<printer_status>();
        auto& s = self->state;
        self->request(s.registry, caf::infinite, count_atom::value, s.record.name)
            .then(
                [self, rp](uint64_t active) mutable {
                  printer_status out;
                  out.name = self->state.record.name;
                  out.queued = active;
                  out.accepting = self->state.accepting;
                  out.not_accepting_reason = self->state.not_accepting_reason;
                  if (self->state.printers.empty()) {
                    rp.deliver(std::move(out));
                    return;
                  }
                  // A direct or group queue is as busy as its printers, and
                  // stopped only when all of them are.
                  bool pull = self->state.record.type == queue_type::pull;
                  poll_printers(self, [rp, out, pull](const std::vector<printer_status>& ps) mutable {
                    bool all_stopped = true, any_busy = false;
                    std::vector<std::vector<std::string>> reasons;
                    for (const auto& p : ps) {
                      all_stopped = all_stopped && p.state == printer_state::stopped;
                      any_busy = any_busy || p.state == printer_state::processing;
                      if (p.state == printer_state::stopped && out.state_message.empty())
                        out.state_message = p.name + ": " + p.state_message;
                      reasons.push_back(p.reasons);
                    }
                    out.reasons = merge_reasons(reasons);
                    out.device_blocked = all_stopped;
                    if (pull) {
                      // Jobs wait for a release, wherever the user walks to:
                      // the printers' conditions are shown, the queue's state
                      // is its own. A job can only go where a printer works.
                      if (!all_stopped) out.state_message.clear();
                      rp.deliver(std::move(out));
                      return;
                    }
                    out.state = all_stopped ? printer_state::stopped
                                : any_busy  ? printer_state::processing
                                            : printer_state::idle;
                    if (ps.size() == 1) {
                      out.state_message = ps[0].state_message;
                      out.device = ps[0].device;  // its supplies show as the queue's
                    }
                    rp.deliver(std::move(out));
                  });
                },
                [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
        return rp;
      },
  };
}

}  // namespace

size_t least_busy(const std::vector<printer_status>& statuses, size_t start) {
  size_t n = statuses.size();
  size_t best = start % n;
  auto rank = [](const printer_status& s) {
    return std::make_pair(s.state == printer_state::stopped ? 1 : 0, s.queued);
  };
  for (size_t k = 1; k < n; ++k) {
    size_t i = (start + k) % n;
    if (rank(statuses[i]) < rank(statuses[best])) best = i;
  }
  return best;
}

queue_actor spawn_queue(caf::actor_system& sys, queue_record record, registry_actor registry,
                        std::vector<std::pair<std::string, printer_actor>> printers) {
  return sys.spawn(queue_behavior, std::move(record), std::move(registry), std::move(printers));
}

}  // namespace quire
