#include "actors/queue.hpp"

namespace quire {

namespace {

struct queue_state_data {
  queue_record record;
  registry_actor registry;
  printer_actor printer;  // the direct queue's printer (null for a pull queue)
  bool accepting = true;
  std::string not_accepting_reason;
  static inline const char* name = "queue";
};

using queue_self = queue_actor::stateful_pointer<queue_state_data>;

queue_actor::behavior_type queue_behavior(queue_self self, queue_record record, registry_actor registry,
                                          printer_actor printer) {
  self->state.record = std::move(record);
  self->state.registry = std::move(registry);
  self->state.printer = std::move(printer);
  return {
      [self](submit_atom, new_job& nj) -> caf::result<job_record> {
        if (!self->state.accepting)
          return make_caf_error(errc::not_accepting, "queue " + self->state.record.name +
                                                         " is not accepting jobs (" +
                                                         self->state.not_accepting_reason + ")");
        auto& q = self->state.record;
        auto& rec = nj.record;
        rec.queue = q.name;
        if (q.type == queue_type::pull) {
          rec.state = job_state::held;
          rec.held_by = hold_reason::pull_queue;
        } else if (rec.held_by == hold_reason::client) {
          rec.state = job_state::held;
        } else {
          rec.state = job_state::queued;
          rec.held_by = hold_reason::none;
          rec.printer = q.printers.empty() ? std::string() : q.printers.front();
        }
        // Create-Job: the job waits for its document in `receiving`; where it
        // goes then (held or the printer) is decided now, by the same rules.
        if (nj.awaiting_document) rec.state = job_state::receiving;
        return self->delegate(self->state.registry, create_atom::value, std::move(nj));
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
                  if (!self->state.printer) {
                    rp.deliver(std::move(out));
                    return;
                  }
                  // A direct queue is as busy (or stopped) as its printer.
                  self->request(self->state.printer, caf::infinite, describe_atom::value)
                      .then([rp, out](printer_status& p) mutable {
                        out.state = p.state;
                        out.state_message = p.state_message;
                        rp.deliver(std::move(out));
                      },
                      [rp, out](caf::error&) mutable { rp.deliver(std::move(out)); });
                },
                [rp](caf::error& e) mutable { rp.deliver(std::move(e)); });
        return rp;
      },
  };
}

}  // namespace

queue_actor spawn_queue(caf::actor_system& sys, queue_record record, registry_actor registry,
                        printer_actor printer) {
  return sys.spawn(queue_behavior, std::move(record), std::move(registry), std::move(printer));
}

}  // namespace quire
