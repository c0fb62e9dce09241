// What quirectl's tests share: a command line parsed as quirectl parses
// it, and the message a refused one gets.
#pragma once

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

}  // namespace quire::testing
