// The printer actor: one device and its delivery FIFO.
//
// Released jobs enqueue themselves here, in a FIFO. The printer asks each
// job's actor for a delivery ticket (the job may have been canceled or held
// meanwhile) and hands the documents to its device driver on the loop
// thread, in FIFO order; the driver delivers them one at a time and the
// printer reports each outcome back to its job. It prepares as many jobs
// ahead as the driver takes (driver::max_pending), so the device never
// waits for the server between two jobs. It announces its state changes
// on the event bus.
//
// It also monitors its device over SNMP (devices/snmp_poller.hpp, through
// the one snmp_client of the loop): polls on a jittered schedule (faster
// while delivering, backing off while the device is silent), keeps the
// device's last status, publishes printer.state / printer.supply /
// printer.alert only when they change, stores page-counter snapshots, and
// reports itself stopped (with the reason) while the device reports a
// condition that stops it printing. Jobs then wait in its FIFO; release
// refuses new ones (release_service).
#pragma once

#include <functional>
#include <memory>

#include "actors/io/loop.hpp"
#include "actors/messages.hpp"
#include "actors/monitor_rules.hpp"
#include "devices/driver.hpp"
#include "devices/snmp_poller.hpp"

namespace quire {

class store;

/// How a printer watches its device. `client` is used on the loop thread
/// only and outlives every printer (the site closes it at shutdown).
struct printer_monitoring {
  bool enabled = false;
  std::string host;   // numeric or a name (resolved on the loop, again after silence)
  uint16_t port = 161;
  std::string community;
  snmp::version ver = snmp::version::v2c;
  std::shared_ptr<devices::snmp_client> client;
  devices::poll_options poll;
  monitor_schedule schedule;
  int low_percent = 10;
  int64_t snapshot_ms = 900'000;      // a changed counter is stored at most this often
  int64_t retention_ms = 400LL * 86'400'000;
  store* st = nullptr;                // counter snapshots; null: kept in memory only
  std::function<int64_t()> now_ms;    // wall clock (null: the system's)
};

/// `driver` may be null when the device URI cannot be driven: the printer is
/// then stopped with `stop_reason`, and every job sent to it fails with it.
/// Its state changes (idle, processing, stopped) are published on `events`
/// (may be null) as printer.state.
printer_actor spawn_printer(caf::actor_system& sys, printer_record record,
                            std::shared_ptr<devices::driver> driver, std::string stop_reason, io::loop* loop,
                            event_bus_actor events = {}, printer_monitoring monitoring = {});

}  // namespace quire
