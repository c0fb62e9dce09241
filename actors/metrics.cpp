#include "actors/metrics.hpp"

#include <spdlog/spdlog.h>

#include <limits>
#include <memory>
#include <utility>

namespace quire {

namespace {

using web::metric_kind;

// CMake's project version, set for this file alone (actors/CMakeLists.txt).
#ifdef QUIRE_VERSION
constexpr const char* build_version = QUIRE_VERSION;
#else
constexpr const char* build_version = "";
#endif

struct metrics_state {
  metrics_options opts;
  metrics_figures since_start;  // the event counts and the latency histogram
  static inline const char* name = "metrics";
};

using metrics_self = metrics_actor::stateful_pointer<metrics_state>;

void count(metrics_figures& f, const event& e) {
  switch (e.type) {
    case event_type::job_received: ++f.received; break;
    case event_type::job_printed: ++f.printed; break;
    case event_type::job_failed: ++f.failed; break;
    case event_type::job_canceled: ++f.canceled; break;
    case event_type::job_expired: ++f.expired; break;
    default: break;
  }
}

// One scrape while its printers answer: each answer (or timeout) fills its
// printer's figure; the last one delivers. Callbacks run in the metrics
// actor, one at a time.
struct pending_scrape {
  metrics_figures figures;
  size_t left = 0;
  caf::typed_response_promise<web::metrics_samples> rp;

  void answered() {
    if (--left == 0) rp.deliver(samples_of(figures));
  }
};

// What the store says now: jobs per active state over every queue, size,
// commit counters. Blocking reads: this actor is detached for them.
void read_store(const metrics_options& o, metrics_figures& f) {
  if (!o.st) return;
  for (const auto& [name, q] : o.fleet->queues)
    for (size_t i = 0; i < active_job_states.size(); ++i) f.jobs[i] += o.st->count_jobs(name, active_job_states[i]);
  f.storage_bytes = o.st->size_bytes();
  f.storage = o.st->stats();
}

caf::result<web::metrics_samples> on_scrape(metrics_self self) {
  const metrics_options& o = self->state.opts;
  auto scrape = std::make_shared<pending_scrape>();
  scrape->figures = self->state.since_start;
  scrape->figures.version = build_version;
  for (const auto& [name, p] : o.fleet->printers) {
    metrics_figures::printer_figure pf;
    pf.name = name;
    pf.monitored = p.monitored;
    scrape->figures.printers.push_back(std::move(pf));
  }
  // Ask every printer first, so that they answer while the store counts.
  scrape->left = o.fleet->printers.size() + 1;  // + the store's part, below
  scrape->rp = self->make_response_promise<web::metrics_samples>();
  size_t i = 0;
  for (const auto& [name, p] : o.fleet->printers) {
    self->request(p.actor, o.describe_timeout, describe_atom::value)
        .then(
            [scrape, i](printer_status& s) {
              auto& pf = scrape->figures.printers[i];
              pf.answered = true;
              pf.state = s.state;
              pf.online = s.device.online;
              scrape->answered();
            },
            [scrape](caf::error&) { scrape->answered(); });
    ++i;
  }
  read_store(o, scrape->figures);
  scrape->answered();
  return scrape->rp;
}

metrics_actor::behavior_type metrics_behavior(metrics_self self, metrics_options opts) {
  self->state.opts = std::move(opts);
  self->state.since_start.release_latency = web::histogram(release_latency_bounds());
  if (self->state.opts.bus) {
    // From sequence 0: the bus's window holds only this run's events, so the
    // backlog is what was published before this subscription took effect.
    self->request(self->state.opts.bus, caf::infinite, subscribe_atom::value,
                  caf::actor_cast<event_sink_actor>(self), std::vector<std::string>{"*"}, uint64_t{0})
        .then(
            [self](event_backlog& b) {
              for (const auto& e : b.events) count(self->state.since_start, e);
            },
            [](caf::error& e) { spdlog::error("metrics: cannot subscribe to events: {}", message_of(e)); });
  }
  return {
      [self](event& e) { count(self->state.since_start, e); },
      [self](latency_atom, int64_t ns) { self->state.since_start.release_latency.observe(double(ns) / 1e9); },
      [self](describe_atom) { return on_scrape(self); },
      [self](fleet_atom, fleet_ptr& fl) { self->state.opts.fleet = std::move(fl); },
  };
}

// One gauge sample per printer and state: 1 for the state it is in.
void add_printer_states(web::metrics_samples& m, const metrics_figures& f) {
  static constexpr std::pair<printer_state, const char*> states[] = {
      {printer_state::idle, "idle"}, {printer_state::processing, "processing"}, {printer_state::stopped, "stopped"}};
  auto& fam = m.add("quire_printer_state",
                    "1 for the state each printer is in (idle, processing, stopped), 0 for the others. "
                    "A printer that does not describe itself within 2 s counts as stopped.",
                    metric_kind::gauge);
  for (const auto& p : f.printers) {
    printer_state now = p.answered ? p.state : printer_state::stopped;
    for (const auto& [state, word] : states)
      fam.samples.push_back({{{"printer", p.name}, {"state", word}}, now == state ? 1.0 : 0.0});
  }
  auto& online = m.add("quire_printer_online",
                       "1 while a monitored printer's device answers SNMP, else 0. Printers not monitored "
                       "have no sample.",
                       metric_kind::gauge);
  for (const auto& p : f.printers)
    if (p.monitored) online.samples.push_back({{{"printer", p.name}}, p.answered && p.online ? 1.0 : 0.0});
}

}  // namespace

const std::vector<double>& release_latency_bounds() {
  static const std::vector<double> bounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return bounds;
}

web::metrics_samples samples_of(const metrics_figures& f) {
  web::metrics_samples m;
  if (!f.version.empty())
    m.add("quire_build_info", "Always 1; the version of quired.", metric_kind::gauge)
        .samples.push_back({{{"version", f.version}}, 1});
  m.add_value("quire_jobs_received_total", "Jobs received since start (IPP, LPD, raw).", metric_kind::counter,
              double(f.received));
  m.add_value("quire_jobs_printed_total", "Jobs a device took since start.", metric_kind::counter, double(f.printed));
  m.add_value("quire_jobs_failed_total", "Jobs that failed since start.", metric_kind::counter, double(f.failed));
  m.add_value("quire_jobs_canceled_total", "Jobs canceled since start.", metric_kind::counter, double(f.canceled));
  m.add_value("quire_jobs_expired_total", "Held jobs that expired unreleased since start.", metric_kind::counter,
              double(f.expired));
  auto& jobs = m.add("quire_jobs", "Jobs in each state that is not final, over every queue.", metric_kind::gauge);
  for (size_t i = 0; i < active_job_states.size(); ++i)
    jobs.samples.push_back({{{"state", to_string(active_job_states[i])}}, double(f.jobs[i])});
  add_printer_states(m, f);
  m.add("quire_release_latency_seconds",
        "Releases since start, from the request to the job's answer (queued, or refused by the job).",
        metric_kind::histogram)
      .buckets = f.release_latency;
  m.add_value("quire_storage_bytes", "The database's size: SST files and memtables (the spool folder excluded).",
              metric_kind::gauge, double(f.storage_bytes));
  m.add_value("quire_storage_commit_groups_total", "Synced database writes (one WAL sync each).",
              metric_kind::counter, double(f.storage.groups));
  m.add_value("quire_storage_commits_total", "Batches made durable.", metric_kind::counter, double(f.storage.batches));
  m.add_value("quire_storage_file_syncs_total", "fsyncs of spool files and the spool folder.", metric_kind::counter,
              double(f.storage.fsyncs));
  return m;
}

metrics_actor spawn_metrics(caf::actor_system& sys, metrics_options opts) {
  return sys.spawn<caf::detached>(metrics_behavior, std::move(opts));
}

void scrape_metrics(caf::actor_system& sys, const metrics_actor& m,
                    std::function<void(result<web::metrics_samples>)> done) {
  sys.spawn([m, done = std::move(done)](caf::event_based_actor* self) {
    self->request(m, metrics_scrape_timeout, describe_atom::value)
        .then([done](web::metrics_samples& s) { done(std::move(s)); },
              [done](caf::error& e) {
                if (e == caf::sec::request_timeout) done(error{errc::timeout, "the metrics did not answer in time"});
                else done(error{errc::unavailable, "the metrics are not available: " + message_of(e)});
              });
  });
}

}  // namespace quire
