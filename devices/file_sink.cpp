#include "devices/file_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace quire::devices {

namespace {

// One batch of deliveries, written on libuv's thread pool.
struct sink_work {
  uv_work_t req;
  std::shared_ptr<file_sink> sink;
  std::string dir;
  std::vector<file_sink::item> items;
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

delivery_result write_document(const std::string& dir, const job_document& doc) {
  std::string name = std::to_string(doc.job_id) + "." + file_sink::extension_for(doc.format);
  std::string final_path = dir + "/" + name;
  std::string tmp_path = dir + "/." + name + ".part";
  int fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0 && errno == ENOENT) {  // the folder went away, or this is the first job
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  }
  if (fd < 0) return {false, "cannot create " + tmp_path + ": " + std::strerror(errno)};
  bool ok = doc.path.empty() ? write_all(fd, doc.bytes.data(), doc.bytes.size()) : copy_file(doc.path, fd);
  int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp_path.c_str(), final_path.c_str()) != 0) {
    if (ok) err = errno;
    ::unlink(tmp_path.c_str());
    return {false, "cannot write " + final_path + ": " + std::strerror(err)};
  }
  return {true, {}};
}

void write_batch(uv_work_t* req) {
  auto* w = static_cast<sink_work*>(req->data);
  for (auto& it : w->items) it.result = write_document(w->dir, it.doc);
}

void after_batch(uv_work_t* req, int status) {
  std::unique_ptr<sink_work> w(static_cast<sink_work*>(req->data));
  for (auto& it : w->items) {
    if (status == UV_ECANCELED) it.result = {false, "delivery canceled: the server is stopping"};
    it.done(std::move(it.result));
  }
  w->sink->batch_done();
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
  queued_.push_back({std::move(doc), std::move(done), {}});
  if (!writing_) start_batch();
}

void file_sink::batch_done() {
  writing_ = false;
  if (!queued_.empty()) start_batch();
}

void file_sink::start_batch() {
  auto w = std::make_unique<sink_work>();
  w->req.data = w.get();
  w->sink = shared_from_this();
  w->dir = dir_;
  w->items.swap(queued_);
  int rc = uv_queue_work(loop_, &w->req, &write_batch, &after_batch);
  if (rc != 0) {
    for (auto& it : w->items) it.done({false, std::string("cannot queue the write: ") + uv_strerror(rc)});
    return;
  }
  writing_ = true;
  w.release();  // after_batch owns it
}

}  // namespace quire::devices
