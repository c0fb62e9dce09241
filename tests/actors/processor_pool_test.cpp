// The processor pool with real child processes (tests/actors/fake_jobproc.cpp
// speaks the real frame protocol and misbehaves on cue) on a real loop.
#include <doctest/doctest.h>

#include <caf/all.hpp>

#include "actors/io/loop.hpp"
#include "actors/messages.hpp"
#include "actors/processor_pool.hpp"

using namespace quire;

namespace {

struct pool_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  io::loop loop;
  processor_pool_actor pool;

  explicit pool_fixture(size_t processes = 2, uint32_t timeout_ms = 1500) {
    register_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    loop.start();
    processor_pool_options o;
    o.program = QUIRE_FAKE_JOBPROC;
    o.processes = processes;
    o.timeout_ms = timeout_ms;
    o.loop = &loop;
    pool = spawn_processor_pool(*sys, o);
  }
  ~pool_fixture() {
    caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
    pool = nullptr;
    sys->await_all_actors_done();
    loop.stop();
    sys.reset();
  }

  jobproc::analyse_reply analyse(uint64_t id, const std::string& format) {
    jobproc::analyse_request req;
    req.job_id = id;
    req.declared_format = format;
    req.document = std::string(1, 'x');  // (= "x" trips a false GCC 12 -Wstringop-overflow)
    caf::scoped_actor me{*sys};
    jobproc::analyse_reply out;
    out.reason = "no answer";
    me->request(pool, std::chrono::seconds(20), analyse_atom::value, req)
        .receive([&](jobproc::analyse_reply& r) { out = std::move(r); },
                 [&](caf::error& e) { out.reason = sys->render(e); });
    return out;
  }
};

}  // namespace

TEST_CASE("processor pool: a conversion someone waits for goes before the analyses in line") {
  pool_fixture f(1);
  // One child and one sender (so the pool sees the requests in this order):
  // a slow analysis occupies the child; two analyses and a conversion made
  // ahead wait in line; an urgent conversion goes first once the child is free.
  caf::scoped_actor me{*f.sys};
  auto analysis = [](uint64_t id, const char* format) {
    jobproc::analyse_request req;
    req.job_id = id;
    req.declared_format = format;
    req.document = std::string(1, 'x');
    return req;
  };
  auto conversion = [](uint64_t id) {
    jobproc::convert_request req;
    req.job_id = id;
    req.path = "/dev/null";
    req.target_format = "application/vnd.hp-pclxl";
    req.output_path = "/nonexistent/out";
    return req;
  };
  me->send(f.pool, analyse_atom::value, analysis(1, "test/slow"));
  me->send(f.pool, analyse_atom::value, analysis(2, "test/ok"));
  me->send(f.pool, convert_atom::value, conversion(5), false);
  me->send(f.pool, analyse_atom::value, analysis(3, "test/ok"));
  me->send(f.pool, convert_atom::value, conversion(4), true);
  std::vector<std::string> order;
  for (int i = 0; i < 5; ++i)
    me->receive(
        [&](jobproc::analyse_reply& r) { order.push_back((r.ok ? "a" : "a-failed") + std::to_string(r.job_id)); },
        [&](jobproc::convert_reply& r) { order.push_back((r.ok ? "c" : "c-failed") + std::to_string(r.job_id)); },
        caf::after(std::chrono::seconds(20)) >> [&] { order.push_back("timeout"); });
  CHECK(order == std::vector<std::string>{"a1", "c4", "a2", "c5", "a3"});
}

TEST_CASE("processor pool: replies come back to the job that asked") {
  pool_fixture f;
  for (uint64_t id = 1; id <= 20; ++id) {
    auto r = f.analyse(id, "test/ok");
    CHECK(r.ok);
    CHECK(r.job_id == id);
    CHECK(r.pages == id % 100);
  }
}

TEST_CASE("processor pool: a crash, a garbled reply, an exit or a wrong id fails only that job") {
  pool_fixture f(1);  // one child: each misbehaviour must be followed by a working replacement
  for (const char* bad : {"test/crash", "test/garbage", "test/exit", "test/wrong-id"}) {
    CAPTURE(bad);
    auto r = f.analyse(40, bad);
    CHECK_FALSE(r.ok);
    CHECK(r.reason.find("job processor stopped") != std::string::npos);
    auto next = f.analyse(41, "test/ok");
    CHECK(next.ok);
    CHECK(next.pages == 41);
  }
}

TEST_CASE("processor pool: a job that hangs times out, the others go on") {
  pool_fixture f(2, 800);
  caf::scoped_actor me{*f.sys};
  jobproc::analyse_request hang;
  hang.job_id = 7;
  hang.declared_format = "test/hang";
  auto t0 = std::chrono::steady_clock::now();
  jobproc::analyse_reply hung;
  hung.ok = true;
  me->send(f.pool, analyse_atom::value, hang);  // its answer comes to `me` while the others run
  for (uint64_t id = 50; id < 55; ++id) CHECK(f.analyse(id, "test/ok").ok);
  me->receive([&](jobproc::analyse_reply& r) { hung = r; }, caf::after(std::chrono::seconds(10)) >> [] {});
  CHECK_FALSE(hung.ok);
  CHECK(hung.reason.find("longer than 1 s") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
  CHECK(f.analyse(56, "test/ok").ok);
}

TEST_CASE("processor pool: the real quire-jobproc counts a PDF's pages and says it is mono") {
  caf::actor_system_config cfg;
  register_message_types(cfg);
  caf::actor_system sys{cfg};
  io::loop loop;
  loop.start();
  processor_pool_options o;
  o.program = QUIRE_JOBPROC;
  o.processes = 1;
  o.loop = &loop;
  auto pool = spawn_processor_pool(sys, o);
  jobproc::analyse_request req;
  req.job_id = 9;
  req.path = QUIRE_SOURCE_DIR "/tests/data/one-page.pdf";
  req.declared_format = "application/pdf";
  jobproc::analyse_reply out;
  {
    caf::scoped_actor me{sys};
    me->request(pool, std::chrono::seconds(30), analyse_atom::value, req)
        .receive([&](jobproc::analyse_reply& r) { out = std::move(r); }, [&](caf::error& e) { out.reason = sys.render(e); });
  }
  CHECK_MESSAGE(out.ok, out.reason);
  CHECK(out.job_id == 9);
  CHECK(out.format == "application/pdf");
  CHECK(out.pages == 1);
  CHECK(out.colour_pages + out.mono_pages == 1);
  caf::anon_send_exit(pool, caf::exit_reason::user_shutdown);
  pool = nullptr;
  sys.await_all_actors_done();
  loop.stop();
}
