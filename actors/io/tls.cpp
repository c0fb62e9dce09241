#include "actors/io/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>

namespace quire::io {

namespace {

// Mozilla's "intermediate" TLS 1.2 suites: forward secrecy and AEAD only.
// TLS 1.3 keeps OpenSSL's defaults, which are all of that already.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

// Sessions (and the tickets that carry them) stay resumable this long.
constexpr long session_lifetime_s = 2 * 3600;

// The OpenSSL error queue as one line for a log, and empties it.
std::string openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    char full[256];
    if (!reason) {
      ERR_error_string_n(e, full, sizeof full);
      reason = full;
    }
    if (out.find(reason) != std::string::npos) continue;
    if (!out.empty()) out += "; ";
    out += reason;
  }
  return out.empty() ? "unknown TLS error" : out;
}

// RFC 7301: take "http/1.1" when the client offers it; a client offering only
// other protocols (h2) goes on without ALPN rather than being refused.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  static const unsigned char http11[] = "\x08http/1.1";
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, outlen, http11, sizeof http11 - 1, in, inlen) == OPENSSL_NPN_NEGOTIATED) {
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

std::string sha256_fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!cert || X509_digest(cert, EVP_sha256(), md, &len) != 1) return "";
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    if (i) out.push_back(':');
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 15]);
  }
  return out;
}

}  // namespace

// --- tls_context -------------------------------------------------------------

result<std::shared_ptr<const tls_context>> tls_context::load(const std::string& certificate_file,
                                                            const std::string& private_key_file) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return error{errc::internal, "cannot create a TLS context: " + openssl_errors()};
  std::shared_ptr<tls_context> out(new tls_context(ctx));
  out->certificate_file_ = certificate_file;

  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // Level 2: RSA keys of 2048 bits at least, no SHA-1 signatures.
  SSL_CTX_set_security_level(ctx, 2);
  // Client-initiated renegotiation is a denial-of-service lever and nothing
  // here needs it (TLS 1.3 has none).
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);  // idle keep-alive connections hold no buffers
  if (SSL_CTX_set_cipher_list(ctx, tls12_ciphers) != 1)
    return error{errc::internal, "cannot set the TLS 1.2 ciphers: " + openssl_errors()};
  // Resumption: a session cache for TLS 1.2 session ids, and TLS 1.2
  // tickets (on by default in OpenSSL; their key is random per process).
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  static const unsigned char sid_context[] = "quire-ipps";
  SSL_CTX_set_session_id_context(ctx, sid_context, sizeof sid_context - 1);
  SSL_CTX_set_timeout(ctx, session_lifetime_s);
  SSL_CTX_sess_set_cache_size(ctx, 20000);
  SSL_CTX_set_alpn_select_cb(ctx, &select_alpn, nullptr);
  // No TLS 1.3 tickets. They travel after the handshake, and libcups 2.4 on
  // GnuTLS (Debian 12's ipptool and ipps backend) fails the response it is
  // reading when one arrives: _httpTLSRead() turns GnuTLS's E_AGAIN into an
  // error through a stale errno (fixed upstream in OpenPrinting/cups#1507).
  // Every request of those clients failed with them on; without them TLS 1.3
  // clients do a full handshake per connection (keep-alive makes that rare).
  SSL_CTX_set_num_tickets(ctx, 0);

  if (SSL_CTX_use_certificate_chain_file(ctx, certificate_file.c_str()) != 1)
    return error{errc::invalid_argument, "cannot load the certificate " + certificate_file + ": " + openssl_errors()};
  if (SSL_CTX_use_PrivateKey_file(ctx, private_key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return error{errc::invalid_argument, "cannot load the private key " + private_key_file + ": " + openssl_errors()};
  if (SSL_CTX_check_private_key(ctx) != 1)
    return error{errc::invalid_argument,
                 "the private key " + private_key_file + " does not match the certificate " + certificate_file};
  out->fingerprint_ = sha256_fingerprint(SSL_CTX_get0_certificate(ctx));
  return std::shared_ptr<const tls_context>(std::move(out));
}

tls_context::~tls_context() { SSL_CTX_free(ctx_); }

// --- tls_session -------------------------------------------------------------

tls_session::tls_session(std::shared_ptr<const tls_context> ctx) : ctx_(std::move(ctx)) {
  ssl_ = SSL_new(ctx_->native());
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  QUIRE_ASSERT(ssl_ && in && out, "OpenSSL allocations");
  // An empty memory BIO means "not yet" (WANT_READ), not end of stream.
  BIO_set_mem_eof_return(in, -1);
  BIO_set_mem_eof_return(out, -1);
  SSL_set_bio(ssl_, in, out);
  SSL_set_accept_state(ssl_);
}

tls_session::~tls_session() {
  // OpenSSL drops a session from the cache when its connection ends without
  // close_notify, as most HTTP clients end theirs; HTTP frames its own
  // messages (no truncation risk), so keep it resumable, as nginx does.
  if (!failed_ && SSL_is_init_finished(ssl_)) SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  SSL_free(ssl_);
}

status tls_session::receive(std::string_view ciphertext, std::string& plain) {
  if (failed_) return {errc::io_error, "the TLS session failed earlier"};
  ERR_clear_error();
  while (!ciphertext.empty()) {
    int chunk = static_cast<int>(std::min<size_t>(ciphertext.size(), INT_MAX));
    int n = BIO_write(SSL_get_rbio(ssl_), ciphertext.data(), chunk);
    if (n <= 0) {
      failed_ = true;
      return {errc::internal, "cannot buffer TLS input"};
    }
    ciphertext.remove_prefix(static_cast<size_t>(n));
  }
  // SSL_read drives the handshake too; loop until it needs more bytes.
  constexpr size_t step = 16 * 1024;  // one TLS record at most
  for (;;) {
    bool in_handshake = !SSL_is_init_finished(ssl_);  // an error resets it: ask first
    size_t before = plain.size();
    plain.resize(before + step);
    int n = SSL_read(ssl_, plain.data() + before, static_cast<int>(step));
    plain.resize(before + static_cast<size_t>(std::max(n, 0)));
    if (n > 0) continue;
    switch (SSL_get_error(ssl_, n)) {
      case SSL_ERROR_WANT_READ: return {};
      case SSL_ERROR_ZERO_RETURN: peer_closed_ = true; return {};
      default: break;
    }
    failed_ = true;
    std::string what = in_handshake ? "TLS handshake failed: " : "TLS error: ";
    return {errc::io_error, what + openssl_errors()};
  }
}

status tls_session::send(std::string_view plain) {
  if (failed_ || !handshake_done()) return {errc::not_possible, "TLS session not ready to send"};
  ERR_clear_error();
  while (!plain.empty()) {
    int chunk = static_cast<int>(std::min<size_t>(plain.size(), 1 << 20));
    int n = SSL_write(ssl_, plain.data(), chunk);
    if (n <= 0) {
      failed_ = true;
      return {errc::io_error, "TLS write failed: " + openssl_errors()};
    }
    plain.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

void tls_session::close() {
  // SSL_shutdown before the handshake ends only queues an error.
  if (failed_ || !SSL_is_init_finished(ssl_) || (SSL_get_shutdown(ssl_) & SSL_SENT_SHUTDOWN)) return;
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

std::string tls_session::take_output() {
  BIO* out = SSL_get_wbio(ssl_);
  size_t pending = BIO_ctrl_pending(out);
  std::string data(pending, '\0');
  if (pending) {
    int n = BIO_read(out, data.data(), static_cast<int>(pending));
    data.resize(static_cast<size_t>(std::max(n, 0)));
  }
  return data;
}

bool tls_session::has_output() const { return BIO_ctrl_pending(SSL_get_wbio(ssl_)) > 0; }

bool tls_session::handshake_done() const { return SSL_is_init_finished(ssl_) == 1; }

bool tls_session::resumed() const { return SSL_session_reused(ssl_) == 1; }

std::string tls_session::protocol() const { return handshake_done() ? SSL_get_version(ssl_) : ""; }

std::unique_ptr<tls_session> sniff_tls(const std::shared_ptr<const tls_context>& ctx, std::string_view first) {
  if (!ctx || first.empty() || static_cast<unsigned char>(first.front()) != tls_handshake_record) return nullptr;
  return std::make_unique<tls_session>(ctx);
}

}  // namespace quire::io
