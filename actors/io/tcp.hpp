// TCP plumbing shared by the loop's servers (HTTP, LPD, raw): addresses as
// text and listening sockets. Loop thread only.
#pragma once

#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocols/result.hpp"

namespace quire::io {

/// "127.0.0.1", "::1" (with_port false), "127.0.0.1:631", "[::1]:631".
std::string address_of(const sockaddr_storage& ss, bool with_port);

/// A TCP socket bound to host:port (port 0: any free one) and listening,
/// `on_connection` called with `data` in its handle's data. Errors:
/// errc::invalid_argument (host is no IP address), errc::busy (in use, or
/// not permitted), errc::io_error.
result<uv_tcp_t*> listen_tcp(uv_loop_t* loop, const std::string& host, uint16_t port, void* data,
                             uv_connection_cb on_connection);

/// The address a listener is bound to, "host:port".
std::string bound_address(uv_tcp_t* listener);

/// Closes a listener from listen_tcp and frees it.
void close_listener(uv_tcp_t* listener);

/// A loop server's listeners and open connections by id (the HTTP and the
/// byte-stream servers keep theirs alike). `Connection` has tcp() and
/// timer() handles; it erases itself from `open` when it closes.
template <class Connection>
class connection_table {
 public:
  std::unordered_map<uint64_t, Connection*> open;

  void add_listener(uv_tcp_t* listener) { listeners_.push_back(listener); }

  /// Accepts the connection waiting on `listener` into `make(id)`, its
  /// handles initialised on `loop`. When accepting fails or more than `max`
  /// would be open, `refuse(c)` closes it and nullptr is returned.
  template <class Make, class Refuse>
  Connection* accept(uv_loop_t* loop, uv_stream_t* listener, size_t max, Make make, Refuse refuse) {
    uint64_t id = next_id_++;
    Connection* c = make(id);
    uv_tcp_init(loop, c->tcp());
    uv_timer_init(loop, c->timer());
    open[id] = c;
    if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(c->tcp())) != 0 || open.size() > max) {
      refuse(c);
      return nullptr;
    }
    return c;
  }

  void stop_listening() {
    for (auto* l : listeners_) close_listener(l);
    listeners_.clear();
  }

  /// Stops listening and closes every connection with `close(c)`.
  template <class Close>
  void close_all(Close close) {
    stop_listening();
    std::vector<Connection*> all;
    for (auto& [id, c] : open) all.push_back(c);
    for (auto* c : all) close(c);
  }

 private:
  std::vector<uv_tcp_t*> listeners_;
  uint64_t next_id_ = 1;
};

}  // namespace quire::io
