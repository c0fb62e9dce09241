#include "actors/account.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <type_traits>
#include <unordered_map>

#include "actors/job_rules.hpp"
#include "protocols/pdl/price.hpp"
#include "storage/store.hpp"

namespace quire {

namespace {

// One account's actor: the front's forwarding target.
using account_actor = caf::typed_actor<
    caf::replies_to<reserve_atom, charge_hold>::with<account_view>,
    caf::replies_to<settle_atom, charge_settle>::with<bool>,
    caf::replies_to<unreserve_atom, std::string, uint64_t, uint32_t>::with<bool>,
    caf::replies_to<credit_atom, account_credit>::with<account_view>,
    caf::replies_to<describe_atom, std::string>::with<account_view>,
    caf::replies_to<resume_atom>::with<bool>,
    caf::reacts_to<committed_atom, uint64_t, error>,
    caf::reacts_to<tick_atom>,
    caf::reacts_to<fleet_atom, accounts_options_ptr>>;  // new quotas

using front_actor = caf::typed_actor<
    caf::replies_to<reserve_atom, charge_hold>::with<account_view>,
    caf::reacts_to<settle_atom, charge_settle>,
    caf::reacts_to<unreserve_atom, std::string, uint64_t, uint32_t>,
    caf::replies_to<credit_atom, account_credit>::with<account_view>,
    caf::replies_to<describe_atom, std::string>::with<account_view>,
    caf::reacts_to<tick_atom>,
    caf::replies_to<park_atom, std::string>::with<bool>,
    caf::reacts_to<fleet_atom, fleet_ptr>>;

using options_ptr = accounts_options_ptr;

std::string money_text(const accounts_options& o, int64_t amount) {
  return pdl::format_money(amount, o.minor_digits, o.currency);
}

// --- one account ---------------------------------------------------------------

struct account_state {
  options_ptr opts;
  front_actor front;
  std::string account;
  account_record acc;   // the newest version, committed or on its way
  bool stored = false;  // acc exists in the store (else it is new)
  uint64_t next_seq = 1;
  std::unordered_map<uint64_t, std::function<void(const error&)>> pending;
  int64_t last_used_ms = 0;
  bool parking = false;
  // (job, release) charged by this actor: a second settle before the first
  // is durable (the store cannot tell yet) charges nothing.
  std::set<std::pair<uint64_t, uint32_t>> charged;
  static inline const char* name = "account";
};

using account_self = account_actor::stateful_pointer<account_state>;

account_context context_of(account_self self) {
  const auto& o = *self->state.opts;
  account_context ctx;
  ctx.now_ms = o.now_ms();
  std::vector<std::string> groups;
  if (!is_project_account(self->state.account))
    if (auto u = o.st->get_user(self->state.account); u.ok()) groups = u->groups;
  auto policy = policy_for(self->state.account, groups, o);
  ctx.quota = policy.quota;
  ctx.money = [opts = self->state.opts](int64_t v) { return money_text(*opts, v); };
  self->state.acc.unlimited = policy.unlimited;
  return ctx;
}

account_view view_of(account_self self, const account_context& ctx) {
  const auto& acc = self->state.acc;
  auto a = available(acc, ctx);
  account_view v;
  v.name = self->state.account;
  v.balance = a.balance;
  v.reserved = a.reserved;
  v.available = a.available;
  v.unlimited = acc.unlimited;
  v.has_quota = a.has_quota;
  v.quota_sheets_left = a.quota_sheets_left;
  v.period_end_ms = a.period_end_ms;
  return v;
}

void publish(account_self self, event e) {
  const auto& bus = self->state.opts->events;
  if (bus) self->send(bus, publish_atom::value, std::move(e));
}

// Commits `change` (the next version and its ledger entries); `then` runs
// once it is durable. The in-memory version moves on at once: commits are
// applied in the order submitted.
void commit(account_self self, account_change change, std::function<void(const error&)> then) {
  auto& st = self->state;
  write_batch batch;
  batch.put_account(change.next, st.stored ? &st.acc : nullptr);
  for (const auto& e : change.entries) batch.put_ledger(e);
  int64_t before = st.acc.balance;
  st.acc = std::move(change.next);
  st.stored = true;
  uint64_t seq = st.next_seq++;
  auto entries = std::move(change.entries);
  st.pending.emplace(seq, [self, then = std::move(then), before, entries = std::move(entries)](const error& e) {
    if (!e) {
      const auto& o = *self->state.opts;
      for (const auto& le : entries) {
        if (le.kind != ledger_kind::charge) continue;
        event ev;
        ev.type = event_type::job_charged;
        ev.user = le.account;
        ev.job_id = le.job_id;
        ev.printer = le.printer;
        ev.text = money_text(o, -le.amount) + ", " + std::to_string(le.sheets) + " sheets";
        if (!le.printed_by.empty() && le.printed_by != le.owner) ev.text += ", printed by " + le.printed_by;
        publish(self, std::move(ev));
      }
      if (self->state.acc.balance != before) {
        event ev;
        ev.type = event_type::balance_changed;
        ev.user = self->state.account;
        ev.text = "balance " + money_text(o, self->state.acc.balance);
        publish(self, std::move(ev));
      }
    }
    then(e);
  });
  auto me = caf::actor_cast<account_actor>(self);
  st.opts->st->commit(std::move(batch),
                      [me, seq](const status& s) { caf::anon_send(me, committed_atom::value, seq, s); });
}

// A failed write leaves the in-memory version ahead of the store: quit, so
// the next message reloads what is really stored.
void quit_on_error(account_self self, const error& e) {
  spdlog::error("account {}: {}", self->state.account, e.describe());
  self->quit();
}

// Commits `change` and answers once it is durable: the account as it is
// then (views) or true. A failed write answers the error and restarts the
// account from the store.
template <class Reply>
caf::result<Reply> commit_then_answer(account_self self, account_change change, const account_context& ctx) {
  auto rp = self->make_response_promise<Reply>();
  commit(self, std::move(change), [self, rp, ctx](const error& e) mutable {
    if (e) {
      rp.deliver(make_caf_error(e));
      quit_on_error(self, e);
      return;
    }
    if constexpr (std::is_same_v<Reply, account_view>)
      rp.deliver(view_of(self, ctx));
    else
      rp.deliver(true);
  });
  return rp;
}

caf::result<account_view> on_reserve(account_self self, const charge_hold& h) {
  auto ctx = context_of(self);
  auto change = reserve(self->state.acc, reserve_request{h.r}, ctx);
  if (!change.ok()) return make_caf_error(change.err());
  if (!change->changed) return view_of(self, ctx);
  return commit_then_answer<account_view>(self, std::move(*change), ctx);
}

caf::result<bool> on_settle(account_self self, const charge_settle& s) {
  auto ctx = context_of(self);
  settle_request req = s.s;
  auto key = std::make_pair(req.job_id, req.release_no);
  req.already_charged = self->state.charged.count(key) > 0 ||
                        self->state.opts->st->get_ledger_entry(self->state.account, req.job_id, req.release_no).ok();
  self->state.charged.insert(key);
  auto change = settle(self->state.acc, req, ctx);
  if (!change.ok()) return make_caf_error(change.err());
  if (!change->changed) return true;
  return commit_then_answer<bool>(self, std::move(*change), ctx);
}

caf::result<bool> on_unreserve(account_self self, uint64_t job_id, uint32_t release_no) {
  auto ctx = context_of(self);
  auto change = unreserve(self->state.acc, job_id, release_no, ctx);
  if (!change.changed) return true;
  return commit_then_answer<bool>(self, std::move(change), ctx);
}

caf::result<account_view> on_credit(account_self self, const account_credit& c) {
  if (!c.by.admin) return make_caf_error(errc::permission_denied, "only an administrator changes credit");
  auto ctx = context_of(self);
  auto kind = c.kind == static_cast<uint8_t>(ledger_kind::adjust) ? ledger_kind::adjust : ledger_kind::topup;
  auto change = credit(self->state.acc, kind, c.amount, c.by.user, c.note, ctx);
  if (!change.ok()) return make_caf_error(change.err());
  spdlog::info("account {}: {} of {} by {}", self->state.account, to_string(kind),
               money_text(*self->state.opts, c.amount), c.by.user);
  return commit_then_answer<account_view>(self, std::move(*change), ctx);
}

// After a restart: each reservation whose job finished is settled (printed)
// or returned (anything else); those of jobs still on their way stay.
caf::result<bool> on_reconcile(account_self self) {
  auto& st = self->state;
  std::vector<reservation> held = st.acc.reservations;
  for (const auto& r : held) {
    auto job = st.opts->st->get_job(r.job_id);
    bool same_release = job.ok() && job->release_no == r.release_no;
    if (same_release && (job->state == job_state::queued || job->state == job_state::delivering)) continue;
    if (same_release && job->state == job_state::done) {
      spdlog::info("account {}: job {} printed before a restart; charged now", st.account, r.job_id);
      on_settle(self, charge_settle{st.account, settle_of(*job)});
      continue;
    }
    spdlog::info("account {}: job {} did not print; its reservation is returned", st.account, r.job_id);
    on_unreserve(self, r.job_id, r.release_no);
  }
  return true;
}

// Parks after a quiet period: asks the front, which lets it go when nothing
// is on its way to it.
void schedule_park(account_self self) {
  self->delayed_send(self, self->state.opts->idle, tick_atom::value);
}

template <class F>
auto used(account_self self, F fn) {
  self->state.last_used_ms = self->state.opts->now_ms();
  return fn();
}

account_actor::behavior_type account_behavior(account_self self, options_ptr opts, front_actor front,
                                              std::string name) {
  auto& st = self->state;
  st.opts = std::move(opts);
  st.front = std::move(front);
  st.account = std::move(name);
  auto stored = st.opts->st->get_account(st.account);
  if (stored.ok()) {
    st.acc = std::move(*stored);
    st.stored = true;
  } else {
    if (stored.err().code != errc::not_found)
      spdlog::error("account {}: {}; starting it again from nothing", st.account, stored.err().message);
    st.acc.name = st.account;
    st.acc.created_ms = st.opts->now_ms();
    if (!is_project_account(st.account) && st.opts->initial_credit > 0) {
      account_context ctx;
      ctx.now_ms = st.acc.created_ms;
      if (auto first = credit(st.acc, ledger_kind::topup, st.opts->initial_credit, "", "initial credit", ctx);
          first.ok())
        commit(self, std::move(*first), [](const error&) {});
    }
  }
  st.last_used_ms = st.opts->now_ms();
  schedule_park(self);
  return {
      [self](reserve_atom, charge_hold& h) { return used(self, [&] { return on_reserve(self, h); }); },
      [self](settle_atom, charge_settle& s) { return used(self, [&] { return on_settle(self, s); }); },
      [self](unreserve_atom, const std::string&, uint64_t job, uint32_t release) {
        return used(self, [&] { return on_unreserve(self, job, release); });
      },
      [self](credit_atom, account_credit& c) { return used(self, [&] { return on_credit(self, c); }); },
      [self](describe_atom, const std::string&) -> caf::result<account_view> {
        return used(self, [&] { return view_of(self, context_of(self)); });
      },
      [self](resume_atom) { return on_reconcile(self); },
      [self](fleet_atom, options_ptr& opts) { self->state.opts = std::move(opts); },
      [self](committed_atom, uint64_t seq, error& e) {
        auto it = self->state.pending.find(seq);
        if (it == self->state.pending.end()) return;
        auto then = std::move(it->second);
        self->state.pending.erase(it);
        then(e);
      },
      [self](tick_atom) {
        auto& s = self->state;
        int64_t quiet = s.opts->now_ms() - s.last_used_ms;
        if (s.parking || !s.pending.empty() || quiet < s.opts->idle.count()) {
          schedule_park(self);
          return;
        }
        s.parking = true;
        self->request(s.front, caf::infinite, park_atom::value, s.account)
            .then(
                [self](bool go) {
                  self->state.parking = false;
                  if (go)
                    self->quit();
                  else
                    schedule_park(self);
                },
                [self](caf::error&) { self->quit(); });
      },
  };
}

// --- the front -----------------------------------------------------------------

struct live_account {
  account_actor actor;
  uint32_t outstanding = 0;  // messages forwarded and not yet answered
};

struct front_state {
  options_ptr opts;
  const void* quotas_from = nullptr;  // the fleet's quota map opts.quotas were made of
  std::unordered_map<std::string, live_account> live;
  std::unordered_map<caf::actor_addr, std::string> names;
  static inline const char* name = "accounts";
};

using front_self = front_actor::stateful_pointer<front_state>;

live_account& account_of(front_self self, const std::string& name) {
  auto& st = self->state;
  auto it = st.live.find(name);
  if (it != st.live.end()) return it->second;
  // Linked: when the front is shut down, its accounts go with it (a parked
  // one quits normally, which the front ignores).
  auto actor = self->spawn<caf::linked>(account_behavior, st.opts, caf::actor_cast<front_actor>(self), name);
  self->monitor(actor);
  st.names[actor.address()] = name;
  auto& entry = st.live[name];
  entry.actor = std::move(actor);
  return entry;
}

// Forwards a request to the account's actor and its answer back.
template <class Reply, class... Ts>
caf::result<Reply> forward(front_self self, const std::string& name, Ts&&... xs) {
  if (name.empty()) return make_caf_error(errc::invalid_argument, "no account named");
  auto& entry = account_of(self, name);
  entry.outstanding += 1;
  auto rp = self->make_response_promise<Reply>();
  auto done = [self, name] {
    auto it = self->state.live.find(name);
    if (it != self->state.live.end() && it->second.outstanding > 0) it->second.outstanding -= 1;
  };
  self->request(entry.actor, caf::infinite, std::forward<Ts>(xs)...)
      .then(
          [rp, done](Reply& r) mutable {
            done();
            rp.deliver(std::move(r));
          },
          [rp, done](caf::error& e) mutable {
            done();
            rp.deliver(std::move(e));
          });
  return rp;
}

// settle and unreserve have no caller waiting: a failure is logged (and
// reconciled at the next start).
template <class... Ts>
void forward_quietly(front_self self, const std::string& name, const char* what, uint64_t job, Ts&&... xs) {
  if (name.empty()) return;
  auto& entry = account_of(self, name);
  entry.outstanding += 1;
  self->request(entry.actor, caf::infinite, std::forward<Ts>(xs)...)
      .then(
          [self, name](bool) {
            if (auto it = self->state.live.find(name); it != self->state.live.end() && it->second.outstanding > 0)
              it->second.outstanding -= 1;
          },
          [self, name, what, job](caf::error& e) {
            if (auto it = self->state.live.find(name); it != self->state.live.end() && it->second.outstanding > 0)
              it->second.outstanding -= 1;
            spdlog::error("account {}: {} of job {} failed: {}", name, what, job, message_of(e));
          });
}

front_actor::behavior_type front_behavior(front_self self, options_ptr opts) {
  self->state.opts = std::move(opts);
  self->set_down_handler([self](caf::down_msg& m) {
    auto& st = self->state;
    auto it = st.names.find(m.source);
    if (it == st.names.end()) return;
    auto live = st.live.find(it->second);
    if (live != st.live.end() && live->second.actor.address() == m.source) st.live.erase(live);
    st.names.erase(it);
  });
  if (self->state.opts->reconcile_at_start) self->send(self, tick_atom::value);
  return {
      [self](reserve_atom, charge_hold& h) -> caf::result<account_view> {
        std::string name = h.account;
        return forward<account_view>(self, name, reserve_atom::value, std::move(h));
      },
      [self](settle_atom, charge_settle& s) {
        std::string name = s.account;
        uint64_t job = s.s.job_id;
        forward_quietly(self, name, "the charge", job, settle_atom::value, std::move(s));
      },
      [self](unreserve_atom, std::string& name, uint64_t job, uint32_t release) {
        forward_quietly(self, name, "the return", job, unreserve_atom::value, name, job, release);
      },
      [self](credit_atom, account_credit& c) -> caf::result<account_view> {
        std::string name = c.account;
        return forward<account_view>(self, name, credit_atom::value, std::move(c));
      },
      [self](describe_atom, std::string& name) -> caf::result<account_view> {
        return forward<account_view>(self, name, describe_atom::value, name);
      },
      [self](tick_atom) {  // start: reconcile every account that holds reservations
        auto names = self->state.opts->st->accounts_holding();
        if (!names.empty()) spdlog::info("reconciling the reservations of {} account(s)", names.size());
        for (const auto& name : names) forward_quietly(self, name, "reconciling", 0, resume_atom::value);
      },
      [self](fleet_atom, const fleet_ptr& fl) {
        auto& st = self->state;
        if (!fl->quotas || fl->quotas.get() == st.quotas_from) return;  // the quotas did not change
        st.quotas_from = fl->quotas.get();
        auto next = std::make_shared<accounts_options>(*st.opts);
        next->quotas = quotas_of(*fl->quotas);
        st.opts = std::move(next);
        for (auto& [name, entry] : st.live) self->send(entry.actor, fleet_atom::value, st.opts);
      },
      [self](park_atom, const std::string& name) -> bool {
        auto& st = self->state;
        auto it = st.live.find(name);
        if (it == st.live.end() || it->second.actor.address() != self->current_sender()) return true;
        if (it->second.outstanding > 0) return false;
        self->demonitor(it->second.actor.address());
        st.names.erase(it->second.actor.address());
        st.live.erase(it);
        return true;
      },
  };
}

}  // namespace

account_policy policy_for(const std::string& account, const std::vector<std::string>& groups,
                          const accounts_options& opts) {
  account_policy p;
  if (is_project_account(account)) {
    p.unlimited = true;
    return p;
  }
  auto member = [&](const std::string& g) {
    return g == "*" || std::find(groups.begin(), groups.end(), g) != groups.end();
  };
  if (!opts.prepaid) p.unlimited = true;
  for (const auto& g : opts.unlimited_groups)
    if (member(g)) p.unlimited = true;
  for (const auto& q : opts.quotas) {
    bool named = std::find(q.users.begin(), q.users.end(), account) != q.users.end();
    if ((named || std::any_of(q.groups.begin(), q.groups.end(), member)) && q.sheets > p.quota.sheets)
      p.quota = quota_rule{q.period, q.sheets};
  }
  return p;
}

std::vector<account_quota> quotas_of(const std::map<std::string, quota_record>& quotas) {
  std::vector<account_quota> out;
  for (const auto& [name, q] : quotas) {
    account_quota aq{q.groups, q.users, quota_period_kind::month, q.sheets};
    parse_quota_period(q.period, aq.period);
    out.push_back(std::move(aq));
  }
  return out;
}

accounts_actor spawn_accounts(caf::actor_system& sys, accounts_options opts) {
  auto front = sys.spawn(front_behavior, std::make_shared<const accounts_options>(std::move(opts)));
  return caf::actor_cast<accounts_actor>(front);
}

}  // namespace quire
