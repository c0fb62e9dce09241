// Running one untrusted-input program (Ghostscript) to completion, boxed in.
//
// run_sandboxed forks a child that, before exec:
//   - gets its own process group (so the whole group can be killed),
//   - drops to `uid`/`gid` when `drop_privileges` (supplementary groups too),
//   - asks for SIGKILL when this process dies (PR_SET_PDEATHSIG, set after
//     the uid change, which would clear it),
//   - gets RLIMIT_CPU, RLIMIT_AS, RLIMIT_FSIZE, RLIMIT_NOFILE and
//     RLIMIT_CORE=0,
//   - has stdin on /dev/null, stdout and stderr on pipes, every other
//     descriptor closed, `cwd` as its working folder,
//   - execs `program` (an absolute path) with exactly `args` and `env`.
// The parent polls both pipes until the child ends or the wall-clock
// deadline passes, then SIGKILLs the group. With `watch_folder` set, it also
// sums the sizes of the files under that folder every 100 ms and kills the
// group when they pass `watch_folder_bytes`: RLIMIT_FSIZE bounds each file,
// not how many a program writes (Ghostscript's scratch folder, which SAFER
// lets a document write into). stdout goes to `on_stdout` as it
// arrives; stderr keeps only its last `stderr_tail` bytes.
//
// Blocking: call it from the job processor's own thread, never from a loop
// or an actor. Not async-signal-safe code runs only in the parent: the
// child between fork and exec makes system calls only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"

namespace quire::jobproc {

struct sandbox_options {
  std::string program;            // absolute path
  std::vector<std::string> args;  // argv[1...]; argv[0] is `program`
  std::vector<std::string> env;   // the whole environment, "NAME=value"
  std::string cwd;
  uint32_t timeout_ms = 60000;    // wall clock; RLIMIT_CPU is one second more
  uint64_t memory_bytes = 1ull << 30;  // RLIMIT_AS
  uint64_t file_bytes = 512ull << 20;  // RLIMIT_FSIZE, and the cap on stdout
  uint32_t max_files = 32;             // RLIMIT_NOFILE
  std::string watch_folder;            // "" = none
  uint64_t watch_folder_bytes = 0;     // over this (or 10,000 entries): killed, folder_capped
  bool drop_privileges = false;
  uid_t uid = 0;
  gid_t gid = 0;
  size_t stderr_tail = 4096;
};

struct sandbox_outcome {
  bool exited = false;       // exited on its own; see exit_code
  int exit_code = 0;
  int signal = 0;            // the signal that ended it, when !exited
  bool timed_out = false;    // we killed it at the deadline
  bool output_capped = false;  // we killed it for writing more than file_bytes to stdout
  bool stopped = false;      // we killed it because on_stdout returned false
  bool folder_capped = false;  // we killed it for filling watch_folder
  uint64_t stdout_bytes = 0;
  std::string stderr_tail;   // the last bytes it wrote to stderr
  uint64_t elapsed_us = 0;
};

/// Receives stdout as it arrives; returning false kills the child.
using stdout_fn = std::function<bool(std::string_view)>;

/// Runs the program to its end (or its killing). errc::io_error when it
/// cannot be started (fork, pipe); a program that cannot be exec'd exits
/// with 127 and says why on stderr.
result<sandbox_outcome> run_sandboxed(const sandbox_options& opts, const stdout_fn& on_stdout);

}  // namespace quire::jobproc
