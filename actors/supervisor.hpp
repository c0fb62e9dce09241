// The supervisor: watches the long-lived actors of a site.
//
// The fleet actor (which watches the printers and queues in turn:
// fleet_keeper.hpp), the registry, the readers and the listeners are
// spawned at start and live until shutdown. If one of them dies for any reason but
// shutdown, the site can no longer keep its promises (a queue without its
// actor loses submissions), so the supervisor reports the failure and the
// server stops with a non-zero exit; the service manager restarts it and the
// stored state (jobs, FIFOs) resumes.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "actors/messages.hpp"

namespace quire {

/// Spawns a supervisor that monitors `children`; `on_failure` runs (on an
/// actor thread) with a description when one of them dies unexpectedly. On
/// shutdown (exit_reason::user_shutdown) it stops every child.
caf::actor spawn_supervisor(caf::actor_system& sys, std::vector<caf::actor> children,
                            std::function<void(const std::string&)> on_failure);

}  // namespace quire
