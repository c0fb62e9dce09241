// The admin API's accounting_service over the running site: accounts
// through the accounts actor (actors/account.hpp), delegates through the
// user directory (which owns users' data), terminals through the terminals
// actor (which owns terminal records), and reads (ledger, terminal list)
// straight from committed records in the store.
#pragma once

#include <memory>

#include "actors/messages.hpp"
#include "storage/store.hpp"
#include "web/accounting_service.hpp"

namespace quire {

/// REQUIRES: `st` outlives `sys`'s actors and the service.
std::unique_ptr<web::accounting_service> make_accounting_service(caf::actor_system& sys, const store& st,
                                                                 accounts_actor accounts,
                                                                 user_directory_actor users, caf::actor terminals,
                                                                 web::money_format money);

}  // namespace quire
