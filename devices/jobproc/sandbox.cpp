#include "devices/jobproc/sandbox.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

namespace quire::jobproc {

namespace {

using steady = std::chrono::steady_clock;

// Only async-signal-safe calls from here to exec: the parent may have threads.
[[noreturn]] void child_fail(const char* what) {
  // errno in decimal: strerror may allocate.
  char num[16];
  int e = errno, len = 0;
  do {
    num[15 - len++] = static_cast<char>('0' + e % 10);
    e /= 10;
  } while (e > 0 && len < 15);
  (void)!::write(2, "quire-jobproc sandbox: ", 23);
  (void)!::write(2, what, std::strlen(what));
  (void)!::write(2, " failed, errno ", 15);
  (void)!::write(2, num + 16 - len, static_cast<size_t>(len));
  (void)!::write(2, "\n", 1);
  ::_exit(127);
}

void close_from(int lowest) {
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, static_cast<unsigned>(lowest), ~0u, 0u) == 0) return;
#endif
  for (int fd = lowest; fd < 65536; ++fd) ::close(fd);
}

void set_limit(int resource, rlim_t soft, rlim_t hard, const char* what) {
  struct rlimit rl{soft, hard};
  if (::setrlimit(resource, &rl) != 0) child_fail(what);
}

[[noreturn]] void exec_child(const sandbox_options& o, char* const* argv, char* const* envp, int devnull, int out,
                             int err, pid_t parent) {
  ::setpgid(0, 0);
  // Signals the parent blocks or ignores must not protect the job: SIGXCPU
  // and SIGXFSZ are how the limits stop it.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl{};
  dfl.sa_handler = SIG_DFL;
  for (int s : {SIGXCPU, SIGXFSZ, SIGPIPE, SIGTERM, SIGINT, SIGHUP}) ::sigaction(s, &dfl, nullptr);

  if (::dup2(devnull, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) child_fail("dup2");
  close_from(3);

  if (o.drop_privileges) {
    gid_t g = o.gid;
    if (::setgroups(1, &g) != 0) child_fail("setgroups");
    if (::setgid(o.gid) != 0) child_fail("setgid");
    if (::setuid(o.uid) != 0) child_fail("setuid");
    if (o.uid != 0 && ::setuid(0) == 0) child_fail("dropping privileges");
  }
  // After the uid change, which clears it; and if the parent is already gone
  // the signal will never come.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail("prctl");
  if (::getppid() != parent) ::_exit(127);

  rlim_t cpu = (o.timeout_ms + 999) / 1000 + 1;
  set_limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE");
  set_limit(RLIMIT_CPU, cpu, cpu + 1, "RLIMIT_CPU");
  rlim_t as = o.memory_bytes ? o.memory_bytes : RLIM_INFINITY;
  rlim_t fsize = o.file_bytes ? o.file_bytes : RLIM_INFINITY;
  set_limit(RLIMIT_AS, as, as, "RLIMIT_AS");
  set_limit(RLIMIT_FSIZE, fsize, fsize, "RLIMIT_FSIZE");
  set_limit(RLIMIT_NOFILE, o.max_files, o.max_files, "RLIMIT_NOFILE");

  if (::chdir(o.cwd.c_str()) != 0) child_fail("chdir");
  ::execve(o.program.c_str(), argv, envp);
  child_fail("execve");
}

// A descriptor closed on scope exit.
struct fd_holder {
  int fd = -1;
  ~fd_holder() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// Moves fd above 2 so that dup2 onto 0..2 in the child cannot clobber it.
bool lift(fd_holder& h) {
  if (h.fd > 2) return true;
  int moved = ::fcntl(h.fd, F_DUPFD_CLOEXEC, 3);
  if (moved < 0) return false;
  h.reset();
  h.fd = moved;
  return true;
}

// Kills and reaps the child if the run ends early (an exception from
// on_stdout included): no zombie, no orphaned job.
struct child_guard {
  pid_t pid = -1;
  ~child_guard() {
    if (pid > 0) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      int st;
      while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
      }
    }
  }
};

// Returns true once the child has exited, without reaping it, so that its
// process group id stays reserved until the group is killed.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return errno != EINTR;
  return info.si_pid == pid;
}

// The bytes of the regular files under `folder` (symbolic links are not
// followed); past `max_entries` entries, the maximum.
uint64_t folder_bytes(const std::string& folder, size_t max_entries) {
  namespace fs = std::filesystem;
  std::error_code ec;
  uint64_t total = 0;
  size_t entries = 0;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (++entries > max_entries) return UINT64_MAX;
    std::error_code e2;
    if (fs::is_regular_file(it->symlink_status(e2))) {
      uint64_t size = it->file_size(e2);
      if (!e2) total += size;
    }
  }
  return total;
}

constexpr size_t max_watched_entries = 10000;
constexpr auto watch_period = std::chrono::milliseconds(100);

}  // namespace

result<sandbox_outcome> run_sandboxed(const sandbox_options& o, const stdout_fn& on_stdout) {
  std::vector<char*> argv, envp;
  argv.push_back(const_cast<char*>(o.program.c_str()));
  for (const auto& a : o.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : o.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  fd_holder devnull, out_r, out_w, err_r, err_w;
  devnull.fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int p1[2], p2[2];
  if (devnull.fd < 0 || ::pipe2(p1, O_CLOEXEC) != 0) return error{errc::io_error, std::string("pipe: ") + std::strerror(errno)};
  out_r.fd = p1[0], out_w.fd = p1[1];
  if (::pipe2(p2, O_CLOEXEC) != 0) return error{errc::io_error, std::string("pipe: ") + std::strerror(errno)};
  err_r.fd = p2[0], err_w.fd = p2[1];
  if (!lift(devnull) || !lift(out_w) || !lift(err_w)) return error{errc::io_error, "cannot move descriptors"};

  sandbox_outcome r;
  auto start = steady::now();
  auto deadline = start + std::chrono::milliseconds(o.timeout_ms);
  pid_t parent = ::getpid();
  child_guard child;
  child.pid = ::fork();
  if (child.pid < 0) {
    child.pid = -1;
    return error{errc::io_error, std::string("fork: ") + std::strerror(errno)};
  }
  if (child.pid == 0) exec_child(o, argv.data(), envp.data(), devnull.fd, out_w.fd, err_w.fd, parent);
  ::setpgid(child.pid, child.pid);  // also done by the child: whichever runs first
  out_w.reset();
  err_w.reset();
  devnull.reset();

  auto kill_group = [&] {
    ::kill(-child.pid, SIGKILL);
    ::kill(child.pid, SIGKILL);
  };
  bool killed = false;
  bool watching = !o.watch_folder.empty();
  auto next_watch = start + watch_period;
  auto folder_full = [&] {
    if (!watching || steady::now() < next_watch) return false;
    next_watch = steady::now() + watch_period;
    return folder_bytes(o.watch_folder, max_watched_entries) > o.watch_folder_bytes;
  };
  std::string buf(64 * 1024, '\0');
  while (out_r.fd >= 0 || err_r.fd >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    if (left <= 0) {
      r.timed_out = true;
      break;
    }
    if (folder_full()) {
      r.folder_capped = true;
      break;
    }
    pollfd fds[2] = {{out_r.fd, POLLIN, 0}, {err_r.fd, POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left, watching ? 100 : 1000)));
    if (n < 0 && errno != EINTR) return error{errc::io_error, std::string("poll: ") + std::strerror(errno)};
    if (n <= 0) continue;
    if (fds[0].revents) {
      ssize_t got = ::read(out_r.fd, buf.data(), buf.size());
      if (got > 0) {
        r.stdout_bytes += static_cast<uint64_t>(got);
        if (o.file_bytes != 0 && r.stdout_bytes > o.file_bytes) {
          r.output_capped = true;
          break;
        }
        if (!on_stdout(std::string_view(buf.data(), static_cast<size_t>(got)))) {
          r.stopped = true;
          break;
        }
      } else if (got == 0 || errno != EINTR) {
        out_r.reset();
      }
    }
    if (fds[1].revents) {
      ssize_t got = ::read(err_r.fd, buf.data(), buf.size());
      if (got > 0) {
        r.stderr_tail.append(buf.data(), static_cast<size_t>(got));
        if (r.stderr_tail.size() > o.stderr_tail) r.stderr_tail.erase(0, r.stderr_tail.size() - o.stderr_tail);
      } else if (got == 0 || errno != EINTR) {
        err_r.reset();
      }
    }
  }
  if (r.timed_out || r.output_capped || r.stopped || r.folder_capped) {
    kill_group();
    killed = true;
  } else {
    // Both pipes ended; the child normally exits right after. One that
    // closed them and runs on still meets the deadline.
    while (!has_exited(child.pid)) {
      if (steady::now() >= deadline) {
        r.timed_out = true;
        kill_group();
        killed = true;
        break;
      }
      ::poll(nullptr, 0, 2);
    }
    if (!killed) ::kill(-child.pid, SIGKILL);  // strays left in its group, if any
  }

  int st = 0;
  pid_t pid = child.pid;
  child.pid = -1;
  while (::waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) return error{errc::io_error, std::string("waitpid: ") + std::strerror(errno)};
  }
  if (WIFEXITED(st)) {
    r.exited = true;
    r.exit_code = WEXITSTATUS(st);
  } else if (WIFSIGNALED(st)) {
    r.signal = WTERMSIG(st);
  }
  r.elapsed_us = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - start).count());
  return r;
}

}  // namespace quire::jobproc
