#include "actors/printer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>

#include "actors/job_rules.hpp"

namespace quire {

namespace {

// A job between the FIFO and the end of its delivery.
struct slot {
  enum class phase : uint8_t { preparing, ready, in_driver };
  uint64_t id = 0;
  job_actor job;
  phase at = phase::preparing;
  delivery_ticket ticket;
};

struct printer_state_data {
  printer_record record;
  std::shared_ptr<devices::driver> driver;
  std::string stop_reason;
  io::loop* loop = nullptr;
  std::deque<std::pair<uint64_t, job_actor>> fifo;  // released, not yet taken
  std::deque<slot> line;                            // taken, in FIFO order
  size_t depth = 1;                                 // how many the driver takes ahead
  uint64_t delivered = 0;
  event_bus_actor events;
  printer_state announced = printer_state::idle;  // the state the bus last heard of
  // The language jobs are converted to: the configured one, or for "auto"
  // what the device said it takes (asked before the first job, and again
  // before the next one while it has not answered).
  std::string language;
  bool ask_first = false;  // ask the device before taking more jobs
  bool probing = false;
  static inline const char* name = "printer";
};

using printer_self = printer_actor::stateful_pointer<printer_state_data>;

void pump(printer_self self);

printer_state current_state(const printer_state_data& s) {
  return !s.driver ? printer_state::stopped : s.line.empty() && s.fifo.empty() ? printer_state::idle
                                                                               : printer_state::processing;
}

// Publishes printer.state when the state changed since the last one.
void announce_state(printer_self self) {
  auto& st = self->state;
  auto now = current_state(st);
  if (now == st.announced || !st.events) return;
  st.announced = now;
  event e;
  e.type = event_type::printer_state;
  e.printer = st.record.name;
  e.printer_state = static_cast<uint8_t>(now);
  e.text = now == printer_state::stopped ? st.stop_reason : std::string();
  self->send(st.events, publish_atom::value, std::move(e));
}

slot* find_slot(printer_self self, uint64_t id) {
  for (auto& s : self->state.line)
    if (s.id == id) return &s;
  return nullptr;
}

void erase_slot(printer_self self, uint64_t id) {
  auto& line = self->state.line;
  for (auto it = line.begin(); it != line.end(); ++it)
    if (it->id == id) {
      line.erase(it);
      return;
    }
}

void hand_to_driver(printer_self self, slot& s) {
  auto& st = self->state;
  s.at = slot::phase::in_driver;
  auto me = caf::actor_cast<printer_actor>(self);
  uint64_t id = s.id;
  if (!st.driver) {
    caf::anon_send(me, delivered_atom::value, delivery_outcome{id, false, st.stop_reason});
    return;
  }
  devices::job_document doc;
  doc.job_id = id;
  doc.title = std::move(s.ticket.title);
  doc.user = std::move(s.ticket.user);
  doc.host = std::move(s.ticket.host);
  doc.format = std::move(s.ticket.format);
  doc.copies = s.ticket.copies;
  doc.bytes = std::move(s.ticket.bytes);
  doc.path = std::move(s.ticket.path);
  st.loop->post([driver = st.driver, me, id, doc = std::move(doc)]() mutable {
    driver->deliver(std::move(doc), [me, id](devices::delivery_result r) {
      std::string said = r.ok ? std::move(r.confirmation) : std::move(r.message);
      caf::anon_send(me, delivered_atom::value, delivery_outcome{id, r.ok, std::move(said), r.unreachable});
    });
  });
}

// Hands ready tickets to the driver, strictly in FIFO order.
void feed_driver(printer_self self) {
  for (auto& s : self->state.line) {
    if (s.at == slot::phase::preparing) return;
    if (s.at == slot::phase::ready) hand_to_driver(self, s);
  }
}

// Takes jobs from the FIFO while the driver can take more: each job is asked
// for its ticket (it may have been canceled or held meanwhile).
void probe(printer_self self) {
  auto& st = self->state;
  if (st.probing || !st.driver) return;
  st.probing = true;
  auto me = caf::actor_cast<printer_actor>(self);
  st.loop->post([driver = st.driver, me] {
    driver->probe_formats([me](std::vector<std::string> formats) {
      caf::anon_send(me, formats_atom::value, std::move(formats));
    });
  });
}

void pump(printer_self self) {
  auto& st = self->state;
  if (st.ask_first && !st.fifo.empty()) return probe(self);
  while (st.line.size() < st.depth && !st.fifo.empty()) {
    auto [id, job] = std::move(st.fifo.front());
    st.fifo.pop_front();
    st.line.push_back(slot{id, job, slot::phase::preparing, {}});
    self->request(job, caf::infinite, start_atom::value, st.language)
        .then(
            [self, id](delivery_ticket& t) {
              slot* s = find_slot(self, id);
              if (!s) return;
              if (!t.go) {
                erase_slot(self, id);
              } else {
                s->ticket = std::move(t);
                s->at = slot::phase::ready;
              }
              feed_driver(self);
              pump(self);
            },
            [self, id](caf::error&) {  // the job's actor is gone: nothing to deliver
              erase_slot(self, id);
              feed_driver(self);
              pump(self);
            });
  }
}

printer_actor::behavior_type printer_behavior(printer_self self, printer_record record,
                                              std::shared_ptr<devices::driver> driver, std::string stop_reason,
                                              io::loop* loop, event_bus_actor events) {
  auto& st = self->state;
  st.record = std::move(record);
  st.driver = std::move(driver);
  st.stop_reason = std::move(stop_reason);
  st.loop = loop;
  st.depth = st.driver ? std::max<size_t>(1, st.driver->max_pending()) : 1;
  st.events = std::move(events);
  st.language = st.record.language;
  if (st.language == auto_language && st.driver) {
    st.ask_first = true;
    probe(self);
  }
  announce_state(self);  // a printer that cannot run says so at once
  return {
      [self](enqueue_atom, uint64_t id, job_actor job) {
        // A job is in the line once: a second enqueue (a job that was told
        // twice to go) would make its skip erase the real delivery's slot.
        auto& s = self->state;
        if (find_slot(self, id)) return;
        for (const auto& [queued_id, actor] : s.fifo)
          if (queued_id == id) return;
        s.fifo.emplace_back(id, std::move(job));
        pump(self);
        announce_state(self);
      },
      [self](delivered_atom, delivery_outcome& outcome) {
        auto& s = self->state;
        slot* done = find_slot(self, outcome.job_id);
        if (!done || done->at != slot::phase::in_driver) return;
        self->send(done->job, delivered_atom::value, std::move(outcome));
        erase_slot(self, done->id);
        s.delivered += 1;
        pump(self);
        announce_state(self);
      },
      [self](formats_atom, std::vector<std::string>& formats) {
        auto& s = self->state;
        s.probing = false;
        s.language = language_from_formats(formats);
        if (!formats.empty())
          spdlog::info("printer {}: the device takes {} format(s); jobs are sent as {}", s.record.name,
                       formats.size(), s.language);
        else
          spdlog::warn("printer {}: the device did not say which formats it takes; jobs go as they came",
                       s.record.name);
        // The jobs waiting now go in that language (as they came, without an
        // answer); without one, the device is asked again before later jobs.
        s.ask_first = false;
        pump(self);
        s.ask_first = formats.empty();
      },
      [self](describe_atom) -> printer_status {
        auto& s = self->state;
        printer_status out;
        out.name = s.record.name;
        out.state = current_state(s);
        out.state_message = s.stop_reason;
        out.queued = s.fifo.size() + s.line.size();
        out.delivered = s.delivered;
        return out;
      },
  };
}

}  // namespace

printer_actor spawn_printer(caf::actor_system& sys, printer_record record, std::shared_ptr<devices::driver> driver,
                            std::string stop_reason, io::loop* loop, event_bus_actor events) {
  if (!driver) spdlog::warn("printer {} is stopped: {}", record.name, stop_reason);
  return sys.spawn(printer_behavior, std::move(record), std::move(driver), std::move(stop_reason), loop,
                   std::move(events));
}

}  // namespace quire
