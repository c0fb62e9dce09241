// A TCP server of the loop thread for byte-stream protocols (LPD, raw 9100).
//
// The HTTP server (http_server.hpp) owns request/response framing; the
// protocols here have their own, so this server only moves bytes: each
// accepted connection gets a stream_handler from the factory, which is fed
// what the peer sends and writes back through its stream_connection. A
// handler that waits for an actor pauses reading (back-pressure: the peer's
// bytes wait in the kernel) and resumes when the answer arrives; answers
// from other threads come back through post(), which finds the connection
// by id and does nothing when it is gone.
//
// TLS is sniffed like on the IPP port: given a tls_context, a first byte
// 0x16 (a TLS handshake record, which neither an LPD command nor a print
// job starts with) makes the connection a TLS one, and the handler sees
// plaintext. This gives LPD and raw intake "TLS available on every
// listener" for senders that can wrap their stream (stunnel, a secure
// copier); plain senders are served as before.
//
// Timeouts: a peer silent for idle_timeout_ms while the connection reads is
// disconnected (the handler's on_end(false) runs first). A paused connection
// has no timer: the handler answers or closes it.
//
// Everything runs on the loop thread, except post().
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
#include "protocols/result.hpp"

namespace quire::io {

struct stream_limits {
  uint32_t idle_timeout_ms = 60000;
  uint32_t max_connections = 1024;
};

/// A connection as its handler sees it. Loop thread only.
class stream_connection {
 public:
  virtual ~stream_connection() = default;
  virtual uint64_t id() const = 0;
  virtual const std::string& peer_host() const = 0;  // "127.0.0.1"
  virtual const std::string& local() const = 0;      // "127.0.0.1:8515"
  virtual bool secure() const = 0;                   // TLS
  /// Queues bytes for the peer.
  virtual void write(std::string bytes) = 0;
  /// Sends what was written, then FIN, then closes. The handler is
  /// destroyed once the connection is gone; it gets no more calls.
  virtual void close() = 0;
  /// Stops / restarts reading (and the silence timer).
  virtual void pause() = 0;
  virtual void resume() = 0;
};

class stream_handler {
 public:
  virtual ~stream_handler() = default;
  /// Bytes from the peer, in order; valid only during the call.
  virtual void on_data(std::string_view bytes) = 0;
  /// The peer will send nothing more. `clean`: it shut down its sending side
  /// in good order (FIN; over TLS, close_notify); the connection stays open
  /// for the handler's last words and close(). Not clean: reset, error or
  /// silence; the connection closes right after this call.
  virtual void on_end(bool clean) = 0;
};

using stream_factory = std::function<std::unique_ptr<stream_handler>(stream_connection&)>;

class stream_server {
 public:
  /// `name` ("lpd", "raw lab9100") prefixes log lines.
  stream_server(loop& l, std::string name, stream_limits limits, stream_factory factory,
                std::shared_ptr<const tls_context> tls = nullptr);
  /// REQUIRES: close_all() ran on the loop thread (or the loop never started).
  ~stream_server();
  stream_server(const stream_server&) = delete;
  stream_server& operator=(const stream_server&) = delete;

  /// Binds and listens; returns "host:port". Before the loop starts, or on it.
  result<std::string> listen(const std::string& host, uint16_t port);
  /// Serves TLS with `tls` on connections accepted from now on (null: plain
  /// only). Before the loop starts, or on it.
  void set_tls(std::shared_ptr<const tls_context> tls) { tls_ = std::move(tls); }
  void stop_listening();
  void close_all();
  size_t connection_count() const { return table_.open.size(); }

  /// Runs `fn` on the loop thread with connection `id`, if it still exists.
  /// Thread-safe.
  void post(uint64_t id, std::function<void(stream_connection&)> fn);

  class connection;  // internal

 private:
  friend class connection;
  static void on_connection(uv_stream_t* listener, int status);

  loop& loop_;
  std::string name_;
  stream_limits limits_;
  stream_factory factory_;
  std::shared_ptr<const tls_context> tls_;
  connection_table<connection> table_;
};

}  // namespace quire::io
