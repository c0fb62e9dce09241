// A job that arrived as a bare byte stream (LPD, raw port), as the loop
// thread hands it to the stream listener actor (actors/stream_listener.hpp).
//
// Unlike an IPP request, such a job carries no trustworthy attributes: who
// sent it and what it is called come from the LPD control file and from the
// documents themselves (PJL, PostScript DSC; protocols/sniff/). The loop
// thread receives and spools the documents, reads their first bytes for
// those clues, and sends a stream_job; the actor decides the owner and the
// name (the configured rule), submits one Quire job per document to the
// queue, and answers through `reply` once every one is durable (or refused).
//
// Ownership: a document's spool upload belongs to the stream_job until the
// queue has adopted it (the actor then clears upload_path); whatever is left
// is deleted with the stream_job.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocols/lpd/command.hpp"
#include "protocols/lpd/control_file.hpp"
#include "protocols/result.hpp"
#include "protocols/sniff/job_identity.hpp"

namespace quire {

enum class stream_door : uint8_t { lpd, raw };

struct stream_document {
  std::string inline_document;  // the document, when small
  std::string upload_path;      // or the spool upload that holds it
  uint64_t size = 0;
  sniff::identity sniffed;      // PJL, DSC and language from its first bytes
  std::string file_name;        // LPD: "dfA123host"
  std::string source_name;      // LPD N line: the file it was printed from
  uint32_t copies = 1;          // LPD: print lines naming this file
};

struct stream_job {
  stream_door door = stream_door::lpd;
  std::string listener;   // for logs: "lpd", "raw lab9100"
  std::string queue;      // the Quire queue
  std::string peer_host;  // the sender's address
  std::optional<lpd::control_file> control;  // LPD only
  std::vector<stream_document> documents;    // at least one
  /// Called once, from any thread: ok when every document is a durable job.
  std::function<void(status)> reply;

  stream_job() = default;
  stream_job(const stream_job&) = delete;
  stream_job& operator=(const stream_job&) = delete;
  stream_job(stream_job&&) = default;
  stream_job& operator=(stream_job&&) = default;
  ~stream_job();
};
using stream_job_ptr = std::shared_ptr<stream_job>;

/// An LPD queue-state (03, 04) or remove-jobs (05) command.
struct lpd_request {
  lpd::command cmd;
  std::string peer_host;
  /// Called once, from any thread, with the text to send back (may be empty).
  std::function<void(std::string)> reply;
};
using lpd_request_ptr = std::shared_ptr<lpd_request>;

}  // namespace quire
