#include <doctest/doctest.h>

#include "ipp_test_util.hpp"
#include "protocols/ipp/job_password.hpp"

using namespace quire;
using namespace quire::ipp;
using quire::testing::printer_request;
using quire::testing::roundtrip;

namespace {

check parse(const std::string& pin, const char* encryption, job_password& out) {
  auto req = printer_request(IPP_OP_PRINT_JOB);
  if (!pin.empty())
    ippAddOctetString(req.get(), IPP_TAG_OPERATION, "job-password", pin.data(), static_cast<int>(pin.size()));
  if (encryption)
    ippAddString(req.get(), IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "job-password-encryption", nullptr, encryption);
  auto m = roundtrip(req.get());
  return parse_job_password(m.get(), pin_policy{}, out);
}

}  // namespace

TEST_CASE("job-password: a clear PIN of 4 to 8 digits") {
  job_password p;
  REQUIRE_FALSE(parse("1234", "none", p));
  CHECK(p.given);
  CHECK(p.material == "1234");
  CHECK(pin_material(p.encryption, "1234") == p.material);
  REQUIRE_FALSE(parse("", nullptr, p));
  CHECK_FALSE(p.given);
  CHECK(parse("123", "none", p).status == IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES);
  CHECK(parse("123456789", nullptr, p).status == IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES);
  CHECK(parse("12a4", nullptr, p).status == IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES);
  CHECK(parse("1234", "rot13", p).status == IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES);
}

TEST_CASE("job-password: a sha2-256 digest, raw or hex, matches the PIN typed later") {
  std::string digest = pin_material("sha2-256", "2468");
  REQUIRE(digest.size() == 32);
  job_password raw, hex;
  REQUIRE_FALSE(parse(digest, "sha2-256", raw));
  CHECK(raw.material == digest);
  static const char* h = "0123456789abcdef";
  std::string as_hex;
  for (unsigned char c : digest) {
    as_hex.push_back(h[c >> 4]);
    as_hex.push_back(h[c & 15]);
  }
  REQUIRE_FALSE(parse(as_hex, "sha2-256", hex));
  CHECK(hex.material == digest);
  CHECK(pin_material("sha2-256", "2469") != digest);
  job_password bad;
  CHECK(parse("short", "sha2-256", bad).status == IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES);
}
