#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "devices/driver.hpp"
#include "devices/file_sink.hpp"
#include "test_util.hpp"

using namespace quire;
using namespace quire::devices;
using quire::testing::temp_dir;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs one delivery to completion on a private loop.
delivery_result deliver_now(uv_loop_t* loop, driver& d, job_document doc) {
  delivery_result out;
  bool called = false;
  d.deliver(std::move(doc), [&](delivery_result r) {
    out = std::move(r);
    called = true;
  });
  uv_run(loop, UV_RUN_DEFAULT);
  REQUIRE(called);
  return out;
}

struct loop_fixture {
  uv_loop_t loop;
  loop_fixture() { uv_loop_init(&loop); }
  ~loop_fixture() { uv_loop_close(&loop); }
};

}  // namespace

TEST_CASE_FIXTURE(loop_fixture, "the sink writes one whole file per job, from bytes or from a file") {
  temp_dir dir;
  driver_options opts{dir.path() + "/sink"};
  auto d = make_driver(&loop, "file://" + dir.path() + "/sink/demo", opts);
  REQUIRE(d.ok());

  job_document a;
  a.job_id = 7;
  a.format = "application/pdf";
  a.bytes = "%PDF-1.4 seven";
  auto r = deliver_now(&loop, **d, a);
  CHECK(r.ok);
  CHECK(slurp(dir.path() + "/sink/demo/7.pdf") == "%PDF-1.4 seven");

  std::string src = dir.path() + "/big.ps";
  std::string body(1 << 20, 'p');
  std::ofstream(src, std::ios::binary) << body;
  job_document b;
  b.job_id = 8;
  b.format = "application/postscript";
  b.path = src;
  CHECK(deliver_now(&loop, **d, b).ok);
  CHECK(slurp(dir.path() + "/sink/demo/8.ps") == body);
  // Nothing but the finished documents is left in the folder.
  size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir.path() + "/sink/demo")) ++n;
  CHECK(n == 2);
}

TEST_CASE_FIXTURE(loop_fixture, "a missing source file fails the delivery with a reason") {
  temp_dir dir;
  auto d = make_driver(&loop, "file://" + dir.path() + "/sink/x", {dir.path() + "/sink"});
  REQUIRE(d.ok());
  job_document doc;
  doc.job_id = 1;
  doc.path = dir.path() + "/nope";
  auto r = deliver_now(&loop, **d, doc);
  CHECK_FALSE(r.ok);
  CHECK(r.message.find("cannot write") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/sink/x/.1.prn.part"));
}

TEST_CASE_FIXTURE(loop_fixture, "device URIs: only the sink folder, known schemes") {
  driver_options opts{"/var/lib/quire/sink"};
  CHECK(make_driver(&loop, "file:///var/lib/quire/sink/p1", opts).ok());
  CHECK(make_driver(&loop, "file:///var/lib/quire/sink/../db", opts).err().code == errc::permission_denied);
  CHECK(make_driver(&loop, "file:///etc/cron.d", opts).err().code == errc::permission_denied);
  CHECK(make_driver(&loop, "file:///var/lib/quire/sinkhole/p", opts).err().code == errc::permission_denied);
  CHECK(make_driver(&loop, "file:///var/lib/quire/sink", opts).err().code == errc::permission_denied);
  CHECK(make_driver(&loop, "file://relative/p", opts).err().code == errc::invalid_argument);
  CHECK(make_driver(&loop, "ipp://127.0.0.1:8632/ipp/print", opts).ok());
  CHECK(make_driver(&loop, "ipp:///ipp/print", opts).err().code == errc::invalid_argument);
  CHECK(make_driver(&loop, "gopher://x", opts).err().code == errc::invalid_argument);
  CHECK(make_driver(&loop, "nonsense", opts).err().code == errc::invalid_argument);
}

TEST_CASE("extensions by format") {
  CHECK(std::string(file_sink::extension_for("application/pdf")) == "pdf");
  CHECK(std::string(file_sink::extension_for("application/octet-stream")) == "prn");
}
