// The PIN and enrolment-code endpoints: a user looks after their own PIN
// and codes (self), an administrator anyone's; a generated PIN never comes
// back in an answer, a code comes back once and is not cached.
#include <doctest/doctest.h>

#include "api_test_util.hpp"

using namespace quire;
using namespace quire::testing;

namespace {

api_reply as_alice(api_harness& h, const std::string& method, const std::string& target, const std::string& body = "") {
  auto r = make_request<api_request>(method, target, body);
  r.authorization = basic("alice", "alice-password-1");
  return h.send(r);
}

}  // namespace

TEST_CASE("pins: a user reads their own record with what the PIN policy lets them do") {
  api_harness h;
  auto r = as_alice(h, "GET", "/api/v1/users/alice");
  REQUIRE(r.status() == 200);
  auto j = r.json();
  CHECK(j["name"] == "alice");
  CHECK(j.contains("pin_choice"));
  CHECK(j.contains("pin_by_mail"));
  CHECK(as_alice(h, "GET", "/api/v1/users/root").status() == 403);
}

TEST_CASE("pins: a user sets and clears their own PIN") {
  api_harness h;
  CHECK(as_alice(h, "PUT", "/api/v1/users/alice/pin", R"({"pin":"583091"})").status() == 204);
  CHECK(h.service.accounts["alice"].pin == "583091");
  CHECK(as_alice(h, "DELETE", "/api/v1/users/alice/pin").status() == 204);
  CHECK_FALSE(h.service.accounts["alice"].pin);
  CHECK(h.service.calls.back() == "clear_pin alice by alice");
}

TEST_CASE("pins: a generated PIN is sent, and the answer says only where") {
  api_harness h;
  h.service.accounts["alice"].record.email = "alice@uni.test";
  auto r = as_alice(h, "POST", "/api/v1/users/alice/pin/generate");
  REQUIRE(r.status() == 200);
  CHECK(r.json()["sent_to"] == "alice@uni.test");
  REQUIRE(h.service.sent_pins.count("alice@uni.test"));
  const std::string pin = h.service.sent_pins["alice@uni.test"];
  CHECK(r.response.body.find(pin) == std::string::npos);
  CHECK(r.json().size() == 1);
  // The print desk may send one to a student; nobody without an address.
  h.service.add("bob", "pw-bob-123456");
  r = h.call("POST", "/api/v1/users/bob/pin/generate");
  CHECK(r.status() == 409);
  CHECK(r.error() == "not_possible");
  CHECK(h.call("POST", "/api/v1/users/nobody/pin/generate").status() == 404);
  // No body, no other method.
  CHECK(as_alice(h, "POST", "/api/v1/users/alice/pin/generate", R"({"pin":"1"})").status() == 400);
  CHECK(as_alice(h, "GET", "/api/v1/users/alice/pin/generate").status() == 405);
}

TEST_CASE("pins: the service's refusals keep their status") {
  api_harness h;
  h.service.accounts["alice"].record.email = "alice@uni.test";
  h.service.fail_next = error{errc::limit_exceeded, "a PIN was sent moments ago"};
  CHECK(as_alice(h, "POST", "/api/v1/users/alice/pin/generate").status() == 429);
  h.service.fail_next = error{errc::unavailable, "the PIN could not be e-mailed"};
  auto r = as_alice(h, "POST", "/api/v1/users/alice/pin/generate");
  CHECK(r.status() == 503);
  CHECK(r.response.body.find("could not be e-mailed") != std::string::npos);
  h.service.fail_next = error{errc::permission_denied, "PINs are chosen by their users at this site"};
  CHECK(as_alice(h, "POST", "/api/v1/users/alice/pin/generate").status() == 403);
}

TEST_CASE("pins: an enrolment code is shown once, to its user, and not cached") {
  api_harness h;
  auto r = as_alice(h, "POST", "/api/v1/users/alice/enrolment-code");
  REQUIRE(r.status() == 201);
  CHECK(r.header("Cache-Control") == "no-store");
  auto j = r.json();
  CHECK(j["code"] == h.service.codes["alice"]);
  CHECK(j["expires_ms"] == 5000);
  CHECK(as_alice(h, "POST", "/api/v1/users/root/enrolment-code").status() == 403);
  CHECK(h.call("POST", "/api/v1/users/alice/enrolment-code").status() == 201);  // an administrator
  CHECK(as_alice(h, "POST", "/api/v1/users/alice/enrolment-code", "{}").status() == 400);
  CHECK(as_alice(h, "DELETE", "/api/v1/users/alice/enrolment-code").status() == 405);
}
