// What the admin API needs from the server to change the fleet at run time:
// add, change and remove printers and queues without a restart
// (ARCHITECTURE.md, "Configuration vs. state": RocksDB is the source of
// truth at run time; what the file declares wins again at the next start,
// what the API created and the file does not mention stays).
//
// The same contract as printer_service.hpp: every call returns at once and
// answers exactly once through its callback, from any thread, possibly
// before the call returns. The API has checked the caller is an
// administrator and that names follow valid_printer_name; the service
// checks everything else (a device URI it can drive and that writes only
// under the sink folder, a queue's printers exist, a printer in use by a
// queue or with jobs waiting is not removed...) and answers with an error
// whose code maps to HTTP as in admin_api.hpp (http_status_for):
//   invalid_argument  400  the record is not acceptable (the message says why)
//   already_exists    409  create: the name is taken
//   not_found         404  no such printer or queue
//   not_possible      409  the change would strand jobs or break a queue
//   unavailable       503
// A device URI may carry credentials (ipp://user:secret@host/...): the API
// never shows a URI's user-info part (web/fleet_json.hpp, redact_device_uri).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "protocols/result.hpp"
#include "storage/records.hpp"

namespace quire::web {

/// PATCH /api/v1/printers/{name}: the fields to change; absent ones stay.
struct printer_patch {
  std::optional<std::string> device_uri;
  std::optional<std::string> language;
  std::optional<std::string> location;
  std::optional<std::string> info;
  std::optional<std::string> make_and_model;
  std::optional<std::string> price_list;  // "" = prints free
};

/// PATCH /api/v1/queues/{name}: the fields to change; absent ones stay.
struct queue_patch {
  std::optional<queue_type> type;
  std::optional<std::vector<std::string>> printers;
  std::optional<std::string> location;
  std::optional<std::string> info;
  std::optional<bool> auth_required;
  std::optional<bool> failover;
};

/// `p` with the fields `patch` names changed.
inline printer_record patched(printer_record p, const printer_patch& patch) {
  if (patch.device_uri) p.device_uri = *patch.device_uri;
  if (patch.language) p.language = *patch.language;
  if (patch.location) p.location = *patch.location;
  if (patch.info) p.info = *patch.info;
  if (patch.make_and_model) p.make_and_model = *patch.make_and_model;
  if (patch.price_list) p.price_list = *patch.price_list;
  return p;
}

/// `q` with the fields `patch` names changed.
inline queue_record patched(queue_record q, const queue_patch& patch) {
  if (patch.type) q.type = *patch.type;
  if (patch.printers) q.printers = *patch.printers;
  if (patch.location) q.location = *patch.location;
  if (patch.info) q.info = *patch.info;
  if (patch.auth_required) q.auth_required = *patch.auth_required;
  if (patch.failover) q.failover = *patch.failover;
  return q;
}

using printer_record_callback = std::function<void(result<printer_record>)>;
using queue_record_callback = std::function<void(result<queue_record>)>;
using queue_records_callback = std::function<void(result<std::vector<queue_record>>)>;
using fleet_done_callback = std::function<void(status)>;

class fleet_service {
 public:
  virtual ~fleet_service() = default;

  /// Every queue's record, sorted by name.
  virtual void list_queues(queue_records_callback cb) = 0;
  /// One queue's record; not_found for a name the site does not have.
  virtual void get_queue(std::string name, queue_record_callback cb) = 0;
  /// One printer's record (its configuration, not its state: printer_service).
  virtual void get_printer(std::string name, printer_record_callback cb) = 0;

  /// Adds a printer (origin api); already_exists when the name is taken.
  /// Answers the stored record.
  virtual void create_printer(printer_record p, printer_record_callback cb) = 0;
  /// Changes a printer; its actor is replaced when it has no job waiting
  /// (not_possible otherwise). Answers the stored record.
  virtual void update_printer(std::string name, printer_patch patch, printer_record_callback cb) = 0;
  /// Removes a printer no queue uses and with no job waiting; a printer the
  /// configuration file declares is refused (not_possible: remove it there).
  virtual void remove_printer(std::string name, fleet_done_callback cb) = 0;

  /// Adds a queue (origin api); already_exists when the name is taken.
  virtual void create_queue(queue_record q, queue_record_callback cb) = 0;
  /// Changes a queue; jobs it holds keep their printer choices.
  virtual void update_queue(std::string name, queue_patch patch, queue_record_callback cb) = 0;
  /// Removes a queue without unfinished jobs; a queue the configuration
  /// file declares is refused (not_possible).
  virtual void remove_queue(std::string name, fleet_done_callback cb) = 0;
};

}  // namespace quire::web
