// The spool folder: where documents too large to travel inside a storage
// batch live, one file per job.
//
//   <data>/spool/<job id>          a job's document, referenced by its record
//   <data>/spool/incoming/<name>   an upload in progress, not yet a job
//   <data>/spool/converted/<job id>/<variant>
//                                  the document converted for a printer's
//                                  language (a cache: made again if lost)
//
// An upload is written (by the connection that receives it) into incoming/;
// the group-commit writer adopts it — fsync, rename to spool/<id>, fsync the
// folder — before the job's record is written, so an acknowledged job's
// document is always durable. What a crash leaves behind (incoming files,
// documents whose job was never committed) is swept at start. A job's
// conversions go with its document.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "protocols/result.hpp"

namespace quire {

class spool {
 public:
  /// REQUIRES: root is an absolute path; prepare() before any other call.
  explicit spool(std::string root);

  /// Creates spool/ and spool/incoming/ if needed.
  status prepare();

  struct upload {
    int fd = -1;       // open for writing; the caller writes and closes it
    std::string path;  // pass to write_batch::adopt_upload()
  };
  /// Creates a new, empty upload file (mode 0600). Thread-safe.
  result<upload> create_upload();

  /// spool/<id>
  std::string document_path(uint64_t job_id) const;

  /// fsync(upload), rename(upload, spool/<id>). The caller fsyncs the folder
  /// (once for many adoptions) before relying on the rename.
  status adopt(const std::string& upload_path, uint64_t job_id);
  /// fsync of spool/ itself, making renames durable.
  status sync_folder();
  /// Removes spool/<id> and converted/<id>/; missing ones are not errors.
  void remove_document(uint64_t job_id);

  /// converted/<id> (not created here: the job processor's caller makes it).
  std::string converted_folder(uint64_t job_id) const;

  /// Start-up sweep: removes everything in incoming/ and returns the job ids
  /// that have a file in spool/ or a folder in converted/ (the caller
  /// removes those without a job).
  std::vector<uint64_t> sweep_incoming_and_list();

  const std::string& root() const { return root_; }

 private:
  std::string root_;
  std::string incoming_;
  std::string converted_;
  std::atomic<uint64_t> counter_{0};
};

/// fsync of a path (file or folder); errc::io_error on failure.
status fsync_path(const std::string& path);

}  // namespace quire
