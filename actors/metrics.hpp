// The site's metrics: what GET /metrics exports, gathered at each scrape.
//
// One metrics actor per site. It subscribes to the event bus with "*" and
// counts the jobs received, printed, failed, canceled and expired since
// start; the release service tells it how long each release took
// (latency_atom), which it keeps in a histogram. A scrape (describe_atom)
// adds what is true right now:
//   - each printer of the fleet describes itself (describe_atom), bounded by
//     describe_timeout: a printer that does not answer in time counts as
//     stopped (and offline), so one busy printer never holds up a scrape;
//   - the store counts the jobs of every queue in each active state (index
//     keys only: one prefix scan per queue and state) and reports its size
//     and its commit counters.
// The store's reads block, so the actor is detached (a thread of its own):
// a slow count delays the next scrape, never a job. Nothing here keeps
// per-job state: memory is bounded by the fleet's size.
//
// Derived figures (an intake rate, a print rate) are for Prometheus to
// compute from the counters (rate()); none is exported here. WebSocket
// clients are not counted yet: that endpoint does not exist yet.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "actors/messages.hpp"
#include "storage/store.hpp"
#include "web/metrics_text.hpp"

// The samples of a scrape go from the metrics actor to the HTTP side of
// this process only; they are never serialized.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::web::metrics_samples)

namespace quire {

/// The metrics actor: events in (it subscribes itself), release durations
/// in nanoseconds, and the samples of one scrape out.
using metrics_actor = caf::typed_actor<caf::reacts_to<event>,
                                       caf::reacts_to<latency_atom, int64_t>,
                                       caf::replies_to<describe_atom>::with<web::metrics_samples>,
                                       caf::reacts_to<fleet_atom, fleet_ptr>>;

/// How long a printer has to describe itself during a scrape.
inline constexpr std::chrono::milliseconds metrics_describe_timeout{2000};
/// How long scrape_metrics() waits for the metrics actor (store counts included).
inline constexpr std::chrono::seconds metrics_scrape_timeout{10};

struct metrics_options {
  const store* st = nullptr;       // REQUIRES: outlives the actor
  fleet_ptr fleet;                 // the site's printers and queues (not null)
  event_bus_actor bus;             // null: no events are counted (tests)
  std::chrono::milliseconds describe_timeout = metrics_describe_timeout;
};

/// The states a job rests in or moves through before it ends: quire_jobs's.
inline constexpr std::array<job_state, 5> active_job_states = {
    job_state::receiving, job_state::analysing, job_state::held, job_state::queued, job_state::delivering};

/// Everything one scrape exports, as plain figures (samples_of renders them).
struct metrics_figures {
  std::string version;  // quire_build_info's (CMake's project version); "" = not exported
  // Since start, from the event bus.
  uint64_t received = 0, printed = 0, failed = 0, canceled = 0, expired = 0;
  std::array<uint64_t, active_job_states.size()> jobs{};  // per active_job_states, over every queue
  struct printer_figure {
    std::string name;
    bool answered = false;  // false: counts as stopped and offline
    printer_state state = printer_state::stopped;
    bool monitored = false;  // its device is polled: quire_printer_online has a sample
    bool online = false;
  };
  std::vector<printer_figure> printers;  // by name
  web::histogram release_latency;        // seconds
  uint64_t storage_bytes = 0;
  store::counters storage;
};

/// quire_release_latency_seconds's upper bounds: 5 ms to 10 s.
const std::vector<double>& release_latency_bounds();

/// The samples of `f`, in the order /metrics shows them. Pure.
web::metrics_samples samples_of(const metrics_figures& f);

metrics_actor spawn_metrics(caf::actor_system& sys, metrics_options opts);

/// Asks `m` for one scrape's samples and calls `done` once, from an actor
/// thread: the samples, or errc::timeout / errc::unavailable when the
/// metrics actor did not answer within metrics_scrape_timeout or is gone.
void scrape_metrics(caf::actor_system& sys, const metrics_actor& m,
                    std::function<void(result<web::metrics_samples>)> done);

}  // namespace quire
