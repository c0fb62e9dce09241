#include <doctest/doctest.h>

#include "protocols/base64.hpp"

using namespace quire;

TEST_CASE("base64: RFC 4648 test vectors, padded and not") {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* padded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  const char* bare[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    CHECK(base64_encode(plain[i], base64_padding::required) == padded[i]);
    CHECK(base64_encode(plain[i], base64_padding::none) == bare[i]);
    std::string out;
    REQUIRE(base64_decode(padded[i], out, base64_padding::required));
    CHECK(out == plain[i]);
    REQUIRE(base64_decode(bare[i], out, base64_padding::none));
    CHECK(out == plain[i]);
  }
}

TEST_CASE("base64: one encoding per value") {
  std::string out;
  CHECK_FALSE(base64_decode("Zg", out, base64_padding::required));    // padding missing
  CHECK_FALSE(base64_decode("Zg==", out, base64_padding::none));      // padding where none belongs
  CHECK_FALSE(base64_decode("Zg=", out, base64_padding::required));
  CHECK_FALSE(base64_decode("Zm9v====", out, base64_padding::required));
  CHECK_FALSE(base64_decode("Z===", out, base64_padding::required));
  CHECK_FALSE(base64_decode("Zh==", out, base64_padding::required));  // unused bits set
  CHECK_FALSE(base64_decode("Zh", out, base64_padding::none));
  CHECK_FALSE(base64_decode("Z", out, base64_padding::none));
  CHECK_FALSE(base64_decode("Zm 9v", out, base64_padding::none));
  CHECK_FALSE(base64_decode("Zm=v", out, base64_padding::required));  // padding inside
}
