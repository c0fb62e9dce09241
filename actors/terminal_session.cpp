#include "actors/terminal_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "actors/job_rules.hpp"
#include "actors/release_service.hpp"
#include "storage/store.hpp"

namespace quire {

namespace {

using release_list = std::vector<web::release_outcome>;

struct session_state {
  terminal_options_ptr opts;
  web::terminal_identity terminal;
  session_user user;
  std::string token;
  int64_t last_used_ms = 0;
  bool closed = false;
  static inline const char* name = "terminal_session";
};

using session_self = caf::stateful_actor<session_state>*;

int64_t expires_ms(session_self self) { return self->state.last_used_ms + self->state.opts->idle_ms; }

void announce(session_self self, event_type type, std::string text) {
  const auto& bus = self->state.opts->events;
  if (!bus) return;
  event e;
  e.type = type;
  e.user = self->state.user.name;
  e.printer = self->state.terminal.printer;
  e.text = std::move(text);
  self->send(bus, publish_atom::value, std::move(e));
}

web::balance_info balance_of(const account_view& v) {
  web::balance_info b;
  b.balance = v.balance;
  b.reserved = v.reserved;
  b.unlimited = v.unlimited;
  b.has_quota = v.has_quota;
  b.quota_sheets_left = v.quota_sheets_left;
  b.quota_period_end_ms = v.period_end_ms;
  return b;
}

// `fn(balance)` once the user's account answers (an empty balance without
// accounting, or when the account cannot be read).
template <class F>
void with_balance(session_self self, F fn) {
  const auto& accounts = self->state.opts->accounts;
  if (!accounts) return fn(web::balance_info{});
  self->request(accounts, caf::infinite, describe_atom::value, self->state.user.name)
      .then([fn](account_view& v) mutable { fn(balance_of(v)); },
            [fn](caf::error&) mutable { fn(web::balance_info{}); });
}

web::session_info info_of(session_self self, const web::balance_info& b) {
  const auto& st = self->state;
  web::session_info s;
  s.user = st.user.name;
  s.display_name = st.user.display_name;
  s.printer = st.terminal.printer;
  s.expires_ms = expires_ms(self);
  s.account = b;
  s.money = st.opts->money;
  if (const auto& projects = st.opts->fleet->projects)
    for (const auto& [name, p] : *projects)
      if (st.user.admin || may_charge_project(p.groups, st.user.groups)) s.projects.push_back(name);
  return s;
}

// The user's held jobs that may print here, and their delegators', oldest first.
web::terminal_job_list list_jobs(session_self self) {
  const auto& st = self->state;
  const auto& o = *st.opts;
  web::terminal_job_list out;
  out.now_ms = o.now_ms();
  out.money = o.money;
  std::vector<std::pair<std::string, bool>> owners{{st.user.name, false}};
  for (auto& d : o.st->delegators_of(st.user.name)) owners.emplace_back(std::move(d), true);
  job_context ctx;
  ctx.prices = o.prices.get();
  for (const auto& [owner, delegated] : owners) {
    job_listing q;
    q.owner = owner;
    q.which = job_set::active;
    for (auto& job : o.st->get_jobs(o.st->list_job_ids(q))) {
      if (!releasable_at(job, *o.fleet, st.terminal.printer)) continue;
      web::terminal_job j;
      j.needs_pin = !job.pin_hash.empty();
      job.pin_hash.clear();
      job_record here = job;
      here.printer = st.terminal.printer;
      reprice(here, ctx);
      j.priced = here.price.status == 2;
      j.price = here.price.low;
      j.delegated = delegated;
      j.record = std::move(job);
      out.jobs.push_back(std::move(j));
    }
  }
  std::sort(out.jobs.begin(), out.jobs.end(),
            [](const web::terminal_job& a, const web::terminal_job& b) { return a.record.id < b.record.id; });
  return out;
}

// Releases `ids` one after the other through the release service, then
// answers `done` with every outcome.
void release_each(session_self self, std::shared_ptr<std::vector<uint64_t>> ids, size_t next,
                  std::shared_ptr<web::release_request> req, std::shared_ptr<release_list> out,
                  std::function<void(release_list)> done) {
  if (next >= ids->size()) return done(std::move(*out));
  const auto& st = self->state;
  job_command cmd;
  cmd.job_id = (*ids)[next];
  cmd.kind = command_kind::release;
  cmd.who = requester{st.user.name, false};
  cmd.printer = st.terminal.printer;
  cmd.project = req->project;
  cmd.reprint = req->reprint;
  if (auto it = req->pins.find(cmd.job_id); it != req->pins.end()) cmd.pin = it->second;
  auto go_on = [self, ids, next, req, out, done]() { release_each(self, ids, next + 1, req, out, done); };
  uint64_t id = cmd.job_id;
  self->request(st.opts->releases, caf::infinite, release_atom::value, std::move(cmd))
      .then(
          [out, id, go_on](job_record& r) {
            web::release_outcome o;
            o.job_id = id;
            o.ok = true;
            o.price = r.price.status == 2 ? r.price.low : 0;
            out->push_back(o);
            go_on();
          },
          [out, id, go_on](caf::error& e) {
            web::release_outcome o;
            o.job_id = id;
            o.code = code_of(e);
            o.message = message_of(e);
            out->push_back(o);
            go_on();
          });
}

void release(session_self self, web::release_request req, std::function<void(release_list)> done) {
  auto ids = std::make_shared<std::vector<uint64_t>>(std::move(req.jobs));
  if (req.all) {
    ids->clear();
    for (const auto& j : list_jobs(self).jobs) ids->push_back(j.record.id);
  }
  release_each(self, ids, 0, std::make_shared<web::release_request>(std::move(req)), std::make_shared<release_list>(),
               std::move(done));
}

void on_release(session_self self, const terminal_call_ptr& call) {
  const auto& o = *self->state.opts;
  if (!call->release.project.empty() && !o.fleet->project(call->release.project))
    return call->fail(error{errc::invalid_argument, "there is no project " + call->release.project});
  release(self, std::move(call->release), [self, call](release_list results) {
    with_balance(self, [self, call, results = std::move(results)](web::balance_info b) mutable {
      web::release_report r;
      r.results = std::move(results);
      r.account = b;
      r.money = self->state.opts->money;
      call->on_release(std::move(r));
    });
  });
}

void on_remove(session_self self, const terminal_call_ptr& call) {
  job_command cmd;
  cmd.job_id = call->job_id;
  cmd.kind = command_kind::cancel;
  cmd.who = requester{self->state.user.name, false};
  self->request(self->state.opts->registry, caf::infinite, command_atom::value, std::move(cmd))
      .then([call](job_record&) { call->on_status(status{}); },
            [call](caf::error& e) {
              // not_found means "no session" to the terminal API: a missing
              // job must not log the user out.
              errc code = code_of(e) == errc::not_found ? errc::not_possible : code_of(e);
              call->on_status(error{code, message_of(e)});
            });
}

void close(session_self self, const char* why) {
  if (self->state.closed) return;
  self->state.closed = true;
  announce(self, event_type::session_closed, why);
  spdlog::info("terminal {}: session of {} closed ({})", self->state.terminal.terminal, self->state.user.name, why);
  self->quit();
}

void on_open(session_self self, const terminal_call_ptr& call) {
  announce(self, event_type::session_opened, self->state.user.how);
  auto policy = self->state.opts->printers.find(self->state.terminal.printer);
  bool print_all = policy != self->state.opts->printers.end() && policy->second.print_all_on_login;
  auto answer = [self, call](release_list released) {
    with_balance(self, [self, call, released = std::move(released)](web::balance_info b) mutable {
      auto info = info_of(self, b);
      info.session = self->state.token;
      info.released = std::move(released);
      call->on_session(std::move(info));
    });
  };
  if (!print_all) return answer({});
  web::release_request all;
  all.all = true;
  release(self, std::move(all), answer);
}

void schedule_idle(session_self self) {
  self->delayed_send(self, std::chrono::milliseconds(self->state.opts->idle_ms + 50), idle_atom::value);
}

}  // namespace

bool releasable_at(const job_record& job, const fleet& f, const std::string& printer) {
  if (job.state != job_state::held) return false;
  const auto* q = f.queue(job.queue);
  if (!q || q->record.type != queue_type::pull) return false;
  const auto& ps = q->record.printers;
  return std::find(ps.begin(), ps.end(), printer) != ps.end();
}

caf::actor spawn_terminal_session(caf::actor_system& sys, terminal_options_ptr opts, web::terminal_identity terminal,
                                  session_user user, std::string token) {
  return sys.spawn([opts = std::move(opts), terminal = std::move(terminal), user = std::move(user),
                    token = std::move(token)](session_self self) mutable -> caf::behavior {
    auto& st = self->state;
    st.opts = std::move(opts);
    st.terminal = std::move(terminal);
    st.user = std::move(user);
    st.token = std::move(token);
    st.last_used_ms = st.opts->now_ms();
    schedule_idle(self);
    return {
        [self](terminal_call_ptr& call) {
          auto& s = self->state;
          s.last_used_ms = s.opts->now_ms();
          using op = terminal_call::op;
          switch (call->what) {
            case op::open: return on_open(self, call);
            case op::get:
              return with_balance(self, [self, call](web::balance_info b) { call->on_session(info_of(self, b)); });
            case op::close:
              call->on_status(status{});
              return close(self, "logout");
            case op::list: return call->on_jobs(list_jobs(self));
            case op::release: return on_release(self, call);
            case op::remove: return on_remove(self, call);
            default: return call->fail(error{errc::invalid_argument, "not a session request"});
          }
        },
        [self](idle_atom) {
          auto& s = self->state;
          if (s.opts->now_ms() >= expires_ms(self))
            close(self, "idle");
          else
            schedule_idle(self);
        },
    };
  });
}

}  // namespace quire
