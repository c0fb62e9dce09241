// The queue actor: one print queue and its admission policy.
//
// A pull-print queue holds every job until its owner releases it at one of
// the queue's printers; a direct queue sends jobs to its printer at once; a
// group queue sends each job at once to the least busy of its printers
// (fewest jobs waiting, a stopped printer last) — unless the client asked to
// hold the job. The queue decides a new job's first state and hands it to
// the registry; it also answers for the queue's state
// (Get-Printer-Attributes), and stops taking jobs when told to (the disk
// watch).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "actors/messages.hpp"

namespace quire {

/// The least busy printer of a group: fewest jobs waiting, a stopped one only
/// when all are; ties go to the first at or after `start` (the queue turns
/// `start` round, so idle printers share the work). REQUIRES: `statuses` not
/// empty.
size_t least_busy(const std::vector<printer_status>& statuses, size_t start = 0);

/// `printers`: where a direct (one) or group (one or more) queue prints at
/// once; for a pull queue, where its jobs may be released (their state
/// shows in the queue's printer-state-reasons).
queue_actor spawn_queue(caf::actor_system& sys, queue_record record, registry_actor registry,
                        std::vector<std::pair<std::string, printer_actor>> printers);

}  // namespace quire
