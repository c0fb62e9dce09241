// TLS for the load generator: one client context, one session per connection.
//
// ipp_load speaks IPPS (`ipps://` URIs) through OpenSSL on the same sockets
// and epoll loop as plain IPP. The handshake runs while the socket is still
// blocking (before the clock of a request starts: like a browser or CUPS's
// backends, a client opens its connection once and then reuses it for many
// requests, so a keep-alive run measures the per-request cost of TLS, not the
// handshake). After it the socket turns non-blocking and reads and writes go
// through SSL_read/SSL_write. The server's certificate is not verified: a
// benchmark on loopback against a self-signed server certificate.
#pragma once

#include <sys/types.h>

#include <string>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace bench {

/// The process's TLS client context (TLS 1.2+), created on first use.
SSL_CTX* tls_client_context();

/// One TLS connection over a connected socket `fd` (not owned).
class tls_stream {
 public:
  tls_stream() = default;
  ~tls_stream();
  tls_stream(const tls_stream&) = delete;
  tls_stream& operator=(const tls_stream&) = delete;

  /// Runs the handshake on blocking `fd`; false (and `err`) when it fails.
  bool connect(int fd, const std::string& host, std::string& err);

  /// As send/recv on a non-blocking socket: bytes moved (> 0), 0 when the
  /// peer closed (recv only), -1 with errno = EAGAIN when it would block,
  /// -1 with errno = EPIPE on any other failure.
  ssize_t send(const char* data, size_t n);
  ssize_t recv(char* buf, size_t n);
  /// Decrypted bytes already buffered in OpenSSL (epoll cannot see them).
  bool pending() const;
  void reset();

 private:
  SSL* ssl_ = nullptr;
};

}  // namespace bench
