// The job registry: the site's one door to its jobs' actors.
//
// It hands out job ids (reserved durably in blocks, so ids never repeat
// after a crash), spawns a job actor for each new job and re-spawns one from
// the stored record when a command reaches a job at rest, guaranteeing at
// most one live actor per job id: two terminals releasing the same job at
// once reach the same actor, which releases it once. Job actors park with the
// registry when at rest; it lets them go when no command is on its way.
//
// It also runs the held-job expiry and the history purge (a timer over the
// expiry index, and over each queue's oldest finished jobs), resumes
// queued jobs after a restart, has each new job's document analysed (and,
// from the jobs_to_analyse index, the jobs whose analysis a restart or a
// full processor pool left undone), and keeps a count of active jobs per
// queue (queued-job-count) that it initialises from storage on first use.
#pragma once

#include "actors/admission_rules.hpp"
#include "actors/job_env.hpp"
#include "actors/messages.hpp"

namespace quire {

struct registry_options {
  uint64_t id_block = 10000;                   // ids reserved per durable write
  admission_limits admission;                  // caps and rates per user and host
  std::chrono::milliseconds expiry_interval{60000};
  uint32_t expiry_batch = 256;
  // Jobs left unanalysed (a restart, a full pool) are asked for again this
  // many at a time, a batch a second while any remain.
  uint32_t analysis_batch = 1000;
};

/// Spawns the registry. It reserves its first block of ids at once; jobs
/// created before that block is durable wait for it.
registry_actor spawn_registry(caf::actor_system& sys, job_env_ptr env, uint64_t first_id,
                              registry_options opts = {});

}  // namespace quire
