// One IPP request as it arrives over HTTP, and the call it becomes.
//
// ipp_request_handler (loop thread) collects the attribute section (bounded
// by limits.max_ipp_attributes_bytes), decodes and checks it as soon as it is
// complete — so a bad request is answered before its document is read — and
// streams the document that follows: small documents stay in memory (they
// will travel inside the job's storage batch), larger ones go to a spool
// upload file. A document over limits.max_document_bytes is refused with
// client-error-request-entity-too-large and its upload deleted at once.
//
// A Print-Job or Send-Document document sent with compression gzip or
// deflate (RFC 8011 §4.2.1.1) is decompressed as it streams
// (protocols/compression/inflater.hpp): what is spooled, counted against
// max_document_bytes and handed on is the plain document. Another
// compression keyword is client-error-compression-not-supported before any
// document byte is kept; data that does not decompress is
// client-error-compression-error, and output past the limit (a zip bomb)
// client-error-request-entity-too-large. Each of these logs one line and
// leaves nothing on disk: no job is made, because the call never reaches
// the actors.
//
// When the request ends, the handler hands an ipp_call to the actor side
// (the IPP listener actor) through `dispatch`. Whoever holds the call answers
// it with reply(); a call dropped without a reply (an actor died) answers
// server-error-internal-error from its destructor, so no client hangs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "actors/io/http_server.hpp"
#include "protocols/ipp/codec.hpp"
#include "protocols/ipp/operations.hpp"
#include "storage/spool.hpp"

namespace quire {

struct ipp_limits {
  size_t max_attributes_bytes = 256u << 10;
  uint64_t max_document_bytes = 100ull << 20;
  size_t inline_document_bytes = 256u << 10;
};

/// A decoded, checked IPP request with its document, ready for the actors.
class ipp_call {
 public:
  ipp_call(ipp::message request, io::responder respond);
  ~ipp_call();
  ipp_call(const ipp_call&) = delete;
  ipp_call& operator=(const ipp_call&) = delete;

  ipp_t* request() const { return request_.get(); }
  ipp_op_t operation() const { return ipp::operation_of(request_.get()); }

  std::string document;      // the document, when small
  std::string upload_path;   // or the spool upload that holds it ("" if none)
  uint64_t document_size = 0;
  bool has_document = false;
  std::string peer_host;     // the client's address
  std::string authority;     // "host:port" the client used, for URIs
  bool secure = false;       // it came over TLS (ipps)
  // HTTP Basic credentials the client sent (only kept over TLS); the IPP
  // listener checks them with the user directory and then sets `user`.
  bool has_credentials = false;
  std::string auth_user;
  std::string auth_password;
  bool authenticated = false;  // `user` is a verified identity
  std::string user;            // who the request acts for, once known
  bool admin = false;
  std::string compression;   // "gzip" or "deflate" when the document came compressed

  /// Sends `response` (an IPP message). Only the first reply counts.
  void reply(ipp_t* response);
  /// Sends an already encoded IPP response.
  void reply_encoded(std::string ipp_bytes);
  /// Sends a response with just a status and a message.
  void reply_status(ipp_status_t status, const std::string& message);
  /// HTTP 401 with a Basic challenge (RFC 7617) and an IPP body saying
  /// client-error-not-authenticated: the client should log in and retry.
  void reply_challenge(const std::string& message);
  /// The upload now belongs to a job: the call must not delete it.
  void release_upload() { upload_path.clear(); }

 private:
  ipp::message request_;
  io::responder respond_;
  bool replied_ = false;
};

using ipp_call_ptr = std::shared_ptr<ipp_call>;

/// Builds the handler of one IPP POST. `dispatch` receives the finished call
/// on the loop thread and must not block (it sends a message).
std::unique_ptr<io::request_handler> make_ipp_handler(const io::request_info& info, io::responder respond,
                                                      const ipp_limits& limits, spool& uploads,
                                                      std::function<void(ipp_call_ptr)> dispatch);

/// The HTTP response that carries IPP bytes.
io::http_response ipp_http_response(std::string ipp_bytes);

}  // namespace quire
