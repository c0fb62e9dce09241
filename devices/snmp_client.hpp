// The SNMP transport: one set of non-blocking UDP sockets on the libuv loop
// for every printer's monitoring (not a socket or thread per printer).
//
// A request gets a fresh request-id; the response is matched by that id and
// must come from the address it was sent to, with the same version and
// community, as a Response-PDU: anything else (malformed BER, a stale or
// unknown id, another sender, an oversized datagram) is dropped and counted,
// and never reaches another request. A request without an answer is sent
// again after `timeout_ms`, `retries` times, then fails with errc::timeout.
//
// Sockets are opened on first use, one per address family and scope: a
// loopback device is asked from a socket bound to the loopback address, any
// other from one bound to the wildcard address.
//
// Everything runs on the loop thread: request() is called there and every
// callback runs there, exactly once per request.
#pragma once

#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "protocols/result.hpp"
#include "protocols/snmp/message.hpp"

namespace quire::devices {

struct snmp_client_options {
  uint32_t timeout_ms = 2000;  // per try
  uint32_t retries = 1;        // tries after the first
  snmp::decode_limits limits;
  /// Told why a datagram was dropped ("from 127.0.0.1:16161: ..."); may be
  /// empty. Runs on the loop thread; the caller rate-limits its log.
  std::function<void(const std::string&)> on_drop;
};

class snmp_client {
 public:
  using callback = std::function<void(result<snmp::message>)>;

  snmp_client(uv_loop_t* loop, snmp_client_options opts);
  /// REQUIRES: close() was called on the loop thread, and the loop ran on
  /// until the handles closed (loop::stop does that).
  ~snmp_client();
  snmp_client(const snmp_client&) = delete;
  snmp_client& operator=(const snmp_client&) = delete;

  /// Sends `m` to `to` (sockaddr_in or sockaddr_in6) with a request-id of
  /// its own; `done` gets the response or an error (timeout, a socket that
  /// cannot open or send, a client closed meanwhile).
  void request(const sockaddr_storage& to, snmp::message m, callback done);

  /// Fails every pending request with errc::shutting_down and closes the
  /// sockets. Later requests fail at once.
  void close();

  struct counters {
    uint64_t sent = 0;       // datagrams, retries included
    uint64_t answered = 0;   // requests that got their response
    uint64_t timeouts = 0;   // requests that failed without one
    uint64_t dropped = 0;    // datagrams that matched no request or were malformed
  };
  counters stats() const { return stats_; }
  size_t in_flight() const { return pending_.size(); }

  struct socket;  // one bound UDP socket (snmp_client.cpp)

 private:
  struct pending {
    sockaddr_storage to{};
    std::string community;
    snmp::version ver = snmp::version::v2c;
    std::string bytes;  // the encoded request, sent again on a retry
    uint32_t tries_left = 0;
    uint64_t deadline_ms = 0;
    socket* via = nullptr;
    callback done;
  };

  socket* socket_for(const sockaddr_storage& to, std::string& error);
  bool send(pending& p);
  void arm_timer();
  void on_timer();
  void on_datagram(const char* data, size_t size, const sockaddr* from, bool partial);
  void drop(const sockaddr* from, const std::string& why);
  int32_t next_id();

  uv_loop_t* loop_;
  snmp_client_options opts_;
  uv_timer_t* timer_ = nullptr;
  std::unique_ptr<socket> sockets_[4];  // v4 loopback, v4 any, v6 loopback, v6 any
  std::unordered_map<int32_t, pending> pending_;
  std::multimap<uint64_t, int32_t> deadlines_;
  int32_t last_id_;
  bool closed_ = false;
  counters stats_;
};

/// Parses a numeric "host:port" (IPv4, or [IPv6]:port) into `out`. Names
/// are not resolved here (see snmp_poller.hpp).
bool parse_numeric_address(const std::string& host, uint16_t port, sockaddr_storage& out);
/// "127.0.0.1:16161", "[::1]:161".
std::string to_string(const sockaddr_storage& a);

/// Resolves `host` (a name, or numeric) to its first address, on libuv's
/// thread pool; `done` runs on the loop thread. REQUIRES: on the loop thread.
void resolve_address(uv_loop_t* loop, const std::string& host, uint16_t port,
                     std::function<void(result<sockaddr_storage>)> done);

}  // namespace quire::devices
