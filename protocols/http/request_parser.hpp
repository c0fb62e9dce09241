// An HTTP/1.1 request parser: bytes in, request events out.
//
// A thin layer over nodejs/http-parser (which handles chunked bodies, the
// Content-Length / Transfer-Encoding rules that stop request smuggling, and
// keep-alive) that turns its callbacks into a list of events:
//
//   head   the request line and headers are complete (see head())
//   body   a piece of the body, de-chunked; points into the fed bytes
//   end    the request is complete
//
// feed() stops right after an `end`, leaving any pipelined next request in
// the caller's buffer: the caller answers one request before feeding the
// next (HTTP/1.1 responses must keep request order). After an error the
// parser stays failed; the connection answers error_status() and closes.
//
// No I/O, no clock: the caller owns sockets and timeouts.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace quire::http {

struct header {
  std::string name;
  std::string value;
};

struct request_head {
  std::string method;  // "POST"
  std::string target;  // "/ipp/print/secure" (origin form, as sent)
  unsigned version_major = 1;
  unsigned version_minor = 1;
  std::vector<header> headers;
  bool has_content_length = false;
  uint64_t content_length = 0;
  bool chunked = false;
  bool expect_continue = false;  // "Expect: 100-continue"
  bool keep_alive = true;        // per HTTP version and Connection header
  bool upgrade = false;          // Upgrade/CONNECT: the rest is not HTTP

  /// The first header with this name (case-insensitive), or nullptr.
  const std::string* find(std::string_view name) const;
  /// The target without its query string.
  std::string_view path() const;
};

class request_parser {
 public:
  struct limits {
    size_t max_head_bytes = 16 * 1024;  // request line + headers
    size_t max_headers = 64;
  };

  enum class event_kind : uint8_t { head, body, end };
  struct event {
    event_kind kind;
    std::string_view data;  // body bytes; valid while the fed buffer is
  };

  request_parser();
  explicit request_parser(limits lim);
  ~request_parser();
  request_parser(const request_parser&) = delete;
  request_parser& operator=(const request_parser&) = delete;

  /// Parses as much of `data` as it can, appending events to `out`, and
  /// returns the number of bytes consumed: all of them, or fewer when it
  /// stopped after an `end` or at an error. A peer that closes mid-request is
  /// the caller's to notice: it saw a `head` and no `end`.
  size_t feed(std::string_view data, std::vector<event>& out);

  /// The current (or last completed) request's head.
  const request_head& head() const { return head_; }

  bool failed() const { return status_ != 0; }
  /// The HTTP status to answer a malformed request with (400, 413, 431, 505...).
  int error_status() const { return status_; }
  const std::string& error_message() const { return message_; }

 private:
  struct callbacks;
  void fail(int status, std::string message);

  limits limits_;
  struct state;
  std::unique_ptr<state> s_;
  request_head head_;
  int status_ = 0;
  std::string message_;
};

}  // namespace quire::http
