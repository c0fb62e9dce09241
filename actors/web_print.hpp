// Web print's print_service (web/print_api.hpp) on the actor side: the
// document spooled as the LPD and raw doors spool theirs (spooled_document:
// in memory while small, a spool upload beyond limits.inline_document_bytes),
// then submitted to its queue's actor as an IPP Print-Job is
// (submit_atom, new_job): same admission, registry, analysis, pricing,
// hold and events. The job's batch adopts the upload (fsync, rename) before
// the job is acknowledged, so a 201 means durable.
#pragma once

#include <memory>

#include "actors/fleet_cell.hpp"
#include "actors/messages.hpp"
#include "web/print_api.hpp"

namespace quire {

class spool;

struct web_print_options {
  spool* uploads = nullptr;       // the store's spool folder; REQUIRES: outlives the service
  fleet_cell_ptr fleet;           // the queues
  size_t inline_document_bytes = 256u << 10;  // config limits.inline_document_bytes
  web::money_format money;        // how the answer shows prices
};

std::unique_ptr<web::print_service> make_print_service(caf::actor_system& sys, web_print_options opts);

/// The new job of a web upload: owner `by` (the authenticated caller), the
/// ticket's name, copies, sides and colour over IPP's defaults, the
/// document as spooled. Pure, for tests.
new_job web_print_job(const web::print_ticket& ticket, const std::string& by, const std::string& peer,
                      std::string inline_document, std::string upload_path, uint64_t size);

}  // namespace quire
