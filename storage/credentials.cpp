#include "storage/credentials.hpp"

#include <charconv>
#include <cstring>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "protocols/base64.hpp"

namespace quire {

namespace {

constexpr size_t salt_bytes = 16;
constexpr size_t hash_bytes = 32;
constexpr std::string_view scheme = "$scrypt$";

struct parsed_hash {
  scrypt_params params;
  std::string salt;
  std::string hash;
};

// Reads "<name>=<decimal>" at the front of `s` and the separator after it.
bool take_param(std::string_view& s, std::string_view name, char sep, uint32_t& out) {
  if (s.substr(0, name.size()) != name || s.size() <= name.size() || s[name.size()] != '=') return false;
  s.remove_prefix(name.size() + 1);
  size_t end = s.find(sep);
  if (end == std::string_view::npos || end == 0 || end > 10) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + end, out);
  if (ec != std::errc() || ptr != s.data() + end) return false;
  s.remove_prefix(end + 1);
  return true;
}

// The memory EVP_PBE_scrypt needs for these parameters (its own formula:
// B is p·128·r bytes, V and XY 128·r·(N+2)), or 0 when they are out of range.
uint64_t scrypt_memory(const scrypt_params& p) {
  if (p.log2_n < 1 || p.log2_n > 30 || p.r < 1 || p.r > 64 || p.p < 1 || p.p > 64) return 0;
  uint64_t n = 1ull << p.log2_n;
  return 128ull * p.r * p.p + 128ull * p.r * (n + 2);
}

bool parse_hash(std::string_view s, parsed_hash& out) {
  if (s.substr(0, scheme.size()) != scheme) return false;
  s.remove_prefix(scheme.size());
  if (!take_param(s, "ln", ',', out.params.log2_n) || !take_param(s, "r", ',', out.params.r) ||
      !take_param(s, "p", '$', out.params.p))
    return false;
  size_t dollar = s.find('$');
  if (dollar == std::string_view::npos) return false;
  if (!base64_decode(s.substr(0, dollar), out.salt, base64_padding::none) ||
      !base64_decode(s.substr(dollar + 1), out.hash, base64_padding::none)) return false;
  // Exactly 32 bytes of hash: scrypt's output is a PBKDF2 stream, so a cut
  // hash would still verify as its own prefix.
  if (out.salt.size() < 8 || out.salt.size() > 64 || out.hash.size() != hash_bytes) return false;
  uint64_t mem = scrypt_memory(out.params);
  return mem != 0 && mem <= scrypt_max_memory;
}

bool run_scrypt(std::string_view password, std::string_view salt, const scrypt_params& p, size_t out_len,
                std::string& out) {
  out.assign(out_len, '\0');
  uint64_t mem = scrypt_memory(p);
  if (mem == 0) return false;
  int ok = EVP_PBE_scrypt(password.data(), password.size(), reinterpret_cast<const unsigned char*>(salt.data()),
                          salt.size(), 1ull << p.log2_n, p.r, p.p, mem,
                          reinterpret_cast<unsigned char*>(out.data()), out.size());
  return ok == 1;
}

std::string hmac_sha256(const secret_key& key, std::string_view message) {
  QUIRE_ASSERT(!key.empty(), "HMAC with an empty secret");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  auto k = key.bytes();
  unsigned char* r = HMAC(EVP_sha256(), k.data(), static_cast<int>(k.size()),
                          reinterpret_cast<const unsigned char*>(message.data()), message.size(), md, &len);
  QUIRE_ASSERT(r != nullptr && len == 32, "HMAC-SHA256 failed");
  std::string out(reinterpret_cast<const char*>(md), len);
  OPENSSL_cleanse(md, sizeof md);
  return out;
}

}  // namespace

void wipe(std::string& s) noexcept {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
}

secret_key::~secret_key() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

result<secret_key> secret_key::generate() {
  secret_key k;
  if (RAND_bytes(k.bytes_.data(), static_cast<int>(k.bytes_.size())) != 1)
    return error{errc::internal, "the random generator failed"};
  k.set_ = true;
  return k;
}

result<secret_key> secret_key::from_bytes(std::string_view raw) {
  if (raw.size() != size)
    return error{errc::corruption, "a stored secret has " + std::to_string(raw.size()) + " bytes, not 32"};
  secret_key k;
  std::memcpy(k.bytes_.data(), raw.data(), size);
  k.set_ = true;
  return k;
}

std::string_view secret_key::bytes() const {
  QUIRE_ASSERT(set_, "secret_key::bytes on an empty key");
  return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
}

result<std::string> hash_password(std::string_view password, const scrypt_params& params) {
  if (password.empty()) return error{errc::invalid_argument, "the password is empty"};
  if (password.size() > max_password_bytes)
    return error{errc::invalid_argument, "the password is longer than " + std::to_string(max_password_bytes) + " bytes"};
  uint64_t mem = scrypt_memory(params);
  if (mem == 0 || mem > scrypt_max_memory) return error{errc::invalid_argument, "scrypt parameters out of range"};
  auto salt = random_bytes(salt_bytes);
  if (!salt.ok()) return salt.err();
  std::string hash;
  if (!run_scrypt(password, *salt, params, hash_bytes, hash)) return error{errc::internal, "scrypt failed"};
  std::string out(scheme);
  out += "ln=" + std::to_string(params.log2_n) + ",r=" + std::to_string(params.r) + ",p=" + std::to_string(params.p);
  out += '$' + base64_encode(*salt, base64_padding::none) + '$' + base64_encode(hash, base64_padding::none);
  wipe(hash);
  return out;
}

bool verify_password(std::string_view password, std::string_view stored) {
  if (password.empty() || password.size() > max_password_bytes) return false;
  parsed_hash h;
  if (!parse_hash(stored, h)) return false;
  std::string computed;
  bool ok = run_scrypt(password, h.salt, h.params, h.hash.size(), computed) &&
            CRYPTO_memcmp(computed.data(), h.hash.data(), h.hash.size()) == 0;
  wipe(computed);
  return ok;
}

bool is_password_hash(std::string_view stored) {
  parsed_hash h;
  return parse_hash(stored, h);
}

bool needs_rehash(std::string_view stored, const scrypt_params& params) {
  parsed_hash h;
  if (!parse_hash(stored, h)) return true;
  return h.params.log2_n != params.log2_n || h.params.r != params.r || h.params.p != params.p ||
         h.salt.size() != salt_bytes;
}

std::string credential_key(const secret_key& secret, std::string_view kind, std::string_view value) {
  QUIRE_ASSERT(kind.find('\0') == std::string_view::npos, "a credential kind contains a 0 byte");
  std::string message;
  message.reserve(kind.size() + 1 + value.size());
  message.append(kind);
  message.push_back('\0');
  message.append(value);
  std::string key = hmac_sha256(secret, message);
  wipe(message);
  return key;
}

std::string hash_job_pin(const secret_key& secret, uint64_t job_id, std::string_view pin) {
  // "job-password" 0 be64(id) pin: the label keeps these digests apart from
  // credential_key's (whose kinds are "card" and "pin").
  std::string message = "job-password";
  message.push_back('\0');
  for (int shift = 56; shift >= 0; shift -= 8) message.push_back(static_cast<char>((job_id >> shift) & 0xff));
  message.append(pin);
  std::string digest = hmac_sha256(secret, message);
  wipe(message);
  return digest;
}

bool verify_job_pin(const secret_key& secret, uint64_t job_id, std::string_view pin, std::string_view stored) {
  if (stored.size() != 32) return false;
  std::string digest = hash_job_pin(secret, job_id, pin);
  bool ok = CRYPTO_memcmp(digest.data(), stored.data(), 32) == 0;
  wipe(digest);
  return ok;
}

std::string sha256(std::string_view bytes) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  unsigned int len = 0;
  int ok = EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  QUIRE_ASSERT(ok == 1 && len == SHA256_DIGEST_LENGTH, "SHA-256 failed");
  return std::string(reinterpret_cast<const char*>(md), len);
}

result<std::string> random_bytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    return error{errc::internal, "the random generator failed"};
  return out;
}

result<std::string> random_token() {
  auto bytes = random_bytes(32);
  if (!bytes.ok()) return bytes.err();
  std::string t = base64_encode(*bytes, base64_padding::none);
  wipe(*bytes);
  for (char& c : t) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return t;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xf]);
  }
  return out;
}

}  // namespace quire
