#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "lpd_fixtures.hpp"
#include "protocols/lpd/receive.hpp"

using namespace quire;
using namespace quire::lpd;
using namespace lpd_fixtures;
using ev = receive_session::event_kind;

namespace {

// What a connection would see and write: a log of events (bodies joined per
// file, so that any split gives the same log) and the acks it sent.
struct transcript {
  std::vector<std::string> log;
  std::string acks;
  std::string body;  // of the file in progress
  size_t consumed = 0;
  bool chunks_inside_input = true;
  subcommand last;  // the last subcommand seen, to decide on
};

using decision = std::function<bool(const subcommand&)>;

bool accept_all(const subcommand&) { return true; }

// Feeds `wire` in pieces of `step` octets and acts as the connection: 0 after
// an accepted subcommand and after each file, 1 after a refused one.
transcript drive(receive_session& s, std::string_view wire, size_t step,
                 const decision& decide = accept_all) {
  transcript t;
  std::vector<receive_session::event> events;
  std::string pending;
  for (size_t at = 0; at < wire.size(); at += step) {
    pending.append(wire.substr(at, step));
    for (;;) {
      events.clear();
      size_t n = s.feed(pending, events);
      REQUIRE(n <= pending.size());
      for (auto& e : events) {
        switch (e.kind) {
          case ev::subcommand:
            t.log.push_back(std::string("sub ") + to_string(e.sub.kind) + " " +
                            std::to_string(e.sub.count) + " " + e.sub.name);
            t.last = e.sub;
            break;
          case ev::body:
            t.chunks_inside_input = t.chunks_inside_input && e.chunk.data() >= pending.data() &&
                                    e.chunk.data() + e.chunk.size() <= pending.data() + n;
            t.body.append(e.chunk);
            break;
          case ev::control_file_complete: t.log.push_back("control " + e.text); break;
          case ev::file_end:
            t.log.push_back("end " + e.sub.name + (t.body.empty() ? "" : " " + t.body));
            t.body.clear();
            t.acks += '\0';
            break;
          case ev::error: t.log.push_back("error " + e.text); break;
        }
      }
      t.consumed += n;
      pending.erase(0, n);
      if (s.awaiting_decision()) {
        if (decide(t.last)) {
          s.accept();
          t.acks += '\0';
        } else {
          s.refuse();
          t.acks += '\1';
        }
        continue;
      }
      if (pending.empty() || n == 0) break;
    }
  }
  return t;
}

std::vector<std::string> expected_cups_log() {
  std::string control = cups_control();
  return {
      "sub control-file " + std::to_string(control.size()) + " cfA123ubuntu-ws",
      "control " + control,
      "end cfA123ubuntu-ws",
      "sub data-file " + std::to_string(pdf_data().size()) + " dfA123ubuntu-ws",
      "end dfA123ubuntu-ws " + pdf_data(),
  };
}

}  // namespace

TEST_CASE("receive: CUPS's lpd backend, control file first") {
  receive_session s;
  auto t = drive(s, cups_wire(), 4096);
  CHECK(t.log == expected_cups_log());
  CHECK(t.acks == std::string(4, '\0'));
  CHECK(t.consumed == cups_wire().size());
  CHECK(t.chunks_inside_input);
  CHECK(s.at_boundary());
  CHECK(s.finish().code == errc::ok);
  CHECK(s.files_complete() == 2);
}

TEST_CASE("receive: every split gives the same events and acks") {
  for (auto wire : {cups_wire(), windows_wire()}) {
    receive_session whole;
    auto reference = drive(whole, wire, wire.size());
    REQUIRE(reference.log.size() == 5);
    for (size_t step = 1; step <= wire.size(); ++step) {
      CAPTURE(step);
      receive_session s;
      auto t = drive(s, wire, step);
      REQUIRE(t.log == reference.log);
      CHECK(t.acks == reference.acks);
      CHECK(t.consumed == wire.size());
      CHECK(t.chunks_inside_input);
    }
  }
}

TEST_CASE("receive: the Windows LPR port sends the data file first") {
  receive_session s;
  auto t = drive(s, windows_wire(), 1000);
  REQUIRE(t.log.size() == 5);
  CHECK(t.log[0] == "sub data-file " + std::to_string(windows_data().size()) + " dfA042WIN-PRINTSRV");
  CHECK(t.log[1] == "end dfA042WIN-PRINTSRV " + windows_data());
  CHECK(t.log[3] == "control " + windows_control());
  CHECK(s.finish().code == errc::ok);
}

TEST_CASE("receive: feed stops at a subcommand until the connection decides") {
  receive_session s;
  std::string wire = cups_wire();
  std::vector<receive_session::event> out;
  size_t n = s.feed(wire, out);
  std::string first_line = announce('\x02', cups_control(), "cfA123ubuntu-ws");
  CHECK(n == first_line.size());
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == ev::subcommand);
  CHECK(out[0].sub.kind == subcommand_kind::control_file);
  CHECK(out[0].sub.count == cups_control().size());
  CHECK(s.awaiting_decision());
  CHECK_FALSE(s.at_boundary());
  out.clear();
  CHECK(s.feed(std::string_view(wire).substr(n), out) == 0);  // still undecided
  CHECK(out.empty());
  CHECK(s.finish().code == errc::io_error);
  s.accept();
  CHECK(s.feed(std::string_view(wire).substr(n), out) > 0);
}

TEST_CASE("receive: feed stops after each file, leaving the rest to the caller") {
  receive_session s;
  std::string control = cups_control();
  std::string wire = announce('\x02', control, "cfA123ubuntu-ws") + control + '\0' + "\x01\n";
  std::vector<receive_session::event> out;
  size_t n = s.feed(wire, out);
  s.accept();
  out.clear();
  size_t m = s.feed(std::string_view(wire).substr(n), out);
  CHECK(n + m == wire.size() - 2);  // the abort line is not read yet
  REQUIRE(out.size() == 2);
  CHECK(out[0].kind == ev::control_file_complete);
  CHECK(out[0].text == control);
  CHECK(out[1].kind == ev::file_end);
  CHECK(out[1].sub.name == "cfA123ubuntu-ws");
  CHECK(s.at_boundary());
  out.clear();
  CHECK(s.feed(std::string_view(wire).substr(n + m), out) == 2);
  CHECK(s.aborted());
}

TEST_CASE("receive: a refused file lets the client go on") {
  receive_session s;
  std::string data = pdf_data();
  std::string control = cups_control();
  // The client offers a data file, is refused, and sends the control file.
  std::string wire = announce('\x03', data, "dfA123ubuntu-ws") +
                     announce('\x02', control, "cfA123ubuntu-ws") + control + '\0';
  auto t = drive(s, wire, 7, [](const subcommand& sc) {
    return sc.kind == subcommand_kind::control_file;
  });
  REQUIRE(t.log.size() == 4);
  CHECK(t.log[0].rfind("sub data-file", 0) == 0);
  CHECK(t.log[1].rfind("sub control-file", 0) == 0);
  CHECK(t.acks == std::string("\1\0\0", 3));
  CHECK(s.at_boundary());
}

TEST_CASE("receive: several data files in one job") {
  receive_session s;
  std::string a = "page one\n", b = "page two\n";
  std::string control = "Hh\nPbob\nfdfAh\nfdfBh\n";
  std::string wire = announce('\x02', control, "cfA001h") + control + '\0' +
                     announce('\x03', a, "dfA001h") + a + '\0' +
                     announce('\x03', b, "dfB001h") + b + '\0';
  auto t = drive(s, wire, 3);
  REQUIRE(t.log.size() == 7);
  CHECK(t.log[4] == "end dfA001h page one\n");
  CHECK(t.log[6] == "end dfB001h page two\n");
  CHECK(s.files_complete() == 3);
}

TEST_CASE("receive: abort ends the session without an answer") {
  receive_session s;
  std::string wire = "\x01\n" + cups_wire();
  std::vector<receive_session::event> out;
  size_t n = s.feed(wire, out);
  CHECK(n == 2);
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == ev::subcommand);
  CHECK(out[0].sub.kind == subcommand_kind::abort);
  CHECK(s.aborted());
  CHECK_FALSE(s.awaiting_decision());
  CHECK(s.feed("more", out) == 0);
  CHECK(s.finish().code == errc::ok);
}

TEST_CASE("receive: malformed streams end in one error and stay failed") {
  struct bad {
    std::string wire;
    errc code;
    const char* words;  // expected in the message
  };
  limits lim;
  lim.max_data_bytes = 1000;
  bad cases[] = {
      {"\x04" "12 dfA1h\n", errc::invalid_argument, "unknown"},
      {"\x03" "12\n", errc::invalid_argument, "missing file name"},
      {"\x03 dfA1h\n", errc::invalid_argument, "count"},
      {"\x03" "1x2 dfA1h\n", errc::invalid_argument, "count"},
      {"\x03" "-5 dfA1h\n", errc::invalid_argument, "count"},
      {"\x03" "99999999999999999999999 dfA1h\n", errc::invalid_argument, "too large"},
      {"\x03" "5 ../../etc/passwd\n", errc::invalid_argument, "bad file name"},
      {"\x03" "5 dfA1h extra\n", errc::invalid_argument, "after the file name"},
      {"\x03" "0 dfA1h\n", errc::unsupported, "byte counting"},
      {"\x02" "0 cfA1h\n", errc::invalid_argument, "empty"},
      {"\x02" "65537 cfA1h\n", errc::limit_exceeded, "more than 65536"},
      {"\x03" "1001 dfA1h\n", errc::limit_exceeded, "more than 1000"},
      {"\x03" "3 " + std::string(2000, 'd') + "\n", errc::limit_exceeded, "longer than 1024"},
      {"\n", errc::invalid_argument, "empty"},
  };
  for (auto& c : cases) {
    CAPTURE(c.wire);
    receive_session s(lim);
    auto t = drive(s, c.wire, 5);
    REQUIRE(s.failed());
    CHECK(s.error().code == c.code);
    CHECK(s.error().message.find(c.words) != std::string::npos);
    REQUIRE_FALSE(t.log.empty());
    CHECK(t.log.back() == "error " + s.error().message);
    std::vector<receive_session::event> out;
    CHECK(s.feed("\x02" "5 cfA1h\n", out) == 0);
    CHECK(out.empty());
    CHECK(s.finish().code == c.code);
  }
}

TEST_CASE("receive: a non-zero octet after a file is an error") {
  receive_session s;
  std::string wire = announce('\x03', "abc", "dfA001h") + "abc\x01";
  auto t = drive(s, wire, 2);
  REQUIRE(s.failed());
  CHECK(s.error().message.find("instead of a zero octet") != std::string::npos);
  CHECK(t.log.back().rfind("error", 0) == 0);
}

TEST_CASE("receive: finish says what a closing peer cut short") {
  std::string wire = cups_wire();
  std::string first_line = announce('\x02', cups_control(), "cfA123ubuntu-ws");
  struct cut {
    size_t at;
    const char* words;
  };
  size_t control_end = first_line.size() + cups_control().size();
  cut cuts[] = {
      {3, "subcommand line"},
      {first_line.size() + 5, "5 of"},
      {control_end, "zero octet"},
  };
  for (auto& c : cuts) {
    CAPTURE(c.at);
    receive_session s;
    drive(s, std::string_view(wire).substr(0, c.at), 1);
    auto st = s.finish();
    CHECK(st.code == errc::io_error);
    CHECK(st.message.find(c.words) != std::string::npos);
  }
  receive_session empty;
  CHECK(empty.at_boundary());
  CHECK(empty.finish().code == errc::ok);  // a client that sent no file at all
}

TEST_CASE("receive: large data files stream without buffering") {
  limits lim;
  receive_session s(lim);
  std::vector<receive_session::event> out;
  uint64_t big = uint64_t{5} << 30;  // 5 GiB, far past any buffer
  std::string line = "\x03" + std::to_string(big) + " dfA001h\n";
  CHECK(s.feed(line, out) == line.size());
  s.accept();
  std::string chunk(1 << 16, 'x');
  out.clear();
  CHECK(s.feed(chunk, out) == chunk.size());
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == ev::body);
  CHECK(out[0].chunk.size() == chunk.size());
  CHECK(out[0].chunk.data() == chunk.data());
  CHECK(s.finish().message.find("65536 of 5368709120") != std::string::npos);
}

TEST_CASE("receive: subcommand lines tolerate a CR and extra blanks") {
  auto sc = parse_subcommand("\x03" "12  dfA001host \r", limits{});
  REQUIRE(sc.ok());
  CHECK(sc->kind == subcommand_kind::data_file);
  CHECK(sc->count == 12);
  CHECK(sc->name == "dfA001host");
  auto ab = parse_subcommand("\x01", limits{});
  REQUIRE(ab.ok());
  CHECK(ab->kind == subcommand_kind::abort);
}

TEST_CASE("receive: file names") {
  auto c = parse_file_name("cfA123ubuntu-ws");
  REQUIRE(c);
  CHECK(c->control);
  CHECK(c->letter == 'A');
  CHECK(c->job_number == 123);
  CHECK(c->host == "ubuntu-ws");
  auto d = parse_file_name("dfz042WIN-PRINTSRV");
  REQUIRE(d);
  CHECK_FALSE(d->control);
  CHECK(d->letter == 'z');
  CHECK(d->job_number == 42);
  CHECK(d->host == "WIN-PRINTSRV");
  auto nohost = parse_file_name("dfB007");
  REQUIRE(nohost);
  CHECK(nohost->host.empty());
  CHECK_FALSE(parse_file_name("cfB123host"));  // a control file is always cfA
  CHECK_FALSE(parse_file_name("df1123host"));
  CHECK_FALSE(parse_file_name("dfA12host"));
  CHECK_FALSE(parse_file_name("job.ps"));
  CHECK(valid_file_name("job.ps"));  // but the session accepts it
  CHECK_FALSE(valid_file_name("a/b"));
  CHECK_FALSE(valid_file_name("a b"));
  CHECK_FALSE(valid_file_name(""));
  CHECK_FALSE(valid_file_name(std::string(256, 'd')));
}
