// N keep-alive connections driven by one epoll loop on the calling thread.
//
// Each connection has at most one request in flight: when it is idle the
// engine asks the caller for the next message (`next`), writes it, reads the
// response in bulk and hands it back (`done`) with its latency, measured from
// the first byte written to the last byte of the response parsed. One thread
// for all connections keeps the generator's own cost to a few syscalls per
// request (send, epoll_wait, recv), so on a 2-core machine it leaves the
// other core to the server under test.
//
// A connection the server closes (or breaks) mid-request counts as a
// transport error and is reopened; the request is not retried. A connection
// whose response said "Connection: close" is reopened before its next request.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "bench/ipp_wire.hpp"

namespace bench {

using clock_type = std::chrono::steady_clock;

/// Seconds since CLOCK_MONOTONIC's origin (the clock Python's time.monotonic()
/// reads on Linux), so a script can line up its own timestamps with ours.
double monotonic_s(clock_type::time_point t);

class load_engine {
 public:
  /// Fills `message` with the next request of connection `conn`; false when
  /// that connection has nothing more to send.
  using next_fn = std::function<bool(size_t conn, std::string& message)>;
  /// A whole response to the request `conn` sent; latency in seconds.
  using done_fn = std::function<void(size_t conn, const http_response& resp, double latency_s)>;

  load_engine(target t, size_t connections) : t_(std::move(t)), n_(connections) {}

  /// Opens the connections and runs until every one is done. false (and
  /// `err`) when a connection cannot be opened.
  bool run(const next_fn& next, const done_fn& done, std::string& err);

  /// Requests lost to a closed or broken connection or a malformed response.
  uint64_t transport_errors() const { return transport_errors_; }
  /// When the first request was written and the last response arrived.
  clock_type::time_point first_sent() const { return first_sent_; }
  clock_type::time_point last_done() const { return last_done_; }

 private:
  target t_;
  size_t n_;
  uint64_t transport_errors_ = 0;
  clock_type::time_point first_sent_{}, last_done_{};
};

}  // namespace bench
