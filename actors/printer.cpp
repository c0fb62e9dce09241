#include "actors/printer.hpp"

#include <spdlog/spdlog.h>

#include <deque>

namespace quire {

namespace {

struct printer_state_data {
  printer_record record;
  std::shared_ptr<devices::driver> driver;
  std::string stop_reason;
  io::loop* loop = nullptr;
  std::deque<std::pair<uint64_t, job_actor>> fifo;
  bool busy = false;
  uint64_t current_id = 0;
  job_actor current_job;
  uint64_t delivered = 0;
  static inline const char* name = "printer";
};

using printer_self = printer_actor::stateful_pointer<printer_state_data>;

void pump(printer_self self);

void hand_to_driver(printer_self self, delivery_ticket& t) {
  auto& st = self->state;
  devices::job_document doc;
  doc.job_id = t.job_id;
  doc.title = std::move(t.title);
  doc.format = std::move(t.format);
  doc.copies = t.copies;
  doc.bytes = std::move(t.bytes);
  doc.path = std::move(t.path);
  auto me = caf::actor_cast<printer_actor>(self);
  auto driver = st.driver;
  uint64_t id = t.job_id;
  st.loop->post([driver, me, id, doc = std::move(doc)]() mutable {
    driver->deliver(std::move(doc), [me, id](devices::delivery_result r) {
      caf::anon_send(me, delivered_atom::value, delivery_outcome{id, r.ok, std::move(r.message)});
    });
  });
}

void pump(printer_self self) {
  auto& st = self->state;
  if (st.busy || st.fifo.empty()) return;
  auto [id, job] = std::move(st.fifo.front());
  st.fifo.pop_front();
  st.busy = true;
  st.current_id = id;
  st.current_job = job;
  self->request(job, caf::infinite, start_atom::value)
      .then(
          [self](delivery_ticket& t) {
            if (!t.go) {  // canceled or held while it waited
              self->state.busy = false;
              pump(self);
              return;
            }
            if (!self->state.driver) {
              caf::anon_send(caf::actor_cast<printer_actor>(self), delivered_atom::value,
                             delivery_outcome{t.job_id, false, self->state.stop_reason});
              return;
            }
            hand_to_driver(self, t);
          },
          [self](caf::error&) {  // the job's actor is gone: nothing to deliver
            self->state.busy = false;
            pump(self);
          });
}

printer_actor::behavior_type printer_behavior(printer_self self, printer_record record,
                                              std::shared_ptr<devices::driver> driver, std::string stop_reason,
                                              io::loop* loop) {
  auto& st = self->state;
  st.record = std::move(record);
  st.driver = std::move(driver);
  st.stop_reason = std::move(stop_reason);
  st.loop = loop;
  return {
      [self](enqueue_atom, uint64_t id, job_actor job) {
        self->state.fifo.emplace_back(id, std::move(job));
        pump(self);
      },
      [self](delivered_atom, delivery_outcome& outcome) {
        auto& s = self->state;
        if (!s.busy || outcome.job_id != s.current_id) return;
        self->send(s.current_job, delivered_atom::value, std::move(outcome));
        s.busy = false;
        s.current_job = nullptr;
        s.delivered += 1;
        pump(self);
      },
      [self](describe_atom) -> printer_status {
        auto& s = self->state;
        printer_status out;
        out.name = s.record.name;
        out.state = !s.driver ? printer_state::stopped : s.busy ? printer_state::processing : printer_state::idle;
        out.state_message = s.stop_reason;
        out.queued = s.fifo.size() + (s.busy ? 1 : 0);
        out.delivered = s.delivered;
        return out;
      },
  };
}

}  // namespace

printer_actor spawn_printer(caf::actor_system& sys, printer_record record, std::shared_ptr<devices::driver> driver,
                            std::string stop_reason, io::loop* loop) {
  if (!driver) spdlog::warn("printer {} is stopped: {}", record.name, stop_reason);
  return sys.spawn(printer_behavior, std::move(record), std::move(driver), std::move(stop_reason), loop);
}

}  // namespace quire
