// job-password (PWG 5100.11 §5.1): the PIN a user sets on a job so that it
// prints only when the PIN is given again at the printer.
//
// The request carries the PIN in clear (job-password-encryption "none") or
// as a SHA-256 digest ("sha2-256", 32 octets, or 64 hex digits as some
// clients send it). Either way what Quire keeps is not this value but an
// HMAC of it bound to the job (storage/credentials.hpp); the "material"
// below is what gets hashed, and a PIN typed later is turned into the same
// material (the digest of it, for sha2-256) before comparing.
#pragma once

#include <cups/ipp.h>

#include <cstddef>
#include <string>

#include "protocols/ipp/codec.hpp"

namespace quire::ipp {

struct pin_policy {
  size_t min_digits = 4;  // a clear PIN: digits only, this long at least...
  size_t max_digits = 8;  // ... and at most (job-password-supported)
};

struct job_password {
  bool given = false;
  std::string encryption = "none";  // "none" or "sha2-256"
  std::string material;             // the PIN (none) or its 32-byte digest
};

/// Reads job-password and job-password-encryption. A clear PIN of the wrong
/// length or with non-digits, a digest of the wrong size, or an encryption
/// Quire does not take: client-error-attributes-or-values-not-supported.
check parse_job_password(ipp_t* req, const pin_policy& policy, job_password& out);

/// The material a PIN typed at a printer stands for, for a job whose PIN
/// came with `encryption`.
std::string pin_material(const std::string& encryption, const std::string& typed_pin);

}  // namespace quire::ipp
