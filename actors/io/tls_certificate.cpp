// ensure_certificate(): the self-signed certificate a server without a
// configured one presents. Clients cannot verify it against a CA; they pin
// it on first use (CUPS keeps it in ~/.cups/ssl) or are given the file, so
// it must stay the same across restarts: generated once, then reused.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "actors/io/tls.hpp"

namespace quire::io {

namespace {

constexpr long validity_days = 3650;

struct free_pkey {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct free_x509 {
  void operator()(X509* x) const { X509_free(x); }
};
struct free_bio {
  void operator()(BIO* b) const { BIO_free(b); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, free_pkey>;
using x509_ptr = std::unique_ptr<X509, free_x509>;
using bio_ptr = std::unique_ptr<BIO, free_bio>;

error ssl_error(const std::string& what) {
  char buf[256] = "unknown error";
  if (unsigned long e = ERR_get_error()) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return {errc::internal, what + ": " + buf};
}

// A name usable in CN and subjectAltName as given (the extension syntax
// would read a ',' as a separator).
bool plain_dns_name(const std::string& h) {
  if (h.empty() || h.size() > 63) return false;
  for (char c : h)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
      return false;
  return true;
}

std::string this_host_name() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

status add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
  if (!ext) return ssl_error("certificate extension " + value);
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1 ? status{} : ssl_error("certificate extension " + value);
}

result<x509_ptr> self_signed(EVP_PKEY* key, const std::string& host) {
  x509_ptr cert(X509_new());
  if (!cert) return ssl_error("X509_new");
  X509_set_version(cert.get(), 2);  // v3, for the extensions
  // A random positive 159-bit serial (RFC 5280 §4.1.2.2: at most 20 octets).
  BIGNUM* serial = BN_new();
  bool ok = serial && BN_rand(serial, 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
            BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(serial);
  if (!ok) return ssl_error("certificate serial");
  // Valid from an hour ago: a client whose clock is a little behind accepts it.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), validity_days, 0, nullptr);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(host.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::string san = "DNS:localhost";
  if (host != "localhost") san += ",DNS:" + host;
  san += ",IP:127.0.0.1,IP:::1";
  const std::pair<int, std::string> extensions[] = {{NID_basic_constraints, "critical,CA:FALSE"},
                                                     {NID_ext_key_usage, "serverAuth"},
                                                     {NID_subject_key_identifier, "hash"},
                                                     {NID_subject_alt_name, san}};
  for (const auto& [nid, value] : extensions)
    if (status s = add_extension(cert.get(), nid, value)) return s;
  if (X509_sign(cert.get(), key, EVP_sha256()) == 0) return ssl_error("signing the certificate");
  return cert;
}

std::string bio_text(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  return std::string(data, static_cast<size_t>(n > 0 ? n : 0));
}

// Writes `text` to `path` through a temporary file and a rename, so a crash
// never leaves half a key; `mode` is set exactly, whatever the umask.
status write_file(const std::string& path, const std::string& text, mode_t mode) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return {errc::io_error, "cannot create " + tmp + ": " + std::strerror(errno)};
  bool ok = ::fchmod(fd, mode) == 0;
  for (size_t done = 0; ok && done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) saved = errno;
    ::unlink(tmp.c_str());
    return {errc::io_error, "cannot write " + path + ": " + std::strerror(saved)};
  }
  return {};
}

}  // namespace

result<tls_files> ensure_certificate(const std::string& data_dir, std::string host_name) {
  namespace fs = std::filesystem;
  std::string dir = data_dir + "/tls";
  tls_files files{dir + "/server.crt", dir + "/server.key", false};
  std::error_code ec;
  if (fs::exists(files.certificate, ec) && fs::exists(files.private_key, ec)) return files;

  if (!fs::is_directory(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return error{errc::io_error, "cannot create " + dir + ": " + ec.message()};
    ::chmod(dir.c_str(), 0700);  // it holds a private key
  }
  if (host_name.empty()) host_name = this_host_name();
  if (!plain_dns_name(host_name)) host_name = "localhost";

  ERR_clear_error();
  pkey_ptr key(EVP_EC_gen("P-256"));
  if (!key) return ssl_error("generating an EC P-256 key");
  auto cert = self_signed(key.get(), host_name);
  if (!cert) return cert.err();
  bio_ptr key_pem(BIO_new(BIO_s_mem())), cert_pem(BIO_new(BIO_s_mem()));
  if (!key_pem || !cert_pem || PEM_write_bio_PrivateKey(key_pem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_X509(cert_pem.get(), cert->get()) != 1)
    return ssl_error("encoding the certificate");
  // The key first: a crash between the two leaves no certificate, and the
  // next start generates both again.
  if (status s = write_file(files.private_key, bio_text(key_pem.get()), 0600)) return s;
  if (status s = write_file(files.certificate, bio_text(cert_pem.get()), 0644)) return s;
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  files.generated = true;
  return files;
}

}  // namespace quire::io
