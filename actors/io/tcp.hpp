// TCP plumbing shared by the loop's servers (HTTP, LPD, raw): addresses as
// text and listening sockets. Loop thread only.
#pragma once

#include <sys/socket.h>
#include <uv.h>

#include <string>

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

}  // namespace quire::io
