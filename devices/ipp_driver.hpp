// The IPP driver: prints to a network printer at an ipp:// or ipps:// URI
// (RFC 8011) and follows the printer's job until it is done.
//
// One job at a time per device: Print-Job with the document (RFC 8011
// §4.2.1), then Get-Job-Attributes (§4.3.4) every poll interval until the
// printer's job is completed, aborted or canceled. libcups' client calls
// block, so every exchange with the device runs as one libuv thread-pool work
// item; the waits between them (back-off, poll interval) are loop timers, so
// a job that prints for an hour holds no pool thread while it waits. Those
// timers do not keep the loop alive (a stopping server is not held up by a
// printer): whoever runs the loop keeps it running. The driver object lives
// on the loop thread; each job in flight keeps it alive.
//
// Delivery stays at-most-once: tries are repeated only while the device has
// certainly not accepted the document (busy, unavailable, cannot connect).
// Once it has, nothing is sent again, whatever happens to the connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "devices/driver.hpp"

namespace quire::devices {

/// A driver for `uri` (ipp://host[:port]/resource or ipps://…; port 631 by
/// default). errc::invalid_argument when the URI is malformed or has another
/// scheme. Nothing is contacted until the first deliver().
result<std::shared_ptr<driver>> make_ipp_driver(uv_loop_t* loop, const std::string& uri,
                                                const ipp_driver_options& opts);

struct ipp_job;  // one document on its way (ipp_driver.cpp)

/// Where a device lives, parsed once from its URI.
struct ipp_target {
  std::string uri;       // as configured, sent as printer-uri
  std::string host;
  int port = 631;
  std::string resource;  // the HTTP path, "/ipp/print"
  bool tls = false;      // ipps://
  /// "127.0.0.1:8632", for messages.
  std::string where() const { return host + ":" + std::to_string(port); }
};

class ipp_driver final : public driver, public std::enable_shared_from_this<ipp_driver> {
 public:
  ipp_driver(uv_loop_t* loop, ipp_target target, ipp_driver_options opts);
  void deliver(job_document doc, callback done) override;
  /// Get-Printer-Attributes (document-format-supported) on the thread pool.
  void probe_formats(formats_callback done) override;

  /// Loop thread: the step that `job` just ran on the pool is over; decides
  /// what comes next (another try, a poll, or the job's callback).
  void step_done(std::unique_ptr<ipp_job> job, int status);
  /// Loop thread: a back-off or poll wait for `job` has ended.
  void wait_done(std::unique_ptr<ipp_job> job);

 private:
  void start_next();
  void run_step(std::unique_ptr<ipp_job> job);
  void wait_then_step(std::unique_ptr<ipp_job> job, uint64_t delay_ms);
  void finish(std::unique_ptr<ipp_job> job, delivery_result r);

  uv_loop_t* loop_;
  ipp_target target_;
  ipp_driver_options opts_;
  std::deque<std::unique_ptr<ipp_job>> queued_;  // loop thread only
  bool busy_ = false;                            // a job is out (in a step or a wait)
};

}  // namespace quire::devices
