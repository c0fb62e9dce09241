// The PIN and enrolment-code rules on their own: trivial PINs, random
// digits, the resend limiter and the one-time codes' lives.
#include <doctest/doctest.h>

#include <array>
#include <set>

#include "actors/pin_rules.hpp"
#include "config/mail_config.hpp"

using namespace quire;

TEST_CASE("trivial PINs: one digit repeated and runs either way, wrapping past 9 and 0") {
  for (const char* p : {"0000", "1111", "999999", "1234", "0123", "6789", "7890", "9012", "4321", "3210", "0987",
                        "1098", "123456789012"})
    CHECK_MESSAGE(trivial_pin(p), p);
  for (const char* p : {"1235", "0001", "1212", "2468", "4317", "975310", "12345670"}) CHECK_MESSAGE(!trivial_pin(p), p);
}

TEST_CASE("random digits have the length asked and every digit about as often") {
  std::array<int, 10> seen{};
  for (int i = 0; i < 2000; ++i) {
    auto d = random_digits(10);
    REQUIRE(d.size() == 10);
    for (char c : d) {
      REQUIRE(c >= '0');
      REQUIRE(c <= '9');
      seen[static_cast<size_t>(c - '0')] += 1;
    }
  }
  // 20,000 digits: 2,000 each expected; 1,700..2,300 is beyond six sigma.
  for (int n : seen) {
    CHECK(n > 1700);
    CHECK(n < 2300);
  }
  CHECK(random_digits(0).empty());
  CHECK(random_digits(16) != random_digits(16));
}

TEST_CASE("the policy words map to what users may do") {
  pins_config c;
  c.policy = "chosen";
  CHECK(pin_policy_of(c).choose);
  CHECK_FALSE(pin_policy_of(c).generate);
  c.policy = "generated";
  c.resend_s = 30;
  CHECK_FALSE(pin_policy_of(c).choose);
  CHECK(pin_policy_of(c).generate);
  CHECK(pin_policy_of(c).resend_ms == 30000);
  c.policy = "either";
  CHECK(pin_policy_of(c).choose);
  CHECK(pin_policy_of(c).generate);
}

TEST_CASE("one generated PIN per user per window") {
  pin_send_limiter l(60000);
  CHECK(l.take("ann", 1000) == 0);
  CHECK(l.take("ann", 31000) == 30000);
  CHECK(l.take("bob", 31000) == 0);
  CHECK(l.take("ann", 61000) == 0);
  CHECK(l.take("ann", 61001) == 59999);
  pin_send_limiter none(0);
  CHECK(none.take("ann", 1) == 0);
  CHECK(none.take("ann", 1) == 0);
}

TEST_CASE("an enrolment code works once, for its user, until it expires") {
  enrolment_codes codes(900000);
  auto c = codes.issue("ann", 1000);
  REQUIRE(c.ok());
  CHECK(c->code.size() == 8);
  CHECK(c->expires_ms == 901000);
  CHECK(codes.owner(c->code, 2000) == std::optional<std::string>("ann"));
  CHECK(codes.owner(c->code, 2000) == std::optional<std::string>("ann"));  // looking does not spend it
  CHECK(codes.spend(c->code, 2000) == std::optional<std::string>("ann"));
  CHECK_FALSE(codes.spend(c->code, 2000));
  CHECK(codes.live() == 0);

  auto late = codes.issue("bob", 1000);
  REQUIRE(late.ok());
  CHECK_FALSE(codes.owner(late->code, 901000));
  CHECK_FALSE(codes.spend(late->code, 901000));
  CHECK_FALSE(codes.spend("00000000", 2000));
}

TEST_CASE("a new enrolment code replaces the user's last one") {
  enrolment_codes codes(60000);
  auto first = codes.issue("ann", 0);
  auto second = codes.issue("ann", 10);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(codes.live() == 1);
  if (first->code != second->code) CHECK_FALSE(codes.spend(first->code, 20));
  CHECK(codes.spend(second->code, 20) == std::optional<std::string>("ann"));
}

TEST_CASE("live codes are bounded, and expired ones make room") {
  enrolment_codes codes(1000, 8, 3);
  for (const char* u : {"a", "b", "c"}) REQUIRE(codes.issue(u, 0).ok());
  auto full = codes.issue("d", 500);
  REQUIRE_FALSE(full.ok());
  CHECK(full.err().code == errc::busy);
  CHECK(codes.issue("d", 1000).ok());  // a, b and c have expired by then
  CHECK(codes.live() == 1);
  std::set<std::string> distinct;
  enrolment_codes many(1000);
  for (int i = 0; i < 500; ++i) distinct.insert(many.issue("u" + std::to_string(i), 0)->code);
  CHECK(distinct.size() == 500);
}
