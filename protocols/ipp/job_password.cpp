#include "protocols/ipp/job_password.hpp"

#include <cups/cups.h>

#include <cctype>
#include <cstring>

#include "protocols/result.hpp"

namespace quire::ipp {

namespace {

check unsupported(std::string msg) { return {IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES, std::move(msg)}; }

bool hex_to_bytes(const std::string& hex, std::string& out) {
  if (hex.size() % 2) return false;
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = nib(hex[i]), lo = nib(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

ipp_attribute_t* find_op(ipp_t* req, const char* name) {
  ipp_attribute_t* a = ippFindAttribute(req, name, IPP_TAG_ZERO);
  return a && ippGetGroupTag(a) == IPP_TAG_OPERATION ? a : nullptr;
}

}  // namespace

check parse_job_password(ipp_t* req, const pin_policy& policy, job_password& out) {
  out = {};
  ipp_attribute_t* pw = find_op(req, "job-password");
  ipp_attribute_t* enc = find_op(req, "job-password-encryption");
  if (enc) {
    const char* v = ippGetString(enc, 0, nullptr);
    if (ippGetValueTag(enc) != IPP_TAG_KEYWORD || ippGetCount(enc) != 1 || !v)
      return {IPP_STATUS_ERROR_BAD_REQUEST, "job-password-encryption must be a keyword"};
    out.encryption = v;
  }
  if (!pw) return {};
  int len = 0;
  const void* data = ippGetValueTag(pw) == IPP_TAG_STRING && ippGetCount(pw) == 1 ? ippGetOctetString(pw, 0, &len) : nullptr;
  if (!data) return {IPP_STATUS_ERROR_BAD_REQUEST, "job-password must be an octetString"};
  std::string value(static_cast<const char*>(data), static_cast<size_t>(len));
  out.given = true;
  if (out.encryption == "none") {
    if (value.size() < policy.min_digits || value.size() > policy.max_digits)
      return unsupported("job-password must have " + std::to_string(policy.min_digits) + " to " +
                         std::to_string(policy.max_digits) + " digits");
    for (char c : value)
      if (!std::isdigit(static_cast<unsigned char>(c))) return unsupported("job-password must be digits");
    out.material = std::move(value);
    return {};
  }
  if (out.encryption == "sha2-256") {
    if (value.size() == 64 && hex_to_bytes(value, out.material)) return {};
    if (value.size() == 32) {
      out.material = std::move(value);
      return {};
    }
    return unsupported("a sha2-256 job-password is 32 octets (or 64 hex digits)");
  }
  return unsupported("job-password-encryption '" + out.encryption + "' is not supported");
}

std::string pin_material(const std::string& encryption, const std::string& typed_pin) {
  if (encryption != "sha2-256") return typed_pin;
  unsigned char md[32];
  // libcups's own SHA-256 keeps protocols/ free of another crypto library.
  ssize_t n = cupsHashData("sha2-256", typed_pin.data(), typed_pin.size(), md, sizeof md);
  QUIRE_ASSERT(n == 32, "SHA-256 is 32 bytes");
  return std::string(reinterpret_cast<const char*>(md), 32);
}

}  // namespace quire::ipp
