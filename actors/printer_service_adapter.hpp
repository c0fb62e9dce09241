// The admin API's printer_service over the running site: the printers are
// those of the site's fleet as it is at each call (fleet_cell.hpp); each printer actor describes itself (describe_atom: its state,
// reasons and what its device last said) and reads its own page counter
// snapshots (counters_atom). Location and info come from the fleet's
// printer records; the device URI, which may embed credentials, never
// leaves this file.
//
// A listing asks every printer at once, from one short-lived actor, and
// waits at most describe_timeout for each: a printer that does not answer
// by then (busy, or gone) is shown stopped, "not answering", rather than
// holding up the listing. A site has a few thousand printers at most, and
// a describe is a small read of the actor's state, so the requests are
// not throttled further.
#pragma once

#include <chrono>
#include <memory>

#include "actors/fleet_cell.hpp"
#include "actors/messages.hpp"
#include "web/printer_service.hpp"

namespace quire {

/// How long a printer has to describe itself (list, get).
inline constexpr std::chrono::seconds describe_timeout{5};
/// How long a printer has to read its page counters from the store.
inline constexpr std::chrono::seconds counters_timeout{30};

/// The state message of a printer that did not describe itself in time.
inline constexpr const char* not_answering = "not answering";

/// What the API shows of printer `record` whose actor answered `status`. A
/// supply at or under `low_percent` is low ([monitoring] low_percent).
web::printer_view printer_view_of(const printer_record& record, const printer_status& status, int low_percent);

/// The view of printer `record` when its actor did not answer: stopped,
/// "not answering", nothing known of its device.
web::printer_view silent_printer_view(const printer_record& record);

/// REQUIRES: `fleet` is the site's and holds a snapshot; the service is
/// destroyed before `sys`.
std::unique_ptr<web::printer_service> make_printer_service(caf::actor_system& sys, fleet_cell_ptr fleet,
                                                           int low_percent);

}  // namespace quire
