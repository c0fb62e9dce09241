// Column families and key encodings of Quire's RocksDB database.
//
// Integers in keys are big-endian so that byte order is numeric order; text
// parts are followed by a 0 byte so that "ab" sorts before "ab2" and a prefix
// scan of "ab\0" never sees "abc" (names never contain a 0 byte: intake
// rejects control characters). Index entries are written in the same batch
// as the record they index (write_batch::put_job), so they cannot disagree.
//
//   family            key                                   value
//   meta              name                                  bytes (schema_version, next_job_id...)
//   jobs              be64 id                               job_record
//   docs              be64 id                               document bytes (small documents)
//   jobs_by_user      owner 0 class be64 ~id                state byte, queue name
//                     (class 0: not finished, 1: finished; the id inverted so a
//                     forward scan lists a user's newest jobs first)
//   jobs_by_state     queue 0 state byte be64 id            -
//   jobs_by_expiry    be64 expires_ms be64 id               -
//   jobs_by_printer   printer 0 be64 queued_ms be64 id      -   (the delivery FIFO)
//   printers          name                                  printer_record
//   queues            name                                  queue_record
//   users, credentials, ledger, events: reserved for the issues that fill them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/records.hpp"

namespace quire {

enum class cf : uint8_t {
  meta,
  jobs,
  docs,
  jobs_by_user,
  jobs_by_state,
  jobs_by_expiry,
  jobs_by_printer,
  users,
  credentials,
  printers,
  queues,
  ledger,
  events,
};
inline constexpr int cf_count = 13;

/// The RocksDB name of a column family, e.g. "jobs_by_user".
const char* cf_name(cf family) noexcept;

namespace keys {

void append_be64(std::string& out, uint64_t v);
/// Reads a big-endian u64 at `at`. REQUIRES: at + 8 <= bytes.size().
uint64_t read_be64(std::string_view bytes, size_t at);

std::string job(uint64_t id);
std::string user_job(std::string_view owner, job_state s, uint64_t id);
/// The finished (or unfinished) jobs of `owner`.
std::string user_prefix(std::string_view owner, bool finished);
/// The job id of a jobs_by_user key. REQUIRES: key.size() >= 8.
uint64_t user_job_id(std::string_view key);
std::string state_job(std::string_view queue, job_state s, uint64_t id);
std::string state_prefix(std::string_view queue, job_state s);
std::string expiry_job(int64_t expires_ms, uint64_t id);
std::string printer_job(std::string_view printer, int64_t queued_ms, uint64_t id);
std::string printer_prefix(std::string_view printer);

/// The job id at the end of the other job index keys (their last 8 bytes).
/// REQUIRES: key.size() >= 8.
uint64_t trailing_id(std::string_view key);

/// The value of a jobs_by_user entry, and its decoding (false if malformed).
std::string user_job_value(job_state s, std::string_view queue);
bool parse_user_job_value(std::string_view v, job_state& s, std::string& queue);

}  // namespace keys
}  // namespace quire
