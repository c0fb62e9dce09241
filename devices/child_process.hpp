// A child process on the libuv loop, talked to through its stdin and stdout.
//
// The processor pool runs each `quire-jobproc` as one of these: the loop
// spawns it with two pipes, writes request frames to its stdin, hands what
// it prints on stdout to a callback as it arrives, and reports its exit
// (code or signal) once, after its stdout has ended. stderr is inherited:
// a child's own log lines land in quired's log.
//
// Everything runs on the loop thread. Destroying the object kills a child
// still running; its handles are closed and freed by the loop afterwards,
// and no callback runs after the destructor.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"

namespace quire::devices {

class child_process {
 public:
  struct exit_status {
    int64_t code = 0;   // exit code, when it exited
    int signal = 0;     // the signal that killed it, or 0
  };
  using output_fn = std::function<void(std::string_view bytes)>;
  using exit_fn = std::function<void(exit_status)>;

  /// Spawns argv[0] (an absolute path) with `argv` and `env` (NAME=value;
  /// nothing else is inherited). errc::io_error when it cannot start.
  static result<std::unique_ptr<child_process>> spawn(uv_loop_t* loop, const std::vector<std::string>& argv,
                                                      const std::vector<std::string>& env, output_fn on_output,
                                                      exit_fn on_exit);
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Queues bytes for the child's stdin. false when the child is gone.
  bool write(std::string bytes);
  /// SIGKILL to the child (its exit is reported as usual).
  void kill();
  int pid() const;
  bool running() const;
  /// Bytes written but not yet taken by the child's pipe.
  size_t queued_bytes() const;

 private:
  struct state;
  explicit child_process(state* s) : s_(s) {}
  state* s_;  // freed by the loop once every handle is closed
};

}  // namespace quire::devices
