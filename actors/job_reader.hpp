// Job readers: detached actors that answer listings and look-ups of
// committed jobs from storage (Get-Jobs, Get-Job-Attributes). Reading ten
// thousand records takes tens of milliseconds; on their own threads that
// never stalls the actors that move jobs.
#pragma once

#include <vector>

#include "actors/messages.hpp"
#include "storage/store.hpp"

namespace quire {

/// Spawns `n` detached readers over `st`.
std::vector<reader_actor> spawn_job_readers(caf::actor_system& sys, const store* st, size_t n);

}  // namespace quire
