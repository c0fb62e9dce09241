#include "storage/spool.hpp"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string_view>

namespace quire {

namespace {

error io_error(const std::string& what, const std::string& path) {
  return {errc::io_error, what + " " + path + ": " + std::strerror(errno)};
}

status make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) return {};
  return io_error("cannot create folder", path);
}

bool parse_id(std::string_view name, uint64_t& id) {
  if (name.empty() || name.size() > 20) return false;
  id = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return false;
    id = id * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

}  // namespace

status fsync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return io_error("cannot fsync", path);
  return {};
}

spool::spool(std::string root)
    : root_(std::move(root)), incoming_(root_ + "/incoming"), converted_(root_ + "/converted") {}

status spool::prepare() {
  if (auto s = make_dir(root_)) return s;
  if (auto s = make_dir(converted_)) return s;
  return make_dir(incoming_);
}

std::string spool::converted_folder(uint64_t job_id) const { return converted_ + "/" + std::to_string(job_id); }

result<spool::upload> spool::create_upload() {
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  std::string path = incoming_ + "/u" + std::to_string(::getpid()) + "-" + std::to_string(now) +
                     "-" + std::to_string(counter_.fetch_add(1));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create upload", path);
  return upload{fd, std::move(path)};
}

std::string spool::document_path(uint64_t job_id) const {
  return root_ + "/" + std::to_string(job_id);
}

status spool::adopt(const std::string& upload_path, uint64_t job_id) {
  if (auto s = fsync_path(upload_path)) return s;
  std::string target = document_path(job_id);
  if (::rename(upload_path.c_str(), target.c_str()) != 0) return io_error("cannot rename", upload_path);
  return {};
}

status spool::sync_folder() { return fsync_path(root_); }

namespace {

// Removes the files of `folder` (no subfolders are made there), then it.
void remove_flat_folder(const std::string& folder) {
  if (DIR* d = ::opendir(folder.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      ::unlink((folder + "/" + std::string(name)).c_str());
    }
    ::closedir(d);
  }
  ::rmdir(folder.c_str());
}

}  // namespace

void spool::remove_document(uint64_t job_id) {
  ::unlink(document_path(job_id).c_str());
  remove_flat_folder(converted_folder(job_id));
}

std::vector<uint64_t> spool::sweep_incoming_and_list() {
  if (DIR* d = ::opendir(incoming_.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      ::unlink((incoming_ + "/" + std::string(name)).c_str());
    }
    ::closedir(d);
  }
  std::vector<uint64_t> ids;
  for (const std::string& folder : {root_, converted_})
    if (DIR* d = ::opendir(folder.c_str())) {
      while (dirent* e = ::readdir(d)) {
        uint64_t id = 0;
        if (parse_id(e->d_name, id)) ids.push_back(id);
      }
      ::closedir(d);
    }
  return ids;
}

}  // namespace quire
