// tls_context / tls_session against an OpenSSL client, all in memory: the
// test moves the bytes between the two, so every split and every failure is
// deterministic. ensure_certificate() on a temporary folder.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "actors/io/tls.hpp"
#include "test_util.hpp"

using namespace quire;
using namespace quire::io;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// A server context on a fresh generated certificate.
struct server_fixture {
  testing::temp_dir dir;
  tls_files files;
  std::shared_ptr<const tls_context> ctx;

  server_fixture() {
    auto f = ensure_certificate(dir.path(), "printer.example");
    REQUIRE(f.ok());
    files = *f;
    auto c = tls_context::load(files.certificate, files.private_key);
    INFO((c.ok() ? "" : c.err().message));
    REQUIRE(c.ok());
    ctx = *c;
  }
};

// An OpenSSL client on memory BIOs.
struct client {
  SSL_CTX* ctx;
  SSL* ssl;

  explicit client(const server_fixture& srv, int max_version = 0, const char* host = "localhost") {
    ctx = SSL_CTX_new(TLS_client_method());
    if (max_version) {
      SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
      SSL_CTX_set_max_proto_version(ctx, max_version);
      SSL_CTX_set_security_level(ctx, 0);  // or OpenSSL 3 would not even offer TLS 1.1
      SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
    }
    REQUIRE(SSL_CTX_load_verify_locations(ctx, srv.files.certificate.c_str(), nullptr) == 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    static const unsigned char alpn[] = "\x02h2\x08http/1.1";
    SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn - 1);
    ssl = SSL_new(ctx);
    SSL_set1_host(ssl, host);
    SSL_set_bio(ssl, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    BIO_set_mem_eof_return(SSL_get_rbio(ssl), -1);
    SSL_set_connect_state(ssl);
  }
  ~client() {
    SSL_free(ssl);
    SSL_CTX_free(ctx);
  }

  std::string output() {
    BIO* out = SSL_get_wbio(ssl);
    std::string data(BIO_ctrl_pending(out), '\0');
    if (!data.empty()) BIO_read(out, data.data(), static_cast<int>(data.size()));
    return data;
  }
  void input(const std::string& bytes) {
    if (!bytes.empty()) BIO_write(SSL_get_rbio(ssl), bytes.data(), static_cast<int>(bytes.size()));
  }
  // Whatever plaintext the client can read now (drives its handshake too).
  std::string read() {
    std::string out;
    char buf[4096];
    int n;
    while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    ERR_clear_error();
    return out;
  }
};

// Moves bytes both ways until neither side has anything to say. Returns the
// server's first error, and the plaintext it received in `plain`.
status pump(client& c, tls_session& s, std::string& plain, std::string& client_plain) {
  for (int round = 0; round < 20; ++round) {
    SSL_do_handshake(c.ssl);
    client_plain += c.read();
    std::string to_server = c.output();
    if (!to_server.empty())
      if (status st = s.receive(to_server, plain)) {
        c.input(s.take_output());
        return st;
      }
    std::string to_client = s.take_output();
    if (to_server.empty() && to_client.empty()) return {};
    c.input(to_client);
  }
  FAIL("the handshake does not settle");
  return {};
}

status pump(client& c, tls_session& s) {
  std::string a, b;
  return pump(c, s, a, b);
}

}  // namespace

TEST_CASE("tls: a handshake in memory, then data both ways") {
  server_fixture srv;
  client c(srv);
  tls_session s(srv.ctx);
  CHECK_FALSE(s.handshake_done());
  REQUIRE_FALSE(pump(c, s));
  REQUIRE(s.handshake_done());
  CHECK(SSL_is_init_finished(c.ssl));
  CHECK(s.protocol() == "TLSv1.3");
  CHECK_FALSE(s.resumed());
  CHECK(SSL_get_verify_result(c.ssl) == X509_V_OK);  // the generated certificate names localhost
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(c.ssl, &alpn, &alpn_len);
  CHECK(std::string(reinterpret_cast<const char*>(alpn), alpn_len) == "http/1.1");

  std::string request = "POST /ipp/print/secure HTTP/1.1\r\n\r\n" + std::string(100000, 'x');
  REQUIRE(SSL_write(c.ssl, request.data(), static_cast<int>(request.size())) > 0);
  std::string plain, client_plain;
  REQUIRE_FALSE(pump(c, s, plain, client_plain));
  CHECK(plain == request);

  REQUIRE_FALSE(s.send("HTTP/1.1 200 OK\r\n\r\n"));
  REQUIRE_FALSE(s.send(std::string(70000, 'y')));
  c.input(s.take_output());
  CHECK(c.read() == "HTTP/1.1 200 OK\r\n\r\n" + std::string(70000, 'y'));
}

TEST_CASE("tls: ciphertext fed a byte at a time (partial records) gives the same plaintext") {
  server_fixture srv;
  client c(srv);
  tls_session s(srv.ctx);
  REQUIRE_FALSE(pump(c, s));
  std::string msg = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  SSL_write(c.ssl, msg.data(), static_cast<int>(msg.size()));
  std::string wire = c.output(), plain;
  for (char b : wire) REQUIRE_FALSE(s.receive(std::string_view(&b, 1), plain));
  CHECK(plain == msg);
}

TEST_CASE("tls: a second TLS 1.2 connection resumes the session, by ticket or by session id") {
  server_fixture srv;
  for (bool ticket : {true, false}) {
    CAPTURE(ticket);
    int version = TLS1_2_VERSION;
    SSL_SESSION* saved = nullptr;
    {
      client c(srv);
      SSL_CTX_set_max_proto_version(c.ctx, version);
      SSL_set_max_proto_version(c.ssl, version);
      if (!ticket) SSL_set_options(c.ssl, SSL_OP_NO_TICKET);  // the server's session cache then
      tls_session s(srv.ctx);
      REQUIRE_FALSE(pump(c, s));
      c.read();
      saved = SSL_get1_session(c.ssl);
      REQUIRE(saved);
      CHECK(SSL_SESSION_is_resumable(saved));
      // A client that ends without close_notify makes its own OpenSSL forget
      // the session; a polite one keeps it.
      SSL_shutdown(c.ssl);
    }
    client c(srv);
    SSL_set_max_proto_version(c.ssl, version);
    if (!ticket) SSL_set_options(c.ssl, SSL_OP_NO_TICKET);
    SSL_set_session(c.ssl, saved);
    SSL_SESSION_free(saved);
    tls_session s(srv.ctx);
    REQUIRE_FALSE(pump(c, s));
    CHECK(s.resumed());
    CHECK(SSL_session_reused(c.ssl) == 1);
  }
}

TEST_CASE("tls: TLS 1.3 sends no session ticket after the handshake (libcups 2.4 trips over one)") {
  server_fixture srv;
  client c(srv);
  tls_session s(srv.ctx);
  REQUIRE_FALSE(pump(c, s));
  CHECK(s.protocol() == "TLSv1.3");
  CHECK_FALSE(s.has_output());
  SSL_SESSION* sess = SSL_get1_session(c.ssl);
  CHECK_FALSE(SSL_SESSION_is_resumable(sess));
  SSL_SESSION_free(sess);
}

TEST_CASE("tls: a client that speaks TLS 1.1 at most is refused with an alert") {
  server_fixture srv;
  client c(srv, TLS1_1_VERSION);
  tls_session s(srv.ctx);
  status st = pump(c, s);
  REQUIRE(st);
  CHECK(st.message.find("handshake failed") != std::string::npos);
  CHECK(st.message.find("unsupported protocol") != std::string::npos);
  CHECK_FALSE(s.handshake_done());
  CHECK_FALSE(SSL_is_init_finished(c.ssl));
  // The session stays failed, and says so instead of crashing.
  std::string plain;
  CHECK(s.receive("more", plain));
  CHECK(s.send("x"));
}

TEST_CASE("tls: garbage gives an error, before or after the handshake") {
  server_fixture srv;
  SUBCASE("plain HTTP where a ClientHello should be") {
    tls_session s(srv.ctx);
    std::string plain;
    status st = s.receive("\x16GET / HTTP/1.1\r\nHost: x\r\n\r\n", plain);
    REQUIRE(st);
    CHECK(st.message.find("TLS handshake failed") == 0);
    CHECK(plain.empty());
  }
  SUBCASE("a ClientHello, then bytes that are not TLS records") {
    client c(srv);
    tls_session s(srv.ctx);
    SSL_do_handshake(c.ssl);
    std::string plain;
    REQUIRE_FALSE(s.receive(c.output(), plain));
    status st = s.receive(std::string(300, '\xff'), plain);
    REQUIRE(st);
    CHECK(s.has_output());  // an alert for the client
  }
  SUBCASE("a record that fails its integrity check after the handshake") {
    client c(srv);
    tls_session s(srv.ctx);
    REQUIRE_FALSE(pump(c, s));
    SSL_write(c.ssl, "hello", 5);
    std::string wire = c.output(), plain;
    wire[wire.size() - 3] ^= 0x55;
    status st = s.receive(wire, plain);
    REQUIRE(st);
    CHECK(st.message.find("TLS error") == 0);
    CHECK(plain.empty());
  }
}

TEST_CASE("tls: close_notify both ways") {
  server_fixture srv;
  client c(srv);
  tls_session s(srv.ctx);
  REQUIRE_FALSE(pump(c, s));
  c.read();
  SSL_shutdown(c.ssl);
  std::string plain;
  REQUIRE_FALSE(s.receive(c.output(), plain));
  CHECK(s.peer_closed());
  // The server still answers, then closes in turn.
  REQUIRE_FALSE(s.send("bye"));
  s.close();
  s.close();  // idempotent
  c.input(s.take_output());
  CHECK(c.read() == "bye");
  CHECK((SSL_get_shutdown(c.ssl) & SSL_RECEIVED_SHUTDOWN) != 0);
}

TEST_CASE("tls: ensure_certificate generates a key and certificate once, then reuses them") {
  testing::temp_dir dir;
  auto first = ensure_certificate(dir.path(), "printer.example");
  REQUIRE(first.ok());
  CHECK(first->generated);
  CHECK(first->certificate == dir.path() + "/tls/server.crt");
  CHECK(first->private_key == dir.path() + "/tls/server.key");
  CHECK(mode_of(first->private_key) == 0600);
  CHECK(mode_of(first->certificate) == 0644);
  CHECK(mode_of(dir.path() + "/tls") == 0700);
  std::string cert = read_file(first->certificate), key = read_file(first->private_key);
  CHECK(cert.find("BEGIN CERTIFICATE") != std::string::npos);
  CHECK(key.find("BEGIN PRIVATE KEY") != std::string::npos);

  // The certificate: P-256, CN and subjectAltName, ~10 years.
  BIO* b = BIO_new_mem_buf(cert.data(), static_cast<int>(cert.size()));
  X509* x = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
  BIO_free(b);
  REQUIRE(x);
  CHECK(X509_check_host(x, "printer.example", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(x, "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(x, "127.0.0.1", 0) == 1);
  CHECK(X509_check_ip_asc(x, "::1", 0) == 1);
  CHECK(X509_check_host(x, "other.example", 0, 0, nullptr) == 0);
  char cn[128] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
  CHECK(std::string(cn) == "printer.example");
  EVP_PKEY* pub = X509_get0_pubkey(x);
  CHECK(EVP_PKEY_is_a(pub, "EC"));
  CHECK(EVP_PKEY_get_bits(pub) == 256);
  int days = 0, secs = 0;
  ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x));
  CHECK(days >= 3649);
  X509_free(x);

  auto again = ensure_certificate(dir.path());
  REQUIRE(again.ok());
  CHECK_FALSE(again->generated);
  CHECK(read_file(again->certificate) == cert);
  CHECK(read_file(again->private_key) == key);

  // Half a pair (a crash, a deleted file): both are made again.
  std::filesystem::remove(first->certificate);
  auto remade = ensure_certificate(dir.path(), "printer.example");
  REQUIRE(remade.ok());
  CHECK(remade->generated);
  CHECK(read_file(remade->private_key) != key);
  auto ctx = tls_context::load(remade->certificate, remade->private_key);
  REQUIRE(ctx.ok());
  CHECK((*ctx)->fingerprint().size() == 32 * 3 - 1);  // "AB:CD:..."
}

TEST_CASE("tls: loading names the file that is missing or does not fit") {
  server_fixture a, b;
  auto missing = tls_context::load(a.dir.path() + "/nope.crt", a.files.private_key);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.err().message.find("nope.crt") != std::string::npos);
  auto no_key = tls_context::load(a.files.certificate, a.dir.path() + "/nope.key");
  REQUIRE_FALSE(no_key.ok());
  CHECK(no_key.err().message.find("nope.key") != std::string::npos);
  auto mismatch = tls_context::load(a.files.certificate, b.files.private_key);
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.err().message.find(b.files.private_key) != std::string::npos);
  CHECK(mismatch.err().message.find("mismatch") != std::string::npos);
}
