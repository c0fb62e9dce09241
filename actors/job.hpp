// The job actor: one job's life while it moves.
//
// A job actor exists while its job is being created, released, delivered or
// changed; a job at rest (held, or finished) is only its stored record, and
// the job actor parks: it asks the registry whether anyone still wants it
// and quits when not (virtual actors, ARCHITECTURE.md). Only the registry
// spawns job actors, so there is at most one per job id.
//
// The actor owns its record: every change is computed by job_rules and
// committed through the group-commit writer before it is acknowledged (a
// reply to a client) or acted upon (a printer told). Commits are submitted
// in order and the writer keeps that order, so a job may submit its next
// change before the previous one is durable without ever going backwards.
#pragma once

#include "actors/job_env.hpp"
#include "actors/messages.hpp"

namespace quire {

/// Spawns the actor of a job that is about to be created (`stored` empty:
/// the registry sends create next) or of a stored job (`stored` its record).
job_actor spawn_job(caf::actor_system& sys, job_env_ptr env, registry_actor registry,
                    const job_record* stored);

}  // namespace quire
