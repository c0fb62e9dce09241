// endpoint::parse / to_string: IP literals and localhost only.
#include <doctest/doctest.h>

#include "config/config.hpp"

using quire::endpoint;

namespace {

std::string parse_error(const std::string& text) {
  auto r = endpoint::parse(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == quire::errc::invalid_argument);
  return r.err().message;
}

}  // namespace

TEST_CASE("endpoint: IPv4, IPv6 and localhost") {
  auto v4 = endpoint::parse("127.0.0.1:8631");
  REQUIRE(v4.ok());
  CHECK(v4->host == "127.0.0.1");
  CHECK(v4->port == 8631);
  CHECK(v4->to_string() == "127.0.0.1:8631");

  auto v6 = endpoint::parse("[::1]:8631");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == 8631);
  CHECK(v6->to_string() == "[::1]:8631");

  // IPv6 literals come out in their canonical (RFC 5952) form.
  auto long_v6 = endpoint::parse("[0:0:0:0:0:0:0:1]:631");
  REQUIRE(long_v6.ok());
  CHECK(long_v6->host == "::1");
  auto any6 = endpoint::parse("[::]:0");
  REQUIRE(any6.ok());
  CHECK(any6->to_string() == "[::]:0");

  auto local = endpoint::parse("localhost:0");
  REQUIRE(local.ok());
  CHECK(local->host == "127.0.0.1");
  CHECK(local->port == 0);
  CHECK(endpoint::parse("0.0.0.0:65535")->port == 65535);
  CHECK((endpoint{"10.1.2.3", 9}).to_string() == "10.1.2.3:9");
  CHECK((endpoint{"fe80::1", 631}).to_string() == "[fe80::1]:631");
}

TEST_CASE("endpoint: what parse rejects") {
  CHECK(parse_error("127.0.0.1") == "expected host:port, got '127.0.0.1'");
  CHECK(parse_error("127.0.0.1:") == "missing port, got '127.0.0.1:'");
  CHECK(parse_error("[::1]") == "missing port, got '[::1]'");
  CHECK(parse_error(":8631") == "missing host, got ':8631'");
  CHECK(parse_error("[]:8631") == "missing host, got '[]:8631'");
  CHECK(parse_error("127.0.0.1:70000") == "the port must be between 0 and 65535, got '127.0.0.1:70000'");
  CHECK(parse_error("127.0.0.1:65536") == "the port must be between 0 and 65535, got '127.0.0.1:65536'");
  CHECK(parse_error("127.0.0.1:http") == "the port must be a number, got '127.0.0.1:http'");
  CHECK(parse_error("127.0.0.1:-1") == "the port must be a number, got '127.0.0.1:-1'");
  CHECK(parse_error("printer.local:631") ==
        "the host must be an IP address or localhost, got 'printer.local:631'");
  CHECK(parse_error("256.0.0.1:631") == "the host must be an IP address or localhost, got '256.0.0.1:631'");
  CHECK(parse_error("::1:8631") == "an IPv6 address needs brackets, as in [::1]:8631, got '::1:8631'");
  CHECK(parse_error("[127.0.0.1]:80") == "expected an IPv6 address in brackets, got '[127.0.0.1]:80'");
  CHECK(parse_error("[::1:80") == "expected [IPv6 address]:port, got '[::1:80'");
  CHECK(parse_error("[::1]80") == "expected host:port, got '[::1]80'");
  CHECK(parse_error("") == "expected host:port, got ''");
}
