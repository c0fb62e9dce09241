// Credential crypto: password hashes, keyed look-up digests for cards and
// PINs, job-password (PWG 5100.11) PIN digests, and the server secret.
//
// Passwords are stored as scrypt hashes in a self-describing string,
//   $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>
// (the PHC string format: base64 without padding, 16-byte random salt,
// 32-byte hash), so a stored hash keeps verifying after the defaults change.
// One verification costs tens of milliseconds and 16 MiB by design: callers
// run it off the actors' threads and cache a success (actors/auth_rules.hpp).
//
// Card ids and PINs are never stored: the store keys them by
// HMAC-SHA256(server secret, kind 0 value), which finds the owner of a
// presented value without revealing stored ones to someone who reads the
// credentials family alone. (The secret lives in the same database's `meta`
// family: a thief of the whole database can still test guesses.)
//
// Nothing here logs, and no error message carries a secret, a password, a
// PIN or a card id. Every function is thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocols/result.hpp"

namespace quire {

/// A 32-byte key (the server secret). It has no text form on purpose: it can
/// only be handed to the functions below or written to storage as bytes().
/// Its memory is wiped when it is destroyed.
class secret_key {
 public:
  static constexpr size_t size = 32;

  /// An empty key: usable by nothing until assigned.
  secret_key() = default;
  secret_key(const secret_key&) = default;
  secret_key& operator=(const secret_key&) = default;
  ~secret_key();

  /// 32 bytes from the operating system's random generator (OpenSSL
  /// RAND_bytes); errc::internal if it fails.
  static result<secret_key> generate();
  /// Adopts stored bytes; errc::corruption unless there are exactly 32.
  static result<secret_key> from_bytes(std::string_view raw);

  bool empty() const noexcept { return !set_; }
  /// The raw bytes, for storing. REQUIRES: !empty().
  std::string_view bytes() const;

 private:
  std::array<unsigned char, size> bytes_{};
  bool set_ = false;
};

/// The scrypt cost of new password hashes. N = 2^log2_n; memory is 128·r·N
/// bytes (16 MiB here); ~40 ms per hash or verify on this project's 2-core
/// reference machine.
struct scrypt_params {
  uint32_t log2_n = 14;
  uint32_t r = 8;
  uint32_t p = 1;
};

/// The largest scrypt memory verify_password() will spend on a stored hash
/// (its parameters are data: a corrupt or hostile string must not make the
/// server allocate gigabytes).
inline constexpr uint64_t scrypt_max_memory = 256ull << 20;
/// Passwords longer than this are refused (hash) or never match (verify).
inline constexpr size_t max_password_bytes = 1024;

/// "$scrypt$ln=14,r=8,p=1$<salt>$<hash>". errc::invalid_argument for an empty
/// or over-long password; errc::internal if randomness or scrypt fail.
result<std::string> hash_password(std::string_view password, const scrypt_params& params = {});

/// True when `password` matches `stored`: any parameters within
/// scrypt_max_memory, a salt of 8 to 64 bytes, a hash of exactly 32 bytes
/// (scrypt's output is a stream: a cut hash would verify as a prefix). The
/// final comparison is constant-time. A malformed or empty `stored` is false,
/// never a crash.
bool verify_password(std::string_view password, std::string_view stored);

/// True when `stored` parses as a hash this build can verify.
bool is_password_hash(std::string_view stored);

/// True when `stored` was made with other parameters than `params` (or does
/// not parse): after a successful login, hash the password again.
bool needs_rehash(std::string_view stored, const scrypt_params& params = {});

/// HMAC-SHA256(secret, kind 0 value): 32 raw bytes, the look-up key of a card
/// id or a PIN. `kind` names the credential kind ("card", "pin") so that one
/// value used as two kinds gives two unrelated keys.
/// REQUIRES: !secret.empty(); kind has no 0 byte.
std::string credential_key(const secret_key& secret, std::string_view kind, std::string_view value);

/// The digest kept in place of a job-password PIN: HMAC-SHA256 over the job
/// id and the PIN (32 raw bytes). Fast on purpose: wrong PINs are limited by
/// attempt count (pin_attempts), and binding the job id makes a digest
/// useless for any other job. REQUIRES: !secret.empty().
std::string hash_job_pin(const secret_key& secret, uint64_t job_id, std::string_view pin);

/// Constant-time check of a PIN against hash_job_pin's digest. False when
/// `stored` is not a 32-byte digest.
bool verify_job_pin(const secret_key& secret, uint64_t job_id, std::string_view pin, std::string_view stored);

/// SHA-256 of `bytes` (32 raw bytes).
std::string sha256(std::string_view bytes);

/// `n` bytes from RAND_bytes; errc::internal if it fails.
result<std::string> random_bytes(size_t n);

/// 256 random bits as base64url without padding (RFC 4648 §5; 43
/// characters, safe in cookies, headers and URLs): session, terminal and
/// API tokens. errc::internal if randomness fails.
result<std::string> random_token();

/// Overwrites the bytes of `s` (a password, a key, a digest) with zeros in
/// a way the compiler may not optimise away. The size stays.
void wipe(std::string& s) noexcept;

/// Lower-case hexadecimal of `bytes`.
std::string to_hex(std::string_view bytes);

}  // namespace quire
