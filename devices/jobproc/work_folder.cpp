#include "devices/jobproc/work_folder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace quire::jobproc {

namespace {

error io_failure(const std::string& what, const std::string& path) {
  return error{errc::io_error, what + " " + path + ": " + std::strerror(errno)};
}

struct fd_closer {
  int fd;
  ~fd_closer() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

result<work_folder> work_folder::create(const std::string& base, bool others_may_enter) {
  std::string tmpl = base + "/quire-job-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return io_failure("cannot create a work folder under", base);
  work_folder wf(tmpl);
  if (others_may_enter && ::chmod(tmpl.c_str(), 0711) != 0) return io_failure("cannot chmod", tmpl);
  return wf;
}

work_folder::~work_folder() {
  if (path_.empty()) return;
  // remove_all does not follow symbolic links: a link planted inside cannot
  // make us delete elsewhere.
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

result<std::string> work_folder::copy_in(const std::string& source, const std::string& name, uid_t uid,
                                         gid_t gid) const {
  std::string dest = path_ + "/" + name;
  fd_closer in{::open(source.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) return io_failure("cannot open", source);
  fd_closer out{::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400)};
  if (out.fd < 0) return io_failure("cannot create", dest);
  // copy_file_range stays in the kernel (and may share blocks); plain reads
  // and writes where it is not supported.
  for (;;) {
    ssize_t n = ::copy_file_range(in.fd, nullptr, out.fd, nullptr, 1 << 30, 0);
    if (n == 0) break;
    if (n > 0) continue;
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
      return io_failure("cannot copy into", dest);
    char buf[1 << 16];
    for (;;) {
      ssize_t got = ::read(in.fd, buf, sizeof buf);
      if (got == 0) break;
      if (got < 0) {
        if (errno == EINTR) continue;
        return io_failure("cannot read", source);
      }
      for (ssize_t done = 0; done < got;) {
        ssize_t w = ::write(out.fd, buf + done, static_cast<size_t>(got - done));
        if (w < 0 && errno != EINTR) return io_failure("cannot write", dest);
        if (w > 0) done += w;
      }
    }
    break;
  }
  if (::fchown(out.fd, uid, gid) != 0) return io_failure("cannot chown", dest);
  return dest;
}

result<std::string> work_folder::make_folder(const std::string& name, uid_t uid, gid_t gid) const {
  std::string dest = path_ + "/" + name;
  if (::mkdir(dest.c_str(), 0700) != 0) return io_failure("cannot create", dest);
  // lchown: the folder was just made by us, but never follow a link anyway.
  if ((uid != ::geteuid() || gid != ::getegid()) && ::lchown(dest.c_str(), uid, gid) != 0)
    return io_failure("cannot chown", dest);
  return dest;
}

result<std::string> work_folder::write(const std::string& name, std::string_view bytes) const {
  std::string dest = path_ + "/" + name;
  fd_closer out{::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)};
  if (out.fd < 0) return io_failure("cannot create", dest);
  while (!bytes.empty()) {
    ssize_t w = ::write(out.fd, bytes.data(), bytes.size());
    if (w < 0) {
      if (errno == EINTR) continue;
      return io_failure("cannot write", dest);
    }
    bytes.remove_prefix(static_cast<size_t>(w));
  }
  return dest;
}

}  // namespace quire::jobproc
