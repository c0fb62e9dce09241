// The REST API's job_service (web/job_service.hpp) on the actor side.
//
// Reading (get_job, list_jobs) goes to committed job records through the
// store, as everyone but a job's own actor does (ARCHITECTURE.md), on a
// detached actor's own thread, so that a listing over a long history
// stalls neither the HTTP loop nor the actors that move jobs. Acting goes
// where every other door goes: a cancel to the job's actor through the
// registry (command_atom, job_command cancel), a release to the one release
// service (release_atom), so the same checks apply as for IPP and the
// terminals. The queues come from the fleet snapshot. web/ stays free of
// CAF and RocksDB.
#pragma once

#include <memory>

#include "actors/fleet_cell.hpp"
#include "actors/messages.hpp"
#include "storage/store.hpp"
#include "web/job_service.hpp"

namespace quire {

struct job_service_options {
  const store* st = nullptr;  // REQUIRES: outlives the actor system's actors and the service
  web::money_format money;    // the site's [accounting] (how prices are shown)
  registry_actor registry;    // cancels
  release_service_actor releases;  // releases
  fleet_cell_ptr fleet;       // the queues
};

std::unique_ptr<web::job_service> make_job_service(caf::actor_system& sys, job_service_options opts);

/// The queues of `fl` as the API lists them, sorted by name: each with the
/// printers of the fleet it names (never a device URI). Pure, for tests.
std::vector<web::queue_info> queue_infos(const fleet& fl);

}  // namespace quire
