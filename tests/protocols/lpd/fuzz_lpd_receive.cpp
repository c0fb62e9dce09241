// Fuzz entry point for an LPD receive-job connection: the command line, then
// the receive-job subcommands and files (RFC 1179 sections 5.2 and 6). The
// first byte picks the size of the pieces the rest is fed in, as a socket
// would split it. Every subcommand is accepted; control files are parsed.
#include <cstdint>
#include <string>
#include <vector>

#include "protocols/lpd/command.hpp"
#include "protocols/lpd/control_file.hpp"
#include "protocols/lpd/receive.hpp"

using namespace quire::lpd;

namespace {

// Checks the event stream's invariants for one batch of events.
struct checker {
  uint64_t expected = 0;  // count of the file in progress
  uint64_t seen = 0;      // its octets delivered so far

  void on(const receive_session::event& e) {
    using k = receive_session::event_kind;
    switch (e.kind) {
      case k::subcommand:
        expected = e.sub.count;
        seen = 0;
        break;
      case k::body:
        seen += e.chunk.size();
        if (e.chunk.empty() || seen > expected) __builtin_trap();
        break;
      case k::control_file_complete:
        if (e.text.size() != expected) __builtin_trap();
        (void)parse_control_file(e.text);
        seen = expected;
        break;
      case k::file_end:
        if (seen != expected) __builtin_trap();
        break;
      case k::error:
        if (e.text.empty()) __builtin_trap();
        break;
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = 1 + data[0] % 64;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  line_reader command_line(256);
  bool receiving = false;
  limits lim;
  lim.max_control_bytes = 4096;
  lim.max_line = 512;
  receive_session session(lim);
  checker check;
  std::vector<receive_session::event> events;
  std::string pending;
  for (size_t at = 0; at < in.size(); at += step) {
    pending.append(in.substr(at, step));
    while (!pending.empty()) {
      size_t n = 0;
      if (!receiving) {
        auto s = command_line.feed(pending);
        n = s.consumed;
        if (command_line.failed()) return 0;
        if (s.complete) {
          auto cmd = parse_command(s.line);
          if (!cmd || cmd->code != command_code::receive_job) return 0;
          receiving = true;
        }
      } else {
        events.clear();
        n = session.feed(pending, events);
        for (const auto& e : events) check.on(e);
        if (session.awaiting_decision()) session.accept();
      }
      if (n > pending.size()) __builtin_trap();  // consumed more than it was given
      pending.erase(0, n);
      if (n == 0 && !session.awaiting_decision()) break;
    }
    if (session.failed() || session.aborted()) break;
  }
  (void)session.finish();
  return 0;
}
