#include "web/quirectl_http.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace quire::quirectl {

namespace {

std::string openssl_reason() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

struct fd_closer {
  int fd = -1;
  ~fd_closer() {
    if (fd >= 0) ::close(fd);
  }
};

// A connected TCP socket with send/receive timeouts, trying each address.
result<int> connect_tcp(const server_url& server, int timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  std::string port = std::to_string(server.port);
  int rc = ::getaddrinfo(server.host.c_str(), port.c_str(), &hints, &list);
  if (rc != 0) return error(errc::unavailable, "cannot resolve " + server.host + ": " + ::gai_strerror(rc));
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> guard(list, ::freeaddrinfo);
  std::string last = "no address";
  for (addrinfo* a = list; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // bounds connect() too, on Linux
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) return fd;
    last = std::strerror(errno);
    ::close(fd);
  }
  return error(errc::unavailable, "cannot connect to " + server.authority() + ": " + last);
}

// The byte stream under the HTTP exchange: a socket, or TLS over it.
class stream {
 public:
  explicit stream(int fd) : fd_(fd) {}
  ~stream() {
    if (ssl_) SSL_free(ssl_);
    if (ctx_) SSL_CTX_free(ctx_);
  }
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;

  status start_tls(const server_url& server, const client_options& options) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (!ctx_) return error(errc::internal, openssl_reason());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    if (!options.insecure) {
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
      SSL_CTX_set_default_verify_paths(ctx_);
      if (!options.cacert.empty()) {
        if (SSL_CTX_load_verify_locations(ctx_, options.cacert.c_str(), nullptr) != 1)
          return error(errc::invalid_argument, "cannot load --cacert " + options.cacert + ": " + openssl_reason());
        // A self-signed server certificate given here is a trust anchor by itself.
        X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx_), X509_V_FLAG_PARTIAL_CHAIN);
      }
    }
    ssl_ = SSL_new(ctx_);
    if (!ssl_) return error(errc::internal, openssl_reason());
    SSL_set_fd(ssl_, fd_);
    unsigned char ip[16];
    bool is_ip = ::inet_pton(AF_INET, server.host.c_str(), ip) == 1 ||
                 ::inet_pton(AF_INET6, server.host.c_str(), ip) == 1;
    if (!is_ip) SSL_set_tlsext_host_name(ssl_, server.host.c_str());
    if (!options.insecure) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
      int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, server.host.c_str())
                     : X509_VERIFY_PARAM_set1_host(param, server.host.c_str(), 0);
      if (ok != 1) return error(errc::internal, openssl_reason());
    }
    if (SSL_connect(ssl_) != 1) {
      long verify = SSL_get_verify_result(ssl_);
      if (!options.insecure && verify != X509_V_OK)
        return error(errc::permission_denied,
                     std::string("the server's certificate does not verify: ") +
                         X509_verify_cert_error_string(verify) +
                         " (trust it with --cacert FILE, or skip the check with --insecure)");
      return error(errc::io_error, "TLS handshake with " + server.authority() + " failed: " + openssl_reason());
    }
    return {};
  }

  status write_all(std::string_view data) {
    while (!data.empty()) {
      long n;
      if (ssl_) {
        int w = SSL_write(ssl_, data.data(), static_cast<int>(std::min<size_t>(data.size(), 1 << 20)));
        n = w > 0 ? w : -1;
      } else {
        n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      }
      if (n <= 0) return error(errc::io_error, "sending the request failed");
      data.remove_prefix(static_cast<size_t>(n));
    }
    return {};
  }

  /// Bytes read into `buf`; 0 at the end of the stream; -1 on error.
  long read_some(char* buf, size_t size) {
    if (!ssl_) {
      ssize_t n;
      do n = ::recv(fd_, buf, size, 0);
      while (n < 0 && errno == EINTR);
      return n;
    }
    int n = SSL_read(ssl_, buf, static_cast<int>(size));
    if (n > 0) return n;
    int e = SSL_get_error(ssl_, n);
    if (e == SSL_ERROR_ZERO_RETURN) return 0;
    // A peer that closes without close_notify: the caller decides whether
    // what arrived is complete.
    if (e == SSL_ERROR_SYSCALL ||
        (e == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
      ERR_clear_error();
      return 0;
    }
    return -1;
  }

 private:
  int fd_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
};

}  // namespace

result<http_reply> exchange(const server_url& server, const client_options& options, const std::string& request) {
  auto fd = connect_tcp(server, options.timeout_ms);
  if (!fd.ok()) return fd.err();
  fd_closer closer{*fd};
  stream s(*fd);
  if (server.tls)
    if (auto st = s.start_tls(server, options)) return st;
  if (auto st = s.write_all(request)) return st;

  std::string raw;
  char buf[16384];
  for (;;) {
    long n = s.read_some(buf, sizeof buf);
    if (n < 0) return error(errc::io_error, "reading the response from " + server.authority() + " failed");
    bool eof = n == 0;
    raw.append(buf, static_cast<size_t>(n));
    auto reply = parse_http_response(raw, eof);
    if (!reply.ok()) return error(errc::io_error, reply.err().message);
    if (*reply) return std::move(**reply);
    if (eof) return error(errc::io_error, "the server's response ended early");
  }
}

}  // namespace quire::quirectl
