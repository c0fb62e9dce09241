// The HTTP/1.1 server of the loop thread: listeners, connections, requests.
//
// A connection feeds its bytes to protocols/http's parser. On each request
// head a router picks a request_handler, which gets the body as it arrives
// (never buffered whole by the server) and the end of the request. The
// handler, or whoever it hands the request to on another thread, answers
// through a responder; the connection writes the response, then goes on
// with the next request (keep-alive, pipelining in order).
//
// Timeouts: a client silent mid-request for request_timeout_ms, or idle
// between requests for idle_timeout_ms, is disconnected; while the server
// prepares a response the connection stops reading (back-pressure) and no
// timer runs. "Expect: 100-continue" is answered at once. A response sent
// before the request body ended closes the connection afterwards.
//
// TLS (IPPS) shares the port with plain HTTP, as on CUPS's port 631: given a
// tls_context, the server looks at the first byte a client sends, and a TLS
// handshake record (0x16, which no HTTP request starts with) makes it a TLS
// connection. Its bytes then pass through a tls_session in both directions;
// everything above (parser, handlers, responses) is the same. The handshake
// must end within request_timeout_ms. A TLS failure (bad handshake, a
// protocol version below 1.2, garbage records) sends the alert OpenSSL
// chose, logs one line and closes; a close_notify from the client is
// answered with one. No TLS work leaves the loop thread.
//
// WebSocket (websocket.hpp): a request with "Upgrade: websocket" is routed
// like any other (other upgrades get 501). Answered with websocket_accept()'s
// 101, the connection writes it, then hands the bytes that follow to a
// ws_session instead of the parser (the request must have had no body; what
// the client sent after it is its first WebSocket bytes). HTTP's timeouts end
// there; the session's ping/pong replace them. Answered otherwise, the
// connection closes after the response. close_all() sends each WebSocket a
// close 1001 "server stopping" when the socket takes it at once.
//
// Everything here runs on the loop thread, except responders, which may be
// called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/io/loop.hpp"
#include "actors/io/tcp.hpp"
#include "actors/io/tls.hpp"
#include "protocols/http/request_parser.hpp"
#include "protocols/result.hpp"

namespace quire::io {

struct ws_upgrade;  // websocket.hpp

struct http_limits {
  uint32_t request_timeout_ms = 30000;
  uint32_t idle_timeout_ms = 60000;
  uint32_t max_connections = 4096;
  size_t max_head_bytes = 16 * 1024;
  /// Threads besides the loop's that write an event to many WebSocket
  /// clients at once (io/parallel_runner.hpp): one less than the cores, at
  /// most 3.
  unsigned ws_writer_threads = default_ws_writer_threads();
  static unsigned default_ws_writer_threads();
};

struct http_response {
  int status = 200;
  std::string content_type;
  std::string body;
  bool close = false;  // close the connection after this response
  /// Send the head only, its Content-Length still body.size(): the answer to
  /// HEAD (RFC 9110 §9.3.2) or a 304 (§15.4.5) of a resource whose GET
  /// would send `body`.
  bool head_only = false;
  std::vector<http::header> headers;
  /// Set by websocket_accept() (status 101): switch to WebSocket after it.
  std::shared_ptr<ws_upgrade> upgrade;
};

/// Answers one request. Callable from any thread; the first call wins.
using responder = std::function<void(http_response)>;

/// What a router knows of a request when its head arrives.
struct request_info {
  const http::request_head& head;
  std::string peer_host;  // the client's IP address
  std::string local;      // the address it connected to, "127.0.0.1:8631"
  bool secure = false;    // it came over TLS
};

/// One request's body and end, on the loop thread. A handler destroyed
/// before on_end() (client gone, timeout, early answer) must release what it
/// holds, e.g. a half-written upload.
class request_handler {
 public:
  virtual ~request_handler() = default;
  virtual void on_body(std::string_view bytes) = 0;
  virtual void on_end() = 0;
};

/// Picks the handler of a request, or answers it through `respond` at once
/// and returns nullptr.
using router = std::function<std::unique_ptr<request_handler>(const request_info&, responder)>;

class http_server {
 public:
  /// `tls` null: plain HTTP only; otherwise TLS and plain HTTP on every
  /// listener.
  http_server(loop& l, http_limits limits, router route, std::shared_ptr<const tls_context> tls = nullptr);
  /// REQUIRES: close_all() ran on the loop thread (or the loop never started).
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds and listens on host:port (port 0: any free port) and returns the
  /// bound address "host:port". REQUIRES: before the loop starts, or on it.
  result<std::string> listen(const std::string& host, uint16_t port);

  /// Serves TLS with `tls` (null: plain HTTP only) on connections accepted
  /// from now on. REQUIRES: before the loop starts, or on it.
  void set_tls(std::shared_ptr<const tls_context> tls) { tls_ = std::move(tls); }

  /// Stops accepting new connections (loop thread).
  void stop_listening();
  /// Stops accepting and closes every connection, WebSockets included
  /// (loop thread).
  void close_all();

  /// Requests whose response has not been written yet (loop thread).
  size_t requests_in_flight() const;
  /// Open connections, HTTP and WebSocket (loop thread).
  size_t connection_count() const { return table_.open.size(); }
  /// Connections upgraded to WebSocket (loop thread).
  size_t websocket_count() const;

  /// The loop's side of fanning messages out to many WebSockets at once
  /// (ws_channel::send_all): batches handled, frames in them, and the time
  /// from a batch's first frame to its last written or queued (loop thread).
  struct fanout_stats {
    uint64_t batches = 0;
    uint64_t frames = 0;
    uint64_t total_ns = 0;
    uint64_t last_ns = 0;
    uint64_t max_ns = 0;
  };
  fanout_stats websocket_fanout() const;

  class connection;  // internal
  class ws_batches;  // internal: the server as its WebSockets' ws_owner

 private:
  friend class connection;
  static void on_connection(uv_stream_t* listener, int status);

  loop& loop_;
  http_limits limits_;
  router route_;
  std::shared_ptr<const tls_context> tls_;
  connection_table<connection> table_;
  std::unique_ptr<ws_batches> ws_batches_;
};

}  // namespace quire::io
