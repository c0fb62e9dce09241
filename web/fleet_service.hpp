// What the admin API needs from the server to change the fleet at run time:
// add, change and remove printers, queues, price lists, projects and
// quotas without a restart
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
//   not_found         404  no such printer, queue, price list or project
//   not_possible      409  the change would strand jobs or break a queue
//                          (or a printer's price list); or the record is
//                          the configuration file's
//   unavailable       503
// A device URI may carry credentials (ipp://user:secret@host/...): the API
// never shows a URI's user-info part (web/fleet_json.hpp, redact_device_uri).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
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

/// PATCH /api/v1/prices/{name}: the fields to change; absent ones stay.
struct price_list_patch {
  std::optional<std::string> per;  // "sheet" or "impression"
  std::optional<int64_t> mono;
  std::optional<int64_t> colour;
  std::optional<int64_t> duplex_mono;    // -1: as mono
  std::optional<int64_t> duplex_colour;  // -1: as colour
  std::optional<std::vector<std::pair<std::string, price_rate>>> sizes;  // replaces them all
  std::optional<bool> mono_only;
};

/// PATCH /api/v1/projects/{name}: the fields to change; absent ones stay.
struct project_patch {
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> groups;  // replaces them all; empty: every user
};

/// PATCH /api/v1/quotas/{name}: the fields to change; absent ones stay.
struct quota_patch {
  std::optional<std::vector<std::string>> groups;  // replaces them all
  std::optional<std::vector<std::string>> users;   // replaces them all
  std::optional<std::string> period;               // day, week, month, year
  std::optional<uint32_t> sheets;
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

/// `l` with the fields `patch` names changed.
inline price_list_record patched(price_list_record l, const price_list_patch& patch) {
  if (patch.per) l.per = *patch.per;
  if (patch.mono) l.base.mono = *patch.mono;
  if (patch.colour) l.base.colour = *patch.colour;
  if (patch.duplex_mono) l.base.duplex_mono = *patch.duplex_mono;
  if (patch.duplex_colour) l.base.duplex_colour = *patch.duplex_colour;
  if (patch.sizes) l.sizes = *patch.sizes;
  if (patch.mono_only) l.mono_only = *patch.mono_only;
  return l;
}

/// `p` with the fields `patch` names changed.
inline project_record patched(project_record p, const project_patch& patch) {
  if (patch.description) p.description = *patch.description;
  if (patch.groups) p.groups = *patch.groups;
  return p;
}

/// `q` with the fields `patch` names changed.
inline quota_record patched(quota_record q, const quota_patch& patch) {
  if (patch.groups) q.groups = *patch.groups;
  if (patch.users) q.users = *patch.users;
  if (patch.period) q.period = *patch.period;
  if (patch.sheets) q.sheets = *patch.sheets;
  return q;
}

using printer_record_callback = std::function<void(result<printer_record>)>;
using queue_record_callback = std::function<void(result<queue_record>)>;
using queue_records_callback = std::function<void(result<std::vector<queue_record>>)>;
using fleet_done_callback = std::function<void(status)>;
using price_list_callback = std::function<void(result<price_list_record>)>;
using price_lists_callback = std::function<void(result<std::vector<price_list_record>>)>;
using project_callback = std::function<void(result<project_record>)>;
using projects_callback = std::function<void(result<std::vector<project_record>>)>;
using quota_callback = std::function<void(result<quota_record>)>;
using quotas_callback = std::function<void(result<std::vector<quota_record>>)>;

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

  /// Every price list, sorted by name.
  virtual void list_price_lists(price_lists_callback cb) = 0;
  /// One price list; not_found for a name the site does not have.
  virtual void get_price_list(std::string name, price_list_callback cb) = 0;
  /// Adds a price list (origin api); already_exists when the name is taken;
  /// invalid_argument naming the field for a rate out of range
  /// (0..pdl::max_rate, -1 allowed for the duplex ones), a "per" other
  /// than sheet/impression, a media size priced twice.
  virtual void create_price_list(price_list_record l, price_list_callback cb) = 0;
  /// Changes a price list: jobs priced from now on (estimates of held jobs
  /// and releases) use the new rates; charges already made stay.
  virtual void update_price_list(std::string name, price_list_patch patch, price_list_callback cb) = 0;
  /// Removes a price list no printer names (not_possible otherwise, and for
  /// one the configuration file declares).
  virtual void remove_price_list(std::string name, fleet_done_callback cb) = 0;

  /// Every project, sorted by name.
  virtual void list_projects(projects_callback cb) = 0;
  /// One project; not_found for a name the site does not have.
  virtual void get_project(std::string name, project_callback cb) = 0;
  /// Adds a project (origin api); already_exists when the name is taken.
  virtual void create_project(project_record p, project_callback cb) = 0;
  /// Changes a project's description or groups.
  virtual void update_project(std::string name, project_patch patch, project_callback cb) = 0;
  /// Removes a project (its account and ledger stay; releases can no
  /// longer charge it); one the configuration file declares is refused.
  virtual void remove_project(std::string name, fleet_done_callback cb) = 0;

  /// Every quota, sorted by name.
  virtual void list_quotas(quotas_callback cb) = 0;
  /// One quota; not_found for a name the site does not have.
  virtual void get_quota(std::string name, quota_callback cb) = 0;
  /// Adds a quota (origin api); already_exists when the name is taken;
  /// invalid_argument naming the field when it has neither groups nor
  /// users, a period other than day/week/month/year, or sheets outside
  /// 1..100,000,000. Accounts apply it from their next charge on.
  virtual void create_quota(quota_record q, quota_callback cb) = 0;
  /// Changes a quota (sheets already counted this period stay counted).
  virtual void update_quota(std::string name, quota_patch patch, quota_callback cb) = 0;
  /// Removes a quota; one the configuration file declares is refused.
  virtual void remove_quota(std::string name, fleet_done_callback cb) = 0;
};

}  // namespace quire::web
