#include "actors/fleet_keeper.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <optional>
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
  next->prices = prices_of(records, *next->price_lists);
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

// What the configuration file declares is removed there.
error declared_in_file(const char* what, const std::string& name) {
  return error{errc::not_possible, std::string(what) + " " + name + " is declared in the configuration file: remove it there"};
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
  auto rec = checked_printer(c->printer, *st.now->price_lists, st.opts.data_dir);
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
  auto rec = checked_printer(web::patched(cur->record, c->printer_patch), *st.now->price_lists, st.opts.data_dir);
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
    return fail(self, c, declared_in_file("printer", c->name));
  std::string users;
  for (const auto& [name, q] : st.now->queues)
    if (std::count(q.record.printers.begin(), q.record.printers.end(), c->name))
      users += (users.empty() ? "" : ", ") + name;
  if (!users.empty())
    return fail(self, c, error{errc::not_possible, "printer " + c->name + " is used by queue(s) " + users});
  when_idle_known(self, cur->actor, [self, c](bool busy, const std::string& why) {
    if (busy) return fail(self, c, error{errc::not_possible, "printer " + c->name + " is busy (" + why + ")"});
    // Its terminals go in the same commit: once the removal is answered,
    // no listing shows them and no token of theirs opens a session.
    write_batch b;
    b.erase(cf::printers, c->name);
    for (const auto& t : self->state.opts.st->list_terminals())
      if (t.printer == c->name) b.erase_terminal(t);
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
      entry.actor = s.opts.make_queue(rec, next->printers_of(rec));
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

// The queue's door closes first (IPP clients see printer-state-reasons
// "shutdown"), then the queue counts its unfinished jobs: its count request
// follows every job it has passed to the registry, so none slips in between
// the count and the removal. Refused, the door is left as it was.
void remove_queue(keeper_self self, const fleet_change_ptr& c) {
  auto& st = self->state;
  const auto* cur = st.now->queue(c->name);
  if (!cur) return fail(self, c, error{errc::not_found, "there is no queue " + c->name});
  if (cur->record.origin == record_origin::config) return fail(self, c, declared_in_file("queue", c->name));
  queue_actor q = cur->actor;
  auto unavailable = [self, c](caf::error& e) { fail(self, c, error{errc::unavailable, message_of(e)}); };
  self->request(q, std::chrono::seconds(10), describe_atom::value).then([self, c, q, unavailable](printer_status& before) {
    self->send(q, accept_atom::value, false, std::string("shutdown"));
    self->request(q, std::chrono::seconds(10), describe_atom::value).then(
        [self, c, q, before](printer_status& closed) {
          if (closed.queued > 0) {
            self->send(q, accept_atom::value, before.accepting, before.not_accepting_reason);
            return fail(self, c,
                        error{errc::not_possible, "queue " + c->name + " has " + std::to_string(closed.queued) +
                                                      " unfinished job(s): cancel or print them first"});
          }
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
        unavailable);
  }, unavailable);
}

// A catalogue's record (price list or project) stored, and the snapshot
// with `Map` changed by `change` published.
template <class Record, class Map, class Change>
void store_entry(keeper_self self, const fleet_change_ptr& c, cf family, std::shared_ptr<const Map> fleet::*member,
                 const std::string& name, std::optional<Record> rec, Change done) {
  write_batch b;
  if (rec) b.put(family, name, encode_record(*rec));
  else b.erase(family, name);
  commit(self, c, std::move(b), [self, member, name, rec = std::move(rec), done = std::move(done)] {
    auto& s = self->state;
    auto next = std::make_shared<fleet>(*s.now);
    auto map = std::make_shared<Map>(*(next.get()->*member));
    if (rec) (*map)[name] = *rec;
    else map->erase(name);
    next.get()->*member = std::move(map);
    publish(self, std::move(next));
    done();
    finish(self);
  });
}

void put_price_list(keeper_self self, const fleet_change_ptr& c, price_list_record rec, const char* verb) {
  if (status s = check_price_list_record(rec)) return fail(self, c, s);
  std::string name = rec.name;
  store_entry<price_list_record>(self, c, cf::price_lists, &fleet::price_lists, name, std::optional(rec),
                                 [c, rec, verb] {
                                   spdlog::info("fleet: price list {} {}", rec.name, verb);
                                   c->on_price_list(rec);
                                 });
}

void create_price_list(keeper_self self, const fleet_change_ptr& c) {
  if (self->state.now->price_lists->count(c->price_list.name))
    return fail(self, c, error{errc::already_exists, "there is already a price list " + c->price_list.name});
  price_list_record rec = c->price_list;
  rec.origin = record_origin::api;
  put_price_list(self, c, std::move(rec), "added");
}

void update_price_list(keeper_self self, const fleet_change_ptr& c) {
  const auto& lists = *self->state.now->price_lists;
  auto it = lists.find(c->name);
  if (it == lists.end()) return fail(self, c, error{errc::not_found, "there is no price list " + c->name});
  put_price_list(self, c, web::patched(it->second, c->price_list_patch), "changed");
}

void remove_price_list(keeper_self self, const fleet_change_ptr& c) {
  const auto& st = self->state;
  auto it = st.now->price_lists->find(c->name);
  if (it == st.now->price_lists->end()) return fail(self, c, error{errc::not_found, "there is no price list " + c->name});
  if (it->second.origin == record_origin::config) return fail(self, c, declared_in_file("price list", c->name));
  std::string users;
  for (const auto& [name, p] : st.now->printers)
    if (p.record.price_list == c->name) users += (users.empty() ? "" : ", ") + name;
  if (!users.empty())
    return fail(self, c, error{errc::not_possible, "price list " + c->name + " is used by printer(s) " + users});
  store_entry<price_list_record>(self, c, cf::price_lists, &fleet::price_lists, c->name, std::nullopt, [c] {
    spdlog::info("fleet: price list {} removed", c->name);
    c->on_done({});
  });
}

void put_project(keeper_self self, const fleet_change_ptr& c, project_record rec, const char* verb) {
  std::string name = rec.name;
  store_entry<project_record>(self, c, cf::projects, &fleet::projects, name, std::optional(rec), [c, rec, verb] {
    spdlog::info("fleet: project {} {}", rec.name, verb);
    c->on_project(rec);
  });
}

void create_project(keeper_self self, const fleet_change_ptr& c) {
  if (self->state.now->project(c->project.name))
    return fail(self, c, error{errc::already_exists, "there is already a project " + c->project.name});
  project_record rec = c->project;
  rec.origin = record_origin::api;
  put_project(self, c, std::move(rec), "added");
}

void update_project(keeper_self self, const fleet_change_ptr& c) {
  const auto* cur = self->state.now->project(c->name);
  if (!cur) return fail(self, c, error{errc::not_found, "there is no project " + c->name});
  put_project(self, c, web::patched(*cur, c->project_patch), "changed");
}

void remove_project(keeper_self self, const fleet_change_ptr& c) {
  const auto* cur = self->state.now->project(c->name);
  if (!cur) return fail(self, c, error{errc::not_found, "there is no project " + c->name});
  if (cur->origin == record_origin::config) return fail(self, c, declared_in_file("project", c->name));
  store_entry<project_record>(self, c, cf::projects, &fleet::projects, c->name, std::nullopt, [c] {
    spdlog::info("fleet: project {} removed", c->name);
    c->on_done({});
  });
}

void put_quota(keeper_self self, const fleet_change_ptr& c, quota_record rec, const char* verb) {
  if (status s = check_quota_record(rec)) return fail(self, c, s);
  std::string name = rec.name;
  store_entry<quota_record>(self, c, cf::quotas, &fleet::quotas, name, std::optional(rec), [c, rec, verb] {
    spdlog::info("fleet: quota {} {}", rec.name, verb);
    c->on_quota(rec);
  });
}

const quota_record* quota_named(const fleet& fl, const std::string& name) {
  auto it = fl.quotas->find(name);
  return it == fl.quotas->end() ? nullptr : &it->second;
}

void create_quota(keeper_self self, const fleet_change_ptr& c) {
  if (quota_named(*self->state.now, c->quota.name))
    return fail(self, c, error{errc::already_exists, "there is already a quota " + c->quota.name});
  quota_record rec = c->quota;
  rec.origin = record_origin::api;
  put_quota(self, c, std::move(rec), "added");
}

void update_quota(keeper_self self, const fleet_change_ptr& c) {
  const auto* cur = quota_named(*self->state.now, c->name);
  if (!cur) return fail(self, c, error{errc::not_found, "there is no quota " + c->name});
  put_quota(self, c, web::patched(*cur, c->quota_patch), "changed");
}

void remove_quota(keeper_self self, const fleet_change_ptr& c) {
  const auto* cur = quota_named(*self->state.now, c->name);
  if (!cur) return fail(self, c, error{errc::not_found, "there is no quota " + c->name});
  if (cur->origin == record_origin::config) return fail(self, c, declared_in_file("quota", c->name));
  store_entry<quota_record>(self, c, cf::quotas, &fleet::quotas, c->name, std::nullopt, [c] {
    spdlog::info("fleet: quota {} removed", c->name);
    c->on_done({});
  });
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
    case op::create_price_list: return create_price_list(self, c);
    case op::update_price_list: return update_price_list(self, c);
    case op::remove_price_list: return remove_price_list(self, c);
    case op::create_project: return create_project(self, c);
    case op::update_project: return update_project(self, c);
    case op::remove_project: return remove_project(self, c);
    case op::create_quota: return create_quota(self, c);
    case op::update_quota: return update_quota(self, c);
    case op::remove_quota: return remove_quota(self, c);
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
    std::string name = p.name;  // before p is moved
    submit(fleet_change::op::create_printer, std::move(name), &fleet_change::printer, std::move(p), &fleet_change::on_printer,
           std::move(cb));
  }
  void update_printer(std::string name, web::printer_patch patch, web::printer_record_callback cb) override {
    submit(fleet_change::op::update_printer, std::move(name), &fleet_change::printer_patch, std::move(patch), &fleet_change::on_printer,
           std::move(cb));
  }
  void remove_printer(std::string name, web::fleet_done_callback cb) override {
    remove(fleet_change::op::remove_printer, std::move(name), std::move(cb));
  }
  void create_queue(queue_record q, web::queue_record_callback cb) override {
    std::string name = q.name;  // before q is moved
    submit(fleet_change::op::create_queue, std::move(name), &fleet_change::queue, std::move(q), &fleet_change::on_queue,
           std::move(cb));
  }
  void update_queue(std::string name, web::queue_patch patch, web::queue_record_callback cb) override {
    submit(fleet_change::op::update_queue, std::move(name), &fleet_change::queue_patch, std::move(patch), &fleet_change::on_queue,
           std::move(cb));
  }
  void remove_queue(std::string name, web::fleet_done_callback cb) override {
    remove(fleet_change::op::remove_queue, std::move(name), std::move(cb));
  }

  void list_price_lists(web::price_lists_callback cb) override { cb(values_of(*cell_->get()->price_lists)); }
  void get_price_list(std::string name, web::price_list_callback cb) override {
    fleet_ptr fl = cell_->get();
    auto it = fl->price_lists->find(name);
    if (it == fl->price_lists->end()) return cb(error{errc::not_found, "there is no price list " + name});
    cb(it->second);
  }
  void create_price_list(price_list_record l, web::price_list_callback cb) override {
    std::string name = l.name;  // before l is moved
    submit(fleet_change::op::create_price_list, std::move(name), &fleet_change::price_list, std::move(l), &fleet_change::on_price_list,
           std::move(cb));
  }
  void update_price_list(std::string name, web::price_list_patch patch, web::price_list_callback cb) override {
    submit(fleet_change::op::update_price_list, std::move(name), &fleet_change::price_list_patch, std::move(patch), &fleet_change::on_price_list,
           std::move(cb));
  }
  void remove_price_list(std::string name, web::fleet_done_callback cb) override {
    remove(fleet_change::op::remove_price_list, std::move(name), std::move(cb));
  }

  void list_projects(web::projects_callback cb) override { cb(values_of(*cell_->get()->projects)); }
  void get_project(std::string name, web::project_callback cb) override {
    fleet_ptr fl = cell_->get();
    const auto* p = fl->project(name);
    if (!p) return cb(error{errc::not_found, "there is no project " + name});
    cb(*p);
  }
  void create_project(project_record p, web::project_callback cb) override {
    std::string name = p.name;  // before p is moved
    submit(fleet_change::op::create_project, std::move(name), &fleet_change::project, std::move(p), &fleet_change::on_project,
           std::move(cb));
  }
  void update_project(std::string name, web::project_patch patch, web::project_callback cb) override {
    submit(fleet_change::op::update_project, std::move(name), &fleet_change::project_patch, std::move(patch), &fleet_change::on_project,
           std::move(cb));
  }
  void remove_project(std::string name, web::fleet_done_callback cb) override {
    remove(fleet_change::op::remove_project, std::move(name), std::move(cb));
  }

  void list_quotas(web::quotas_callback cb) override { cb(values_of(*cell_->get()->quotas)); }
  void get_quota(std::string name, web::quota_callback cb) override {
    fleet_ptr fl = cell_->get();
    const auto* q = quota_named(*fl, name);
    if (!q) return cb(error{errc::not_found, "there is no quota " + name});
    cb(*q);
  }
  void create_quota(quota_record q, web::quota_callback cb) override {
    std::string name = q.name;  // before q is moved
    submit(fleet_change::op::create_quota, std::move(name), &fleet_change::quota, std::move(q), &fleet_change::on_quota,
           std::move(cb));
  }
  void update_quota(std::string name, web::quota_patch patch, web::quota_callback cb) override {
    submit(fleet_change::op::update_quota, std::move(name), &fleet_change::quota_patch, std::move(patch), &fleet_change::on_quota,
           std::move(cb));
  }
  void remove_quota(std::string name, web::fleet_done_callback cb) override {
    remove(fleet_change::op::remove_quota, std::move(name), std::move(cb));
  }

 private:
  static fleet_change_ptr change(fleet_change::op what, std::string name) {
    auto c = std::make_shared<fleet_change>();
    c->what = what;
    c->name = std::move(name);
    return c;
  }
  void send(fleet_change_ptr c) { caf::anon_send(keeper_, std::move(c)); }
  // One change: `value` into the change's `field`, answered through `on`.
  template <class Value, class Callback>
  void submit(fleet_change::op what, std::string name, Value fleet_change::*field, Value value,
              Callback fleet_change::*on, Callback cb) {
    auto c = change(what, std::move(name));
    (*c).*field = std::move(value);
    (*c).*on = std::move(cb);
    send(std::move(c));
  }
  void remove(fleet_change::op what, std::string name, web::fleet_done_callback cb) {
    auto c = change(what, std::move(name));
    c->on_done = std::move(cb);
    send(std::move(c));
  }
  template <class Map>
  static std::vector<typename Map::mapped_type> values_of(const Map& m) {
    std::vector<typename Map::mapped_type> out;
    out.reserve(m.size());
    for (const auto& [name, v] : m) out.push_back(v);
    return out;
  }

  caf::actor keeper_;
  fleet_cell_ptr cell_;
};

}  // namespace

void fleet_change::fail(error e) const {
  if (on_printer) return on_printer(std::move(e));
  if (on_queue) return on_queue(std::move(e));
  if (on_price_list) return on_price_list(std::move(e));
  if (on_project) return on_project(std::move(e));
  if (on_quota) return on_quota(std::move(e));
  if (on_done) on_done(std::move(e));
}

std::shared_ptr<const std::map<std::string, pdl::price_list>> prices_of(const std::vector<printer_record>& printers,
                                                                       const price_list_map& lists) {
  auto out = std::make_shared<std::map<std::string, pdl::price_list>>();
  for (const auto& p : printers) {
    if (p.price_list.empty()) continue;
    auto it = lists.find(p.price_list);
    if (it != lists.end()) out->emplace(p.name, to_price_list(it->second));
  }
  return out;
}

status check_price_list_record(const price_list_record& l) {
  if (l.per != "sheet" && l.per != "impression")
    return error{errc::invalid_argument, "per: expected sheet or impression"};
  if (status s = check_price_list(to_price_list(l))) return error{errc::invalid_argument, s.message};
  return {};
}

status check_quota_record(const quota_record& q) {
  auto period = quota_period_of(q.period);
  if (!period) return error{errc::invalid_argument, "period: expected day, week, month or year"};
  quota_config qc;
  qc.name = q.name;
  qc.groups = q.groups;
  qc.users = q.users;
  qc.period = *period;
  qc.sheets = q.sheets;
  if (status s = check_quota_settings(qc)) return error{errc::invalid_argument, s.message};
  return {};
}

result<printer_record> checked_printer(printer_record p, const price_list_map& lists, const std::string& data_dir) {
  std::vector<pdl::price_list> known;  // only their names matter here
  for (const auto& [name, l] : lists) known.emplace_back().name = name;
  printer_config pc;
  pc.name = p.name;
  pc.device_uri = p.device_uri;
  pc.language = p.language.empty() ? "application/octet-stream" : p.language;
  pc.price_list = p.price_list;
  if (status s = check_printer_settings(pc, known, data_dir)) return error{errc::invalid_argument, s.message};
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
