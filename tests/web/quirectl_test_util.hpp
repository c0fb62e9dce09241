// What quirectl's tests share: a command line parsed as quirectl parses
// it, the request it builds, and the message a refused one gets.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "web/quirectl_cli.hpp"

namespace quire::testing {

inline result<quirectl::invocation> parse(std::vector<std::string> args) {
  return quirectl::parse_command_line(args);
}

/// "(accepted)" for a command line quirectl takes, else its message.
inline std::string usage_message(std::vector<std::string> args) {
  auto r = parse(std::move(args));
  return r.ok() ? "(accepted)" : r.err().message;
}

/// The request of a command line quirectl takes (REQUIREs that it does).
inline quirectl::api_request request_of(std::vector<std::string> args) {
  auto inv = parse(std::move(args));
  REQUIRE(inv.ok());
  return quirectl::build_request(*inv, "");
}

}  // namespace quire::testing
