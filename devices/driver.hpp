// Printer drivers: how a document reaches a device, chosen by device URI.
//
//   file:///dir              a sink: each job becomes one file in dir (demo, tests)
//   ipp://, lpd://, socket:// real devices (the release issue adds them)
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
};

struct delivery_result {
  bool ok = false;
  std::string message;  // why it failed, for the job's state message
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
};

struct driver_options {
  std::string sink_root;  // file:// devices may write only below this folder
};

/// The driver for `device_uri`: errc::invalid_argument for a malformed URI,
/// errc::not_possible for a scheme this build cannot drive yet, and
/// errc::permission_denied for a file:// path outside the sink root.
result<std::shared_ptr<driver>> make_driver(uv_loop_t* loop, const std::string& device_uri,
                                            const driver_options& opts);

}  // namespace quire::devices
