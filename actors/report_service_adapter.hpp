// The admin API's report_service (web/report.hpp) over the store: a report
// scans the ledger (every account's entries, filtered by time) on a
// detached actor's own thread, so that neither the HTTP loop nor the actors
// that move jobs wait for it. Groups come from the user records as they
// are now, read once per report.
#pragma once

#include <memory>

#include "actors/messages.hpp"
#include "storage/store.hpp"
#include "web/report.hpp"

namespace quire {

/// `money`: how the site writes amounts. REQUIRES: `st` outlives `sys`'s
/// actors (as for the job service).
std::unique_ptr<web::report_service> make_report_service(caf::actor_system& sys, const store& st,
                                                         web::money_format money);

}  // namespace quire
