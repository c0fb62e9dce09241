// The queue actor: one print queue and its admission policy.
//
// A pull-print queue holds every job until its owner releases it at one of
// the queue's printers; a direct queue sends jobs to its printer at once
// (unless the client asked to hold them). The queue decides a new job's
// first state and hands it to the registry; it also answers for the queue's
// state (Get-Printer-Attributes).
#pragma once

#include "actors/messages.hpp"

namespace quire {

queue_actor spawn_queue(caf::actor_system& sys, queue_record record, registry_actor registry,
                        printer_actor printer);

}  // namespace quire
