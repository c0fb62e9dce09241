// The decisions of the stream listener, as pure functions: who owns a job
// that came as a bare stream, what it is called and what format it is in;
// and how LPD's queue-state answer reads.
//
// Owner: the candidates (PJL USERNAME, DSC %%For:, the control file's P) are
// taken in intake.user_from's order; the first present wins. With
// intake.known_users_only, a name that is not an enabled Quire user counts as
// no name. No name: intake.unknown_user says "host" (the job is held under
// the sender's address, for an administrator to sort out or the user to
// claim at a terminal later) or "reject" (errc::permission_denied; LPD
// answers a non-zero ack, raw closes).
//
// No CAF, no I/O: `is_known` is how the caller looks a user up.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "actors/lpd/stream_job.hpp"
#include "config/config.hpp"
#include "storage/records.hpp"

namespace quire {

struct stream_identity {
  std::string owner;
  std::string owner_source;  // "pjl", "dsc", "control", "host": for the log
  std::string name;          // job-name
};

/// The owner and name of `job` (REQUIRES: at least one document).
result<stream_identity> decide_identity(const stream_job& job, const intake_config& cfg,
                                        const std::function<bool(const std::string&)>& is_known);

/// The document-format of a stream document: what its bytes are, else what
/// the LPD print command says ('o' PostScript, 'f'/'p' text), else
/// application/octet-stream.
std::string document_format_of(const stream_document& doc, const std::optional<lpd::control_file>& control);

/// The job record of one document of `job`, before its queue and the
/// registry fill in the rest. A job of several documents names each
/// "name (2/3)".
job_record stream_job_record(const stream_job& job, size_t index, const stream_identity& who);

/// RFC 1179 §5.3/5.4 leaves the queue-state text free; this is BSD lpq's
/// layout. `jobs` are the queue's unfinished jobs, oldest first; a job shows
/// in full when it came from `peer_host` (or masking is off), else with its
/// owner and file hidden. `users`/`ids` (the command's list) filter it.
std::string lpd_queue_state(const std::string& queue, bool accepting, bool long_form,
                            const std::vector<job_record>& jobs, const std::string& peer_host, bool mask_others,
                            const std::vector<std::string>& users, const std::vector<uint32_t>& ids);

/// Whether an LPD remove-jobs (05) from `agent` at `peer_host` may remove
/// `job`, and whether the command's list selects it (an empty list: the
/// agent's jobs). Only the owner, from the host the job came from, may.
bool lpd_may_remove(const job_record& job, const std::string& agent, const std::string& peer_host,
                    const std::vector<std::string>& users, const std::vector<uint32_t>& ids);

}  // namespace quire
