// The admin API's user_service (web/user_service.hpp) on the actor side:
// each call becomes one request to the user directory actor, and its
// answer (or error) the call's callback. web/ stays free of CAF.
#pragma once

#include <memory>

#include "actors/messages.hpp"
#include "web/user_service.hpp"

namespace quire {

std::unique_ptr<web::user_service> make_user_service(caf::actor_system& sys, user_directory_actor directory);

}  // namespace quire
