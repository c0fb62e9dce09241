// Printer drivers: how a document reaches a device, chosen by device URI.
//
//   file:///dir              a sink: each job becomes one file in dir (demo, tests)
//   socket://host[:port]     raw AppSocket/JetDirect, port 9100 (socket_driver.hpp)
//   lpd://host[:port]/queue  an RFC 1179 print server, port 515 (lpd_driver.hpp)
//   ipp://, ipps://          an IPP printer: Print-Job, then its job watched to
//                            completion (ipp_driver.hpp, libcups on the thread pool)
//
// A driver runs on the libuv loop thread: deliver() is called there and its
// callback runs there, exactly once. Blocking work (file writes) goes to
// libuv's thread pool. Drivers know nothing of actors; the printer actor
// gives them a callback that sends it a message.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"

namespace quire::devices {

/// The document of one job, as the printer hands it to its driver.
struct job_document {
  uint64_t job_id = 0;
  std::string title;
  std::string format;   // MIME type
  uint32_t copies = 1;
  std::string bytes;    // the document, when it came from storage
  std::string path;     // or the file holding it
  std::string user;     // the job's owner; drivers use "quire" when empty
  std::string host;     // the host the job came from; "quire" when empty
};

struct delivery_result {
  bool ok = false;
  std::string message;       // why it failed, for the job's state message
  std::string confirmation{};  // if ok: how the device confirmed it, for people
  // Failed without the device taking any of the job (down, refusing
  // connections, busy through every retry): another device may print it
  // without printing it twice (a queue's failover).
  bool unreachable = false;
};

class driver {
 public:
  using callback = std::function<void(delivery_result)>;
  virtual ~driver() = default;
  /// Queues `doc` for the device. Documents are delivered one at a time, in
  /// the order given. REQUIRES: called on the loop thread; `done` is called
  /// on the loop thread, exactly once, when `doc` is delivered or failed.
  virtual void deliver(job_document doc, callback done) = 0;
  /// How many documents the driver takes before the first of them is done:
  /// what the printer may prepare ahead so the device never waits for the
  /// server between two jobs. A network printer takes one printing and one
  /// ready; a file sink takes many.
  virtual size_t max_pending() const { return 2; }
  /// The document formats the device says it takes (IPP's
  /// document-format-supported), for a printer whose language is "auto".
  /// `done` runs once, on the loop thread: the formats, or none when the
  /// device cannot say (down, or a kind of device that cannot be asked).
  /// REQUIRES: called on the loop thread.
  using formats_callback = std::function<void(std::vector<std::string>)>;
  virtual void probe_formats(formats_callback done) { done({}); }
};

/// Stage timeouts and retries of network drivers (socket://, lpd://). A try
/// is repeated only while the device has accepted none of the job's bytes
/// (refused, unreachable, connect timeout, LPD queue nack): after that,
/// sending again could print pages twice, so a failure fails the job.
struct network_options {
  uint64_t connect_timeout_ms = 10'000;   // per address tried
  uint64_t progress_timeout_ms = 60'000;  // a write with no byte taken for this long
  uint64_t ack_timeout_ms = 30'000;       // waiting for one LPD acknowledgement
  uint64_t linger_ms = 5'000;             // socket: waiting for the printer's close
  uint32_t retries = 3;                   // tries after the first
  uint64_t backoff_ms = 1'000;            // before the first retry; doubles each time
  size_t chunk_bytes = 64 * 1024;         // the unit of file reads and socket writes
};

/// Reads one document in chunks, on the loop thread: `bytes` as views into
/// the string, a `path` with uv_fs reads on libuv's thread pool, one chunk at
/// a time into one buffer, so a 100 MB file is never in memory whole and the
/// loop thread never blocks on the disk. Callbacks run on the loop thread;
/// after close(), none runs.
class document_reader : public std::enable_shared_from_this<document_reader> {
 public:
  /// size: the document's octets (a file's size when opened); error: "" or why.
  using open_callback = std::function<void(const std::string& error, uint64_t size)>;
  /// chunk: the next octets, empty at the end; valid until the next call.
  using chunk_callback = std::function<void(const std::string& error, std::string_view chunk)>;

  static std::shared_ptr<document_reader> create(uv_loop_t* loop, std::string bytes, std::string path,
                                                 size_t chunk_bytes);
  ~document_reader();
  /// REQUIRES: called once, first.
  void open(open_callback done);
  /// Exactly the size open() reported is read: a file that grows is cut, one
  /// that shrinks is an error. REQUIRES: opened, no next() outstanding.
  void next(chunk_callback done);
  /// Stops: no callback runs afterwards; the file closes when no read is out.
  void close();

 private:
  document_reader(uv_loop_t* loop, std::string bytes, std::string path, size_t chunk_bytes);
  static void on_open(uv_fs_t* req);
  static void on_stat(uv_fs_t* req);
  static void on_read(uv_fs_t* req);
  void close_file();

  uv_loop_t* loop_;
  std::string bytes_;
  std::string path_;
  size_t chunk_;
  uv_fs_t req_{};
  std::shared_ptr<document_reader> busy_;  // itself, while req_ is out
  uv_file fd_ = -1;
  uint64_t size_ = 0;
  uint64_t offset_ = 0;
  std::vector<char> buf_;
  bool closed_ = false;
  open_callback open_done_;
  chunk_callback chunk_done_;
};

/// "40,960": a count for people.
std::string with_commas(uint64_t n);

/// Tuning of one IPP device; times in milliseconds, like network_options
/// (driver.hpp). make_ipp_driver sanitises each field once.
struct ipp_driver_options {
  /// Tries after the first while the device is busy (server-error-busy,
  /// server-error-service-unavailable, HTTP 503) or cannot be reached
  /// (refused, unreachable, timed out), before it accepted the document.
  uint32_t retries = 3;
  /// Back-off before the n-th retry: backoff_ms * 2^(n-1), at most max_backoff_ms.
  uint64_t backoff_ms = 1'000;
  uint64_t max_backoff_ms = 30'000;
  /// How long to wait for the TCP (and TLS) connection to open.
  uint64_t connect_timeout_ms = 10'000;
  /// How long an open connection may stay silent before the exchange fails
  /// (libcups counts whole seconds: at least 1 s).
  uint64_t io_timeout_ms = 60'000;
  /// How often the device's job is polled once it was accepted.
  uint64_t poll_interval_ms = 2'000;
  /// From the first try to the device's "completed": past it the job fails,
  /// and the driver asks the device to cancel its job.
  uint64_t job_timeout_ms = 3'600'000;
};

struct driver_options {
  std::string sink_root;  // file:// devices may write only below this folder
  network_options net{};  // socket:// and lpd:// devices
  ipp_driver_options ipp{};  // ipp:// and ipps:// devices (ipp_driver.hpp)
};

/// The driver for `device_uri`: errc::invalid_argument for a malformed URI,
/// errc::not_possible for a scheme this build cannot drive yet, and
/// errc::permission_denied for a file:// path outside the sink root.
result<std::shared_ptr<driver>> make_driver(uv_loop_t* loop, const std::string& device_uri,
                                            const driver_options& opts);

}  // namespace quire::devices
