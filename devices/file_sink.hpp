// The file sink: a "printer" that writes each job's document to a folder,
// one file per job: <dir>/<job-id>.<extension of its format>. The file
// appears whole (written under a temporary name, then renamed), so a test or
// a person watching the folder never reads half a document.
#pragma once

#include "devices/driver.hpp"

namespace quire::devices {

class file_sink final : public driver {
 public:
  /// REQUIRES: dir is an absolute path that make_driver checked.
  file_sink(uv_loop_t* loop, std::string dir);
  void deliver(job_document doc, callback done) override;

  /// "pdf" for application/pdf, "prn" for what it does not know.
  static const char* extension_for(const std::string& format);

 private:
  uv_loop_t* loop_;
  std::string dir_;
};

}  // namespace quire::devices
