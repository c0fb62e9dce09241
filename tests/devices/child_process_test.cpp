#include <doctest/doctest.h>

#include <csignal>
#include <string>

#include "devices/child_process.hpp"

using namespace quire;
using namespace quire::devices;

namespace {

struct loop_fixture {
  uv_loop_t loop;
  loop_fixture() { uv_loop_init(&loop); }
  ~loop_fixture() {
    uv_run(&loop, UV_RUN_DEFAULT);  // let closing handles finish
    CHECK(uv_loop_close(&loop) == 0);
  }
};

}  // namespace

TEST_CASE("child process: what it prints arrives, then its exit code") {
  loop_fixture f;
  std::string out;
  child_process::exit_status st{-1, -1};
  auto c = child_process::spawn(&f.loop, {"/bin/sh", "-c", "echo hello; echo world; exit 3"}, {"PATH=/bin"},
                                [&](std::string_view b) { out.append(b); },
                                [&](child_process::exit_status s) { st = s; });
  REQUIRE(c.ok());
  uv_run(&f.loop, UV_RUN_DEFAULT);
  CHECK(out == "hello\nworld\n");
  CHECK(st.code == 3);
  CHECK(st.signal == 0);
  CHECK_FALSE((*c)->running());
}

TEST_CASE("child process: stdin reaches it, kill ends it with SIGKILL") {
  loop_fixture f;
  std::string out;
  child_process::exit_status st{-1, -1};
  std::unique_ptr<child_process> child;
  auto c = child_process::spawn(&f.loop, {"/bin/cat"}, {},
                                [&](std::string_view b) {
                                  out.append(b);
                                  if (out == "ping\n") child->kill();
                                },
                                [&](child_process::exit_status s) { st = s; });
  REQUIRE(c.ok());
  child = std::move(*c);
  CHECK(child->write("ping\n"));
  uv_run(&f.loop, UV_RUN_DEFAULT);
  CHECK(out == "ping\n");
  CHECK(st.signal == SIGKILL);
  CHECK_FALSE(child->write("more"));
}

TEST_CASE("child process: the environment is only what is given") {
  loop_fixture f;
  std::string out;
  auto c = child_process::spawn(&f.loop, {"/usr/bin/env"}, {"ONLY=this"},
                                [&](std::string_view b) { out.append(b); }, [](child_process::exit_status) {});
  REQUIRE(c.ok());
  uv_run(&f.loop, UV_RUN_DEFAULT);
  CHECK(out == "ONLY=this\n");
}

TEST_CASE("child process: a program that cannot start is an error, not a crash") {
  loop_fixture f;
  bool exited = false;
  auto c = child_process::spawn(&f.loop, {"/nonexistent/quire-jobproc"}, {}, [](std::string_view) {},
                                [&](child_process::exit_status) { exited = true; });
  REQUIRE_FALSE(c.ok());
  CHECK(c.err().code == errc::io_error);
  uv_run(&f.loop, UV_RUN_DEFAULT);
  CHECK_FALSE(exited);
}

TEST_CASE("child process: destroyed while running, it is killed and nothing is called back") {
  loop_fixture f;
  bool called = false;
  {
    auto c = child_process::spawn(&f.loop, {"/bin/sleep", "30"}, {}, [&](std::string_view) { called = true; },
                                  [&](child_process::exit_status) { called = true; });
    REQUIRE(c.ok());
  }
  uv_run(&f.loop, UV_RUN_DEFAULT);
  CHECK_FALSE(called);
}
