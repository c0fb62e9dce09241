// The admin API's job_service (web/job_service.hpp) on the actor side. It
// reads committed job records through the store, as everyone but a job's
// own actor does (ARCHITECTURE.md), and asks no actor: a job's actor owns
// the record, the store holds what it committed. Each call runs on a
// detached actor's own thread, so that a listing over a long history stalls
// neither the HTTP loop nor the actors that move jobs. web/ stays free of
// CAF and RocksDB.
#pragma once

#include <memory>

#include "actors/messages.hpp"
#include "storage/store.hpp"
#include "web/job_service.hpp"

namespace quire {

/// `money` is the site's [accounting] (how prices are shown).
/// REQUIRES: `st` outlives `sys`'s actors (the site closes the store only
/// after the actor system is done) and the service.
std::unique_ptr<web::job_service> make_job_service(caf::actor_system& sys, const store& st, web::money_format money);

}  // namespace quire
