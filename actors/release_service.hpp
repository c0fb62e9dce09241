// The release service: the one door every release goes through.
//
// IPP Release-Job, a terminal session and the web portal all ask this
// actor, so the same checks apply whichever door a user comes through
// (ARCHITECTURE.md, "Release"):
//   1. the job exists; the printer is one its queue releases to (the
//      queue's first printer when none is named) and is not stopped;
//   2. who may release it: its owner, an administrator, or a delegate the
//      owner named (the ledger then records who printed and who paid);
//   3. a project, when one is chosen, exists and the releaser may charge it
//      (the project pays instead of the owner);
//   4. the job's actor, reached through the registry (so there is one per
//      job), checks the job's PIN, reserves its price on the payer's account
//      (credit and quota: actors/account.hpp) and queues it — once: a second
//      door asking at the same moment finds the job no longer held.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "actors/messages.hpp"

namespace quire {

class store;

struct release_service_options {
  store* st = nullptr;
  registry_actor registry;
  fleet_ptr fleet;  // its projects: what a release may charge instead of the owner
  // Told, on the service's thread, how long each release that reached its
  // job took from the request to the job's answer (queued, or refused by
  // the job: PIN, credit). Empty: nobody listens (the site's metrics do).
  std::function<void(std::chrono::nanoseconds)> on_answered;
};

release_service_actor spawn_release_service(caf::actor_system& sys, release_service_options opts);

}  // namespace quire
