#include "actors/lpd/spooled_document.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "storage/spool.hpp"

namespace quire {

stream_job::~stream_job() {
  for (auto& d : documents)
    if (!d.upload_path.empty()) ::unlink(d.upload_path.c_str());
}

spooled_document::~spooled_document() { drop(); }

void spooled_document::drop() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!path_.empty()) ::unlink(path_.c_str());
  path_.clear();
  inline_.clear();
}

status spooled_document::append(std::string_view bytes) {
  if (error_) return error_;
  if (max_bytes_ && size_ + bytes.size() > max_bytes_) {
    drop();
    return error_ = error{errc::limit_exceeded, "the document is larger than " + std::to_string(max_bytes_) + " bytes"};
  }
  size_ += bytes.size();
  if (head_.size() < sniff::sniff_window)
    head_.append(bytes.substr(0, sniff::sniff_window - head_.size()));
  if (fd_ < 0 && inline_.size() + bytes.size() <= inline_limit_) {
    inline_.append(bytes);
    return {};
  }
  if (fd_ < 0) {  // it outgrew memory: move it to a spool upload
    auto up = uploads_.create_upload();
    if (!up) {
      drop();
      return error_ = up.err();
    }
    fd_ = up->fd;
    path_ = up->path;
    std::string first = std::move(inline_);
    inline_.clear();
    if (!first.empty() && (error_ = write_all(first))) return error_;
  }
  return error_ = write_all(bytes);
}

status spooled_document::write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = n < 0 ? std::strerror(errno) : "no space";
      drop();
      return error{errc::io_error, "cannot write the spool upload: " + why};
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

status spooled_document::finish_into(stream_document& out) {
  if (error_) return error_;
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  out.size = size_;
  out.sniffed = sniff::sniff(head_);
  out.inline_document = std::move(inline_);
  out.upload_path = std::move(path_);
  inline_.clear();
  path_.clear();
  return {};
}

}  // namespace quire
