// The printer actor: one device and its delivery FIFO.
//
// Released jobs enqueue themselves here, in a FIFO. The printer asks each
// job's actor for a delivery ticket (the job may have been canceled or held
// meanwhile) and hands the documents to its device driver on the loop
// thread, in FIFO order; the driver delivers them one at a time and the
// printer reports each outcome back to its job. It prepares as many jobs
// ahead as the driver takes (driver::max_pending), so the device never
// waits for the server between two jobs. It announces its state changes
// on the event bus. Device monitoring
// (SNMP) joins this actor with the monitoring issue.
#pragma once

#include <memory>

#include "actors/io/loop.hpp"
#include "actors/messages.hpp"
#include "devices/driver.hpp"

namespace quire {

/// `driver` may be null when the device URI cannot be driven: the printer is
/// then stopped with `stop_reason`, and every job sent to it fails with it.
/// Its state changes (idle, processing, stopped) are published on `events`
/// (may be null) as printer.state.
printer_actor spawn_printer(caf::actor_system& sys, printer_record record,
                            std::shared_ptr<devices::driver> driver, std::string stop_reason, io::loop* loop,
                            event_bus_actor events = {});

}  // namespace quire
