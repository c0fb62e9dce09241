// The first administrator: a fresh site has no user, and the admin API
// answers only administrators, so `quired --add-admin NAME` writes one
// straight into the data folder (while no quired runs on it), with the
// password read from standard input. Run again, it resets that user's
// password and makes it an enabled administrator.
#pragma once

#include <string>

#include "config/config.hpp"
#include "protocols/result.hpp"

namespace quire {

/// Creates or updates `name` as an enabled administrator with `password`.
/// errc::busy when a quired holds the data folder.
status add_administrator(const config& cfg, const std::string& name, std::string password);

}  // namespace quire
