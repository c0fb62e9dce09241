// The fleet actor: owns the site's printers, queues, price lists, projects
// and quotas at run time.
//
// ARCHITECTURE.md's "Configuration vs. state": the file's printers and
// queues are applied to RocksDB at start (site_config.cpp); from then on
// the REST API changes them here, without a restart. The fleet actor
//   - checks a change by the file's own rules (config.hpp:
//     check_printer_settings, check_queue_settings, check_price_list,
//     check_quota_settings) and
//     the fleet's (a printer a queue uses, or with jobs in its line, stays;
//     a queue with unfinished jobs stays; a price list a printer names
//     stays; what the file declares is removed there);
//   - commits the record to storage, then spawns, keeps or stops the
//     printer and queue actors it owns (it monitors them: one that dies
//     unasked stops the fleet actor, and the supervisor stops the site);
//   - builds a new immutable snapshot (messages.hpp fleet) and sends it
//     (fleet_atom) to every actor that routes by it, then sets the cell
//     the code outside the actors reads (fleet_cell.hpp).
// Changes run one at a time, in the order they arrive.
//
// A printer whose device URI or language changes gets a new actor (a new
// driver); it must be idle (no job in its line or printing) so no delivery
// is cut. The registry hands the new snapshot to the live jobs, and a
// queued one enqueues itself at its printer's actor again.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "actors/fleet_cell.hpp"
#include "actors/messages.hpp"
#include "protocols/pdl/price.hpp"
#include "web/fleet_service.hpp"

namespace quire {

class store;

/// One change (or read) in flight, with the callback that answers it.
struct fleet_change {
  enum class op : uint8_t {
    create_printer, update_printer, remove_printer,
    create_queue, update_queue, remove_queue,
    create_price_list, update_price_list, remove_price_list,
    create_project, update_project, remove_project,
    create_quota, update_quota, remove_quota,
  };
  op what = op::create_printer;
  std::string name;  // update_*, remove_*
  printer_record printer;  // create_printer
  web::printer_patch printer_patch;
  queue_record queue;  // create_queue
  web::queue_patch queue_patch;
  price_list_record price_list;  // create_price_list
  web::price_list_patch price_list_patch;
  project_record project;  // create_project
  web::project_patch project_patch;
  quota_record quota;  // create_quota
  web::quota_patch quota_patch;
  web::printer_record_callback on_printer;
  web::queue_record_callback on_queue;
  web::price_list_callback on_price_list;
  web::project_callback on_project;
  web::quota_callback on_quota;
  web::fleet_done_callback on_done;

  /// Answers with an error through whichever callback this op has.
  void fail(error e) const;
};
using fleet_change_ptr = std::shared_ptr<fleet_change>;

struct fleet_keeper_options {
  store* st = nullptr;                     // REQUIRES: outlives the actor
  fleet_ptr initial;                       // the fleet the site started with (all of it)
  std::string data_dir;                    // file: device URIs only under its sink/
  // Spawns a printer's actor with its driver and monitoring (the site's;
  // it runs the parts that touch the loop on the loop thread).
  std::function<fleet::printer_entry(const printer_record&)> make_printer;
  std::function<queue_actor(const queue_record&, std::vector<std::pair<std::string, printer_actor>>)> make_queue;
  std::vector<caf::actor> subscribers;     // get each new snapshot (fleet_atom, fleet_ptr)
  fleet_cell_ptr cell;                     // set after the subscribers are told
};

using price_list_map = std::map<std::string, price_list_record>;

/// The printers' price lists by printer name, from `printers` and `lists`
/// (a printer whose list is not among them prints free).
std::shared_ptr<const std::map<std::string, pdl::price_list>> prices_of(const std::vector<printer_record>& printers,
                                                                       const price_list_map& lists);

/// Checks a printer record by the file's rules (its price list one of
/// `lists`); the stored form (a file: device URI normalized) on success.
result<printer_record> checked_printer(printer_record p, const price_list_map& lists, const std::string& data_dir);
/// Checks a price list by the file's rules (and "per"); invalid_argument
/// naming the field.
status check_price_list_record(const price_list_record& l);
/// Checks a quota by the file's rules (and its period); invalid_argument
/// naming the field.
status check_quota_record(const quota_record& q);
/// Checks a queue record by the file's rules against the printers of `fl`.
status check_queue(const queue_record& q, const fleet& fl);

/// Spawns the fleet actor. It adopts the printer and queue actors of
/// `opts.initial` (monitors them, stops them when it stops).
caf::actor spawn_fleet_keeper(caf::actor_system& sys, fleet_keeper_options opts);

/// The admin API's fleet_service over the fleet actor; reads come from the
/// cell. The service is destroyed before `sys`.
std::unique_ptr<web::fleet_service> make_fleet_service(caf::actor keeper, fleet_cell_ptr cell);

}  // namespace quire

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::fleet_change_ptr)
