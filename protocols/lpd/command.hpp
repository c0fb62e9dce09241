// The LPD daemon commands (RFC 1179 section 5) and the line framing they share
// with the receive-job subcommands (section 6).
//
// An LPD client opens a connection and sends one command line: a one-octet
// code, operands separated by white space, and an LF (section 3). The codes:
//
//   01 Queue LF                       print any waiting jobs (5.1)
//   02 Queue LF                       receive a job (5.2; see receive.hpp)
//   03 Queue SP List LF               report queue state, short form (5.3)
//   04 Queue SP List LF               report queue state, long form (5.4)
//   05 Queue SP Agent SP List LF      remove jobs (5.5)
//
// `List` names users and job numbers (an operand of digits only is a job
// number). One command per connection: after 02 the connection turns into a
// receive-job session; after the others the daemon answers and closes.
//
// Tolerances, for senders seen in the field: operands may be separated by
// any RFC 1179 white space (space, HT, VT, FF); a trailing CR is ignored;
// operands after the queue name of 01 and 02 are ignored, as cups-lpd does.
// Queue names are 1..127 printable ASCII octets without space or '/'.
//
// Pure: bytes in, typed values out; malformed input is an errc::invalid_argument
// `quire::error` whose message can be logged (the daemon answers with a nack
// or closes; RFC 1179 has no error text).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"

namespace quire::lpd {

/// The TCP port RFC 1179 section 3 assigns to the printer daemon.
inline constexpr uint16_t default_port = 515;
/// The longest queue name accepted (RFC 1179 sets none; BSD lpd uses 127).
inline constexpr size_t max_queue_name = 127;
/// The longest user or agent name accepted in a command list.
inline constexpr size_t max_user_name = 255;

enum class command_code : uint8_t {
  print_waiting = 1,      // 01, section 5.1
  receive_job = 2,        // 02, section 5.2
  queue_state_short = 3,  // 03, section 5.3
  queue_state_long = 4,   // 04, section 5.4
  remove_jobs = 5,        // 05, section 5.5
};

/// A stable name for logs, e.g. "receive-job".
const char* to_string(command_code code) noexcept;

/// One parsed daemon command.
struct command {
  command_code code = command_code::print_waiting;
  std::string queue;
  std::string agent;               // 05 only: who asks for the removal
  std::vector<std::string> users;  // 03/04/05: the list's user names, in order
  std::vector<uint32_t> jobs;      // 03/04/05: the list's job numbers, in order
};

/// Parses one complete command line: the octets up to, not including, the LF,
/// the first being the code. Unknown codes, bad queue names, a 05 without
/// agent, an all-digit operand above 2^32-1: errc::invalid_argument.
result<command> parse_command(std::string_view line);

/// True if `name` is 1..127 printable ASCII octets without space or '/'.
bool valid_queue_name(std::string_view name) noexcept;

/// Frames LF-terminated lines out of a byte stream, for the command line and
/// for the receive-job subcommand lines. Incremental: bytes may arrive in any
/// split. A line longer than `max_line` octets (the LF not counted) fails the
/// reader with errc::limit_exceeded; it then stays failed.
class line_reader {
 public:
  struct step {
    size_t consumed = 0;  // octets taken from the input, the LF included
    bool complete = false;
    std::string_view line;  // if complete: the line without its LF; valid
                            // until the next call on this reader
  };

  explicit line_reader(size_t max_line = 1024);

  /// Takes octets from `in` up to and including the first LF. Returns the
  /// complete line when that LF was seen (the reader then starts a new line),
  /// otherwise keeps the partial line and reports all of `in` consumed.
  /// After a failure, consumes nothing.
  step feed(std::string_view in);

  /// Octets of a line started but not finished.
  size_t pending() const noexcept { return deliver_ ? 0 : buf_.size(); }
  bool failed() const noexcept { return static_cast<bool>(error_); }
  const status& error() const noexcept { return error_; }

 private:
  size_t max_line_;
  std::string buf_;
  bool deliver_ = false;  // buf_ holds the line last returned
  status error_;
};

}  // namespace quire::lpd
