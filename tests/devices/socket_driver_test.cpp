#include "devices/socket_driver.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "devices/device_sink.hpp"
#include "test_util.hpp"

using namespace quire;
using namespace quire::devices;
using quire::testing::device_sink;
using quire::testing::temp_dir;
using std::chrono::milliseconds;

namespace {

struct loop_fixture {
  uv_loop_t loop;
  loop_fixture() { uv_loop_init(&loop); }
  ~loop_fixture() {
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK(uv_loop_close(&loop) == 0);  // every handle was closed
  }

  // Fast stage timeouts; back-off stays at its 1 s default unless a test sets it.
  driver_options options() {
    driver_options o;
    o.net.connect_timeout_ms = 2000;
    o.net.progress_timeout_ms = 300;
    o.net.ack_timeout_ms = 300;
    o.net.linger_ms = 1000;
    return o;
  }

  std::shared_ptr<driver> make(const std::string& uri, const driver_options& o) {
    auto d = make_driver(&loop, uri, o);
    REQUIRE(d.ok());
    return *d;
  }

  std::vector<delivery_result> deliver_all(driver& d, std::vector<job_document> docs) {
    return quire::testing::deliver_all(loop, d, std::move(docs));
  }
};

job_document doc_of(uint64_t id, std::string bytes, std::string format = "application/pdf") {
  job_document d;
  d.job_id = id;
  d.format = std::move(format);
  d.bytes = std::move(bytes);
  return d;
}

std::string pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1103515245 + 12345;
    s[i] = static_cast<char>(seed >> 16);
  }
  return s;
}

std::string uri_of(const device_sink& s) { return "socket://127.0.0.1:" + std::to_string(s.port()); }

}  // namespace

TEST_CASE_FIXTURE(loop_fixture, "socket: bytes and files arrive whole, byte-identical and in order") {
  device_sink sink(device_sink::mode::store);
  temp_dir dir;
  std::string big = pattern(20 << 20, 7);
  std::string path = dir.path() + "/big.pdf";
  std::ofstream(path, std::ios::binary) << big;
  job_document file_doc = doc_of(2, "");
  file_doc.path = path;
  auto d = make(uri_of(sink), options());
  CHECK(d->max_pending() == 2);
  auto results = deliver_all(*d, {doc_of(1, "%PDF-1.7 first"), file_doc, doc_of(3, std::string(40960, 'x'))});
  for (auto& r : results) CHECK_MESSAGE(r.ok, r.message);
  CHECK(results[2].confirmation == "all 40,960 bytes accepted and the connection closed");
  CHECK(results[1].confirmation == "all 20,971,520 bytes accepted and the connection closed");
  auto got = sink.wait_for(3);
  REQUIRE(got.size() == 3);
  CHECK(got[0].bytes == "%PDF-1.7 first");
  CHECK(got[1].bytes.size() == big.size());
  CHECK(got[1].bytes == big);
  CHECK(got[2].bytes == std::string(40960, 'x'));
}

TEST_CASE_FIXTURE(loop_fixture, "socket: copies of PDF go in a PJL wrapper, other formats are sent once") {
  device_sink sink(device_sink::mode::store);
  auto d = make(uri_of(sink), options());
  job_document pdf = doc_of(1, "%PDF-1.7 body");
  pdf.copies = 3;
  job_document jpeg = doc_of(2, "\xff\xd8jpeg", "image/jpeg");
  jpeg.copies = 2;
  auto results = deliver_all(*d, {pdf, jpeg});
  REQUIRE(results[0].ok);
  REQUIRE(results[1].ok);
  CHECK(results[1].confirmation.find("2 copies were asked for") != std::string::npos);
  auto got = sink.wait_for(2);
  CHECK(got[0].bytes ==
        "\x1b%-12345X@PJL SET COPIES=3\r\n@PJL ENTER LANGUAGE=PDF\r\n%PDF-1.7 body\x1b%-12345X");
  CHECK(got[1].bytes == "\xff\xd8jpeg");
}

TEST_CASE_FIXTURE(loop_fixture, "socket: a refused connection is retried until the printer comes up") {
  device_sink sink(device_sink::mode::store);
  sink.refuse();
  sink.reopen_after(milliseconds(1500));
  auto d = make(uri_of(sink), options());
  auto t0 = std::chrono::steady_clock::now();
  auto r = deliver_all(*d, {doc_of(1, "late")})[0];
  CHECK_MESSAGE(r.ok, r.message);
  CHECK(std::chrono::steady_clock::now() - t0 >= milliseconds(1500));  // tries at 0, 1 s, 3 s
  CHECK(sink.wait_for(1)[0].bytes == "late");
}

TEST_CASE_FIXTURE(loop_fixture, "socket: a printer that keeps refusing fails the job after the retries") {
  device_sink sink(device_sink::mode::store);
  sink.refuse();
  auto o = options();
  o.net.backoff_ms = 20;
  auto d = make(uri_of(sink), o);
  auto r = deliver_all(*d, {doc_of(1, "never")})[0];
  CHECK_FALSE(r.ok);
  CHECK(r.message == "the printer at 127.0.0.1:" + std::to_string(sink.port()) + " refused the connection (4 tries)");
}

TEST_CASE_FIXTURE(loop_fixture, "socket: a printer closing mid-job fails it with byte counts, and no retry") {
  device_sink sink(device_sink::mode::close_after);
  sink.set_close_after(12288);
  auto o = options();
  o.net.backoff_ms = 20;
  auto d = make(uri_of(sink), o);
  auto r = deliver_all(*d, {doc_of(1, pattern(16 << 20, 3)), doc_of(2, "next")});
  CHECK_FALSE(r[0].ok);
  INFO(r[0].message);
  CHECK(r[0].message.rfind("the printer closed the connection after ", 0) == 0);
  CHECK(r[0].message.find(" of 16,777,216 bytes") != std::string::npos);
  // The second job had its own connection; the first was never sent again.
  sink.wait_for(2);
  CHECK(sink.connections() == 2);
}

TEST_CASE_FIXTURE(loop_fixture, "socket: a printer that stops reading hits the progress timeout") {
  device_sink sink(device_sink::mode::hang);
  auto d = make(uri_of(sink), options());
  auto t0 = std::chrono::steady_clock::now();
  auto r = deliver_all(*d, {doc_of(1, pattern(32 << 20, 5))})[0];
  CHECK_FALSE(r.ok);
  CHECK(r.message.rfind("no progress for 0.3 s: the printer stopped taking data after ", 0) == 0);
  CHECK(r.message.find(" of 33,554,432 bytes") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
  CHECK(sink.connections() == 1);
}

TEST_CASE_FIXTURE(loop_fixture, "socket: a missing document file fails without connecting") {
  device_sink sink(device_sink::mode::store);
  auto d = make(uri_of(sink), options());
  job_document doc = doc_of(1, "");
  doc.path = "/nonexistent/quire/doc.pdf";
  auto r = deliver_all(*d, {doc})[0];
  CHECK_FALSE(r.ok);
  CHECK(r.message.rfind("cannot open the document", 0) == 0);
  CHECK(sink.connections() == 0);
}

TEST_CASE_FIXTURE(loop_fixture, "network device URIs") {
  driver_options o;
  CHECK(make_driver(&loop, "socket://127.0.0.1", o).ok());
  CHECK(make_driver(&loop, "socket://printer.example:9101", o).ok());
  CHECK(make_driver(&loop, "socket://[::1]:9100", o).ok());
  CHECK(make_driver(&loop, "socket://[::1]", o).ok());
  CHECK(make_driver(&loop, "socket://[nope]:9100", o).err().code == errc::invalid_argument);
  CHECK(make_driver(&loop, "socket://127.0.0.1:0", o).err().code == errc::invalid_argument);
  CHECK(make_driver(&loop, "socket://127.0.0.1:70000", o).err().code == errc::invalid_argument);
  CHECK(make_driver(&loop, "socket://127.0.0.1:", o).err().code == errc::invalid_argument);
  CHECK(make_driver(&loop, "socket://h/x", o).err().code == errc::invalid_argument);
  CHECK(make_driver(&loop, "socket://", o).err().code == errc::invalid_argument);
  CHECK(make_driver(&loop, "lpd://127.0.0.1/lab", o).ok());
  CHECK(make_driver(&loop, "lpd://[::1]:1515/lab", o).ok());
  CHECK(make_driver(&loop, "lpd://127.0.0.1", o).err().code == errc::invalid_argument);
  CHECK(make_driver(&loop, "lpd://127.0.0.1/", o).err().code == errc::invalid_argument);
  CHECK(make_driver(&loop, "lpd://127.0.0.1/a/b", o).err().code == errc::invalid_argument);
  CHECK(make_driver(&loop, "ipps://127.0.0.1/ipp/print", o).ok());
}

TEST_CASE("counts and durations for people") {
  CHECK(with_commas(0) == "0");
  CHECK(with_commas(999) == "999");
  CHECK(with_commas(12288) == "12,288");
  CHECK(with_commas(20971520) == "20,971,520");
  CHECK(seconds_text(60000) == "60 s");
  CHECK(seconds_text(300) == "0.3 s");
  CHECK((device_address{"::1", 9100}.shown()) == "[::1]:9100");
  CHECK(socket_driver::pjl_language("application/vnd.hp-pclxl") == std::string("PCLXL"));
  CHECK(socket_driver::pjl_language("image/urf") == nullptr);
}

// A listener whose accept queue is full drops new SYNs (Linux): connecting
// to it hangs, as to a printer that is switched off behind a router.
TEST_CASE_FIXTURE(loop_fixture, "socket: a connection that is never answered times out, and is retried") {
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(lfd, 0) == 0);
  socklen_t len = sizeof a;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len);
  std::vector<int> fillers;
  for (int i = 0; i < 2; ++i) {  // fill the accept queue
    int c = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    ::connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a);
    fillers.push_back(c);
  }
  std::this_thread::sleep_for(milliseconds(50));
  auto o = options();
  o.net.connect_timeout_ms = 200;
  o.net.retries = 1;
  o.net.backoff_ms = 20;
  auto d = make("socket://127.0.0.1:" + std::to_string(ntohs(a.sin_port)), o);
  auto r = deliver_all(*d, {doc_of(1, "x")})[0];
  CHECK_FALSE(r.ok);
  CHECK(r.message == "the printer at 127.0.0.1:" + std::to_string(ntohs(a.sin_port)) +
                         " did not answer within 0.2 s (2 tries)");
  for (int c : fillers) ::close(c);
  ::close(lfd);
}
