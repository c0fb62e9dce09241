// TLS for the HTTP server (IPPS), with OpenSSL and no socket inside.
//
// A tls_context is the server's side of every TLS connection: one
// certificate chain and its key, TLS 1.2 at least, secure cipher defaults,
// renegotiation off, ALPN "http/1.1", and resumption for TLS 1.2 both ways
// (a server-side session cache for session ids, and stateless tickets), so a
// client that comes back skips the public-key work. TLS 1.3 sends no tickets,
// so its clients do not resume: libcups 2.4 on GnuTLS fails a request when a
// post-handshake ticket reaches it (see tls.cpp). It is loaded once at start
// and shared, read-only, by every session.
//
// A tls_session drives one connection through memory BIOs, push-style like
// the HTTP parser: the owner feeds it the bytes read from the socket and gets
// plaintext back; it hands it plaintext to send and writes out whatever
// ciphertext take_output() returns (handshake messages, records, alerts).
// Nothing here reads or writes a socket, so the loop thread (or a test) keeps
// full control of I/O and back-pressure.
//
// ensure_certificate() gives a server that was configured with no
// certificate a self-signed one, generated once into <data_dir>/tls/.
//
// Not thread-safe: a session belongs to one thread (the loop thread).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "protocols/result.hpp"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX
struct ssl_st;      // OpenSSL's SSL

namespace quire::io {

/// The first byte of a TLS handshake record (RFC 8446 §5.1, content type
/// 22). No HTTP request starts with it: a server sniffs it to tell the two
/// apart on one port.
inline constexpr unsigned char tls_handshake_record = 0x16;

class tls_context {
 public:
  /// Loads a PEM certificate chain (the server's certificate first) and its
  /// PEM private key, and checks that they match. Errors name the file.
  static result<std::shared_ptr<const tls_context>> load(const std::string& certificate_file,
                                                        const std::string& private_key_file);
  ~tls_context();
  tls_context(const tls_context&) = delete;
  tls_context& operator=(const tls_context&) = delete;

  /// The SHA-256 fingerprint of the server's certificate, "AB:CD:...".
  const std::string& fingerprint() const { return fingerprint_; }
  const std::string& certificate_file() const { return certificate_file_; }
  /// The underlying SSL_CTX, for sessions and tests. Owned by this object.
  ssl_ctx_st* native() const { return ctx_; }

 private:
  explicit tls_context(ssl_ctx_st* ctx) : ctx_(ctx) {}
  ssl_ctx_st* ctx_;
  std::string certificate_file_;
  std::string fingerprint_;
};

class tls_session {
 public:
  /// A server session of `ctx`, waiting for the client's hello.
  explicit tls_session(std::shared_ptr<const tls_context> ctx);
  ~tls_session();
  tls_session(const tls_session&) = delete;
  tls_session& operator=(const tls_session&) = delete;

  /// Feeds ciphertext read from the peer (any split: partial records wait
  /// for the rest) and appends the plaintext it completes to `plain`. An
  /// error is final: write take_output() (it may hold an alert) and close.
  status receive(std::string_view ciphertext, std::string& plain);

  /// Encrypts `plain` for the peer; the records wait in take_output().
  /// REQUIRES: handshake_done().
  status send(std::string_view plain);

  /// Queues a close_notify alert (RFC 8446 §6.1); idempotent.
  void close();

  /// The ciphertext waiting to go to the peer, and forgets it.
  std::string take_output();
  /// True when take_output() would return something.
  bool has_output() const;

  bool handshake_done() const;
  /// True once the peer sent close_notify: it will send nothing more.
  bool peer_closed() const { return peer_closed_; }
  /// True when the handshake resumed an earlier session (no key exchange
  /// with the certificate's key).
  bool resumed() const;
  /// "TLSv1.3", "TLSv1.2" once the handshake is done.
  std::string protocol() const;

  /// The underlying SSL, for tests. Owned by this object.
  ssl_st* native() const { return ssl_; }

 private:
  std::shared_ptr<const tls_context> ctx_;
  ssl_st* ssl_;
  bool peer_closed_ = false;
  bool failed_ = false;
};

/// A server session for a connection whose first bytes are `first` when they
/// open a TLS handshake and the server has `ctx`; null (plain) otherwise.
std::unique_ptr<tls_session> sniff_tls(const std::shared_ptr<const tls_context>& ctx, std::string_view first);

/// Where a certificate and its key are.
struct tls_files {
  std::string certificate;
  std::string private_key;
  bool generated = false;  // true when ensure_certificate() just made them
};

/// Returns <data_dir>/tls/server.crt and server.key, first generating them
/// when either is missing: an EC P-256 key (mode 0600) and a self-signed
/// certificate valid ~10 years for CN=`host_name`, subjectAltName
/// DNS:localhost, DNS:`host_name`, IP:127.0.0.1, IP:::1. Existing files are
/// reused as they are. `host_name` empty: this machine's host name.
result<tls_files> ensure_certificate(const std::string& data_dir, std::string host_name = "");

}  // namespace quire::io
