#include "actors/directory_sync.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "actors/auth_rules.hpp"
#include "devices/directory/ldap_text.hpp"
#include "storage/records.hpp"
#include "storage/store.hpp"

namespace quire {

namespace {

using worker_actor = caf::typed_actor<caf::replies_to<dsync_atom, bool, std::string>::with<directory_plan_ptr>>;

std::string filter_since(const std::string& filter, const std::string& attribute, const std::string& watermark) {
  return "(&" + filter + "(" + attribute + ">=" + watermark + "))";
}

// The newest change time seen, as generalized time in the directory's clock.
void note_change(const ldap::entry& e, const std::string& attribute, int64_t& newest) {
  const auto* v = e.get(attribute);
  if (!v) return;
  for (const auto& t : *v) {
    int64_t s = 0;
    if (ldap::parse_generalized_time(t, s)) newest = std::max(newest, s);
  }
}

status fetch(const directory_options& o, bool full, const std::string& watermark, directory_snapshot& snap,
             directory_report& report, int64_t& newest, const std::function<void(uint64_t)>& progress) {
  auto conn = ldap::connection::open(o.client);
  if (!conn.ok()) return conn.err();
  if (auto s = conn->bind(o.bind_dn, o.bind_password)) return s;
  const auto& m = o.map;
  uint64_t read = 0;
  auto tick = [&] {
    if (++read % 1000 == 0 && progress) progress(read);
  };

  ldap::search_request users;
  users.base = o.base_dn;
  users.filter = full || watermark.empty() ? o.user_filter : filter_since(o.user_filter, o.changed_attribute, watermark);
  users.page_size = o.page_size;
  for (const auto& a : {m.login_attribute, m.name_attribute, m.email_attribute, m.card_attribute,
                        m.disabled_attribute, o.changed_attribute})
    if (!a.empty()) users.attributes.push_back(a);
  auto s = conn->search(users, [&](ldap::entry&& e) -> status {
    tick();
    report.users_read += 1;
    note_change(e, o.changed_attribute, newest);
    std::vector<std::string> problems;
    auto u = user_of(e, m, problems);
    std::string who = shown_dn(e.dn);
    for (auto& p : problems) note_problem(report, who + ": " + p);
    if (!u.ok()) {
      note_problem(report, who + ": skipped: " + u.err().message);
      return {};
    }
    snap.users.push_back(std::move(*u));
    return {};
  });
  if (s) return s;

  ldap::search_request groups;
  groups.base = o.group_base_dn.empty() ? o.base_dn : o.group_base_dn;
  groups.filter =
      full || watermark.empty() ? o.group_filter : filter_since(o.group_filter, o.changed_attribute, watermark);
  groups.page_size = o.page_size;
  groups.attributes = {m.group_name_attribute, m.member_attribute, o.changed_attribute};
  groups.max_values = 1'000'000;  // a group of every student
  s = conn->search(groups, [&](ldap::entry&& e) -> status {
    tick();
    report.groups_read += 1;
    note_change(e, o.changed_attribute, newest);
    auto g = group_of(e, m);
    if (!g.ok()) {
      note_problem(report, shown_dn(e.dn) + ": group skipped: " + g.err().message);
      return {};
    }
    for (const auto& a : e.oversized)
      note_problem(report, shown_dn(e.dn) + ": its " + a + " has oversized or too many values; some dropped");
    snap.groups.push_back(std::move(*g));
    return {};
  });
  return s;
}

}  // namespace

directory_plan run_directory_sync(const directory_options& o, const store& st, bool full,
                                  const std::string& watermark, std::string& new_watermark,
                                  const std::function<void(uint64_t)>& progress) {
  directory_report report;
  report.full = full || watermark.empty();
  report.started_ms = o.now_ms();
  directory_snapshot snap;
  snap.full = report.full;
  int64_t newest = 0;
  if (!watermark.empty()) ldap::parse_generalized_time(watermark, newest);
  if (auto s = fetch(o, snap.full, watermark, snap, report, newest, progress)) {
    directory_plan failed;
    failed.report = std::move(report);
    failed.report.error = s.describe();
    failed.report.finished_ms = o.now_ms();
    new_watermark = watermark;
    return failed;
  }
  new_watermark = newest > 0 ? ldap::generalized_time(newest) : watermark;
  // The stored users the plan compares with: all of them for a full sync
  // (who is gone) and when groups changed (who had them); else only those
  // the directory changed, so an incremental sync costs its changes, not
  // the site's size.
  std::vector<user_record> users;
  if (snap.full || !snap.groups.empty()) {
    users = st.list_users();
  } else {
    users.reserve(snap.users.size());
    for (const auto& u : snap.users)
      if (auto r = st.get_user(u.name); r.ok()) users.push_back(std::move(*r));
  }
  plan_inputs in;
  in.users = &users;
  in.card_key = [&st](const std::string& card) { return st.credential_key(credential_kind::card, card); };
  in.card_owner = [&st](const std::string& key) {
    auto owner = st.credential_owner(credential_kind::card, key);
    return owner.ok() ? *owner : std::string();
  };
  in.now_ms = o.now_ms();
  auto plan = plan_sync(snap, o.map, in, std::move(report));
  plan.report.finished_ms = o.now_ms();
  return plan;
}

namespace {

worker_actor::behavior_type worker(worker_actor::pointer self, std::shared_ptr<const directory_options> o, store* st,
                                   caf::actor parent) {
  return {
      [o, st, parent](dsync_atom, bool full, const std::string& watermark) -> directory_plan_ptr {
        std::string next;
        auto plan = std::make_shared<directory_plan>(run_directory_sync(
            *o, *st, full, watermark, next,
            [parent](uint64_t n) { caf::anon_send(parent, progress_atom::value, n); }));
        plan->watermark = std::move(next);
        return plan;
      },
  };
}

using sync_impl = directory_sync_actor::extend<caf::reacts_to<tick_atom>, caf::reacts_to<progress_atom, uint64_t>>;

struct sync_state {
  std::shared_ptr<const directory_options> opts;
  store* st = nullptr;
  user_directory_actor users;
  event_bus_actor events;
  worker_actor worker;
  directory_status status;
  directory_sync_state saved;
  bool pending_full = false;  // a full sync asked for while another runs
  static inline const char* name = "directory_sync";
};

using sync_self = sync_impl::stateful_pointer<sync_state>;

void start(sync_self self, bool full);
void plan_and_apply(sync_self self, bool full, bool retried);

void schedule(sync_self self) {
  auto& st = self->state;
  st.status.next_ms = st.opts->now_ms() + std::chrono::duration_cast<std::chrono::milliseconds>(st.opts->interval).count();
  self->delayed_send(self, st.opts->interval, tick_atom::value);
}

std::string summary(const directory_report& r) {
  if (!r.error.empty()) return std::string(r.full ? "full" : "incremental") + " sync failed: " + r.error;
  return std::string(r.full ? "full" : "incremental") + " sync: " + std::to_string(r.users_read) + " users read, " +
         std::to_string(r.created) + " created, " + std::to_string(r.updated) + " updated, " +
         std::to_string(r.gone) + " gone, " + std::to_string(r.returned) + " back, " +
         std::to_string(r.cards_added) + " cards bound, " + std::to_string(r.cards_removed) + " unbound, " +
         std::to_string(r.problem_count) + " problems";
}

void finished(sync_self self, const directory_report& r) {
  auto& st = self->state;
  st.status.running = false;
  st.status.last = r;
  if (r.error.empty()) {
    spdlog::info("directory: {} in {} ms", summary(r), r.finished_ms - r.started_ms);
  } else {
    spdlog::warn("directory: {}; the last synced users stay as they were", summary(r));
  }
  if (st.events) {
    event e;
    e.type = event_type::directory_synced;
    e.text = summary(r);
    self->send(st.events, publish_atom::value, std::move(e));
  }
  if (st.pending_full) {
    st.pending_full = false;
    start(self, true);
  }
}

void apply(sync_self self, std::shared_ptr<directory_plan> plan, bool retried) {
  auto& st = self->state;
  directory_sync_state next = st.saved;
  next.watermark = plan->watermark;
  next.last = plan->report;
  if (plan->report.full) {
    next.last_full = plan->report;
    next.last_full_ms = plan->report.finished_ms;
  }
  plan->meta.emplace_back(directory_state_key, encode_record(next));
  bool full = plan->report.full;
  self->request(st.users, caf::infinite, apply_atom::value, directory_plan_ptr(plan))
      .then(
          [self, next, plan](bool) {
            auto& s = self->state;
            s.saved = next;
            s.status.watermark = next.watermark;
            s.status.last_full_ms = next.last_full_ms;
            if (plan->report.full) s.status.last_full = plan->report;
            finished(self, plan->report);
          },
          [self, plan, retried, full](caf::error& e) {
            if (!retried && code_of(e) == errc::busy) {
              // A user changed while the plan was made: plan again, once.
              spdlog::info("directory: users changed during the sync; planning it again");
              plan_and_apply(self, full, true);
              return;
            }
            directory_report r = plan->report;
            r.error = "applying the changes failed: " + message_of(e);
            finished(self, r);
          });
}

void plan_and_apply(sync_self self, bool full, bool retried) {
  auto& st = self->state;
  self->request(st.worker, caf::infinite, dsync_atom::value, full, st.saved.watermark)
      .then(
          [self, retried](directory_plan_ptr& p) {
            if (!p->report.error.empty()) return finished(self, p->report);
            // The worker made the plan for this actor alone: no copy of a plan of
            // 100,000 users.
            apply(self, std::const_pointer_cast<directory_plan>(p), retried);
          },
          [self, full](caf::error& e) {
            directory_report r;
            r.full = full;
            r.started_ms = self->state.status.started_ms;
            r.finished_ms = self->state.opts->now_ms();
            r.error = "the directory worker failed: " + message_of(e);
            finished(self, r);
          });
}

void start(sync_self self, bool full) {
  auto& st = self->state;
  if (st.status.running) {
    if (full && !st.status.running_full) st.pending_full = true;
    return;
  }
  if (st.saved.watermark.empty()) full = true;
  st.status.running = true;
  st.status.running_full = full;
  st.status.entries_read = 0;
  st.status.started_ms = st.opts->now_ms();
  plan_and_apply(self, full, false);
}

bool full_due(const sync_state& st) {
  auto full_ms = std::chrono::duration_cast<std::chrono::milliseconds>(st.opts->full_interval).count();
  return st.saved.watermark.empty() || st.opts->now_ms() - st.saved.last_full_ms >= full_ms;
}

sync_impl::behavior_type sync_behavior(sync_self self, std::shared_ptr<const directory_options> opts, store* st,
                                       user_directory_actor users, event_bus_actor events) {
  auto& s = self->state;
  s.opts = opts;
  s.st = st;
  s.users = std::move(users);
  s.events = std::move(events);
  if (auto saved = st->get_meta(directory_state_key); saved.ok()) {
    if (!decode_record(*saved, s.saved)) {
      s.status.watermark = s.saved.watermark;
      s.status.last_full_ms = s.saved.last_full_ms;
      if (s.saved.last.finished_ms) s.status.last = s.saved.last;
      if (s.saved.last_full.finished_ms) s.status.last_full = s.saved.last_full;
    } else {
      spdlog::warn("directory: the stored sync state does not decode; the next sync is a full one");
      s.saved = {};
    }
  }
  s.worker = self->system().spawn<caf::detached>(worker, opts, st, caf::actor_cast<caf::actor>(self));
  self->link_to(s.worker);
  s.status.next_ms = opts->now_ms() + opts->first_delay.count();
  self->delayed_send(self, opts->first_delay, tick_atom::value);
  return {
      [self](dsync_atom, bool full) {
        bool started = !self->state.status.running;
        start(self, full);
        return started;
      },
      [self](status_atom) { return std::make_shared<const directory_status>(self->state.status); },
      [self](tick_atom) {
        start(self, full_due(self->state));
        schedule(self);
      },
      [self](progress_atom, uint64_t n) { self->state.status.entries_read = n; },
  };
}

}  // namespace

ldap::client_options ldap_options_of(const directory_config& c) {
  ldap::client_options o;
  o.url = c.url;
  o.start_tls = c.start_tls;
  o.ca_file = c.ca_file;
  o.verify_server = c.verify_server;
  o.timeout_ms = static_cast<int>(c.timeout_ms);
  return o;
}

directory_options directory_options_of(const directory_config& c, std::string bind_password) {
  directory_options o;
  o.client = ldap_options_of(c);
  o.bind_dn = c.bind_dn;
  o.bind_password = std::move(bind_password);
  o.base_dn = c.base_dn;
  o.user_filter = c.user_filter;
  o.group_base_dn = c.group_base_dn;
  o.group_filter = c.group_filter;
  o.changed_attribute = c.changed_attribute;
  o.page_size = static_cast<int>(c.page_size);
  o.map.login_attribute = c.login_attribute;
  o.map.name_attribute = c.name_attribute;
  o.map.email_attribute = c.email_attribute;
  o.map.card_attribute = c.card_attribute;
  o.map.disabled_attribute = c.disabled_attribute;
  o.map.group_name_attribute = c.group_name_attribute;
  o.map.member_attribute = c.member_attribute;
  o.map.admin_groups = c.admin_groups;
  std::sort(o.map.admin_groups.begin(), o.map.admin_groups.end());
  o.interval = std::chrono::seconds(c.interval_s);
  o.full_interval = std::chrono::seconds(c.full_interval_s);
  return o;
}

directory_sync_actor spawn_directory_sync(caf::actor_system& sys, directory_options opts, store& st,
                                          user_directory_actor users, event_bus_actor events) {
  auto o = std::make_shared<const directory_options>(std::move(opts));
  return sys.spawn(sync_behavior, o, &st, std::move(users), std::move(events));
}

}  // namespace quire
