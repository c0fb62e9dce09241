// The printer actor's monitoring policy, as pure functions: when to poll
// next, when a device counts as offline, what a new answer changes, and how
// page counters are kept honest. No CAF, no clock: times are arguments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "devices/printer_mib.hpp"

namespace quire {

struct monitor_schedule {
  uint64_t interval_ms = 60'000;       // between polls of an answering, idle device
  uint64_t busy_interval_ms = 15'000;  // while the printer delivers a job
  uint64_t max_backoff_ms = 600'000;   // the longest wait for a silent device
  uint32_t jitter_percent = 10;        // each wait is up to this much shorter (never longer)
  uint32_t offline_after = 3;          // silent polls in a row before "offline"
};

/// The wait before the next poll. `silent`: polls in a row without an answer
/// (the wait doubles with each, from the interval up to max_backoff_ms);
/// `busy`: a job is being delivered; `random01` in [0, 1) draws the jitter.
uint64_t next_poll_delay(const monitor_schedule& s, bool busy, uint32_t silent, double random01);

/// The wait before a printer's first poll: spread over one interval so a
/// fleet started together does not poll together.
uint64_t first_poll_delay(const monitor_schedule& s, double random01);

/// What to make of a page counter a device reports, given the last one
/// kept (`had`: whether there is one). A counter that went backwards on the
/// same device (same serial, no restart) is not believed: the last one is
/// kept and `warning` says so. A restart or another device (serial changed)
/// starts over.
struct counter_decision {
  uint64_t keep = 0;
  bool changed = false;  // differs from the last one kept
  std::string warning;
};
counter_decision judge_counter(bool had, uint64_t last, const std::string& last_serial, uint64_t last_uptime_cs,
                               const devices::device_status& now);

/// Whether to store a counter snapshot now: the first answer after start,
/// another device, or a changed counter at least `every_ms` after the last
/// snapshot.
bool snapshot_due(bool have_snapshot, int64_t last_snapshot_ms, bool counter_changed, bool device_changed,
                  int64_t now_ms, int64_t every_ms);

/// The printer's IPP printer-state-reasons: the device's, plus
/// "offline-report" while it does not answer (its last known condition then
/// shown as -report only: it may have changed unseen).
std::vector<std::string> printer_reasons(const devices::device_status& last, bool answered_ever, bool online,
                                         int low_percent);

/// A queue's reasons from its printers' (one list per printer): a direct
/// queue shows its printer's as they are; a queue of several printers
/// shows an -error as -warning unless every printer has it (the others can
/// still print). Sorted, unique.
std::vector<std::string> merge_reasons(const std::vector<std::vector<std::string>>& printers);

}  // namespace quire
