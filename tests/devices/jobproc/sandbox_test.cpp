#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "devices/jobproc/sandbox.hpp"
#include "test_util.hpp"

using namespace quire;
using namespace quire::jobproc;

namespace {

sandbox_options sh(const std::string& script, const std::string& cwd = "/") {
  sandbox_options o;
  o.program = "/bin/sh";
  o.args = {"-c", script};
  o.env = {"PATH=/usr/bin:/bin", "MARK=1"};
  o.cwd = cwd;
  o.timeout_ms = 5000;
  return o;
}

struct run {
  sandbox_outcome out;
  std::string stdout_text;
};

run go(const sandbox_options& o) {
  run r;
  auto res = run_sandboxed(o, [&r](std::string_view b) {
    r.stdout_text.append(b);
    return true;
  });
  REQUIRE(res.ok());
  r.out = *res;
  return r;
}

// True while `pid` is a live (not zombie) process.
bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  auto close = line.rfind(')');
  return close != std::string::npos && line.size() > close + 2 && line[close + 2] != 'Z';
}

}  // namespace

TEST_CASE("the child sees only the environment, cwd and descriptors it is given") {
  int leaked = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC: must still not reach the child
  REQUIRE(leaked >= 0);
  quire::testing::temp_dir dir;
  auto r = go(sh("env | sort; pwd; ls /proc/self/fd | sort -n | tr '\\n' ' '; cat; echo eof", dir.path()));
  ::close(leaked);
  CHECK(r.out.exited);
  CHECK(r.out.exit_code == 0);
  std::istringstream lines(r.stdout_text);
  std::string all = r.stdout_text;
  CHECK(all.find("MARK=1\n") != std::string::npos);
  CHECK(all.find("HOME=") == std::string::npos);
  CHECK(all.find(dir.path() + "\n") != std::string::npos);
  // ls's own directory descriptor is 3; nothing else above 2.
  CHECK(all.find("\n0 1 2 3 eof") != std::string::npos);  // cat ended at once: stdin is /dev/null
}

TEST_CASE("the rlimits are set in the child") {
  auto o = sh("ulimit -v; ulimit -n; ulimit -c; ulimit -t; ulimit -f");
  o.memory_bytes = 256ull << 20;
  o.file_bytes = 1 << 20;
  o.max_files = 20;
  o.timeout_ms = 2500;
  auto r = go(o);
  // ulimit -v and -f count KiB (dash: -f in 512-byte blocks on some shells; accept both)
  CHECK(r.stdout_text.rfind("262144\n20\n0\n4\n", 0) == 0);
  CHECK((r.stdout_text.find("\n1024\n") != std::string::npos || r.stdout_text.find("\n2048\n") != std::string::npos));
}

TEST_CASE("the deadline kills the whole process group") {
  quire::testing::temp_dir dir;
  auto o = sh("sleep 60 & echo $! > " + dir.path() + "/pid; sleep 60");
  o.timeout_ms = 500;
  auto t0 = std::chrono::steady_clock::now();
  auto r = go(o);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  CHECK(r.out.timed_out);
  CHECK_FALSE(r.out.exited);
  CHECK(r.out.signal == SIGKILL);
  CHECK(ms >= 450);
  CHECK(ms < 1500);
  pid_t grandchild = 0;
  std::ifstream(dir.path() + "/pid") >> grandchild;
  REQUIRE(grandchild > 0);
  for (int i = 0; i < 100 && alive(grandchild); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK_FALSE(alive(grandchild));
}

TEST_CASE("a child that closes its pipes and runs on still meets the deadline") {
  auto o = sh("exec >&- 2>&-; sleep 60");
  o.timeout_ms = 400;
  auto r = go(o);
  CHECK(r.out.timed_out);
  CHECK(r.out.elapsed_us < 1'400'000);
}

TEST_CASE("stdout is capped, can be stopped, and stderr keeps its tail") {
  auto o = sh("yes");
  o.file_bytes = 100000;
  auto r = go(o);
  CHECK(r.out.output_capped);
  CHECK(r.out.stdout_bytes > 100000);
  CHECK(r.stdout_text.size() <= 100000);

  size_t calls = 0;
  auto res = run_sandboxed(sh("yes"), [&calls](std::string_view) { return ++calls < 3; });
  REQUIRE(res.ok());
  CHECK(res->stopped);
  CHECK(calls == 3);

  auto e = go(sh("i=0; while [ $i -lt 2000 ]; do echo line$i >&2; i=$((i+1)); done; exit 3"));
  CHECK(e.out.exit_code == 3);
  CHECK(e.out.stderr_tail.size() == 4096);
  CHECK(e.out.stderr_tail.size() >= 9);
  CHECK(e.out.stderr_tail.substr(e.out.stderr_tail.size() - 9) == "line1999\n");
}

TEST_CASE("a program that cannot be run exits 127 and says why") {
  auto o = sh("");
  o.program = "/nonexistent/gs";
  auto r = go(o);
  CHECK(r.out.exited);
  CHECK(r.out.exit_code == 127);
  CHECK(r.out.stderr_tail.find("execve failed") != std::string::npos);
  o.program = "/bin/true";
  o.cwd = "/nonexistent";
  r = go(o);
  CHECK(r.out.stderr_tail.find("chdir failed") != std::string::npos);
}

TEST_CASE("privileges are dropped when asked (root only)") {
  if (::geteuid() != 0) {
    MESSAGE("not root: skipped");
    return;
  }
  auto o = sh("id -u; id -g; id -G");
  o.drop_privileges = true;
  o.uid = 65534;
  o.gid = 65534;
  auto r = go(o);
  CHECK(r.stdout_text == "65534\n65534\n65534\n");
}

TEST_CASE("the child dies with the process that started it") {
  quire::testing::temp_dir dir;
  std::string pidfile = dir.path() + "/pid";
  pid_t runner = ::fork();
  REQUIRE(runner >= 0);
  if (runner == 0) {  // stands for quire-jobproc
    auto o = sh("echo $$ > " + pidfile + ".tmp; mv " + pidfile + ".tmp " + pidfile + "; exec sleep 60");
    o.timeout_ms = 60000;
    (void)run_sandboxed(o, [](std::string_view) { return true; });
    ::_exit(0);
  }
  pid_t job = 0;
  for (int i = 0; i < 300 && job == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream(pidfile) >> job;
  }
  REQUIRE(job > 0);
  CHECK(alive(job));
  ::kill(runner, SIGKILL);
  int st;
  ::waitpid(runner, &st, 0);
  for (int i = 0; i < 200 && alive(job); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK_FALSE(alive(job));
}

TEST_CASE("a watched folder filled past its limit gets the child killed") {
  quire::testing::temp_dir dir;
  // Many files, each well under RLIMIT_FSIZE: only the watch stops this.
  auto o = sh("i=0; while :; do head -c 65536 /dev/zero > f$i; i=$((i+1)); done", dir.path());
  o.file_bytes = 1 << 20;
  o.watch_folder = dir.path();
  o.watch_folder_bytes = 4 << 20;
  auto t0 = std::chrono::steady_clock::now();
  auto r = go(o);
  CHECK(r.out.folder_capped);
  CHECK_FALSE(r.out.timed_out);
  CHECK_FALSE(r.out.exited);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4));

  // Under the limit, the watch changes nothing.
  quire::testing::temp_dir calm;
  auto q = sh("head -c 1000 /dev/zero > small; echo done", calm.path());
  q.watch_folder = calm.path();
  q.watch_folder_bytes = 4096;
  auto s = go(q);
  CHECK_FALSE(s.out.folder_capped);
  CHECK(s.out.exited);
  CHECK(s.stdout_text == "done\n");
}
