#include "actors/processor_pool.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <deque>
#include <optional>

#include "actors/io/loop.hpp"
#include "devices/child_process.hpp"

namespace quire {

namespace {

using jp_reply_atom = caf::atom_constant<caf::atom("jp_reply")>;
using jp_conv_atom = caf::atom_constant<caf::atom("jp_conv")>;
using jp_exit_atom = caf::atom_constant<caf::atom("jp_exit")>;
using jp_timeout_atom = caf::atom_constant<caf::atom("jp_timeout")>;
using jp_spawn_atom = caf::atom_constant<caf::atom("jp_spawn")>;

using pool_impl = processor_pool_actor::extend<
    caf::reacts_to<jp_reply_atom, size_t, uint64_t, jobproc::analyse_reply>,
    caf::reacts_to<jp_conv_atom, size_t, uint64_t, jobproc::convert_reply>,
    caf::reacts_to<jp_exit_atom, size_t, uint64_t, std::string>,
    caf::reacts_to<jp_timeout_atom, size_t, uint64_t>,
    caf::reacts_to<jp_spawn_atom, size_t>>;

// The children themselves, on the loop thread only.
struct loop_side {
  struct slot {
    std::unique_ptr<devices::child_process> proc;
    jobproc::frame_reader reader;
    uint64_t generation = 0;
  };
  std::vector<slot> slots;
};
using loop_side_ptr = std::shared_ptr<loop_side>;

// One request: an analysis or a conversion, and whom to answer.
struct pending {
  bool convert = false;
  jobproc::analyse_request req;
  caf::typed_response_promise<jobproc::analyse_reply> rp;
  jobproc::convert_request creq;
  caf::typed_response_promise<jobproc::convert_reply> crp;

  uint64_t job_id() const { return convert ? creq.job_id : req.job_id; }
  std::string& path() { return convert ? creq.path : req.path; }
  std::string& document() { return convert ? creq.document : req.document; }
  uint32_t timeout_ms() const { return convert ? creq.timeout_ms : req.timeout_ms; }
  const char* doing() const { return convert ? "converting" : "reading"; }
};

struct worker {
  uint64_t generation = 0;
  bool alive = false;             // a child runs (or is starting)
  bool retiring = false;          // killed: takes no job until its exit is seen
  std::optional<pending> job;     // what it works on
  uint64_t job_seq = 0;
  uint32_t job_timeout_ms = 0;
  std::chrono::steady_clock::time_point started{};
  int quick_deaths = 0;
};

struct pool_state {
  processor_pool_options opts;
  std::vector<worker> workers;
  std::deque<pending> urgent;  // conversions: someone waits at a printer
  std::deque<pending> queue;   // analyses
  loop_side_ptr side = std::make_shared<loop_side>();
  uint64_t next_seq = 1;
  static inline const char* name = "processor_pool";
};

using pool_self = pool_impl::stateful_pointer<pool_state>;

// A failed reply of either kind (analyse_reply, convert_reply).
template <class Reply>
Reply failure(uint64_t job_id, std::string reason, errc code) {
  Reply r;
  r.job_id = job_id;
  r.ok = false;
  r.reason = std::move(reason);
  r.failure = to_string(code);
  return r;
}

// Answers `p` with a failure of its own kind.
void fail(pending& p, std::string reason, errc code) {
  if (p.convert)
    p.crp.deliver(failure<jobproc::convert_reply>(p.creq.job_id, std::move(reason), code));
  else
    p.rp.deliver(failure<jobproc::analyse_reply>(p.req.job_id, std::move(reason), code));
}

std::string describe_exit(const devices::child_process::exit_status& s) {
  if (s.signal) return "was killed by signal " + std::to_string(s.signal);
  return "exited with code " + std::to_string(s.code);
}

void start_child(pool_self self, size_t i) {
  auto& w = self->state.workers[i];
  w.generation += 1;
  w.alive = true;
  w.retiring = false;
  w.started = std::chrono::steady_clock::now();
  uint64_t gen = w.generation;
  auto side = self->state.side;
  auto me = caf::actor_cast<caf::actor>(self);
  std::vector<std::string> argv{self->state.opts.program};
  argv.insert(argv.end(), self->state.opts.args.begin(), self->state.opts.args.end());
  std::vector<std::string> env = self->state.opts.env;
  self->state.opts.loop->post([side, i, gen, me, argv = std::move(argv), env = std::move(env), loop = self->state.opts.loop] {
    auto& slot = side->slots[i];
    slot.generation = gen;
    slot.reader = jobproc::frame_reader(jobproc::max_reply_frame);
    auto on_output = [side, i, gen, me](std::string_view bytes) {
      auto& s = side->slots[i];
      if (s.generation != gen) return;
      s.reader.feed(bytes);
      std::string payload;
      for (;;) {
        auto st = s.reader.next(payload);
        if (st == jobproc::frame_reader::status::need_more) return;
        if (st == jobproc::frame_reader::status::error) {
          spdlog::warn("jobproc: child {} broke the framing ({}); restarting it", i, s.reader.error_message());
          if (s.proc) s.proc->kill();
          return;
        }
        auto type = jobproc::frame_type(payload);
        bool converted = type.ok() && *type == "convert_reply";
        auto bad = [&](const std::string& why) {
          spdlog::warn("jobproc: child {} sent a bad reply ({}); restarting it", i, why);
          if (s.proc) s.proc->kill();
        };
        if (converted) {
          auto rep = jobproc::decode_convert_reply(payload);
          if (!rep) return bad(rep.err().message);
          caf::anon_send(me, jp_conv_atom::value, i, gen, std::move(*rep));
          continue;
        }
        auto rep = jobproc::decode_reply(payload);
        if (!rep) return bad(rep.err().message);
        caf::anon_send(me, jp_reply_atom::value, i, gen, std::move(*rep));
      }
    };
    auto on_exit = [side, i, gen, me](devices::child_process::exit_status st) {
      caf::anon_send(me, jp_exit_atom::value, i, gen, describe_exit(st));
    };
    auto child = devices::child_process::spawn(loop->uv(), argv, env, on_output, on_exit);
    if (!child) {
      caf::anon_send(me, jp_exit_atom::value, i, gen, child.err().message);
      return;
    }
    slot.proc = std::move(*child);
  });
}

void post_to_child(pool_self self, size_t i, std::function<void(devices::child_process&)> fn) {
  auto side = self->state.side;
  uint64_t gen = self->state.workers[i].generation;
  self->state.opts.loop->post([side, i, gen, fn = std::move(fn)] {
    auto& slot = side->slots[i];
    if (slot.generation == gen && slot.proc) fn(*slot.proc);
  });
}

void dispatch(pool_self self) {
  auto& st = self->state;
  for (size_t i = 0; i < st.workers.size() && (!st.queue.empty() || !st.urgent.empty()); ++i) {
    auto& w = st.workers[i];
    if (!w.alive || w.retiring || w.job) continue;
    auto& from = st.urgent.empty() ? st.queue : st.urgent;
    pending p = std::move(from.front());
    from.pop_front();
    if (p.path().empty() && p.document().empty() && st.opts.document_of) {
      auto doc = st.opts.document_of(p.job_id());
      if (!doc) {
        fail(p, "the document is gone: " + doc.err().message, errc::not_found);
        continue;
      }
      if (doc->in_file)
        p.path() = std::move(doc->path);
      else
        p.document() = std::move(doc->bytes);
    }
    auto frame = p.convert ? jobproc::encode_convert_request(p.creq) : jobproc::encode_request(p.req);
    if (!frame) {
      fail(p, "the document cannot be sent to a job processor: " + frame.err().message, errc::unavailable);
      continue;
    }
    w.job_seq = st.next_seq++;
    uint32_t limit = p.convert ? st.opts.convert_timeout_ms : st.opts.timeout_ms;
    uint32_t timeout = p.timeout_ms() ? std::min(p.timeout_ms(), limit) : limit;
    w.job_timeout_ms = timeout;
    w.job = std::move(p);
    post_to_child(self, i, [frame = std::move(*frame)](devices::child_process& c) mutable { c.write(std::move(frame)); });
    self->delayed_send(self, std::chrono::milliseconds(timeout), jp_timeout_atom::value, i, w.job_seq);
  }
}

// A reply from child i: for the job it works on, of the kind asked, or the
// child is not to be trusted and is restarted (its exit fails the job).
template <class Reply>
void on_reply(pool_self self, size_t i, uint64_t gen, Reply rep, bool convert) {
  auto& w = self->state.workers[i];
  if (gen != w.generation || !w.job) return;
  if (rep.job_id != w.job->job_id() || w.job->convert != convert) {
    spdlog::warn("jobproc: processor {} answered for job {} while working on {}; restarting it", i, rep.job_id,
                 w.job->job_id());
    w.retiring = true;
    post_to_child(self, i, [](devices::child_process& c) { c.kill(); });
    return;
  }
  if constexpr (std::is_same_v<Reply, jobproc::convert_reply>)
    w.job->crp.deliver(std::move(rep));
  else
    w.job->rp.deliver(std::move(rep));
  w.job.reset();
  dispatch(self);
}

void on_exit(pool_self self, size_t i, uint64_t gen, const std::string& why) {
  auto& w = self->state.workers[i];
  if (gen != w.generation || !w.alive) return;
  w.alive = false;
  self->state.opts.loop->post([side = self->state.side, i, gen] {
    auto& slot = side->slots[i];
    if (slot.generation == gen) slot.proc.reset();
  });
  if (w.job) {
    spdlog::warn("jobproc: the processor of job {} {}", w.job->job_id(), why);
    fail(*w.job, std::string("the job processor stopped while ") + w.job->doing() + " the document (it " + why + ")",
         errc::corruption);
    w.job.reset();
  } else {
    spdlog::warn("jobproc: processor {} {}", i, why);
  }
  auto lived = std::chrono::steady_clock::now() - w.started;
  w.quick_deaths = lived < std::chrono::seconds(2) ? w.quick_deaths + 1 : 0;
  auto delay = w.quick_deaths >= 3 ? std::chrono::milliseconds(1000) : std::chrono::milliseconds(0);
  self->delayed_send(self, delay, jp_spawn_atom::value, i);
}

}  // namespace

processor_pool_actor spawn_processor_pool(caf::actor_system& sys, processor_pool_options opts) {
  QUIRE_ASSERT(opts.loop != nullptr && opts.processes > 0, "a processor pool needs a loop and processes");
  auto impl = sys.spawn([opts = std::move(opts)](pool_self self) mutable -> pool_impl::behavior_type {
    auto& st = self->state;
    st.opts = std::move(opts);
    st.workers.resize(st.opts.processes);
    st.side->slots.resize(st.opts.processes);
    for (size_t i = 0; i < st.workers.size(); ++i) start_child(self, i);
    self->attach_functor([side = st.side, loop = st.opts.loop] {
      loop->post([side] {
        for (auto& s : side->slots) s.proc.reset();  // kills what still runs
      });
    });
    return {
        [self](analyse_atom, jobproc::analyse_request& req) -> caf::result<jobproc::analyse_reply> {
          auto rp = self->make_response_promise<jobproc::analyse_reply>();
          if (self->state.queue.size() >= self->state.opts.max_waiting) {
            rp.deliver(failure<jobproc::analyse_reply>(req.job_id, "every job processor is busy", errc::busy));
            return rp;
          }
          pending p;
          p.req = std::move(req);
          p.rp = rp;
          self->state.queue.push_back(std::move(p));
          dispatch(self);
          return rp;
        },
        [self](convert_atom, jobproc::convert_request& req, bool urgent) -> caf::result<jobproc::convert_reply> {
          auto rp = self->make_response_promise<jobproc::convert_reply>();
          if (!urgent && self->state.queue.size() >= self->state.opts.max_waiting) {
            rp.deliver(failure<jobproc::convert_reply>(req.job_id, "every job processor is busy", errc::busy));
            return rp;
          }
          pending p;
          p.convert = true;
          p.creq = std::move(req);
          p.crp = rp;
          (urgent ? self->state.urgent : self->state.queue).push_back(std::move(p));
          dispatch(self);
          return rp;
        },
        [self](jp_reply_atom, size_t i, uint64_t gen, jobproc::analyse_reply& rep) {
          on_reply(self, i, gen, std::move(rep), false);
        },
        [self](jp_conv_atom, size_t i, uint64_t gen, jobproc::convert_reply& rep) {
          on_reply(self, i, gen, std::move(rep), true);
        },
        [self](jp_exit_atom, size_t i, uint64_t gen, std::string& why) { on_exit(self, i, gen, why); },
        [self](jp_timeout_atom, size_t i, uint64_t seq) {
          auto& w = self->state.workers[i];
          if (!w.job || w.job_seq != seq) return;
          uint32_t s = (w.job_timeout_ms + 999) / 1000;
          spdlog::warn("jobproc: job {} took longer than {} s; its processor is restarted", w.job->job_id(), s);
          fail(*w.job, std::string(w.job->doing()) + " the document took longer than " + std::to_string(s) + " s",
               errc::timeout);
          w.job.reset();
          w.retiring = true;
          post_to_child(self, i, [](devices::child_process& c) { c.kill(); });
        },
        [self](jp_spawn_atom, size_t i) {
          start_child(self, i);
          dispatch(self);
        },
    };
  });
  return caf::actor_cast<processor_pool_actor>(impl);
}

}  // namespace quire
