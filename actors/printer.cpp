#include "actors/printer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <random>

#include "actors/job_rules.hpp"
#include "storage/store.hpp"
#include "storage/write_batch.hpp"

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

  // Monitoring (see printer.hpp).
  printer_monitoring mon;
  uint64_t round = 0;        // the poll scheduled or running; older answers are ignored
  bool polling = false;
  int64_t next_poll_at = 0;  // steady clock, ms
  uint32_t silent = 0;       // polls in a row without an answer
  bool answered_ever = false;
  devices::device_status last;  // the last answer
  int64_t last_seen_ms = 0;
  sockaddr_storage address{};   // resolved; family 0: resolve before the next poll
  std::vector<std::string> last_warnings;
  bool have_count = false;
  uint64_t count = 0;           // the page counter kept (monitor_rules judge_counter)
  std::string count_serial;
  uint64_t count_uptime = 0;
  bool have_snapshot = false;
  int64_t snapshot_at = 0;
  int64_t pruned_at = 0;
  std::minstd_rand rng{std::random_device{}()};
  // What the bus last heard, to publish printer.state on change only.
  std::vector<std::string> announced_reasons;
  std::string announced_text;
  static inline const char* name = "printer";
};

using printer_self = printer_actor::stateful_pointer<printer_state_data>;

void pump(printer_self self);

bool offline(const printer_state_data& s) { return s.mon.enabled && s.silent >= s.mon.schedule.offline_after; }

// The device reports a condition that stops it printing (only believed while
// it answers). `why` gets the sentence.
bool device_blocked(const printer_state_data& s, std::string* why = nullptr) {
  return s.mon.enabled && s.answered_ever && !offline(s) && devices::prevents_printing(s.last, why);
}

std::vector<std::string> current_reasons(const printer_state_data& s) {
  if (!s.mon.enabled) return {};
  return printer_reasons(s.last, s.answered_ever, !offline(s), s.mon.low_percent);
}

printer_state current_state(const printer_state_data& s) {
  if (!s.driver || device_blocked(s)) return printer_state::stopped;
  return s.line.empty() && s.fifo.empty() ? printer_state::idle : printer_state::processing;
}

std::string current_message(const printer_state_data& s) {
  if (!s.driver) return s.stop_reason;
  std::string why;
  if (device_blocked(s, &why)) return why;
  if (offline(s))
    return "the printer does not answer its monitoring (" + std::to_string(s.silent) + " polls in a row)";
  return {};
}

// Publishes printer.state when the state, its message or the device's
// reasons changed since the last one.
void announce_state(printer_self self) {
  auto& st = self->state;
  auto now = current_state(st);
  auto reasons = current_reasons(st);
  auto text = current_message(st);
  if ((now == st.announced && reasons == st.announced_reasons && text == st.announced_text) || !st.events) return;
  if (reasons != st.announced_reasons) {
    std::string list;
    for (const auto& r : reasons) list += (list.empty() ? "" : ", ") + r;
    spdlog::info("printer {}: {}", st.record.name, list.empty() ? "the device reports no condition" : list);
  }
  st.announced = now;
  st.announced_reasons = reasons;
  st.announced_text = text;
  event e;
  e.type = event_type::printer_state;
  e.printer = st.record.name;
  e.printer_state = static_cast<uint8_t>(now);
  e.text = std::move(text);
  e.reasons = std::move(reasons);
  self->send(st.events, publish_atom::value, std::move(e));
}

void publish(printer_self self, event_type type, std::string text) {
  auto& st = self->state;
  if (!st.events) return;
  event e;
  e.type = type;
  e.printer = st.record.name;
  e.printer_state = static_cast<uint8_t>(current_state(st));
  e.text = std::move(text);
  self->send(st.events, publish_atom::value, std::move(e));
}

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t wall_ms(const printer_state_data& s) {
  if (s.mon.now_ms) return s.mon.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double draw(printer_state_data& s) { return std::uniform_real_distribution<double>(0.0, 1.0)(s.rng); }

void schedule_poll(printer_self self, uint64_t delay_ms) {
  auto& st = self->state;
  st.round += 1;
  st.next_poll_at = steady_ms() + static_cast<int64_t>(delay_ms);
  self->delayed_send(self, std::chrono::milliseconds(delay_ms), poll_atom::value, st.round);
}

bool busy(const printer_state_data& s) { return !s.line.empty() || !s.fifo.empty(); }

// A job arrived at an idle printer: its device is looked at sooner.
void hurry_poll(printer_self self) {
  auto& st = self->state;
  if (!st.mon.enabled || st.polling || st.silent > 0) return;
  auto soon = static_cast<int64_t>(st.mon.schedule.busy_interval_ms);
  if (st.next_poll_at - steady_ms() > soon) schedule_poll(self, static_cast<uint64_t>(soon));
}

void start_poll(printer_self self) {
  auto& st = self->state;
  st.polling = true;
  auto me = caf::actor_cast<printer_actor>(self);
  uint64_t round = st.round;
  devices::poll_target target;
  target.address = st.address;
  target.community = st.mon.community;
  target.ver = st.mon.ver;
  st.loop->post([loop = st.loop, client = st.mon.client, target, host = st.mon.host, port = st.mon.port,
                 opts = st.mon.poll, me, round]() mutable {
    auto go = [client, opts, me, round](devices::poll_target t, std::string resolved) {
      devices::poll_device(*client, t, opts, [me, round, resolved](devices::poll_result r) {
        device_poll d;
        d.round = round;
        d.answered = r.answered;
        d.error = std::move(r.error);
        d.status = std::move(r.status);
        d.warnings = std::move(r.warnings);
        d.resolved = resolved;
        caf::anon_send(me, polled_atom::value, std::move(d));
      });
    };
    if (target.address.ss_family != 0) return go(std::move(target), {});
    devices::resolve_address(loop->uv(), host, port,
                             [go, target, me, round](result<sockaddr_storage> a) mutable {
                               if (!a) {
                                 device_poll d;
                                 d.round = round;
                                 d.error = a.err().message;
                                 caf::anon_send(me, polled_atom::value, std::move(d));
                                 return;
                               }
                               target.address = *a;
                               go(std::move(target), devices::to_string(*a));
                             });
  });
}

void store_snapshot(printer_self self, int64_t now) {
  auto& st = self->state;
  st.have_snapshot = true;
  st.snapshot_at = now;
  if (!st.mon.st) return;
  device_counter_record r;
  r.time_ms = now;
  r.life_count = st.count;
  r.serial = st.count_serial;
  r.delivered = st.delivered;
  write_batch b;
  b.put(cf::device_counters, keys::device_counter(st.record.name, now), encode_record(r));
  if (now - st.pruned_at >= 86'400'000 && now > st.mon.retention_ms) {
    b.erase_range(cf::device_counters, keys::device_counter(st.record.name, 0),
                  keys::device_counter(st.record.name, now - st.mon.retention_ms));
    st.pruned_at = now;
  }
  st.mon.st->commit(std::move(b), [name = st.record.name](const status& s) {
    if (s) spdlog::warn("printer {}: the page counter snapshot was not stored: {}", name, s.describe());
  });
}

void take_answer(printer_self self, device_poll& d) {
  auto& st = self->state;
  int64_t now = wall_ms(st);
  bool was_offline = offline(st);
  bool first = !st.answered_ever;
  st.silent = 0;
  st.last_seen_ms = now;
  if (!d.resolved.empty()) spdlog::debug("printer {}: device at {}", st.record.name, d.resolved);
  if (was_offline) spdlog::info("printer {}: the device answers again", st.record.name);
  if (d.warnings != st.last_warnings)
    for (const auto& w : d.warnings) spdlog::warn("printer {}: device: {}", st.record.name, w);
  st.last_warnings = d.warnings;

  // Page counter: kept honest, and snapshot now and then.
  auto verdict = judge_counter(st.have_count, st.count, st.count_serial, st.count_uptime, d.status);
  if (!verdict.warning.empty()) spdlog::warn("printer {}: {}", st.record.name, verdict.warning);
  bool other_device = st.have_count && !st.count_serial.empty() && d.status.serial != st.count_serial;
  if (d.status.has_life_count) {
    st.have_count = true;
    st.count = verdict.keep;
    st.count_serial = d.status.serial;
    st.count_uptime = d.status.uptime_cs;
    if (snapshot_due(st.have_snapshot, st.snapshot_at, verdict.changed, other_device, now, st.mon.snapshot_ms))
      store_snapshot(self, now);
  }

  auto changes = devices::compare(st.last, d.status, st.mon.low_percent);
  bool supplies_news = first ? !d.status.supplies.empty() : changes.supplies;
  bool alerts_news = first ? !d.status.alerts.empty() : changes.alerts;
  st.answered_ever = true;
  st.last = std::move(d.status);
  if (supplies_news)
    publish(self, event_type::printer_supply, devices::describe_supplies(st.last, st.mon.low_percent));
  if (alerts_news) publish(self, event_type::printer_alert, devices::describe_alerts(st.last));
}

void take_silence(printer_self self, const device_poll& d) {
  auto& st = self->state;
  bool was_offline = offline(st);
  st.silent += 1;
  st.address = {};  // resolve the name again: the device may have moved
  if (!was_offline && offline(st))
    spdlog::warn("printer {}: the device does not answer its monitoring ({}); shown offline", st.record.name,
                 d.error);
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
  if (device_blocked(st)) return;  // jobs wait in the FIFO until the device can print
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
                                              io::loop* loop, event_bus_actor events, printer_monitoring mon) {
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
  st.mon = std::move(mon);
  st.mon.enabled = st.mon.enabled && st.mon.client && loop;
  if (st.mon.enabled) {
    devices::parse_numeric_address(st.mon.host, st.mon.port, st.address);
    schedule_poll(self, first_poll_delay(st.mon.schedule, draw(st)));
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
        hurry_poll(self);
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
      [self](poll_atom, uint64_t round) {
        auto& s = self->state;
        if (!s.mon.enabled || round != s.round || s.polling) return;
        start_poll(self);
      },
      [self](polled_atom, device_poll& d) {
        auto& s = self->state;
        if (d.round != s.round || !s.polling) return;  // an answer to a poll given up on
        s.polling = false;
        if (d.answered) {
          if (!d.resolved.empty()) devices::parse_numeric_address(d.resolved.substr(0, d.resolved.rfind(':')),
                                                                   s.mon.port, s.address);
          take_answer(self, d);
        } else {
          take_silence(self, d);
        }
        pump(self);
        announce_state(self);
        schedule_poll(self, next_poll_delay(s.mon.schedule, busy(s), s.silent, draw(s)));
      },
      [self](counters_atom, int64_t from_ms, int64_t to_ms, uint32_t limit) {
        auto& s = self->state;
        if (!s.mon.st) return std::vector<device_counter_record>{};
        return s.mon.st->device_counters(s.record.name, from_ms, to_ms, limit);
      },
      [self](describe_atom) -> printer_status {
        auto& s = self->state;
        printer_status out;
        out.name = s.record.name;
        out.state = current_state(s);
        out.state_message = current_message(s);
        out.queued = s.fifo.size() + s.line.size();
        out.delivered = s.delivered;
        out.reasons = current_reasons(s);
        out.device_blocked = device_blocked(s);
        out.device.monitored = s.mon.enabled;
        out.device.online = s.mon.enabled && s.answered_ever && !offline(s);
        out.device.last_seen_ms = s.last_seen_ms;
        if (s.mon.enabled)
          out.device.address = s.mon.host.find(':') != std::string::npos
                                   ? "[" + s.mon.host + "]:" + std::to_string(s.mon.port)
                                   : s.mon.host + ":" + std::to_string(s.mon.port);
        out.device.status = s.last;
        if (s.have_count) out.device.status.life_count = s.count;
        return out;
      },
  };
}

}  // namespace

printer_actor spawn_printer(caf::actor_system& sys, printer_record record, std::shared_ptr<devices::driver> driver,
                            std::string stop_reason, io::loop* loop, event_bus_actor events,
                            printer_monitoring monitoring) {
  if (!driver) spdlog::warn("printer {} is stopped: {}", record.name, stop_reason);
  return sys.spawn(printer_behavior, std::move(record), std::move(driver), std::move(stop_reason), loop,
                   std::move(events), std::move(monitoring));
}

}  // namespace quire
