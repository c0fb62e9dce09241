// The admin API's token_service (web/token_service.hpp) over the store.
//
// Checking a token is two point reads of committed records (its look-up
// entry and its record) and one of its user: short and bounded, so they run
// on the calling thread (the HTTP loop), with no actor trip. Making and
// revoking a token is one atomic batch through the store's group commit;
// the answer comes once it is durable. Nothing here logs a token.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "storage/store.hpp"
#include "web/token_service.hpp"

namespace quire {

/// REQUIRES: `st` outlives the service.
std::unique_ptr<web::token_service> make_token_service(store& st, std::function<int64_t()> now_ms);

}  // namespace quire
