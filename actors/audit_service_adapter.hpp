// The admin API's audit_service (web/audit.hpp) over the store: each entry
// is one small batch through the group commit (no fsync of its own to wait
// for: nobody waits for it), and once an hour the entries older than the
// retention are erased in one range. Listing runs on a detached actor.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "actors/messages.hpp"
#include "storage/store.hpp"
#include "web/audit.hpp"

namespace quire {

/// REQUIRES: `st` outlives `sys`'s actors and the service.
std::unique_ptr<web::audit_service> make_audit_service(caf::actor_system& sys, store& st, uint32_t keep_days,
                                                       std::function<int64_t()> now_ms);

}  // namespace quire
