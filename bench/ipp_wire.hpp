// The bytes a load generator sends and reads, kept out of its hot path.
//
// Requests are encoded once with libcups (ippWriteIO to memory) and wrapped in
// an HTTP/1.1 POST with a Content-Length (never "Expect: 100-continue": libcups
// clients wait up to 1 s for the interim answer, CUPS and quired both accept a
// plain body). A caller patches the 4-byte request-id in place per request
// (RFC 8010 §3.1.1: bytes 4..7 of the IPP message) and writes the buffer with
// plain sockets.
//
// Responses are parsed from memory: http_reader buffers what a socket gave and
// pops whole responses (Content-Length or chunked); scan_ipp reads the status
// and walks the attribute TLVs without allocating. Nothing here owns a socket
// except blocking_client, a one-connection helper for slow paths (polls,
// Get-Jobs timing) where a blocking write-then-read is the most exact clock.
#pragma once

#include <cups/ipp.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

class tls_stream;

/// An IPP printer URI split for the wire: connect to host:port, POST to path.
struct target {
  std::string uri;   // as given, e.g. ipp://127.0.0.1:631/printers/raw
  std::string host;  // numeric address to connect to
  int port = 631;
  std::string path;  // HTTP request target, e.g. /printers/raw
  bool tls = false;  // ipps://: TLS on the connection (bench/tls_client.hpp)
};

/// Splits an ipp:// or ipps:// URI; false (and a message in `err`) when it is not one.
bool parse_target(const std::string& uri, target& out, std::string& err);

/// Encodes `req` (taking ownership, freed here) into IPP bytes.
std::string encode_ipp(ipp_t* req);

/// A whole HTTP POST of `ipp_body` (IPP message plus any document) to t.path.
/// The request-id sits at offset `head size + 4`; see request_id_offset().
std::string http_post(const target& t, const std::string& ipp_body);

/// Where the request-id of a message built by http_post starts.
size_t request_id_offset(const std::string& message);

/// Writes `id` big-endian at `offset` of `message`.
void patch_request_id(std::string& message, size_t offset, uint32_t id);

/// A new request with the attributes every operation here carries:
/// printer-uri and requesting-user-name (attributes-charset and
/// attributes-natural-language come from ippNewRequest).
ipp_t* new_request(ipp_op_t op, const target& t, const std::string& user);

/// One HTTP response popped from an http_reader. `body` points into the
/// reader's buffer and is valid until the next feed() or next().
struct http_response {
  int status = 0;            // HTTP status code
  bool close = false;        // the server will close the connection
  std::string_view body;     // de-chunked
};

/// Buffers bytes from a socket and pops complete HTTP responses in order.
/// 1xx interim responses are skipped.
class http_reader {
 public:
  void feed(const char* data, size_t n) { buf_.append(data, n); }
  /// A complete response into `out`; false when more bytes are needed.
  /// REQUIRES: the previous response's body is no longer used.
  bool next(http_response& out);
  /// Bytes received and not yet popped.
  size_t pending() const { return buf_.size() - pos_; }
  /// A malformed response was seen; the connection is unusable.
  bool failed() const { return failed_; }
  void reset() { buf_.clear(); pos_ = 0; failed_ = false; }

 private:
  std::string buf_;
  size_t pos_ = 0;
  std::string dechunked_;
  bool failed_ = false;
};

/// What a load generator needs from an IPP response.
struct ipp_summary {
  bool valid = false;        // a well-formed IPP response head and TLVs
  int status = -1;           // status-code
  uint32_t request_id = 0;
  int job_id = 0;            // the first job-id attribute, 0 when none
  int job_state = 0;         // the first job-state attribute, 0 when none
  size_t job_ids = 0;        // how many job-id attributes (Get-Jobs rows)
};

/// Reads the status and walks the TLVs of an IPP response body.
ipp_summary scan_ipp(std::string_view body);

/// A connection to a target: a TCP socket, with TLS on it for ipps://.
/// send/recv behave like the socket calls (-1 and errno EAGAIN when a
/// non-blocking socket would block).
class wire_socket {
 public:
  wire_socket();
  ~wire_socket();
  wire_socket(const wire_socket&) = delete;
  wire_socket& operator=(const wire_socket&) = delete;

  /// Connects (and runs the TLS handshake) blocking; `nonblocking` then
  /// switches the socket. false and `err` on failure.
  bool open(const target& t, bool nonblocking, std::string& err);
  void close();
  int fd() const { return fd_; }
  ssize_t send(const char* data, size_t n);
  ssize_t recv(char* buf, size_t n);
  /// TLS only: decrypted bytes wait in OpenSSL, invisible to epoll.
  bool buffered() const;
  bool tls() const { return tls_ != nullptr; }

 private:
  int fd_ = -1;
  std::unique_ptr<tls_stream> tls_;
};

/// One blocking keep-alive connection: write a message, read one response.
class blocking_client {
 public:
  explicit blocking_client(const target& t) : t_(t) {}
  ~blocking_client();
  blocking_client(const blocking_client&) = delete;
  blocking_client& operator=(const blocking_client&) = delete;

  /// Sends `message` and waits for its response; reconnects once if the
  /// server closed an idle connection. false (and `err`) on failure.
  bool call(const std::string& message, http_response& out, std::string& err);

 private:
  bool connect(std::string& err);
  target t_;
  wire_socket s_;
  http_reader reader_;
};

/// Opens a TCP connection to t (TCP_NODELAY); -1 and `err` on failure.
int connect_to(const target& t, std::string& err);

}  // namespace bench
