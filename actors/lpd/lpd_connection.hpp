// One LPD client connection on the loop thread (RFC 1179).
//
// The first line is a daemon command (protocols/lpd/command.hpp):
//   01 print-waiting   nothing to do (Quire starts jobs itself); closed.
//   02 receive-job     the queue must exist: ack 0, then the receive-job
//                      session (protocols/lpd/receive.hpp): each control
//                      and data file is acked when announced and again when
//                      received. Data files stream into spooled_documents;
//                      the control file is parsed whole. When the control
//                      file and every data file it names are in, the job
//                      goes to the stream listener actor, reading pauses, and
//                      the last file's ack is sent only when every document
//                      is a durable job: ack 0 means "stored", never "maybe".
//                      A refusal (limits, unknown user, full disk) is a
//                      non-zero ack; the sender keeps the job and retries.
//   03/04 queue state  the actor's text, then closed.
//   05 remove jobs     the actor removes what the agent owns; closed.
// Anything malformed gets a non-zero octet and the connection closes; the
// files of an unfinished job are deleted, and nothing else is touched.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "actors/io/stream_server.hpp"
#include "actors/lpd/stream_job.hpp"
#include "protocols/lpd/receive.hpp"

namespace quire {

class spool;

/// What LPD connections share. Loop thread, except the functions' targets.
struct lpd_context {
  spool* uploads = nullptr;
  lpd::limits session;          // control and data file limits
  size_t inline_limit = 256u << 10;
  uint64_t max_document_bytes = 100ull << 20;
  std::function<bool(const std::string&)> queue_exists;  // on the loop thread
  std::function<void(stream_job_ptr)> submit;            // to the stream listener actor
  std::function<void(lpd_request_ptr)> ask;              // 03, 04, 05
  io::stream_server* server = nullptr;                   // for answers from other threads
};

std::unique_ptr<io::stream_handler> make_lpd_connection(io::stream_connection& conn,
                                                        std::shared_ptr<const lpd_context> ctx);

}  // namespace quire
