#include "actors/fleet_keeper.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <set>

#include "config/config.hpp"
#include "storage/store.hpp"

namespace quire {

namespace {

// A continuation the fleet actor runs on its own thread: how a storage
// commit's callback (on the writer's thread) gets back to the actor.
using fleet_step = std::shared_ptr<std::function<void()>>;

}  // namespace
}  // namespace quire

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::fleet_step)

namespace quire {

namespace {

struct keeper_state {
  fleet_keeper_options opts;
  fleet_ptr now;
  std::deque<fleet_change_ptr> waiting;  // changes run one at a time
  bool busy = false;
  static inline const char* name = "fleet";
};

using keeper_self = caf::stateful_actor<keeper_state>*;

void next_change(keeper_self self);

// Ends the change in hand and starts the next one.
void finish(keeper_self self) {
  self->state.busy = false;
  next_change(self);
}

void fail(keeper_self self, const fleet_change_ptr& c, error e) {
  c->fail(std::move(e));
  finish(self);
}

// Commits `batch`; `then` runs on the actor once it is durable.
void commit(keeper_self self, const fleet_change_ptr& c, write_batch batch, std::function<void()> then) {
  auto me = caf::actor_cast<caf::actor>(self);
  self->state.opts.st->commit(std::move(batch), [me, self, c, then = std::move(then)](const status& s) mutable {
    auto step = std::make_shared<std::function<void()>>([self, c, s, then = std::move(then)] {
      if (s) {
        spdlog::error("fleet: cannot store the change: {}", s.describe());
        return fail(self, c, error{errc::io_error, "cannot store the change: " + s.message});
      }
      then();
    });
    caf::anon_send(me, std::move(step));
  });
}

// Every holder gets the new snapshot, actors first, then the cell.
void publish(keeper_self self, std::shared_ptr<fleet> next) {
  auto& st = self->state;
  std::vector<printer_record> records;
  for (const auto& [name, p] : next->printers) records.push_back(p.record);
  next->prices = prices_of(records, st.opts.price_lists);
  st.now = std::move(next);
  for (const auto& a : st.opts.subscribers) self->send(a, fleet_atom::value, st.now);
  for (const auto& [name, q] : st.now->queues) self->send(q.actor, fleet_atom::value, st.now);
  if (st.opts.cell) st.opts.cell->set(st.now);
}

// Stops an actor the fleet no longer has (not a failure: unmonitored first).
template <class Handle>
void retire(keeper_self self, const Handle& h) {
  self->demonitor(caf::actor_cast<caf::actor_addr>(h));
  self->send_exit(caf::actor_cast<caf::actor>(h), caf::exit_reason::user_shutdown);
}

std::vector<std::pair<std::string, printer_actor>> printers_for(const fleet& fl, const queue_record& q) {
  std::vector<std::pair<std::string, printer_actor>> out;
  for (const auto& name : q.printers)
    if (const auto* p = fl.printer(name)) out.emplace_back(name, p->actor);
  return out;
}

// Whether the printer has a job in its line or printing: `then(busy, why)`.
template <class F>
void when_idle_known(keeper_self self, const printer_actor& actor, F then) {
  self->request(actor, std::chrono::seconds(5), describe_atom::value)
      .then(
          [then](printer_status& s) mutable {
            bool busy = s.queued > 0 || s.state == printer_state::processing;
            then(busy, std::to_string(s.queued) + " job(s) in its line" +
                           (s.state == printer_state::processing ? ", one printing" : ""));
          },
          [then](caf::error& e) mutable { then(true, "it does not answer: " + message_of(e)); });
}

void create_printer(keeper_self self, const fleet_change_ptr& c) {
  auto& st = self->state;
  if (st.now->printer(c->printer.name))
    return fail(self, c, error{errc::already_exists, "there is already a printer " + c->printer.name});
  auto rec = checked_printer(c->printer, st.opts.price_lists, st.opts.data_dir);
  if (!rec.ok()) return fail(self, c, rec.err());
  rec->origin = record_origin::api;
  write_batch b;
  b.put(cf::printers, rec->name, encode_record(*rec));
  commit(self, c, std::move(b), [self, c, rec = *rec] {
    auto& s = self->state;
    auto entry = s.opts.make_printer(rec);
    self->monitor(caf::actor_cast<caf::actor>(entry.actor));
    auto next = std::make_shared<fleet>(*s.now);
    next->printers[rec.name] = std::move(entry);
    publish(self, std::move(next));
    spdlog::info("fleet: printer {} added", rec.name);
    c->on_printer(rec);
    finish(self);
  });
}

// Stores `rec` in place of printer `old`, with a new actor when `renew`.
void replace_printer(keeper_self self, const fleet_change_ptr& c, printer_record rec, bool renew) {
  write_batch b;
  b.put(cf::printers, rec.name, encode_record(rec));
  commit(self, c, std::move(b), [self, c, rec, renew] {
    auto& s = self->state;
    auto next = std::make_shared<fleet>(*s.now);
    auto& entry = next->printers[rec.name];
    printer_actor old = entry.actor;
    if (renew) {
      entry = s.opts.make_printer(rec);
      self->monitor(caf::actor_cast<caf::actor>(entry.actor));
    } else {
      entry.record = rec;
    }
    publish(self, std::move(next));
    if (renew) retire(self, old);
    spdlog::info("fleet: printer {} changed{}", rec.name, renew ? " (a new driver)" : "");
    c->on_printer(rec);
    finish(self);
  });
}

void update_printer(keeper_self self, const fleet_change_ptr& c) {
  auto& st = self->state;
  const auto* cur = st.now->printer(c->name);
  if (!cur) return fail(self, c, error{errc::not_found, "there is no printer " + c->name});
  auto rec = checked_printer(web::patched(cur->record, c->printer_patch), st.opts.price_lists, st.opts.data_dir);
  if (!rec.ok()) return fail(self, c, rec.err());
  bool renew = rec->device_uri != cur->record.device_uri || rec->language != cur->record.language;
  if (!renew) return replace_printer(self, c, std::move(*rec), false);
  when_idle_known(self, cur->actor, [self, c, rec = std::move(*rec)](bool busy, const std::string& why) mutable {
    if (busy)
      return fail(self, c,
                  error{errc::not_possible, "printer " + c->name + " is busy (" + why +
                                                "); its device changes once it is idle"});
    replace_printer(self, c, std::move(rec), true);
  });
}

void remove_printer(keeper_self self, const fleet_change_ptr& c) {
  auto& st = self->state;
  const auto* cur = st.now->printer(c->name);
  if (!cur) return fail(self, c, error{errc::not_found, "there is no printer " + c->name});
  if (cur->record.origin == record_origin::config)
    return fail(self, c,
                error{errc::not_possible, "printer " + c->name +
                                              " is declared in the configuration file: remove it there"});
  std::string users;
  for (const auto& [name, q] : st.now->queues)
    if (std::count(q.record.printers.begin(), q.record.printers.end(), c->name))
      users += (users.empty() ? "" : ", ") + name;
  if (!users.empty())
    return fail(self, c, error{errc::not_possible, "printer " + c->name + " is used by queue(s) " + users});
  when_idle_known(self, cur->actor, [self, c](bool busy, const std::string& why) {
    if (busy) return fail(self, c, error{errc::not_possible, "printer " + c->name + " is busy (" + why + ")"});
    write_batch b;
    b.erase(cf::printers, c->name);
    commit(self, c, std::move(b), [self, c] {
      auto& s = self->state;
      auto next = std::make_shared<fleet>(*s.now);
      auto it = next->printers.find(c->name);
      printer_actor old = it->second.actor;
      next->printers.erase(it);
      publish(self, std::move(next));
      retire(self, old);
      spdlog::info("fleet: printer {} removed", c->name);
      c->on_done({});
      finish(self);
    });
  });
}

void store_queue(keeper_self self, const fleet_change_ptr& c, queue_record rec, bool created) {
  write_batch b;
  b.put(cf::queues, rec.name, encode_record(rec));
  commit(self, c, std::move(b), [self, c, rec, created] {
    auto& s = self->state;
    auto next = std::make_shared<fleet>(*s.now);
    auto& entry = next->queues[rec.name];
    entry.record = rec;
    if (created) {
      entry.actor = s.opts.make_queue(rec, printers_for(*next, rec));
      self->monitor(caf::actor_cast<caf::actor>(entry.actor));
    }
    publish(self, std::move(next));  // an existing queue's actor takes its new record from it
    spdlog::info("fleet: queue {} {}", rec.name, created ? "added" : "changed");
    c->on_queue(rec);
    finish(self);
  });
}

void create_queue(keeper_self self, const fleet_change_ptr& c) {
  auto& st = self->state;
  if (st.now->queue(c->queue.name))
    return fail(self, c, error{errc::already_exists, "there is already a queue " + c->queue.name});
  queue_record rec = c->queue;
  rec.origin = record_origin::api;
  if (status s = check_queue(rec, *st.now)) return fail(self, c, s);
  store_queue(self, c, std::move(rec), true);
}

void update_queue(keeper_self self, const fleet_change_ptr& c) {
  auto& st = self->state;
  const auto* cur = st.now->queue(c->name);
  if (!cur) return fail(self, c, error{errc::not_found, "there is no queue " + c->name});
  queue_record rec = web::patched(cur->record, c->queue_patch);
  if (status s = check_queue(rec, *st.now)) return fail(self, c, s);
  store_queue(self, c, std::move(rec), false);
}

void remove_queue(keeper_self self, const fleet_change_ptr& c) {
  auto& st = self->state;
  const auto* cur = st.now->queue(c->name);
  if (!cur) return fail(self, c, error{errc::not_found, "there is no queue " + c->name});
  if (cur->record.origin == record_origin::config)
    return fail(self, c,
                error{errc::not_possible, "queue " + c->name +
                                              " is declared in the configuration file: remove it there"});
  self->request(st.opts.registry, std::chrono::seconds(10), count_atom::value, c->name)
      .then(
          [self, c](uint64_t active) {
            if (active > 0)
              return fail(self, c,
                          error{errc::not_possible, "queue " + c->name + " has " + std::to_string(active) +
                                                        " unfinished job(s): cancel or print them first"});
            write_batch b;
            b.erase(cf::queues, c->name);
            commit(self, c, std::move(b), [self, c] {
              auto& s = self->state;
              auto next = std::make_shared<fleet>(*s.now);
              auto it = next->queues.find(c->name);
              queue_actor old = it->second.actor;
              next->queues.erase(it);
              publish(self, std::move(next));
              retire(self, old);
              spdlog::info("fleet: queue {} removed", c->name);
              c->on_done({});
              finish(self);
            });
          },
          [self, c](caf::error& e) { fail(self, c, error{errc::unavailable, message_of(e)}); });
}

void next_change(keeper_self self) {
  auto& st = self->state;
  if (st.busy || st.waiting.empty()) return;
  auto c = std::move(st.waiting.front());
  st.waiting.pop_front();
  st.busy = true;
  using op = fleet_change::op;
  switch (c->what) {
    case op::create_printer: return create_printer(self, c);
    case op::update_printer: return update_printer(self, c);
    case op::remove_printer: return remove_printer(self, c);
    case op::create_queue: return create_queue(self, c);
    case op::update_queue: return update_queue(self, c);
    case op::remove_queue: return remove_queue(self, c);
  }
  fail(self, c, error{errc::internal, "unknown fleet change"});
}

caf::behavior keeper_behavior(keeper_self self, fleet_keeper_options opts) {
  auto& st = self->state;
  st.opts = std::move(opts);
  st.now = st.opts.initial;
  st.opts.initial.reset();
  for (const auto& [name, p] : st.now->printers) self->monitor(caf::actor_cast<caf::actor>(p.actor));
  for (const auto& [name, q] : st.now->queues) self->monitor(caf::actor_cast<caf::actor>(q.actor));
  // A printer or queue that dies unasked: the site can no longer keep its
  // promises; stopping tells the supervisor (supervisor.hpp).
  self->set_down_handler([self](caf::down_msg& dm) {
    spdlog::critical("fleet: a printer or queue actor stopped: {}", caf::to_string(dm.reason));
    self->quit(dm.reason ? dm.reason : caf::make_error(caf::exit_reason::unhandled_exception));
  });
  self->set_exit_handler([self](caf::exit_msg& em) {
    for (const auto& [name, p] : self->state.now->printers) self->send_exit(caf::actor_cast<caf::actor>(p.actor), em.reason);
    for (const auto& [name, q] : self->state.now->queues) self->send_exit(caf::actor_cast<caf::actor>(q.actor), em.reason);
    for (const auto& c : self->state.waiting) c->fail(error{errc::shutting_down, "the server is stopping"});
    self->state.waiting.clear();
    self->quit(em.reason);
  });
  return {
      [self](fleet_change_ptr& c) {
        self->state.waiting.push_back(std::move(c));
        next_change(self);
      },
      [](fleet_step& step) { (*step)(); },
  };
}

class actor_fleet_service final : public web::fleet_service {
 public:
  actor_fleet_service(caf::actor keeper, fleet_cell_ptr cell) : keeper_(std::move(keeper)), cell_(std::move(cell)) {}

  void list_queues(web::queue_records_callback cb) override {
    std::vector<queue_record> out;
    for (const auto& [name, q] : cell_->get()->queues) out.push_back(q.record);
    cb(std::move(out));
  }
  void get_queue(std::string name, web::queue_record_callback cb) override {
    fleet_ptr fl = cell_->get();
    const auto* q = fl->queue(name);
    if (!q) return cb(error{errc::not_found, "there is no queue " + name});
    cb(q->record);
  }
  void get_printer(std::string name, web::printer_record_callback cb) override {
    fleet_ptr fl = cell_->get();
    const auto* p = fl->printer(name);
    if (!p) return cb(error{errc::not_found, "there is no printer " + name});
    cb(p->record);
  }
  void create_printer(printer_record p, web::printer_record_callback cb) override {
    auto c = change(fleet_change::op::create_printer, p.name);
    c->printer = std::move(p);
    c->on_printer = std::move(cb);
    send(std::move(c));
  }
  void update_printer(std::string name, web::printer_patch patch, web::printer_record_callback cb) override {
    auto c = change(fleet_change::op::update_printer, std::move(name));
    c->printer_patch = std::move(patch);
    c->on_printer = std::move(cb);
    send(std::move(c));
  }
  void remove_printer(std::string name, web::fleet_done_callback cb) override {
    auto c = change(fleet_change::op::remove_printer, std::move(name));
    c->on_done = std::move(cb);
    send(std::move(c));
  }
  void create_queue(queue_record q, web::queue_record_callback cb) override {
    auto c = change(fleet_change::op::create_queue, q.name);
    c->queue = std::move(q);
    c->on_queue = std::move(cb);
    send(std::move(c));
  }
  void update_queue(std::string name, web::queue_patch patch, web::queue_record_callback cb) override {
    auto c = change(fleet_change::op::update_queue, std::move(name));
    c->queue_patch = std::move(patch);
    c->on_queue = std::move(cb);
    send(std::move(c));
  }
  void remove_queue(std::string name, web::fleet_done_callback cb) override {
    auto c = change(fleet_change::op::remove_queue, std::move(name));
    c->on_done = std::move(cb);
    send(std::move(c));
  }

 private:
  static fleet_change_ptr change(fleet_change::op what, std::string name) {
    auto c = std::make_shared<fleet_change>();
    c->what = what;
    c->name = std::move(name);
    return c;
  }
  void send(fleet_change_ptr c) { caf::anon_send(keeper_, std::move(c)); }

  caf::actor keeper_;
  fleet_cell_ptr cell_;
};

}  // namespace

void fleet_change::fail(error e) const {
  if (on_printer) return on_printer(std::move(e));
  if (on_queue) return on_queue(std::move(e));
  if (on_done) on_done(std::move(e));
}

std::shared_ptr<const std::map<std::string, pdl::price_list>> prices_of(const std::vector<printer_record>& printers,
                                                                       const std::vector<pdl::price_list>& lists) {
  auto out = std::make_shared<std::map<std::string, pdl::price_list>>();
  for (const auto& p : printers) {
    if (p.price_list.empty()) continue;
    auto it = std::find_if(lists.begin(), lists.end(), [&](const pdl::price_list& l) { return l.name == p.price_list; });
    if (it != lists.end()) out->emplace(p.name, *it);
  }
  return out;
}

result<printer_record> checked_printer(printer_record p, const std::vector<pdl::price_list>& lists,
                                       const std::string& data_dir) {
  printer_config pc;
  pc.name = p.name;
  pc.device_uri = p.device_uri;
  pc.language = p.language.empty() ? "application/octet-stream" : p.language;
  pc.price_list = p.price_list;
  if (status s = check_printer_settings(pc, lists, data_dir)) return error{errc::invalid_argument, s.message};
  p.device_uri = std::move(pc.device_uri);
  p.language = std::move(pc.language);
  return p;
}

status check_queue(const queue_record& q, const fleet& fl) {
  queue_config qc;
  qc.name = q.name;
  qc.kind = q.type == queue_type::pull ? queue_kind::pull : q.type == queue_type::group ? queue_kind::group
                                                                                         : queue_kind::direct;
  qc.printers = q.printers;
  qc.failover = q.failover;
  if (status s = check_queue_settings(qc, [&](const std::string& name) { return fl.printer(name) != nullptr; }))
    return error{errc::invalid_argument, s.message};
  return {};
}

caf::actor spawn_fleet_keeper(caf::actor_system& sys, fleet_keeper_options opts) {
  return sys.spawn(keeper_behavior, std::move(opts));
}

std::unique_ptr<web::fleet_service> make_fleet_service(caf::actor keeper, fleet_cell_ptr cell) {
  return std::make_unique<actor_fleet_service>(std::move(keeper), std::move(cell));
}

}  // namespace quire
