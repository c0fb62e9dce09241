#include <doctest/doctest.h>

#include <string>

#include "storage/credentials.hpp"

using namespace quire;

namespace {

// Cheap parameters for tests that hash many times (the format is the same).
constexpr scrypt_params fast{4, 8, 1};

secret_key fixed_secret() {
  std::string raw;
  for (int i = 1; i <= 32; ++i) raw.push_back(static_cast<char>(i));
  auto k = secret_key::from_bytes(raw);
  REQUIRE(k.ok());
  return *k;
}

}  // namespace

TEST_CASE("a password hash describes itself and verifies only its password") {
  auto h = hash_password("correct horse battery staple");
  REQUIRE(h.ok());
  CHECK(h->rfind("$scrypt$ln=14,r=8,p=1$", 0) == 0);
  // 16-byte salt and 32-byte hash in unpadded base64: 22 and 43 characters.
  auto salt_at = h->find('$', 9) + 1;
  auto hash_at = h->find('$', salt_at) + 1;
  CHECK(hash_at - salt_at - 1 == 22);
  CHECK(h->size() - hash_at == 43);
  CHECK(h->find("correct") == std::string::npos);
  CHECK(verify_password("correct horse battery staple", *h));
  CHECK_FALSE(verify_password("correct horse battery stapler", *h));
  CHECK_FALSE(verify_password("", *h));
  CHECK(is_password_hash(*h));
  CHECK_FALSE(needs_rehash(*h));
}

TEST_CASE("each hash has its own salt") {
  auto a = hash_password("same", fast);
  auto b = hash_password("same", fast);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a != *b);
  CHECK(verify_password("same", *a));
  CHECK(verify_password("same", *b));
}

TEST_CASE("hashes made with other parameters keep verifying, and ask for a rehash") {
  auto old = hash_password("pw", scrypt_params{10, 4, 2});
  REQUIRE(old.ok());
  CHECK(old->rfind("$scrypt$ln=10,r=4,p=2$", 0) == 0);
  CHECK(verify_password("pw", *old));
  CHECK(needs_rehash(*old));
  CHECK_FALSE(needs_rehash(*old, scrypt_params{10, 4, 2}));
}

TEST_CASE("a hash made by another scrypt implementation verifies (PHC format)") {
  // Python: hashlib.scrypt(pw, salt=bytes(range(16)), n=16, r=8, p=1, dklen=32),
  // base64 without padding.
  const std::string python = "$scrypt$ln=4,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU";
  CHECK(verify_password("correct horse battery staple", python));
  CHECK_FALSE(verify_password("correct horse battery stapl", python));
}

TEST_CASE("malformed stored hashes are false, never a crash") {
  const std::string good = "$scrypt$ln=4,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU";
  const char* pw = "correct horse battery staple";
  const char* bad[] = {
      "",
      "$scrypt$",
      "plaintext-password",
      "$scrypt$ln=4,r=8,p=1$",
      "$scrypt$ln=4,r=8,p=1$AAECAwQFBgcICQoLDA0ODw",
      "$scrypt$ln=4,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$",
      "$scrypt$ln=4,r=8$AAECAwQFBgcICQoLDA0ODw$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU",
      "$scrypt$r=8,ln=4,p=1$AAECAwQFBgcICQoLDA0ODw$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU",
      "$scrypt$ln=0,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU",
      "$scrypt$ln=4,r=0,p=1$AAECAwQFBgcICQoLDA0ODw$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU",
      "$scrypt$ln=4,r=8,p=0$AAECAwQFBgcICQoLDA0ODw$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU",
      "$scrypt$ln=-4,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU",
      "$scrypt$ln=+4,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU",
      "$scrypt$ln=99999999999,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU",
      // 1 GiB and 2^30·8 KiB of memory: refused before any allocation.
      "$scrypt$ln=20,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU",
      "$scrypt$ln=30,r=64,p=64$AAECAwQFBgcICQoLDA0ODw$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU",
      // padding, foreign characters, non-zero trailing bits, short salt
      "$scrypt$ln=4,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU",
      "$scrypt$ln=4,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$IZMORLo-NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU",
      "$scrypt$ln=4,r=8,p=1$AAECAwQFBgcICQoLDA0ODx$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU",
      "$scrypt$ln=4,r=8,p=1$AAEC$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU",
      "$scrypt$ln=4,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU$extra",
      "$scrypt$ln=4,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU ",
  };
  for (const char* s : bad) {
    CAPTURE(s);
    CHECK_FALSE(verify_password(pw, s));
    CHECK_FALSE(is_password_hash(s));
    CHECK(needs_rehash(s));
  }
  CHECK_FALSE(verify_password(pw, std::string_view(good.data(), good.size() - 1)));
  CHECK_FALSE(verify_password(pw, std::string(good).insert(20, 1, '\0')));

  // Every prefix, and every byte replaced by a few others, is refused.
  for (size_t n = 0; n < good.size(); ++n) CHECK_FALSE(verify_password(pw, good.substr(0, n)));
  for (size_t i = 0; i < good.size(); ++i) {
    for (char c : {'\0', '$', '9', 'A', 'z', '\xff'}) {
      if (good[i] == c) continue;
      std::string m = good;
      m[i] = c;
      CAPTURE(m);
      CHECK_FALSE(verify_password(pw, m));
    }
  }
  CHECK(verify_password(pw, good));
}

TEST_CASE("unusable passwords are refused without echoing them") {
  auto empty = hash_password("");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.err().code == errc::invalid_argument);
  std::string huge(max_password_bytes + 1, 'x');
  huge.replace(0, 6, "hunter");
  auto r = hash_password(huge);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::invalid_argument);
  CHECK(r.err().describe().find("hunter") == std::string::npos);
  CHECK_FALSE(verify_password(huge, "$scrypt$ln=4,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$IZMORLo+NKM9sf3dDH1ZCk4hbDj0SQeYfTHU51eMJgU"));
}

TEST_CASE("credential keys: HMAC-SHA256 over kind 0 value") {
  auto s = fixed_secret();
  // Python: hmac.new(bytes(range(1, 33)), b"card\0" b"04A1B2C3D4", sha256)
  CHECK(to_hex(credential_key(s, "card", "04A1B2C3D4")) ==
        "f15fd557ecfefebc315ba604402622ede326ce2c5314ec7da4e0bfb0e4673fb3");
  auto k = credential_key(s, "card", "04A1B2C3D4");
  CHECK(k.size() == 32);
  CHECK(k == credential_key(s, "card", "04A1B2C3D4"));
  CHECK(k != credential_key(s, "pin", "04A1B2C3D4"));
  CHECK(k != credential_key(s, "card", "04A1B2C3D5"));
  // "card" + "0x" and "card0" + "x" are different inputs.
  CHECK(credential_key(s, "card", "0x") != credential_key(s, "card0", "x"));
  auto other = secret_key::generate();
  REQUIRE(other.ok());
  CHECK(k != credential_key(*other, "card", "04A1B2C3D4"));
}

TEST_CASE("job PINs: bound to the job, compared in constant time") {
  auto s = fixed_secret();
  auto d = hash_job_pin(s, 42, "1234");
  // Python: hmac.new(key, b"job-password\0" + (42).to_bytes(8, "big") + b"1234", sha256)
  CHECK(to_hex(d) == "16f8b04c518b81177054cc2d7f08c3cad4c26f7f6a5cc83cf09a2661ee88484b");
  CHECK(verify_job_pin(s, 42, "1234", d));
  CHECK_FALSE(verify_job_pin(s, 42, "1235", d));
  CHECK_FALSE(verify_job_pin(s, 43, "1234", d));
  CHECK_FALSE(verify_job_pin(s, 42, "1234", d.substr(0, 31)));
  CHECK_FALSE(verify_job_pin(s, 42, "1234", ""));
  CHECK(d != credential_key(s, "pin", "1234"));
}

TEST_CASE("secrets: random, exactly 32 bytes, never quoted") {
  auto a = secret_key::generate();
  auto b = secret_key::generate();
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->bytes().size() == 32);
  CHECK(a->bytes() != b->bytes());
  CHECK(secret_key().empty());
  auto bad = secret_key::from_bytes("tooshort-secret-bytes");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().code == errc::corruption);
  CHECK(bad.err().describe().find("tooshort") == std::string::npos);
  auto copy = *a;
  CHECK(copy.bytes() == a->bytes());
}

TEST_CASE("helpers") {
  CHECK(to_hex(std::string("\x00\x7f\xff", 3)) == "007fff");
  CHECK(to_hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto r = random_bytes(16);
  REQUIRE(r.ok());
  CHECK(r->size() == 16);
  std::string w = "secret";
  wipe(w);
  CHECK(w == std::string(6, '\0'));
}
