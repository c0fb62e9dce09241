// web::directory_service over the directory sync actor
// (actors/directory_sync.hpp), for GET /api/v1/directory and
// POST /api/v1/directory/sync.
#pragma once

#include <memory>
#include <string>

#include "actors/messages.hpp"
#include "web/directory_service.hpp"

namespace quire {

/// `url` and `base_dn` are shown as they are: the URL carries no
/// credentials (config refuses user-info in it).
std::unique_ptr<web::directory_service> make_directory_service(caf::actor_system& sys, directory_sync_actor sync,
                                                                std::string url, std::string base_dn);

}  // namespace quire
