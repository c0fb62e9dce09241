// The disk watch: queues stop accepting new jobs before the data folder's
// file system fills up, and accept again once space returns.
//
// One actor measures the free space of the data folder (statvfs) every
// `interval`. Below `min_free` bytes every queue is told to refuse new jobs
// (server-error-not-accepting-jobs, printer-state-reasons spool-area-full);
// once a quarter more than `min_free` is free again they accept again (the
// margin keeps a queue from flapping at the threshold). Each change is
// announced as queue.changed. Jobs already accepted are not touched.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "actors/messages.hpp"

namespace quire {

/// The accept/refuse decision with its margin; pure.
struct disk_rule {
  uint64_t min_free = 0;  // 0: never refuse
  bool accepting = true;

  /// Takes a measurement; true when `accepting` changed.
  bool update(uint64_t free_bytes) {
    if (min_free == 0) return false;
    if (accepting && free_bytes < min_free) {
      accepting = false;
      return true;
    }
    if (!accepting && free_bytes >= min_free + min_free / 4) {
      accepting = true;
      return true;
    }
    return false;
  }
};

struct disk_watch_options {
  std::string path;  // the data folder
  uint64_t min_free = 0;
  std::chrono::milliseconds interval{1000};
};

caf::actor spawn_disk_watch(caf::actor_system& sys, disk_watch_options opts, fleet_ptr queues, event_bus_actor events);

}  // namespace quire
