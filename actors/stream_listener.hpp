// The stream listener actor: jobs that came as bare byte streams (LPD,
// raw port 9100) into the same queues as IPP jobs.
//
// The loop thread receives and spools a stream job's documents
// (actors/lpd/lpd_connection.hpp, raw_connection.hpp) and sends it here as a
// stream_job_ptr. The listener decides the owner and name
// (actors/lpd/stream_rules.hpp: PJL, DSC, control file, by the configured
// order; unknown users by intake.unknown_user), and submits one job per
// document to the queue actor, which holds it (pull queue) or passes it on,
// exactly as for Print-Job. The reply goes back once every document is a
// committed job; when one of several is refused, those already accepted are
// canceled, so the sender's retry does not print them twice.
//
// LPD's queue-state (03, 04) and remove-jobs (05) commands come as
// lpd_request_ptr: the listener lists the queue's unfinished jobs through a
// reader, and cancels through the registry as the job's owner.
#pragma once

#include <vector>

#include "actors/lpd/stream_job.hpp"
#include "actors/messages.hpp"
#include "config/config.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::stream_job_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::lpd_request_ptr)

namespace quire {

class store;

struct stream_listener_config {
  fleet_ptr printers_and_queues;
  registry_actor registry;
  std::vector<reader_actor> readers;
  const store* users = nullptr;  // user lookups for intake.known_users_only (thread-safe reads)
  intake_config intake;
  bool mask_others = true;       // privacy.mask_other_users, for LPD queue listings
};

caf::actor spawn_stream_listener(caf::actor_system& sys, stream_listener_config cfg);

}  // namespace quire
