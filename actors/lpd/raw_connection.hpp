// One raw ("port 9100", AppSocket) sender on the loop thread.
//
// A raw job has no framing at all: it is every byte the sender writes until
// it shuts down its side of the connection. The bytes stream into a
// spooled_document; a clean end (FIN, or close_notify over TLS) hands the job
// to the stream listener actor, and the connection is closed only after the
// job is durable, so a sender that waits for our close (CUPS's socket
// backend does) knows its job is stored. A reset, a silence longer than the
// listener's timeout, or a document over the size limit drops the bytes: a
// cut-off job never prints half.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "actors/io/stream_server.hpp"
#include "actors/lpd/stream_job.hpp"

namespace quire {

class spool;

struct raw_context {
  std::string listener;  // "raw lab9100"
  std::string queue;
  spool* uploads = nullptr;
  size_t inline_limit = 256u << 10;
  uint64_t max_document_bytes = 100ull << 20;
  std::function<void(stream_job_ptr)> submit;
  io::stream_server* server = nullptr;
};

std::unique_ptr<io::stream_handler> make_raw_connection(io::stream_connection& conn,
                                                        std::shared_ptr<const raw_context> ctx);

}  // namespace quire
