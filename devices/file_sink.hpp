// The file sink: a "printer" that writes each job's document to a folder,
// one file per job: <dir>/<job-id>.<extension of its format>. The file
// appears whole (written under a temporary name, then renamed), so a test or
// a person watching the folder never reads half a document.
#pragma once

#include <memory>
#include <vector>

#include "devices/driver.hpp"

namespace quire::devices {

// Documents queue up in the sink; one thread-pool work item at a time writes
// whatever is queued, in order, so a burst costs one hand-off between threads,
// not one per document.
class file_sink final : public driver, public std::enable_shared_from_this<file_sink> {
 public:
  /// REQUIRES: dir is an absolute path that make_driver checked.
  file_sink(uv_loop_t* loop, std::string dir);
  void deliver(job_document doc, callback done) override;
  size_t max_pending() const override { return 32; }

  /// "pdf" for application/pdf, "prn" for what it does not know.
  static const char* extension_for(const std::string& format);

  struct item {
    job_document doc;
    callback done;
    delivery_result result;
  };
  /// Called on the loop thread when a batch is written.
  void batch_done();

 private:
  void start_batch();

  uv_loop_t* loop_;
  std::string dir_;
  std::vector<item> queued_;  // loop thread only
  bool writing_ = false;      // a work item is out
};

}  // namespace quire::devices
