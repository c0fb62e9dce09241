#include "actors/job_registry.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <deque>
#include <random>
#include <unordered_map>
#include <set>
#include <unordered_set>

#include "actors/job.hpp"
#include "actors/job_rules.hpp"

namespace quire {

namespace {

struct live_job {
  job_actor actor;
  uint32_t outstanding = 0;  // commands forwarded and not yet answered
  bool active = false;       // counted in its queue's active jobs
  std::string queue;
};

struct registry_state {
  job_env_ptr env;
  registry_options opts;
  uint64_t next_id = 1;
  uint64_t reserved_until = 1;  // ids below this are durably reserved
  bool reserving = false;
  std::deque<std::pair<new_job, caf::typed_response_promise<job_record>>> waiting;
  std::unordered_map<uint64_t, live_job> live;
  std::unordered_map<caf::actor_addr, uint64_t> ids_by_addr;
  std::unordered_map<std::string, uint64_t> active_counts;
  // Queues the fleet no longer has that may still hold finished jobs: the
  // history purge sweeps them too, until they are empty.
  std::set<std::string> gone_queues;
  std::mt19937_64 rng{std::random_device{}()};
  admission admit;
  uint64_t unanalysed = 0;  // jobs the processor pool had no room for
  std::unordered_set<uint64_t> analysing;  // asked of the pool, answer not yet stored
  uint64_t backlog_after = 0;   // where the next pass over jobs_to_analyse starts
  bool backlog = true;          // jobs_to_analyse may hold jobs nobody asked for (start, a full pool)
  static inline const char* name = "job_registry";
};

using registry_self = registry_actor::stateful_pointer<registry_state>;

std::string random_job_uuid(std::mt19937_64& rng) {
  uint64_t a = rng(), b = rng();
  a = (a & ~0xf000ull) | 0x4000ull;                           // version 4
  b = (b & 0x3fffffffffffffffull) | 0x8000000000000000ull;    // RFC 4122 variant
  char out[64];
  std::snprintf(out, sizeof out, "urn:uuid:%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffull));
  return out;
}

void reserve_ids(registry_self self) {
  auto& st = self->state;
  if (st.reserving) return;
  st.reserving = true;
  uint64_t until = std::max(st.next_id, st.reserved_until) + st.opts.id_block;
  write_batch batch;
  put_next_job_id(batch, until);
  auto me = caf::actor_cast<registry_actor>(self);
  st.env->storage->commit(std::move(batch), [me, until](const status& s) {
    caf::anon_send(me, committed_atom::value, until, s);
  });
}

live_job& track(registry_self self, uint64_t id, job_actor actor, const job_record* rec, const std::string& queue) {
  auto& st = self->state;
  self->monitor(actor);
  st.ids_by_addr[actor.address()] = id;
  auto& entry = st.live[id];
  entry.actor = std::move(actor);
  entry.queue = queue;
  entry.active = rec == nullptr || !is_terminal(rec->state);
  return entry;
}

void answered(registry_self self, uint64_t id, const caf::actor_addr& from) {
  auto it = self->state.live.find(id);
  if (it != self->state.live.end() && it->second.actor.address() == from && it->second.outstanding > 0)
    it->second.outstanding -= 1;
}

// Sends a request to a tracked job actor, counting it outstanding until the
// job answers (a job with answers owed is never parked); `then` gets the answer.
template <class F, class... Ts>
void ask_job(registry_self self, uint64_t id, live_job& entry, F then, Ts&&... msg) {
  entry.outstanding += 1;
  auto addr = entry.actor.address();
  self->request(entry.actor, caf::infinite, std::forward<Ts>(msg)...)
      .then(
          [self, id, addr, then](job_record& r) mutable {
            answered(self, id, addr);
            then(caf::expected<job_record>(std::move(r)));
          },
          [self, id, addr, then](caf::error& e) mutable {
            answered(self, id, addr);
            then(caf::expected<job_record>(std::move(e)));
          });
}

// A continuation that passes a job's answer on to a client's promise.
auto deliver_to(caf::typed_response_promise<job_record> rp) {
  return [rp](caf::expected<job_record> r) mutable {
    if (r)
      rp.deliver(std::move(*r));
    else
      rp.deliver(std::move(r.error()));
  };
}

result<live_job*> actor_for(registry_self self, uint64_t id);

// Has a job processor read a new job's document; its answer goes to the job
// (re-spawned if it rests meanwhile). Intake never waits for it.
void analyse_later(registry_self self, const job_record& job) {
  const auto& pool = self->state.env->processors;
  if (!pool || job.analysis.status != 0 || job.document_deleted) return;
  if (job.state != job_state::held && job.state != job_state::queued) return;
  if (!self->state.analysing.insert(job.id).second) return;  // already asked
  jobproc::analyse_request req;
  req.job_id = job.id;  // the pool reads the document when a processor is free
  req.declared_format = job.document_format;
  req.copies = std::max<uint32_t>(1, job.copies);
  req.number_up = std::max<uint32_t>(1, job.number_up);
  req.duplex = job.sides.rfind("two-sided", 0) == 0;
  req.timeout_ms = self->state.env->analysis_timeout_ms;
  // A document that may be PostScript is made into the PDF that will print
  // (jobproc::analyse_request::normalised_path), next to its conversions.
  const std::string& f = job.document_format;
  if (f != "application/pdf" && f.rfind("image/", 0) != 0) {
    std::string folder = self->state.env->storage->converted_folder(job.id);
    if (::mkdir(folder.c_str(), 0700) == 0 || errno == EEXIST) req.normalised_path = folder + "/" + normalised_name;
  }
  uint64_t id = job.id;
  self->request(pool, caf::infinite, analyse_atom::value, std::move(req))
      .then(
          [self, id](jobproc::analyse_reply& reply) {
            auto& st = self->state;
            if (reply.failure == "busy") {  // left in jobs_to_analyse, for a later pass
              st.analysing.erase(id);
              st.backlog = true;
              uint64_t n = ++st.unanalysed;
              if ((n & (n - 1)) == 0)
                spdlog::warn("processors: {} job(s) waiting for analysis: every processor is busy", n);
              return;
            }
            auto target = reply.failure == "not_found" ? result<live_job*>(error{errc::not_found, ""})
                                                       : actor_for(self, id);
            if (!target.ok()) {  // its document is gone (canceled meanwhile), or the job
              st.analysing.erase(id);
              return;
            }
            ask_job(
                self, id, **target, [self, id](caf::expected<job_record>) { self->state.analysing.erase(id); },
                analysed_atom::value, std::move(reply));
          },
          [self, id](caf::error&) { self->state.analysing.erase(id); });
}

// Jobs whose document no processor has read: after a restart (the answer
// was lost with the old process) or when the pool was full. A pass asks for
// a batch at a time, from where the last one stopped; none while many are
// in flight already.
void analyse_backlog(registry_self self) {
  auto& st = self->state;
  if (!st.env->processors || !st.backlog || st.analysing.size() >= st.opts.analysis_batch) return;
  auto ids = st.env->storage->jobs_to_analyse(st.backlog_after, st.opts.analysis_batch);
  if (ids.size() < st.opts.analysis_batch) {  // reached the end: a new pass only when told
    st.backlog_after = 0;
    st.backlog = false;
  } else {
    st.backlog_after = ids.back();
  }
  size_t asked = 0;
  for (uint64_t id : ids) {
    if (st.analysing.count(id)) continue;
    auto rec = st.env->storage->get_job(id);
    if (!rec.ok()) continue;
    size_t before = st.analysing.size();
    analyse_later(self, *rec);
    asked += st.analysing.size() - before;
  }
  if (asked) spdlog::info("processors: reading {} job(s) left without analysis", asked);
}

// A client's answer, after which the job's document is read.
auto deliver_and_analyse(registry_self self, caf::typed_response_promise<job_record> rp) {
  return [self, rp](caf::expected<job_record> r) mutable {
    if (r) {
      analyse_later(self, *r);
      rp.deliver(std::move(*r));
    } else {
      rp.deliver(std::move(r.error()));
    }
  };
}

caf::result<job_record> launch(registry_self self, new_job nj, caf::typed_response_promise<job_record> rp) {
  auto& st = self->state;
  uint64_t id = st.next_id++;
  auto& rec = nj.record;
  rec.id = id;
  rec.uuid = random_job_uuid(st.rng);
  rec.created_ms = st.env->now_ms();
  if (rec.state == job_state::held) rec.expires_ms = rec.created_ms + st.env->held_expiry_ms;
  if (rec.state == job_state::receiving) rec.expires_ms = rec.created_ms + st.env->receiving_timeout_ms;
  if (rec.state == job_state::queued) rec.queued_ms = rec.created_ms;
  auto actor = spawn_job(self->system(), st.env, caf::actor_cast<registry_actor>(self), nullptr);
  auto& entry = track(self, id, actor, nullptr, rec.queue);
  if (auto c = st.active_counts.find(rec.queue); c != st.active_counts.end()) c->second += 1;
  ask_job(self, id, entry, deliver_and_analyse(self, rp), create_atom::value, std::move(nj));
  if (st.next_id + st.opts.id_block / 2 >= st.reserved_until) reserve_ids(self);
  return rp;
}

// The live actor of a job, spawned from its record when it is at rest.
result<live_job*> actor_for(registry_self self, uint64_t id) {
  auto& st = self->state;
  if (auto it = st.live.find(id); it != st.live.end()) return &it->second;
  auto rec = st.env->storage->get_job(id);
  if (!rec.ok()) return rec.err();
  auto actor = spawn_job(self->system(), st.env, caf::actor_cast<registry_actor>(self), &rec.value());
  return &track(self, id, actor, &rec.value(), rec->queue);
}

caf::result<job_record> forward(registry_self self, const job_command& cmd) {
  auto target = actor_for(self, cmd.job_id);
  if (!target.ok()) return make_caf_error(target.err());
  auto rp = self->make_response_promise<job_record>();
  ask_job(self, cmd.job_id, **target, deliver_to(rp), command_atom::value, cmd);
  return rp;
}

// Sends a command of the system's own to each job of `ids`.
void command_all(registry_self self, const std::vector<uint64_t>& ids, command_kind kind) {
  for (uint64_t id : ids) {
    job_command cmd;
    cmd.job_id = id;
    cmd.kind = kind;
    cmd.who = {"quire", true};
    auto target = actor_for(self, id);
    if (!target.ok()) continue;
    ask_job(
        self, id, **target,
        [id, kind](caf::expected<job_record> r) {
          if (r && kind == command_kind::expire)
            spdlog::info("job {} {}", id,
                         r->state == job_state::failed ? "gave up waiting for its document"
                         : r->state == job_state::done ? "is no longer kept for a reprint"
                                                       : "expired unreleased");
        },
        command_atom::value, cmd);
  }
}

// Held jobs past their expiry expire; finished jobs past the history period
// are forgotten (only those; the job's rules check again).
void expire_due(registry_self self) {
  auto& st = self->state;
  int64_t now = st.env->now_ms();
  auto due = st.env->storage->expired_held_jobs(now, st.opts.expiry_batch);
  command_all(self, due, command_kind::expire);
  bool more = due.size() == st.opts.expiry_batch;
  if (st.env->history_ms > 0) {
    auto sweep = [&](const std::string& name) {
      std::vector<uint64_t> old;
      auto oldest = st.env->storage->oldest_finished_jobs(name, st.opts.expiry_batch);
      for (uint64_t id : oldest) {
        auto rec = st.env->storage->get_job(id);
        if (rec.ok() && rec->completed_ms + st.env->history_ms <= now) old.push_back(id);
      }
      command_all(self, old, command_kind::forget);
      more = more || old.size() == st.opts.expiry_batch;
      return oldest.empty();
    };
    for (const auto& [name, q] : st.env->printers_and_queues->queues) sweep(name);
    for (auto it = st.gone_queues.begin(); it != st.gone_queues.end();) {
      bool empty = sweep(*it) && st.env->storage->count_active_jobs(*it) == 0;
      it = empty ? st.gone_queues.erase(it) : std::next(it);
    }
  }
  analyse_backlog(self);
  // Sooner while a backlog of analyses remains.
  bool soon = more || (st.backlog && st.env->processors);
  self->delayed_send(self, soon ? std::chrono::milliseconds(1000) : st.opts.expiry_interval, tick_atom::value);
}

void resume_queued(registry_self self) {
  auto& st = self->state;
  // The site is complete now (resume comes last): queues removed before a
  // restart may still hold finished jobs.
  if (const auto& fl = st.env->printers_and_queues)
    for (auto& name : st.env->storage->queues_with_jobs())
      if (!fl->queue(name)) st.gone_queues.insert(std::move(name));
  analyse_backlog(self);
  auto ids = st.env->storage->all_queued_jobs();
  if (!ids.empty()) spdlog::info("resuming {} queued job(s) after a restart", ids.size());
  for (uint64_t id : ids) {
    auto target = actor_for(self, id);
    if (!target.ok()) continue;
    ask_job(
        self, id, **target,
        [id](caf::expected<job_record> r) {
          if (!r) spdlog::warn("job {} could not resume: {}", id, message_of(r.error()));
        },
        resume_atom::value);
  }
}

registry_actor::behavior_type registry_behavior(registry_self self, job_env_ptr env, uint64_t first_id,
                                                registry_options opts) {
  auto& st = self->state;
  st.env = std::move(env);
  st.opts = opts;
  st.admit = admission(opts.admission);
  st.next_id = st.reserved_until = std::max<uint64_t>(first_id, 1);
  reserve_ids(self);
  self->delayed_send(self, st.opts.expiry_interval, tick_atom::value);
  // Job actors are monitored, not linked (one job's failure must not stop the
  // site), so they are stopped explicitly with the registry.
  self->set_exit_handler([self](caf::exit_msg& em) {
    for (auto& [id, entry] : self->state.live) self->send_exit(entry.actor, em.reason);
    self->quit(em.reason);
  });
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& s = self->state;
    auto it = s.ids_by_addr.find(dm.source);
    if (it == s.ids_by_addr.end()) return;
    auto live = s.live.find(it->second);
    if (live != s.live.end() && live->second.actor.address() == dm.source) s.live.erase(live);
    s.ids_by_addr.erase(it);
  });
  return {
      [self](create_atom, new_job& nj) -> caf::result<job_record> {
        auto& s = self->state;
        const auto& rec = nj.record;
        store::usage used;
        if (s.admit.counts_usage()) used = s.env->storage->active_usage(rec.owner, s.admit.limits().max_jobs_per_user);
        if (auto e = s.admit.admit(rec.owner, rec.origin_host, rec.document_size, used.jobs, used.bytes,
                                   s.env->now_ms()))
          return make_caf_error(e);
        auto rp = self->make_response_promise<job_record>();
        if (s.next_id >= s.reserved_until) {
          s.waiting.emplace_back(std::move(nj), rp);
          reserve_ids(self);
          return rp;
        }
        return launch(self, std::move(nj), rp);
      },
      [self](command_atom, job_command& cmd) -> caf::result<job_record> { return forward(self, cmd); },
      [self](document_atom, job_document& doc) -> caf::result<job_record> {
        auto target = actor_for(self, doc.job_id);
        if (!target.ok()) return make_caf_error(target.err());
        auto rp = self->make_response_promise<job_record>();
        uint64_t id = doc.job_id;
        ask_job(self, id, **target, deliver_and_analyse(self, rp), document_atom::value, std::move(doc));
        return rp;
      },
      [self](count_atom, std::string& queue) -> uint64_t {
        auto& counts = self->state.active_counts;
        auto it = counts.find(queue);
        if (it == counts.end())
          it = counts.emplace(queue, self->state.env->storage->count_active_jobs(queue)).first;
        return it->second;
      },
      [self](park_atom, uint64_t id, job_state state) -> bool {
        auto& s = self->state;
        auto it = s.live.find(id);
        if (it == s.live.end() || it->second.actor.address() != self->current_sender()) return true;
        if (is_terminal(state) && it->second.active) {
          it->second.active = false;
          if (auto c = s.active_counts.find(it->second.queue); c != s.active_counts.end() && c->second > 0)
            c->second -= 1;
        }
        if (it->second.outstanding > 0) return false;
        self->demonitor(it->second.actor.address());
        s.ids_by_addr.erase(it->second.actor.address());
        s.live.erase(it);
        return true;
      },
      [self](committed_atom, uint64_t until, error& e) {
        auto& s = self->state;
        s.reserving = false;
        if (e) {
          spdlog::error("cannot reserve job ids: {}", e.describe());
          while (!s.waiting.empty()) {
            s.waiting.front().second.deliver(make_caf_error(e));
            s.waiting.pop_front();
          }
          return;
        }
        s.reserved_until = std::max(s.reserved_until, until);
        while (!s.waiting.empty() && s.next_id < s.reserved_until) {
          auto [nj, rp] = std::move(s.waiting.front());
          s.waiting.pop_front();
          launch(self, std::move(nj), rp);
        }
        if (!s.waiting.empty()) reserve_ids(self);
      },
      [self](resume_atom) { resume_queued(self); },
      [self](tick_atom) { expire_due(self); },
      [self](fleet_atom, fleet_ptr& fl) {
        // The fleet changed: jobs spawned from now on get the new snapshot,
        // and the live ones are told (a queued one goes to its printer's
        // actor again: a replaced printer starts with an empty line).
        auto& s = self->state;
        for (const auto& [name, q] : s.env->printers_and_queues->queues)
          if (!fl->queue(name)) s.gone_queues.insert(name);
        auto next = std::make_shared<job_env>(*s.env);
        next->prices = fl->prices;
        next->printers_and_queues = std::move(fl);
        s.env = std::move(next);
        for (auto& [id, entry] : s.live) self->send(entry.actor, fleet_atom::value, s.env);
      },
  };
}

}  // namespace

registry_actor spawn_registry(caf::actor_system& sys, job_env_ptr env, uint64_t first_id, registry_options opts) {
  return sys.spawn(registry_behavior, std::move(env), first_id, opts);
}

}  // namespace quire
