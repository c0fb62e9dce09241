#include "bench/ipp_wire.hpp"

#include <fcntl.h>

#include "bench/tls_client.hpp"

#include <cups/cups.h>
#include <cups/http.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bench {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Parses a decimal (base 10) or hex (base 16) number; -1 when malformed.
long long parse_number(std::string_view s, int base) {
  if (s.empty() || s.size() > 15) return -1;
  long long v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return -1;
    v = v * base + d;
  }
  return v;
}

ssize_t append_cb(void* ctx, ipp_uchar_t* buf, size_t n) {
  static_cast<std::string*>(ctx)->append(reinterpret_cast<const char*>(buf), n);
  return static_cast<ssize_t>(n);
}

uint32_t be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

}  // namespace

bool parse_target(const std::string& uri, target& out, std::string& err) {
  char scheme[32], user[256], host[256], resource[1024];
  int port = 0;
  if (httpSeparateURI(HTTP_URI_CODING_ALL, uri.c_str(), scheme, sizeof scheme, user, sizeof user, host,
                      sizeof host, &port, resource, sizeof resource) < HTTP_URI_STATUS_OK ||
      (std::strcmp(scheme, "ipp") != 0 && std::strcmp(scheme, "ipps") != 0)) {
    err = "not an ipp:// or ipps:// URI: " + uri;
    return false;
  }
  out.uri = uri;
  out.host = host;
  out.port = port;
  out.path = resource;
  out.tls = std::strcmp(scheme, "ipps") == 0;
  return true;
}

std::string encode_ipp(ipp_t* req) {
  std::string out;
  ippSetState(req, IPP_STATE_IDLE);
  ippWriteIO(&out, append_cb, 1, nullptr, req);
  ippDelete(req);
  return out;
}

std::string http_post(const target& t, const std::string& ipp_body) {
  std::string m = "POST " + t.path + " HTTP/1.1\r\nHost: " + t.host + ":" + std::to_string(t.port) +
                  "\r\nContent-Type: application/ipp\r\nContent-Length: " + std::to_string(ipp_body.size()) +
                  "\r\n\r\n";
  m += ipp_body;
  return m;
}

size_t request_id_offset(const std::string& message) { return message.find("\r\n\r\n") + 4 + 4; }

void patch_request_id(std::string& message, size_t offset, uint32_t id) {
  message[offset] = static_cast<char>(id >> 24);
  message[offset + 1] = static_cast<char>(id >> 16);
  message[offset + 2] = static_cast<char>(id >> 8);
  message[offset + 3] = static_cast<char>(id);
}

ipp_t* new_request(ipp_op_t op, const target& t, const std::string& user) {
  ipp_t* r = ippNewRequest(op);
  ippAddString(r, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, t.uri.c_str());
  ippAddString(r, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nullptr, user.c_str());
  return r;
}

bool http_reader::next(http_response& out) {
  for (;;) {
    if (failed_) return false;
    if (pos_ > 0) {  // drop what earlier calls popped (their bodies are dead by contract)
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    std::string_view v(buf_);
    size_t head_end = v.find("\r\n\r\n");
    if (head_end == std::string_view::npos) {
      if (v.size() > 65536) failed_ = true;
      return false;
    }
    std::string_view head = v.substr(0, head_end);
    size_t sp = head.find(' ');
    if (head.substr(0, 5) != "HTTP/" || sp == std::string_view::npos || head.size() < sp + 4) {
      failed_ = true;
      return false;
    }
    int status = static_cast<int>(parse_number(head.substr(sp + 1, 3), 10));
    bool chunked = false, close = head.substr(0, 8) == "HTTP/1.0";
    long long length = -1;
    for (size_t line = head.find("\r\n"); line != std::string_view::npos;) {
      size_t start = line + 2, end = head.find("\r\n", start);
      std::string_view h = head.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
      line = end;
      size_t colon = h.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view name = trim(h.substr(0, colon)), value = trim(h.substr(colon + 1));
      if (iequals(name, "Content-Length")) length = parse_number(value, 10);
      else if (iequals(name, "Transfer-Encoding")) chunked = iequals(value, "chunked");
      else if (iequals(name, "Connection")) close = iequals(value, "close");
    }
    size_t body_start = head_end + 4;
    if (status >= 100 && status < 200) {  // interim: skip it, look for the real one
      pos_ = body_start;
      continue;
    }
    if (chunked) {
      dechunked_.clear();
      size_t p = body_start;
      for (;;) {
        size_t eol = v.find("\r\n", p);
        if (eol == std::string_view::npos) return false;
        std::string_view size_field = v.substr(p, eol - p);
        size_field = size_field.substr(0, size_field.find(';'));
        long long n = parse_number(trim(size_field), 16);
        if (n < 0) {
          failed_ = true;
          return false;
        }
        p = eol + 2;
        if (n == 0) {  // last chunk, then optional trailers and an empty line
          size_t end = v.find("\r\n", p);
          while (end != std::string_view::npos && end != p) {
            p = end + 2;
            end = v.find("\r\n", p);
          }
          if (end == std::string_view::npos) return false;
          p = end + 2;
          break;
        }
        if (v.size() < p + n + 2) return false;
        dechunked_.append(v.substr(p, n));
        p += n + 2;
      }
      out = {status, close, dechunked_};
      pos_ = p;
      return true;
    }
    if (length < 0) {  // a body delimited by close: never sent to IPP clients here
      failed_ = true;
      return false;
    }
    if (v.size() < body_start + length) return false;
    out = {status, close, v.substr(body_start, length)};
    pos_ = body_start + length;
    return true;
  }
}

ipp_summary scan_ipp(std::string_view body) {
  ipp_summary s;
  const auto* b = reinterpret_cast<const unsigned char*>(body.data());
  size_t n = body.size(), p = 8;
  if (n < 9) return s;
  s.status = (b[2] << 8) | b[3];
  s.request_id = be32(b + 4);
  std::string_view last_name;
  while (p < n) {
    unsigned tag = b[p++];
    if (tag == IPP_TAG_END) {
      s.valid = true;
      return s;
    }
    if (tag < 0x10) continue;  // a group delimiter
    if (tag == IPP_TAG_EXTENSION) p += 4;
    if (p + 2 > n) return s;
    size_t name_len = (b[p] << 8) | b[p + 1];
    p += 2;
    if (p + name_len + 2 > n) return s;
    std::string_view name(body.data() + p, name_len);
    p += name_len;
    size_t value_len = (b[p] << 8) | b[p + 1];
    p += 2;
    if (p + value_len > n) return s;
    if (name_len > 0) last_name = name;
    if (name_len > 0 && (tag == IPP_TAG_INTEGER || tag == IPP_TAG_ENUM) && value_len == 4) {
      int v = static_cast<int>(be32(b + p));
      if (name == "job-id") {
        if (s.job_ids++ == 0) s.job_id = v;
      } else if (name == "job-state" && s.job_state == 0) {
        s.job_state = v;
      }
    }
    p += value_len;
  }
  return s;  // no end-of-attributes tag
}

int connect_to(const target& t, std::string& err) {
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  std::string port = std::to_string(t.port);
  if (int rc = ::getaddrinfo(t.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    err = "cannot resolve " + t.host + ": " + ::gai_strerror(rc);
    return -1;
  }
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
    err = "cannot connect to " + t.host + ":" + port + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    ::freeaddrinfo(res);
    return -1;
  }
  ::freeaddrinfo(res);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

wire_socket::wire_socket() = default;
wire_socket::~wire_socket() { close(); }

bool wire_socket::open(const target& t, bool nonblocking, std::string& err) {
  close();
  fd_ = connect_to(t, err);
  if (fd_ < 0) return false;
  if (t.tls) {
    tls_ = std::make_unique<tls_stream>();
    if (!tls_->connect(fd_, t.host, err)) return close(), false;
  }
  if (nonblocking) ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  return true;
}

void wire_socket::close() {
  tls_.reset();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

ssize_t wire_socket::send(const char* data, size_t n) {
  return tls_ ? tls_->send(data, n) : ::send(fd_, data, n, MSG_NOSIGNAL);
}

ssize_t wire_socket::recv(char* buf, size_t n) { return tls_ ? tls_->recv(buf, n) : ::recv(fd_, buf, n, 0); }

bool wire_socket::buffered() const { return tls_ && tls_->pending(); }

blocking_client::~blocking_client() = default;

bool blocking_client::connect(std::string& err) {
  reader_.reset();
  return s_.open(t_, false, err);
}

bool blocking_client::call(const std::string& message, http_response& out, std::string& err) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (s_.fd() < 0 && !connect(err)) return false;
    size_t off = 0;
    bool broken = false;
    while (off < message.size() && !broken) {
      ssize_t w = s_.send(message.data() + off, message.size() - off);
      if (w > 0) off += static_cast<size_t>(w);
      else if (errno != EINTR) broken = true;
    }
    char buf[65536];
    bool got_bytes = false;
    while (!broken) {
      if (reader_.next(out)) {
        if (out.close) {  // the next call must reconnect; keep this body alive
          ::shutdown(s_.fd(), SHUT_RDWR);
        }
        return true;
      }
      if (reader_.failed()) {
        err = "malformed HTTP response";
        s_.close();
        return false;
      }
      ssize_t r = s_.recv(buf, sizeof buf);
      if (r > 0) {
        got_bytes = true;
        reader_.feed(buf, static_cast<size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        broken = true;
      }
    }
    s_.close();
    err = "connection closed by the server";
    if (got_bytes) return false;  // a half response is an error, not an idle close
  }
  return false;
}

}  // namespace bench
