#include "devices/file_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace quire::devices {

namespace {

// One delivery's work, done on libuv's thread pool.
struct sink_work {
  uv_work_t req;
  std::string dir;
  job_document doc;
  driver::callback done;
  delivery_result result;
};

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool copy_file(const std::string& from, int out) {
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return false;
  char buf[1 << 16];
  bool ok = true;
  for (;;) {
    ssize_t r = ::read(in, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      ok = r == 0;
      break;
    }
    if (!write_all(out, buf, static_cast<size_t>(r))) {
      ok = false;
      break;
    }
  }
  ::close(in);
  return ok;
}

void write_document(uv_work_t* req) {
  auto* w = static_cast<sink_work*>(req->data);
  std::error_code ec;
  std::filesystem::create_directories(w->dir, ec);
  std::string name = std::to_string(w->doc.job_id) + "." + file_sink::extension_for(w->doc.format);
  std::string final_path = w->dir + "/" + name;
  std::string tmp_path = w->dir + "/." + name + ".part";
  int fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) {
    w->result = {false, "cannot create " + tmp_path + ": " + std::strerror(errno)};
    return;
  }
  bool ok = w->doc.path.empty() ? write_all(fd, w->doc.bytes.data(), w->doc.bytes.size())
                                : copy_file(w->doc.path, fd);
  int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp_path.c_str(), final_path.c_str()) != 0) {
    if (ok) err = errno;
    ::unlink(tmp_path.c_str());
    w->result = {false, "cannot write " + final_path + ": " + std::strerror(err)};
    return;
  }
  w->result = {true, {}};
}

void after_write(uv_work_t* req, int status) {
  auto* w = static_cast<sink_work*>(req->data);
  if (status == UV_ECANCELED) w->result = {false, "delivery canceled: the server is stopping"};
  auto done = std::move(w->done);
  auto result = std::move(w->result);
  delete w;
  done(std::move(result));
}

}  // namespace

file_sink::file_sink(uv_loop_t* loop, std::string dir) : loop_(loop), dir_(std::move(dir)) {}

const char* file_sink::extension_for(const std::string& f) {
  if (f == "application/pdf") return "pdf";
  if (f == "application/postscript") return "ps";
  if (f == "image/pwg-raster") return "pwg";
  if (f == "image/urf") return "urf";
  if (f == "image/jpeg") return "jpg";
  if (f == "image/png") return "png";
  if (f == "text/plain") return "txt";
  if (f == "application/vnd.hp-pclxl") return "pxl";
  if (f == "application/vnd.hp-pcl") return "pcl";
  return "prn";
}

void file_sink::deliver(job_document doc, callback done) {
  auto* w = new sink_work{};
  w->req.data = w;
  w->dir = dir_;
  w->doc = std::move(doc);
  w->done = std::move(done);
  int rc = uv_queue_work(loop_, &w->req, &write_document, &after_write);
  if (rc != 0) {
    auto cb = std::move(w->done);
    delete w;
    cb({false, std::string("cannot queue the write: ") + uv_strerror(rc)});
  }
}

}  // namespace quire::devices
