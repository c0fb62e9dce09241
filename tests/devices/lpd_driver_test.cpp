#include "devices/lpd_driver.hpp"

#include <doctest/doctest.h>

#include <fstream>

#include "devices/device_sink.hpp"
#include "protocols/lpd/control_file.hpp"
#include "test_util.hpp"

using namespace quire;
using namespace quire::devices;
using quire::testing::device_sink;
using quire::testing::temp_dir;

namespace {

struct lpd_fixture {
  uv_loop_t loop;
  device_sink sink{device_sink::mode::lpd};
  lpd_fixture() { uv_loop_init(&loop); }
  ~lpd_fixture() {
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK(uv_loop_close(&loop) == 0);
  }

  std::shared_ptr<driver> make(uint64_t backoff_ms = 1000, const std::string& queue = "lab") {
    driver_options o;
    o.net.ack_timeout_ms = 300;
    o.net.progress_timeout_ms = 300;
    o.net.backoff_ms = backoff_ms;
    auto d = make_driver(&loop, "lpd://127.0.0.1:" + std::to_string(sink.port()) + "/" + queue, o);
    REQUIRE(d.ok());
    return *d;
  }

  std::vector<delivery_result> deliver_all(driver& d, std::vector<job_document> docs) {
    return quire::testing::deliver_all(loop, d, std::move(docs));
  }
};

job_document doc_of(uint64_t id, std::string bytes) {
  job_document d;
  d.job_id = id;
  d.title = "report.pdf";
  d.format = "application/pdf";
  d.bytes = std::move(bytes);
  d.user = "lola";
  d.host = "ws12";
  return d;
}

}  // namespace

TEST_CASE("the control file names the owner, the job and one print line per copy") {
  job_document d = doc_of(12042, "");
  d.copies = 2;
  auto f = lpd_files_for(d);
  CHECK(f.number == 42);
  CHECK(f.data_name == "dfA042ws12");
  CHECK(f.control_name == "cfA042ws12");
  CHECK(f.control == "Hws12\nPlola\nJreport.pdf\nldfA042ws12\nldfA042ws12\nNreport.pdf\n");
  // Quire's own LPD server reads it back the same way.
  auto parsed = lpd::parse_control_file(f.control);
  REQUIRE(parsed.ok());
  CHECK(parsed->user == "lola");
  CHECK(parsed->copies_of("dfA042ws12") == 2);
  CHECK(parsed->display_name() == "report.pdf");
}

TEST_CASE("control file values cannot inject lines, empty owners become quire") {
  job_document d;
  d.job_id = 7;
  d.title = "evil\nPmallory";
  d.host = "a b/c";
  auto f = lpd_files_for(d);
  CHECK(f.data_name == "dfA007abc");
  CHECK(f.control == "Ha b/c\nPquire\nJevil Pmallory\nldfA007abc\nNevil Pmallory\n");
  d.title = std::string(300, 't');
  d.host.clear();
  f = lpd_files_for(d);
  CHECK(f.control_name == "cfA007quire");
  CHECK(f.control.find("J" + std::string(99, 't') + "\n") != std::string::npos);
}

TEST_CASE_FIXTURE(lpd_fixture, "lpd: jobs arrive whole, in order, data file first") {
  temp_dir dir;
  std::string big(20 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 + i / 4096);
  std::string path = dir.path() + "/big.ps";
  std::ofstream(path, std::ios::binary) << big;
  job_document a = doc_of(1, "%PDF-1.7 a");
  a.copies = 3;
  job_document b = doc_of(2, "");
  b.path = path;
  auto d = make();
  auto r = deliver_all(*d, {a, b});
  for (auto& x : r) {
    CHECK_MESSAGE(x.ok, x.message);
    CHECK(x.confirmation == "accepted by the LPD server");
  }
  auto got = sink.wait_for(2);
  REQUIRE(got.size() == 2);
  CHECK(got[0].queue == "lab");
  CHECK(got[0].order == "dc");
  CHECK(got[0].complete);
  CHECK(got[0].data == "%PDF-1.7 a");
  CHECK(got[0].data_name == "dfA001ws12");
  CHECK(got[0].control_name == "cfA001ws12");
  CHECK(got[0].control == "Hws12\nPlola\nJreport.pdf\nldfA001ws12\nldfA001ws12\nldfA001ws12\nNreport.pdf\n");
  CHECK(got[1].data.size() == big.size());
  CHECK(got[1].data == big);
  CHECK(got[1].data_name == "dfA002ws12");
}

TEST_CASE_FIXTURE(lpd_fixture, "lpd: a refused queue is retried, then fails the job") {
  sink.set_queue_answer("\x01");
  auto d = make(20);
  auto r = deliver_all(*d, {doc_of(1, "x")})[0];
  CHECK_FALSE(r.ok);
  CHECK(r.message == "the LPD server refused queue 'lab' (nack 1; 4 tries)");
  CHECK(sink.connections() == 4);
}

TEST_CASE_FIXTURE(lpd_fixture, "lpd: a garbage answer is a nack") {
  sink.set_queue_answer("garbage\n");
  driver_options o;
  o.net.retries = 0;
  auto dr = make_driver(&loop, "lpd://127.0.0.1:" + std::to_string(sink.port()) + "/lab", o);
  REQUIRE(dr.ok());
  auto r = deliver_all(**dr, {doc_of(1, "x")})[0];
  CHECK_FALSE(r.ok);
  CHECK(r.message == "the LPD server refused queue 'lab' (nack 103)");
}

TEST_CASE_FIXTURE(lpd_fixture, "lpd: a queue that comes back is printed to on a later try") {
  sink.set_queue_answer("\x01");
  auto d = make(300);
  std::thread fix([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    sink.set_queue_answer(std::string(1, '\0'));
  });
  auto r = deliver_all(*d, {doc_of(1, "second time lucky")})[0];
  fix.join();
  CHECK_MESSAGE(r.ok, r.message);
  auto got = sink.wait_for(2);
  REQUIRE(got.size() == 2);
  CHECK(got[1].data == "second time lucky");
}

TEST_CASE("lpd: a server that never answers hits the ack timeout") {
  uv_loop_t loop;
  uv_loop_init(&loop);
  device_sink hang(device_sink::mode::hang);
  driver_options o;
  o.net.ack_timeout_ms = 200;
  auto d = make_driver(&loop, "lpd://127.0.0.1:" + std::to_string(hang.port()) + "/lab", o);
  REQUIRE(d.ok());
  delivery_result r;
  (*d)->deliver(doc_of(1, "x"), [&r](delivery_result x) { r = std::move(x); });
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK_FALSE(r.ok);
  CHECK(r.message ==
        "the LPD server did not answer for 0.2 s (waiting for the acknowledgement of the receive-job command)");
  CHECK(hang.connections() == 1);
  CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE_FIXTURE(lpd_fixture, "lpd: an empty document is not sent") {
  auto d = make();
  auto r = deliver_all(*d, {doc_of(1, "")})[0];
  CHECK_FALSE(r.ok);
  CHECK(r.message.rfind("the document is empty", 0) == 0);
}
