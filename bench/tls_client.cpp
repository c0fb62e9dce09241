#include "bench/tls_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>

namespace bench {

SSL_CTX* tls_client_context() {
  static SSL_CTX* ctx = [] {
    SSL_CTX* c = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return c;
  }();
  return ctx;
}

tls_stream::~tls_stream() { reset(); }

void tls_stream::reset() {
  if (ssl_) SSL_free(ssl_);
  ssl_ = nullptr;
}

bool tls_stream::connect(int fd, const std::string& host, std::string& err) {
  reset();
  ssl_ = SSL_new(tls_client_context());
  SSL_set_fd(ssl_, fd);
  SSL_set_tlsext_host_name(ssl_, host.c_str());
  if (SSL_connect(ssl_) != 1) {
    char buf[256];
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    err = std::string("TLS handshake with ") + host + " failed: " + buf;
    reset();
    return false;
  }
  return true;
}

namespace {
// Maps an SSL_read/SSL_write failure onto the errno convention of send/recv.
ssize_t failure(SSL* ssl, int rc) {
  int e = SSL_get_error(ssl, rc);
  ERR_clear_error();
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
    errno = EAGAIN;
    return -1;
  }
  if (e == SSL_ERROR_ZERO_RETURN) return 0;
  errno = EPIPE;
  return -1;
}
}  // namespace

ssize_t tls_stream::send(const char* data, size_t n) {
  int rc = SSL_write(ssl_, data, static_cast<int>(n));
  return rc > 0 ? rc : failure(ssl_, rc);
}

ssize_t tls_stream::recv(char* buf, size_t n) {
  int rc = SSL_read(ssl_, buf, static_cast<int>(n));
  if (rc > 0) return rc;
  ssize_t r = failure(ssl_, rc);
  return r == 0 ? 0 : r;
}

bool tls_stream::pending() const { return ssl_ && SSL_pending(ssl_) > 0; }

}  // namespace bench
