// Quire's one event format: everything that happens, for every audience.
//
// An event has a site-wide sequence number (strictly increasing, never
// reused, also across restarts), a time, a type from the catalogue below,
// the ids it concerns and a small payload. Its topics — `user:<name>`,
// `queue:<name>`, `printer:<name>`, `job:<id>` and `admin` — follow from
// those ids: whoever may see a topic may see the event. IPP notifications
// (RFC 3995/3996) and WebSocket messages are two renderings of the same
// events; docs/events.md is the catalogue for client authors.
//
// Pure values: no clock, no I/O. The event bus (actors/event_bus.hpp)
// numbers and times them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

/// The catalogue. Values are stable (they may be stored); names are the
/// `type` clients see.
enum class event_type : uint8_t {
  job_received = 1,   // "job.received": accepted; its document may still be arriving
  job_held = 2,       // "job.held": waiting for its owner to release it
  job_released = 3,   // "job.released": released (or sent straight) to a printer's queue
  job_printing = 4,   // "job.printing": being sent to the device
  job_printed = 5,    // "job.printed": the device took it
  job_failed = 6,     // "job.failed": it will not print; `text` says why
  job_canceled = 7,   // "job.canceled"
  job_expired = 8,    // "job.expired": held too long without a release
  job_forgotten = 9,  // "job.forgotten": its history period ended; the record is gone
  job_analysed = 10,  // "job.analysed": pages and colour pages are known (`text`: "pages 12, colour 3")
  printer_state = 20, // "printer.state": idle, processing or stopped, or the device's condition changed
                      // (`printer_state`, `reasons`: IPP printer-state-reasons, `text`: why it is stopped)
  printer_supply = 21,  // "printer.supply": a supply's level or state changed (`text`: "Black Toner 15% (low), ...")
  printer_alert = 22,   // "printer.alert": the device's alert table changed (`text`: "critical: Paper jam; ...")
  queue_changed = 30, // "queue.changed": a queue's configuration or acceptance changed
  balance_changed = 40,  // "balance.changed": an account's credit changed (`user`: the account; `text`: "balance 4.40 EUR, ...")
  job_charged = 41,      // "job.charged": a printed job was charged (`user`: who paid; `text`: "0.60 EUR")
  session_opened = 50,   // "session.opened": a user logged in at a printer's terminal (`printer`, `user`)
  session_closed = 51,   // "session.closed": that session ended (`text`: "logout", "idle")
  directory_synced = 60,  // "directory.synced": a directory sync ended (`text`: what it changed, or why it failed)
};

/// "job.held", ...; "unknown" for a value outside the catalogue.
const char* to_string(event_type t) noexcept;
/// The catalogue entry named `name`; false when there is none.
bool parse_event_type(std::string_view name, event_type& out) noexcept;
/// Every type of the catalogue, in value order.
const std::vector<event_type>& all_event_types();
/// True for the job.* types.
bool is_job_event(event_type t) noexcept;

struct event {
  uint64_t seq = 0;       // set by the event bus
  int64_t time_ms = 0;    // set by the event bus: wall clock, ms since the epoch
  event_type type = event_type::job_received;
  uint64_t job_id = 0;    // job.* events
  std::string user;       // the job's owner
  std::string queue;
  std::string printer;
  uint8_t job_state = 0;      // quire::job_state after the change (job.*)
  uint8_t printer_state = 0;  // quire::printer_state (printer.state): 3 idle, 4 processing, 5 stopped
  std::string job_name;       // private to the owner and administrators
  std::string text;           // a human-readable detail, e.g. why a job failed
  std::vector<std::string> reasons;  // printer.state: IPP printer-state-reasons ("media-jam-error")

  /// The topics the event belongs to, "admin" always last.
  std::vector<std::string> topics() const;
};

/// True when `topic` names one of `e`'s topics; "*" matches every event.
bool in_topic(const event& e, std::string_view topic);

}  // namespace quire
