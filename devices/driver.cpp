#include "devices/driver.hpp"

#include <fcntl.h>

#include <algorithm>
#include <filesystem>

#include "devices/file_sink.hpp"
#include "devices/ipp_driver.hpp"
#include "devices/lpd_driver.hpp"
#include "devices/socket_driver.hpp"
#include "protocols/lpd/command.hpp"

namespace quire::devices {

namespace {

bool under(const std::filesystem::path& p, const std::filesystem::path& root) {
  auto pi = p.begin();
  for (auto ri = root.begin(); ri != root.end(); ++ri, ++pi) {
    if (ri->empty()) continue;  // a trailing separator
    if (pi == p.end() || *pi != *ri) return false;
  }
  return true;
}

struct network_target {
  device_address where;
  std::string path;  // after the authority, without the leading '/'
};

// "host[:port][/path]" with an IPv6 host in brackets. config/device_uri.cpp
// checked the URI already; this parses again because tests and tools call
// make_driver directly.
result<network_target> parse_network(const std::string& uri, std::string_view rest, uint16_t default_port) {
  auto bad = [&](const char* what) {
    std::string msg = "device URI '";
    msg.append(uri).append("': ").append(what);
    return error{errc::invalid_argument, std::move(msg)};
  };
  network_target t;
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) t.path = std::string(rest.substr(slash + 1));
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated [IPv6 address]");
    t.where.host = std::string(authority.substr(1, close - 1));
    in6_addr a6{};
    if (uv_inet_pton(AF_INET6, t.where.host.c_str(), &a6) != 0) return bad("expected an IPv6 address in brackets");
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad("bad port");
    if (!after.empty()) port = after.substr(1);
    if (!after.empty() && port.empty()) return bad("bad port");
  } else {
    size_t colon = authority.find(':');
    t.where.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return bad("bad port");
    }
    bool ok = !t.where.host.empty() && std::all_of(t.where.host.begin(), t.where.host.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
             c == '_';
    });
    if (!ok) return bad("bad host name");
  }
  uint32_t p = port.empty() ? default_port : 0;
  if (port.size() > 5) return bad("bad port");
  for (char c : port) {
    if (c < '0' || c > '9') return bad("bad port");
    p = p * 10 + static_cast<uint32_t>(c - '0');
  }
  if (p < 1 || p > 65535) return bad("the port must be between 1 and 65535");
  t.where.port = static_cast<uint16_t>(p);
  return t;
}

}  // namespace

result<std::shared_ptr<driver>> make_driver(uv_loop_t* loop, const std::string& uri,
                                            const driver_options& opts) {
  auto colon = uri.find("://");
  if (colon == std::string::npos) return error{errc::invalid_argument, "device URI '" + uri + "' has no scheme"};
  std::string scheme = uri.substr(0, colon);
  if (scheme == "file") {
    std::string path = uri.substr(colon + 3);
    if (path.empty() || path[0] != '/')
      return error{errc::invalid_argument, "file device URI '" + uri + "' must be file:///absolute/path"};
    auto norm = std::filesystem::path(path).lexically_normal();
    auto root = std::filesystem::path(opts.sink_root).lexically_normal();
    if (opts.sink_root.empty() || !under(norm, root) || norm == root)
      return error{errc::permission_denied,
                   "file device " + uri + " is outside the sink folder " + opts.sink_root};
    return std::shared_ptr<driver>(std::make_shared<file_sink>(loop, norm.string()));
  }
  if (scheme == "socket") {
    auto t = parse_network(uri, std::string_view(uri).substr(colon + 3), 9100);
    if (!t) return t.err();
    if (!t->path.empty()) return error{errc::invalid_argument, "device URI '" + uri + "': expected socket://host[:port]"};
    return std::shared_ptr<driver>(std::make_shared<socket_driver>(loop, t->where, opts.net));
  }
  if (scheme == "lpd") {
    auto t = parse_network(uri, std::string_view(uri).substr(colon + 3), lpd::default_port);
    if (!t) return t.err();
    if (!lpd::valid_queue_name(t->path))
      return error{errc::invalid_argument, "device URI '" + uri + "': expected lpd://host[:port]/queue"};
    return std::shared_ptr<driver>(std::make_shared<lpd_driver>(loop, t->where, t->path, opts.net));
  }
  if (scheme == "ipp" || scheme == "ipps") return make_ipp_driver(loop, uri, opts.ipp);
  return error{errc::invalid_argument, "unknown device scheme '" + scheme + "'"};
}


// ---- document_reader ----

std::shared_ptr<document_reader> document_reader::create(uv_loop_t* loop, std::string bytes, std::string path,
                                                         size_t chunk_bytes) {
  return std::shared_ptr<document_reader>(
      new document_reader(loop, std::move(bytes), std::move(path), std::max<size_t>(chunk_bytes, 512)));
}

document_reader::document_reader(uv_loop_t* loop, std::string bytes, std::string path, size_t chunk_bytes)
    : loop_(loop), bytes_(std::move(bytes)), path_(std::move(path)), chunk_(chunk_bytes) {
  req_.data = this;
}

document_reader::~document_reader() { close_file(); }

void document_reader::close_file() {
  if (fd_ < 0) return;
  uv_fs_t req;
  uv_fs_close(nullptr, &req, fd_, nullptr);  // a regular file: close(2) does not wait
  uv_fs_req_cleanup(&req);
  fd_ = -1;
}

void document_reader::close() {
  closed_ = true;
  open_done_ = nullptr;
  chunk_done_ = nullptr;
  if (!busy_) close_file();
}

void document_reader::open(open_callback done) {
  if (path_.empty()) {
    size_ = bytes_.size();
    done("", size_);
    return;
  }
  open_done_ = std::move(done);
  int rc = uv_fs_open(loop_, &req_, path_.c_str(), O_RDONLY | O_CLOEXEC, 0, &on_open);
  if (rc < 0) {
    auto cb = std::move(open_done_);
    cb(std::string("cannot open the document: ") + uv_strerror(rc), 0);
    return;
  }
  busy_ = shared_from_this();
}

void document_reader::on_open(uv_fs_t* req) {
  auto* self = static_cast<document_reader*>(req->data);
  auto keep = std::move(self->busy_);
  auto result = req->result;
  uv_fs_req_cleanup(req);
  if (result >= 0) self->fd_ = static_cast<uv_file>(result);
  if (self->closed_) return self->close_file();
  if (result < 0) {
    auto cb = std::move(self->open_done_);
    return cb(std::string("cannot open the document: ") + uv_strerror(static_cast<int>(result)), 0);
  }
  int rc = uv_fs_fstat(self->loop_, req, self->fd_, &on_stat);
  if (rc < 0) {
    auto cb = std::move(self->open_done_);
    return cb(std::string("cannot read the document: ") + uv_strerror(rc), 0);
  }
  self->busy_ = std::move(keep);
}

void document_reader::on_stat(uv_fs_t* req) {
  auto* self = static_cast<document_reader*>(req->data);
  auto keep = std::move(self->busy_);
  auto result = req->result;
  uint64_t size = req->statbuf.st_size;
  uv_fs_req_cleanup(req);
  if (self->closed_) return self->close_file();
  auto cb = std::move(self->open_done_);
  if (result < 0) return cb(std::string("cannot read the document: ") + uv_strerror(static_cast<int>(result)), 0);
  self->size_ = size;
  cb("", size);
}

void document_reader::next(chunk_callback done) {
  uint64_t left = size_ - offset_;
  if (path_.empty() || left == 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(left, chunk_));
    std::string_view chunk(bytes_.data() + offset_, path_.empty() ? n : 0);
    offset_ += chunk.size();
    done("", chunk);
    return;
  }
  buf_.resize(static_cast<size_t>(std::min<uint64_t>(left, chunk_)));
  uv_buf_t b = uv_buf_init(buf_.data(), static_cast<unsigned>(buf_.size()));
  chunk_done_ = std::move(done);
  int rc = uv_fs_read(loop_, &req_, fd_, &b, 1, static_cast<int64_t>(offset_), &on_read);
  if (rc < 0) {
    auto cb = std::move(chunk_done_);
    cb(std::string("cannot read the document: ") + uv_strerror(rc), {});
    return;
  }
  busy_ = shared_from_this();
}

void document_reader::on_read(uv_fs_t* req) {
  auto* self = static_cast<document_reader*>(req->data);
  auto keep = std::move(self->busy_);
  auto result = req->result;
  uv_fs_req_cleanup(req);
  if (self->closed_) return self->close_file();
  auto cb = std::move(self->chunk_done_);
  if (result < 0) return cb(std::string("cannot read the document: ") + uv_strerror(static_cast<int>(result)), {});
  if (result == 0) {
    std::string msg = "the document file shrank while it was being sent (";
    msg.append(with_commas(self->offset_)).append(" of ").append(with_commas(self->size_)).append(" bytes)");
    return cb(msg, {});
  }
  self->offset_ += static_cast<uint64_t>(result);
  cb("", std::string_view(self->buf_.data(), static_cast<size_t>(result)));
}

std::string with_commas(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace quire::devices
