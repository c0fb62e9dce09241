// A job's private folder: created fresh (mkdtemp) for one Ghostscript run
// and removed with everything in it when the object dies, whatever happened.
// Move-only; one owner.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "protocols/result.hpp"

namespace quire::jobproc {

class work_folder {
 public:
  /// Creates `<base>/quire-job-XXXXXX`, mode 0700, or 0711 when
  /// `others_may_enter` (a dropped-privilege child may then chdir into it and
  /// open files it is given, but neither list nor write it). errc::io_error.
  static result<work_folder> create(const std::string& base, bool others_may_enter);

  work_folder(work_folder&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  work_folder& operator=(work_folder&&) = delete;
  work_folder(const work_folder&) = delete;
  ~work_folder();

  const std::string& path() const { return path_; }

  /// Copies the file at `source` into the folder as `name` (no slashes),
  /// owned by `uid`/`gid` and readable by them only. Returns the new path.
  result<std::string> copy_in(const std::string& source, const std::string& name, uid_t uid, gid_t gid) const;
  /// Creates the folder `name` (no slashes) inside, mode 0700, owned by
  /// `uid`/`gid` (a dropped-privilege child's scratch space). Returns the path.
  result<std::string> make_folder(const std::string& name, uid_t uid, gid_t gid) const;
  /// Writes `bytes` into the folder as `name`, mode 0600. Returns the path.
  result<std::string> write(const std::string& name, std::string_view bytes) const;

 private:
  explicit work_folder(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace quire::jobproc
