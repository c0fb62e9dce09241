// The IPP driver against a real ippeveprinter and against broken peers, on a
// real libuv loop. Loopback only.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "devices/ipp_driver.hpp"
#include "devices/ipp_test_peers.hpp"
#include "test_util.hpp"

using namespace quire;
using namespace quire::devices;
using namespace quire::testing;

namespace {

const std::string pdf_path = QUIRE_SOURCE_DIR "/tests/data/one-page.pdf";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Fast polls and back-offs so a test takes seconds, not minutes.
ipp_driver_options quick() {
  ipp_driver_options o;
  o.retries = 3;
  o.backoff_ms = 100;
  o.max_backoff_ms = 400;
  o.connect_timeout_ms = 1'000;
  o.io_timeout_ms = 2'000;
  o.poll_interval_ms = 100;
  o.job_timeout_ms = 30'000;
  return o;
}

job_document pdf(uint64_t id, bool from_path) {
  job_document d;
  d.job_id = id;
  d.title = "report " + std::to_string(id);
  d.format = "application/pdf";
  d.user = "alice";
  if (from_path)
    d.path = pdf_path;
  else
    d.bytes = slurp(pdf_path);
  return d;
}

// A script for ippeveprinter's -c: records the job's IPP_* environment next
// to the document, and fails documents whose job-name is "fail-me".
std::string write_command(const std::string& dir, const std::string& extra = "") {
  std::string path = dir + "/print.sh";
  std::ofstream(path) << "#!/bin/sh\nenv | grep '^IPP_' > \"$1.env\"\n"
                      << "if [ \"$IPP_JOB_NAME\" = fail-me ]; then echo 'ERROR: paper on fire' >&2; exit 1; fi\n"
                      << extra << "exit 0\n";
  ::chmod(path.c_str(), 0755);
  return path;
}

struct loop_fixture {
  uv_loop_t loop;
  size_t handed = 0;
  std::vector<std::pair<uint64_t, delivery_result>> results;
  loop_fixture() { uv_loop_init(&loop); }
  ~loop_fixture() { CHECK(uv_loop_close(&loop) == 0); }

  void deliver(driver& d, job_document doc) {
    uint64_t id = doc.job_id;
    handed += 1;
    d.deliver(std::move(doc), [this, id](delivery_result r) { results.emplace_back(id, std::move(r)); });
  }
  // Runs the loop until every delivery is done (the driver's waits do not
  // keep a loop alive: this keeper does, as quired's loop does); false if
  // `limit_ms` passed first.
  bool run(uint64_t limit_ms = 60'000) {
    struct keeper_state {
      loop_fixture* self;
      uint64_t deadline;
      bool expired = false;
    } st{this, uv_now(&loop) + limit_ms};
    uv_timer_t keeper;
    keeper.data = &st;
    uv_timer_init(&loop, &keeper);
    uv_timer_start(
        &keeper,
        [](uv_timer_t* t) {
          auto* k = static_cast<keeper_state*>(t->data);
          k->expired = uv_now(t->loop) >= k->deadline;
          if (k->expired || k->self->results.size() >= k->self->handed)
            uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
        },
        10, 10);
    uv_run(&loop, UV_RUN_DEFAULT);
    return !st.expired;
  }
  std::shared_ptr<driver> make(const std::string& uri, const ipp_driver_options& o = quick()) {
    auto d = make_ipp_driver(&loop, uri, o);
    REQUIRE(d.ok());
    return *d;
  }
};

bool have_ippeveprinter() {
  if (std::filesystem::exists(ippeveprinter_path)) return true;
  MESSAGE("skipped: " << ippeveprinter_path << " is missing (package cups-ipp-utils)");
  return false;
}

}  // namespace

TEST_CASE_FIXTURE(loop_fixture, "ipp: a PDF from bytes and from a file prints whole on ippeveprinter") {
  if (!have_ippeveprinter()) return;
  temp_dir dir;
  ippeve_printer printer(dir.path(), free_loopback_port(), write_command(dir.path()));
  REQUIRE_MESSAGE(printer.start_and_wait(), printer.log());
  auto d = make(printer.uri());

  deliver(*d, pdf(1, false));
  auto copies = pdf(2, true);
  copies.copies = 2;
  deliver(*d, copies);
  REQUIRE(run());
  REQUIRE(results.size() == 2);
  for (auto& [id, r] : results) {
    INFO("job " << id << ": " << r.message);
    CHECK(r.ok);
    CHECK(contains(r.confirmation, "completed"));
  }
  CHECK(contains(results[0].second.confirmation, "the printer's job 1 completed"));
  auto docs = printer.documents();
  REQUIRE(docs.size() == 2);
  std::string original = slurp(pdf_path);
  for (auto& doc : docs) CHECK(slurp(doc) == original);
  std::string env = slurp(docs[1] + ".env");
  CHECK(contains(env, "IPP_JOB_NAME=report 2"));
  CHECK(contains(env, "IPP_COPIES=2"));
  CHECK(contains(slurp(docs[0] + ".env"), "IPP_JOB_NAME=report 1"));
  CHECK(contains(env, "IPP_JOB_ORIGINATING_USER_NAME=alice"));
}

TEST_CASE_FIXTURE(loop_fixture, "ipp: a 5 MB document streams from its file in chunks and arrives whole") {
  if (!have_ippeveprinter()) return;
  temp_dir dir;
  ippeve_printer printer(dir.path(), free_loopback_port());
  REQUIRE_MESSAGE(printer.start_and_wait(), printer.log());
  std::string big = slurp(pdf_path);
  for (size_t i = 0; big.size() < (5u << 20); ++i) big.append("% filler line ").append(std::to_string(i)).append("\n");
  std::ofstream(dir.path() + "/big.pdf", std::ios::binary) << big;
  auto d = make(printer.uri());
  job_document doc = pdf(3, true);
  doc.path = dir.path() + "/big.pdf";
  deliver(*d, doc);
  REQUIRE(run());
  REQUIRE(results.size() == 1);
  INFO(results[0].second.message);
  CHECK(results[0].second.ok);
  REQUIRE(printer.documents().size() == 1);
  CHECK(slurp(printer.documents()[0]) == big);
}

TEST_CASE_FIXTURE(loop_fixture, "ipp: ipps:// accepts the printer's self-signed certificate") {
  if (!have_ippeveprinter()) return;
  temp_dir dir;
  ippeve_printer printer(dir.path(), free_loopback_port());
  REQUIRE_MESSAGE(printer.start_and_wait(), printer.log());
  auto d = make(printer.uri("ipps"));
  deliver(*d, pdf(5, true));
  REQUIRE(run());
  REQUIRE(results.size() == 1);
  INFO(results[0].second.message);
  CHECK(results[0].second.ok);
  CHECK(contains(printer.log(), "Connection now encrypted"));
  REQUIRE(printer.documents().size() == 1);
  std::string got = slurp(printer.documents()[0]);
  CHECK(got.size() == slurp(pdf_path).size());
  CHECK(got == slurp(pdf_path));
}

TEST_CASE_FIXTURE(loop_fixture, "ipp: three jobs in a row all complete, in order, one at a time") {
  if (!have_ippeveprinter()) return;
  temp_dir dir;
  ippeve_printer printer(dir.path(), free_loopback_port());
  REQUIRE_MESSAGE(printer.start_and_wait(), printer.log());
  auto d = make(printer.uri());
  CHECK(d->max_pending() == 2);
  for (uint64_t id = 10; id < 13; ++id) deliver(*d, pdf(id, id % 2 == 0));
  REQUIRE(run());
  REQUIRE(results.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    INFO(results[i].second.message);
    CHECK(results[i].first == 10 + i);
    CHECK(results[i].second.ok);
    CHECK(contains(results[i].second.confirmation, "job " + std::to_string(i + 1) + " completed"));
  }
  CHECK(printer.documents().size() == 3);
  CHECK_FALSE(contains(printer.log(), "server-error-busy"));  // never two at once
}

TEST_CASE_FIXTURE(loop_fixture, "ipp: a busy printer is tried again until it takes the job") {
  if (!have_ippeveprinter()) return;
  temp_dir dir;
  ippeve_printer printer(dir.path(), free_loopback_port(), write_command(dir.path(), "[ \"$IPP_JOB_NAME\" = slow ] && sleep 1.5\n"));
  REQUIRE_MESSAGE(printer.start_and_wait(), printer.log());
  // Someone else's job keeps the printer busy for 1.5 s.
  http_t* http = httpConnect2("127.0.0.1", printer.port(), nullptr, AF_INET, HTTP_ENCRYPTION_IF_REQUESTED, 1, 1000,
                              nullptr);
  REQUIRE(http);
  ipp_t* req = ippNewRequest(IPP_OP_PRINT_JOB);
  ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, printer.uri().c_str());
  ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", nullptr, "slow");
  ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", nullptr, "application/pdf");
  ipp_t* resp = cupsDoFileRequest(http, req, "/ipp/print", pdf_path.c_str());
  REQUIRE(ippGetStatusCode(resp) == IPP_STATUS_OK);
  ippDelete(resp);
  httpClose(http);

  auto impatient = quick();
  impatient.retries = 1;
  auto patient = quick();
  patient.retries = 10;  // ~3 s of tries
  auto a = make(printer.uri(), impatient);
  auto b = make(printer.uri(), patient);
  deliver(*a, pdf(70, false));
  deliver(*b, pdf(71, false));
  REQUIRE(run());
  REQUIRE(results.size() == 2);
  CHECK(results[0].first == 70);
  CHECK_FALSE(results[0].second.ok);
  CHECK(results[0].second.message == "the printer at 127.0.0.1:" + std::to_string(printer.port()) +
                                         " is busy (2 tries): server-error-busy");
  INFO(results[1].second.message);
  CHECK(results[1].second.ok);
  CHECK(printer.documents().size() == 2);
}

TEST_CASE_FIXTURE(loop_fixture, "ipp: the printer's refusals and aborts fail the job with its reasons") {
  if (!have_ippeveprinter()) return;
  temp_dir dir;
  ippeve_printer printer(dir.path(), free_loopback_port(), write_command(dir.path()));
  REQUIRE_MESSAGE(printer.start_and_wait("application/pdf"), printer.log());
  auto d = make(printer.uri());
  job_document text = pdf(20, false);
  text.format = "text/x-unknown";
  deliver(*d, text);
  job_document doomed = pdf(21, true);
  doomed.title = "fail-me";
  deliver(*d, doomed);
  REQUIRE(run());
  REQUIRE(results.size() == 2);
  CHECK_FALSE(results[0].second.ok);
  CHECK(contains(results[0].second.message, "the printer refused the job: client-error-"));
  CHECK_FALSE(results[1].second.ok);
  CHECK(contains(results[1].second.message, "the printer aborted the job"));
  MESSAGE(results[0].second.message);
  MESSAGE(results[1].second.message);
}

TEST_CASE_FIXTURE(loop_fixture, "ipp: a job the printer does not finish in time fails") {
  if (!have_ippeveprinter()) return;
  temp_dir dir;
  ippeve_printer printer(dir.path(), free_loopback_port(), write_command(dir.path(), "sleep 3\n"));
  REQUIRE_MESSAGE(printer.start_and_wait(), printer.log());
  auto o = quick();
  o.job_timeout_ms = 1'000;
  auto d = make(printer.uri(), o);
  deliver(*d, pdf(30, false));
  REQUIRE(run());
  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].second.ok);
  CHECK(contains(results[0].second.message, "the printer did not finish the job in 1 s"));
  MESSAGE(results[0].second.message);
}

TEST_CASE_FIXTURE(loop_fixture, "ipp: a printer that is down is retried, then the job fails with a reason") {
  int port = free_loopback_port();
  auto o = quick();
  o.retries = 2;
  auto d = make("ipp://127.0.0.1:" + std::to_string(port) + "/ipp/print", o);
  deliver(*d, pdf(40, false));
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(run());
  auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].second.ok);
  std::string expected = "the printer at 127.0.0.1:" + std::to_string(port) + " cannot be reached (3 tries): connection refused or host down";
  CHECK(contains(results[0].second.message, expected));
  CHECK(took >= std::chrono::milliseconds(300));  // 100 + 200 ms of back-off
  CHECK(results[0].second.unreachable);  // nothing was taken: a queue may fail over
  MESSAGE(results[0].second.message);
}

TEST_CASE_FIXTURE(loop_fixture, "ipp: the device says which formats it takes (language auto)") {
  std::vector<std::string> down{"not called"};
  make("ipp://127.0.0.1:" + std::to_string(free_loopback_port()) + "/ipp/print")->probe_formats([&](auto f) { down = f; });
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(down.empty());
  if (!have_ippeveprinter()) return;
  temp_dir dir;
  ippeve_printer printer(dir.path(), free_loopback_port(), write_command(dir.path()));
  REQUIRE_MESSAGE(printer.start_and_wait(), printer.log());
  std::vector<std::string> formats;
  make(printer.uri())->probe_formats([&](auto f) { formats = f; });
  uv_run(&loop, UV_RUN_DEFAULT);
  auto has = [&](const char* f) { return std::find(formats.begin(), formats.end(), f) != formats.end(); };
  CHECK(has("application/pdf"));
  CHECK(has("image/pwg-raster"));
}

TEST_CASE_FIXTURE(loop_fixture, "ipp: a printer that comes up during the retries gets the job") {
  if (!have_ippeveprinter()) return;
  temp_dir dir;
  int port = free_loopback_port();
  ippeve_printer printer(dir.path(), port);
  auto o = quick();
  o.retries = 5;
  o.backoff_ms = 500;  // tries at 0, 0.5, 1.5, 3.5, 7.5 s
  o.max_backoff_ms = 4'000;
  auto d = make(printer.uri(), o);
  deliver(*d, pdf(50, true));
  std::thread later([&printer] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    printer.start();
  });
  bool finished = run();
  later.join();
  REQUIRE(finished);
  REQUIRE(results.size() == 1);
  INFO(results[0].second.message);
  CHECK(results[0].second.ok);
  CHECK(printer.documents().size() == 1);
}

TEST_CASE_FIXTURE(loop_fixture, "ipp: garbage, closed and silent peers fail the job without a hang") {
  struct peer {
    std::string what;
    std::string reply;
  };
  const peer peers[] = {
      {"closes at once", ""},
      {"not HTTP", "SSH-2.0-OpenSSH_9.2\r\n"},
      {"HTTP, not IPP", "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nContent-Length: 12\r\n\r\nnot ipp at all"},
      {"HTTP error", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"},
      {"silent", "-"},
  };
  for (const auto& p : peers) {
    CAPTURE(p.what);
    results.clear();
    handed = 0;
    bad_server server(p.reply);
    auto d = make("ipp://127.0.0.1:" + std::to_string(server.port()) + "/ipp/print");
    deliver(*d, pdf(60, false));
    REQUIRE(run(20'000));
    REQUIRE(results.size() == 1);
    CHECK_FALSE(results[0].second.ok);
    CHECK(contains(results[0].second.message, "127.0.0.1:" + std::to_string(server.port())));
    CHECK(server.connections() == 1);  // the device may have read the document: never twice
    MESSAGE(p.what << ": " << results[0].second.message);
  }
}

TEST_CASE_FIXTURE(loop_fixture, "ipp: device URIs") {
  CHECK(make_ipp_driver(&loop, "ipp://10.0.0.5/ipp/print", {}).ok());
  CHECK(make_ipp_driver(&loop, "ipps://printer.example:8443/ipp/print", {}).ok());
  CHECK(make_ipp_driver(&loop, "socket://10.0.0.5", {}).err().code == errc::invalid_argument);
  CHECK(make_ipp_driver(&loop, "ipp:///ipp/print", {}).err().code == errc::invalid_argument);
  CHECK(make_ipp_driver(&loop, "nonsense", {}).err().code == errc::invalid_argument);
}
