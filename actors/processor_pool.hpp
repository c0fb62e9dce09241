// The processor pool: the `quire-jobproc` children that analyse documents.
//
// A hostile or broken document must never take quired down, so documents
// are read by separate processes (devices/jobproc/): the pool starts
// `processes` of them on the loop (devices/child_process.hpp), feeds each one
// job at a time over its stdin as a length-prefixed msgpack frame
// (protocols/jobproc/wire.hpp) and reads the reply from its stdout.
//
// Urgent conversions (someone waits at a printer) go before everything
// else; analyses and conversions made ahead wait in one FIFO until a child
// is free. A child that crashes, exits,
// breaks the framing or runs past the job's timeout (timeout_ms, the
// child's own limits being tighter) is killed if need be and replaced; only
// the job it was working on fails, with the reason ("the job processor
// crashed (signal 11)", "took longer than 60 s"). A child that keeps dying
// at start-up is restarted with back-off (at most one start per second
// after three quick deaths), and requests wait meanwhile.
//
// A request may carry the document (path or bytes) or only the job id: then
// the document is read through document_of when a child is free, so a burst
// of jobs waits as ids, not documents.
//
// Every request gets exactly one analyse_reply; ok=false carries the reason
// a user can read. The pool never touches storage: the job decides what to
// do with the reply.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <functional>

#include "actors/messages.hpp"
#include "protocols/jobproc/wire.hpp"
#include "storage/store.hpp"

namespace quire {

namespace io {
class loop;
}

struct processor_pool_options {
  std::string program;             // absolute path of quire-jobproc
  std::vector<std::string> args;   // after the program name
  std::vector<std::string> env;    // the children's whole environment
  size_t processes = 2;
  uint32_t timeout_ms = 60000;     // per analysis, from when a child takes it
  uint32_t convert_timeout_ms = 300000;  // per conversion
  io::loop* loop = nullptr;        // runs the children
  /// Where a request without path or bytes finds its job's document, read
  /// when a child takes it (requests wait as ids, not as documents).
  std::function<result<document>(uint64_t job_id)> document_of;
  /// Requests waiting for a child; more are answered at once with
  /// failure "busy" (the job stays unanalysed).
  size_t max_waiting = 10000;
};

processor_pool_actor spawn_processor_pool(caf::actor_system& sys, processor_pool_options opts);

}  // namespace quire
