// Network printers: the raw socket driver (AppSocket/JetDirect, socket://,
// port 9100) and the machinery it shares with the LPD driver (lpd_driver.hpp).
//
//   device_link       one TCP connection to one address: connect with a
//                     timeout, writes watched for progress, single-octet
//                     replies (LPD acks), a clean close (shutdown + linger).
//   network_delivery  one job: resolve the host, try each address, retry with
//                     back-off while the device has accepted none of the
//                     job's bytes, then speak the protocol (a subclass).
//   network_driver    the queue: one delivery at a time, in order.
//   socket_driver     the raw protocol: the document's bytes (in a PJL copies
//                     wrapper when asked and possible), then shutdown(SHUT_WR)
//                     and wait for the printer's EOF, reading and discarding.
//
// Everything runs on the loop thread. A delivery keeps its driver alive until
// its callback has run; an idle driver owns no libuv handle, so it may be
// destroyed on any thread.
#pragma once

#include <sys/socket.h>

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "devices/driver.hpp"

namespace quire::devices {

/// Where a network device listens, as its URI names it.
struct device_address {
  std::string host;  // a name, an IPv4 address or an IPv6 address (no brackets)
  uint16_t port = 0;
  /// "127.0.0.1:9100", "[::1]:515", for messages.
  std::string shown() const;
};

/// "60 s", "0.3 s".
std::string seconds_text(uint64_t ms);

enum class link_failure : uint8_t {
  none,
  refused,          // ECONNREFUSED
  unreachable,      // no route, network down
  connect_timeout,  // no answer to the connection request in time
  no_progress,      // a write took no octet for progress_timeout_ms
  ack_timeout,      // read_byte() waited ack_timeout_ms
  peer_closed,      // the device closed (EOF, EPIPE) while we still wrote or waited
  reset,            // ECONNRESET
  canceled,         // the loop is stopping
  other,
};

struct link_error {
  link_failure kind = link_failure::none;
  int uv_code = 0;  // the libuv error, when there was one
  explicit operator bool() const noexcept { return kind != link_failure::none; }
};

/// One TCP connection to one address. One operation at a time; each calls its
/// callback once, unless close() came first. Any failure closes the link
/// before the callback runs. REQUIRES: loop thread; close() at the end.
class device_link : public std::enable_shared_from_this<device_link> {
 public:
  using done_fn = std::function<void(link_error)>;
  using byte_fn = std::function<void(link_error, uint8_t)>;
  using finish_fn = std::function<void(link_error, bool peer_closed)>;

  /// keep_replies: keep what the device sends for read_byte() (LPD);
  /// otherwise it is read and discarded (printer status chatter).
  static std::shared_ptr<device_link> create(uv_loop_t* loop, const network_options& opts, bool keep_replies);
  void connect(const sockaddr* addr, done_fn done);
  /// REQUIRES: `data` stays valid until `done` runs or close().
  void write(std::string_view data, done_fn done);
  /// The next octet the device sends, waiting at most ack_timeout_ms.
  void read_byte(byte_fn done);
  /// Shuts down the sending side once all is written, then waits up to
  /// linger_ms for the device to close: peer_closed tells which came first.
  void finish(finish_fn done);
  void close();
  /// Octets of completed writes.
  uint64_t written() const { return written_; }

 private:
  enum class op : uint8_t { none, connect, write, read_byte, finish };
  device_link(uv_loop_t* loop, const network_options& opts, bool keep_replies);
  void fail(link_error e);
  void start_timer(uint64_t ms, uint64_t repeat_ms);
  void deliver_byte();
  void on_peer_gone(ssize_t code);
  static void on_connect(uv_connect_t* req, int status);
  static void on_write(uv_write_t* req, int status);
  static void on_shutdown(uv_shutdown_t* req, int status);
  static void on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void on_timer(uv_timer_t* t);
  static void on_closed(uv_handle_t* h);

  uv_loop_t* loop_;
  network_options opts_;
  bool keep_replies_;
  uv_tcp_t tcp_{};
  uv_timer_t timer_{};
  uv_connect_t connect_req_{};
  uv_write_t write_req_{};
  uv_shutdown_t shutdown_req_{};
  std::shared_ptr<device_link> self_;  // until both handles have closed
  int open_handles_ = 0;
  bool closed_ = false;
  bool reading_ = false;
  op op_ = op::none;
  done_fn done_;
  byte_fn byte_done_;
  finish_fn finish_done_;
  uint64_t written_ = 0;
  size_t pending_write_ = 0;
  size_t last_queue_ = 0;
  uint64_t last_progress_ = 0;
  ssize_t peer_gone_ = 0;  // UV_EOF or the read error, once seen
  std::string inbox_;      // replies not yet taken by read_byte()
  char read_buf_[4096];
};

/// One job's delivery to a network device. The subclass speaks the protocol
/// once connected and ends with succeed(), fail() or retry_or_fail().
class network_delivery : public std::enable_shared_from_this<network_delivery> {
 public:
  network_delivery(uv_loop_t* loop, device_address where, network_options opts, job_document doc,
                   driver::callback done);
  virtual ~network_delivery();
  void start();
  /// The reason given when the loop stops under a delivery.
  static const char* const canceled_text;

 protected:
  /// Called with link_ connected and size_ known.
  virtual void speak() = 0;
  /// "printer", "LPD server": who refused or did not answer.
  virtual const char* device_noun() const = 0;
  /// Whether the device now holds some of the job: from then on no retry.
  void mark_accepted() { accepted_ = true; }
  /// A failure that a later try may cure: retried after back-off while the
  /// device has accepted nothing and tries are left, else fails the job.
  /// The reason gets the number of tries appended.
  void retry_or_fail(std::string reason);
  void fail(std::string reason);
  void succeed(std::string confirmation);
  /// The reason for a failed operation on link_ in the middle of a job.
  std::string describe(const link_error& e) const;
  bool finished() const { return !done_; }

  uv_loop_t* loop_;
  device_address where_;
  network_options opts_;
  job_document doc_;
  std::shared_ptr<document_reader> reader_;
  std::shared_ptr<device_link> link_;
  uint64_t size_ = 0;  // the document's octets
  bool keep_replies_ = false;  // the protocol reads replies (LPD acks)
  // For messages: the job's octets on the wire, counted by link_ from
  // `counted_from_` on (LPD command lines are not the job's).
  uint64_t total_ = 0;
  uint64_t counted_from_ = 0;

 private:
  struct backoff_timer;
  void try_once();
  void resolved(std::vector<sockaddr_storage> addrs);
  void connect_to(std::vector<sockaddr_storage> addrs, size_t i);
  void connect_failed(const link_error& e);
  void finish(delivery_result r);

  driver::callback done_;
  uint32_t tries_ = 0;
  bool accepted_ = false;
  backoff_timer* timer_ = nullptr;
};

/// The queue shared by network drivers: deliveries one at a time, in order.
class network_driver : public driver, public std::enable_shared_from_this<network_driver> {
 public:
  void deliver(job_document doc, callback done) override;
  size_t max_pending() const override { return 2; }

 protected:
  network_driver(uv_loop_t* loop, device_address where, network_options opts)
      : loop_(loop), where_(std::move(where)), opts_(opts) {}
  virtual std::shared_ptr<network_delivery> make_delivery(job_document doc, callback done) = 0;

  uv_loop_t* loop_;
  device_address where_;
  network_options opts_;

 private:
  void start_next();
  std::deque<std::pair<job_document, callback>> queue_;
  bool busy_ = false;
  bool stopping_ = false;  // the loop is closing: fail what is queued
};

/// socket://host[:port]: the document's bytes on one TCP connection. Copies
/// above 1 are asked for in a PJL header for PDF, PostScript and PCL XL;
/// other formats are sent once and the confirmation says so.
class socket_driver final : public network_driver {
 public:
  socket_driver(uv_loop_t* loop, device_address where, network_options opts)
      : network_driver(loop, std::move(where), opts) {}
  /// The PJL language for `format` when copies can be asked for, else null.
  static const char* pjl_language(const std::string& format);

 protected:
  std::shared_ptr<network_delivery> make_delivery(job_document doc, callback done) override;
};

}  // namespace quire::devices
