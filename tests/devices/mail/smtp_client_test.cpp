// The SMTP client against a private SMTP server: tests/integration/
// smtp_sink.py run as a process on a free loopback port, one per case,
// with a throw-away CA and server certificate made by the openssl CLI.
// Delivery in plain text, by STARTTLS and by smtps; AUTH; and every way a
// send fails: no STARTTLS, a wrong CA, refused credentials, a refused
// recipient, a temporary failure, a server that never greets, a closed port.
#include "devices/mail/smtp_client.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "protocols/base64.hpp"
#include "test_util.hpp"

extern char** environ;

using namespace quire;
using quire::testing::free_loopback_port;
using quire::testing::temp_dir;

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return dir + "/" + name;
  return "";
}

// A CA, a server certificate it signed for localhost and 127.0.0.1, one it
// signed for another name, and an unrelated CA. Made once per test process.
struct certificates {
  temp_dir dir;
  std::string ca, cert, key, other_cert, other_key, wrong_ca;
  std::string skip, failure;

  certificates() {
    const std::string openssl = on_path("openssl");
    if (openssl.empty()) {
      skip = "openssl is not installed";
      return;
    }
    const std::string d = dir.path();
    const std::string req = openssl +
                            " req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
                            " -days 2 -subj /CN=";
    const bool ok =
        run(req + "Quire-Test-CA -keyout " + d + "/ca-key.pem -out " + d + "/ca.pem") &&
        run(req + "Unrelated-CA -keyout " + d + "/wrong-key.pem -out " + d + "/wrong.pem") &&
        sign(openssl, "server", "DNS:localhost,IP:127.0.0.1") &&
        sign(openssl, "other", "DNS:other.test");
    if (!ok) failure = "openssl failed:\n" + slurp(d + "/openssl.log");
    ca = d + "/ca.pem";
    cert = d + "/server.pem";
    key = d + "/server-key.pem";
    other_cert = d + "/other.pem";
    other_key = d + "/other-key.pem";
    wrong_ca = d + "/wrong.pem";
  }

  bool sign(const std::string& openssl, const std::string& name, const std::string& san) {
    const std::string d = dir.path() + "/" + name;
    std::ofstream(d + ".ext") << "subjectAltName=" << san
                              << "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n";
    return run(openssl + " req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes" +
               " -subj /CN=" + name + " -keyout " + d + "-key.pem -out " + d + ".csr") &&
           run(openssl + " x509 -req -in " + d + ".csr -CA " + dir.path() + "/ca.pem -CAkey " +
               dir.path() + "/ca-key.pem -CAcreateserial -days 2 -extfile " + d + ".ext -out " +
               d + ".pem");
  }

  bool run(const std::string& cmd) {
    return std::system((cmd + " >>" + dir.path() + "/openssl.log 2>&1").c_str()) == 0;
  }
};

struct received {
  std::string raw;  // the DATA, unstuffed
  std::map<std::string, std::vector<std::string>> env;  // sender, recipient, tls, auth
};

// smtp_sink.py as a child process, stopped with SIGTERM at the end.
class sink_process {
 public:
  std::string skip, failure;
  int port = 0;

  explicit sink_process(std::vector<std::string> options) {
    const std::string python = on_path("python3");
    if (python.empty()) {
      skip = "python3 is not on PATH";
      return;
    }
    // "--cert" (or "--cert-for-another-name") is followed by the test's files.
    if (!options.empty() && options[0].starts_with("--cert")) {
      static certificates certs;
      if (!certs.skip.empty()) {
        skip = certs.skip;
        return;
      }
      if (!certs.failure.empty()) {
        failure = certs.failure;
        return;
      }
      const bool other = options[0] == "--cert-for-another-name";
      options[0] = "--cert";
      options.insert(options.begin() + 1, other ? certs.other_cert : certs.cert);
      options.insert(options.begin() + 2, {"--key", other ? certs.other_key : certs.key});
      ca = certs.ca;
      wrong_ca = certs.wrong_ca;
    }
    const std::string d = dir_.path(), log = d + "/sink.log";
    std::vector<std::string> args = {python, QUIRE_SOURCE_DIR "/tests/integration/smtp_sink.py",
                                     "--port-file", d + "/port", "--dir", d + "/mail"};
    args.insert(args.end(), options.begin(), options.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    const int rc = posix_spawn(&pid_, python.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      pid_ = -1;
      failure = "cannot start " + python;
      return;
    }
    for (int i = 0; i < 500 && port == 0; ++i) {  // up to 10 s
      std::istringstream(slurp(d + "/port")) >> port;
      if (port == 0 && ::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        failure = "smtp_sink.py exited:\n" + slurp(log);
        return;
      }
      if (port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (port == 0) failure = "smtp_sink.py does not listen:\n" + slurp(log);
  }

  ~sink_process() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 250 && ::waitpid(pid_, nullptr, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (::kill(pid_, SIGKILL) == 0) ::waitpid(pid_, nullptr, 0);
  }
  sink_process(const sink_process&) = delete;
  sink_process& operator=(const sink_process&) = delete;

  /// False (and a MESSAGE) when the case must be skipped; fails on a broken setup.
  bool usable() const {
    if (!skip.empty()) MESSAGE("skipped: " << skip);
    REQUIRE_MESSAGE(failure.empty(), failure);
    return skip.empty();
  }

  std::string url(const char* scheme = "smtp") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port);
  }

  /// The messages received so far, in order; the .eml is written last.
  std::vector<received> messages() const {
    std::vector<received> out;
    for (int n = 1;; ++n) {
      char base[32];
      std::snprintf(base, sizeof base, "/mail/%03d", n);
      const std::string eml = dir_.path() + base + ".eml";
      if (!std::filesystem::exists(eml)) return out;
      received r{slurp(eml), {}};
      std::istringstream env(slurp(dir_.path() + base + ".env"));
      for (std::string line; std::getline(env, line);) {
        const size_t colon = line.find(": ");
        if (colon != std::string::npos) r.env[line.substr(0, colon)].push_back(line.substr(colon + 2));
        else if (line.ends_with(":")) r.env[line.substr(0, line.size() - 1)].push_back("");
      }
      out.push_back(std::move(r));
    }
  }

  std::string ca, wrong_ca;

 private:
  temp_dir dir_;
  pid_t pid_ = -1;
};

mail::message pin_mail() {
  mail::message m;
  m.from = "quire@print.test";
  m.from_name = "Quire Drucker";
  m.to = "alice@example.test";
  m.to_name = "\xc3\x84lice";  // "Älice"
  m.subject = "Ihre neue PIN";
  m.body = "Ihre PIN: 4711\n.\n..\nEnde\n";  // dot lines: base64 keeps them from SMTP
  m.date_ms = 1700000000000;
  m.message_id = "pin-7@print.test";
  return m;
}

mail::smtp_options options(std::string url, bool start_tls, std::string ca_file = {}) {
  mail::smtp_options o;
  o.url = std::move(url);
  o.start_tls = start_tls;
  o.ca_file = std::move(ca_file);
  o.timeout_ms = 5000;
  return o;
}

std::string decoded_body(const std::string& raw) {
  const size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return "<no header end>";
  std::string b64, out;
  for (char c : raw.substr(end + 4))
    if (c != '\r' && c != '\n') b64 += c;
  return base64_decode(b64, out, base64_padding::required) ? out : "<not base64>";
}

// Delivered exactly as composed, with the envelope and TLS state expected.
void check_delivered(const sink_process& s, const mail::message& m, const char* tls,
                     const std::string& auth = "") {
  const auto got = s.messages();
  REQUIRE(got.size() == 1);
  const received& r = got[0];
  CHECK(r.raw == *mail::compose(m));
  CHECK(decoded_body(r.raw) == "Ihre PIN: 4711\r\n.\r\n..\r\nEnde\r\n");
  CHECK(r.env.at("sender") == std::vector<std::string>{m.from});
  CHECK(r.env.at("recipient") == std::vector<std::string>{m.to});
  CHECK(r.env.at("tls") == std::vector<std::string>{tls});
  CHECK(r.env.at("auth") == std::vector<std::string>{auth});
}

void check_failed(const status& st, errc code, std::initializer_list<const char*> mentions) {
  CHECK_MESSAGE(st.code == code, st.describe());
  for (const char* text : mentions) CHECK_MESSAGE(st.message.find(text) != std::string::npos, st.message);
}

}  // namespace

TEST_CASE("mail smtp client: check_options refuses what it could not use safely") {
  for (const char* url :
       {"", "http://127.0.0.1", "smtp://", "smtps://", "SMTP://127.0.0.1", "smtp:127.0.0.1",
        "smtp://user@127.0.0.1", "smtp://user:hunter2@127.0.0.1:25", "smtp://127.0.0.1/path",
        "smtp://127.0.0.1/?x", "smtp://127.0.0.1?x=1", "smtp://127.0.0.1#f", "smtp://127.0.0.1:0",
        "smtp://127.0.0.1:65536", "smtp://127.0.0.1:", "smtp://127.0.0.1:2x", "smtp://[::1",
        "smtp:// 127.0.0.1", "smtp://127.0.0.1 smtp://10.0.0.1", "file:///etc/passwd"}) {
    CAPTURE(url);
    const status st = mail::check_options(options(url, false));
    CHECK(st.code == errc::invalid_argument);
    CHECK(st.message.find("hunter2") == std::string::npos);
  }
  for (const char* url : {"smtp://127.0.0.1", "smtp://mail.example.test:587", "smtp://[::1]:25",
                          "smtp://127.0.0.1/", "smtps://mail.example.test"}) {
    CAPTURE(url);
    CHECK_FALSE(mail::check_options(options(url, false)));
  }
  CHECK_FALSE(mail::check_options(options("smtp://127.0.0.1", true)));
  // smtps:// implies TLS: start_tls with it is a contradiction.
  CHECK(mail::check_options(options("smtps://127.0.0.1", true)).code == errc::invalid_argument);
  // Credentials never travel in plain text.
  auto o = options("smtp://127.0.0.1", false);
  o.user = "quire";
  o.password = "plain-text-secret";
  const status st = mail::check_options(o);
  CHECK(st.code == errc::invalid_argument);
  CHECK(st.message.find("plain-text-secret") == std::string::npos);
  CHECK(mail::send(o, pin_mail()).code == errc::invalid_argument);
  o.start_tls = true;
  CHECK_FALSE(mail::check_options(o));
  o.timeout_ms = 0;
  CHECK(mail::check_options(o).code == errc::invalid_argument);
}

TEST_CASE("mail smtp client: a bad message or a closed port fails without a delivery") {
  auto m = pin_mail();
  m.to = "alice@example.test>\r\nRCPT TO:<victim@example.test";
  const auto t0 = clock_type::now();
  CHECK(mail::send(options("smtp://127.0.0.1:" + std::to_string(free_loopback_port()), false), m).code ==
        errc::invalid_argument);
  const status st =
      mail::send(options("smtp://127.0.0.1:" + std::to_string(free_loopback_port()), false), pin_mail());
  check_failed(st, errc::unavailable, {"127.0.0.1"});
  CHECK(seconds_since(t0) < 3);
}

TEST_CASE("mail smtp client: plain smtp:// delivers the message as composed") {
  sink_process s({});
  if (!s.usable()) return;
  REQUIRE_FALSE(mail::send(options(s.url(), false), pin_mail()));
  check_delivered(s, pin_mail(), "no");
}

TEST_CASE("mail smtp client: STARTTLS verifies the server and delivers over TLS") {
  sink_process s({"--cert"});
  if (!s.usable()) return;
  REQUIRE_FALSE(mail::send(options(s.url(), true, s.ca), pin_mail()));
  check_delivered(s, pin_mail(), "yes");
  // The name in the URL is checked against the certificate too.
  REQUIRE_FALSE(mail::send(options("smtp://localhost:" + std::to_string(s.port), true, s.ca), pin_mail()));
  CHECK(s.messages().size() == 2);

  const status st = mail::send(options(s.url(), true, s.wrong_ca), pin_mail());
  check_failed(st, errc::unavailable, {"STARTTLS"});
  CHECK(s.messages().size() == 2);
  // verify_server=false is for tests only, and it works.
  auto o = options(s.url(), true, s.wrong_ca);
  o.verify_server = false;
  CHECK_FALSE(mail::send(o, pin_mail()));
  CHECK(s.messages().size() == 3);
}

TEST_CASE("mail smtp client: a certificate for another name is refused") {
  sink_process s({"--cert-for-another-name"});
  if (!s.usable()) return;
  check_failed(mail::send(options(s.url(), true, s.ca), pin_mail()), errc::unavailable,
               {"STARTTLS"});
  CHECK(s.messages().empty());
}

TEST_CASE("mail smtp client: start_tls to a server without STARTTLS sends nothing") {
  sink_process s({});
  if (!s.usable()) return;
  const status st = mail::send(options(s.url(), true), pin_mail());
  check_failed(st, errc::unavailable, {"STARTTLS"});
  CHECK(s.messages().empty());
}

TEST_CASE("mail smtp client: smtps:// is TLS from the first byte") {
  sink_process s({"--cert", "--smtps"});
  if (!s.usable()) return;
  REQUIRE_FALSE(mail::send(options(s.url("smtps"), false, s.ca), pin_mail()));
  check_delivered(s, pin_mail(), "yes");
  const status st = mail::send(options(s.url("smtps"), false, s.wrong_ca), pin_mail());
  check_failed(st, errc::unavailable, {"smtps://127.0.0.1"});
  CHECK(s.messages().size() == 1);
}

TEST_CASE("mail smtp client: AUTH over TLS, and a refused password is not quoted") {
  sink_process s({"--cert", "--require-tls", "--user", "quire:Corr3ct-H0rse-Battery"});
  if (!s.usable()) return;
  auto o = options(s.url(), true, s.ca);
  o.user = "quire";
  o.password = "Corr3ct-H0rse-Battery";
  REQUIRE_FALSE(mail::send(o, pin_mail()));
  check_delivered(s, pin_mail(), "yes", "quire");

  o.password = "Wr0ng-Staple-9137";
  const status st = mail::send(o, pin_mail());
  check_failed(st, errc::permission_denied, {"AUTH"});
  CHECK(st.message.find("Wr0ng-Staple-9137") == std::string::npos);
  CHECK(st.message.find(base64_encode(std::string("\0quire\0Wr0ng-Staple-9137", 24),
                                      base64_padding::required)) == std::string::npos);
  // Without credentials the server refuses MAIL FROM, permanently.
  const status anonymous = mail::send(options(s.url(), true, s.ca), pin_mail());
  check_failed(anonymous, errc::not_possible, {"MAIL FROM", "530"});
  CHECK(s.messages().size() == 1);
}

TEST_CASE("mail smtp client: AUTH PLAIN alone works too") {
  sink_process s({"--cert", "--user", "quire:pl41n-secret", "--auth-mechs", "PLAIN"});
  if (!s.usable()) return;
  auto o = options(s.url(), true, s.ca);
  o.user = "quire";
  o.password = "pl41n-secret";
  REQUIRE_FALSE(mail::send(o, pin_mail()));
  check_delivered(s, pin_mail(), "yes", "quire");
}

TEST_CASE("mail smtp client: a refused recipient is not possible, a 4xx is unavailable") {
  {
    sink_process s({"--reject-rcpt", "alice"});
    if (!s.usable()) return;
    const status st = mail::send(options(s.url(), false), pin_mail());
    check_failed(st, errc::not_possible, {"RCPT TO", "550", "Recipient address rejected"});
    CHECK(st.message.find("4711") == std::string::npos);
    CHECK(s.messages().empty());
  }
  {
    sink_process s({"--tempfail", "rcpt"});
    REQUIRE(s.usable());
    check_failed(mail::send(options(s.url(), false), pin_mail()), errc::unavailable,
                 {"RCPT TO", "451"});
    CHECK(s.messages().empty());
  }
  {
    sink_process s({"--tempfail", "data"});
    REQUIRE(s.usable());
    check_failed(mail::send(options(s.url(), false), pin_mail()), errc::unavailable,
                 {"DATA", "451"});
    CHECK(s.messages().empty());
  }
}

TEST_CASE("mail smtp client: a message refused for its size or content is not possible") {
  {
    sink_process s({"--max-size", "100"});  // offered as SIZE, refused at MAIL FROM
    if (!s.usable()) return;
    check_failed(mail::send(options(s.url(), false), pin_mail()), errc::not_possible,
                 {"MAIL FROM", "552"});
    CHECK(s.messages().empty());
  }
  sink_process s({"--reject-data"});
  REQUIRE(s.usable());
  const status st = mail::send(options(s.url(), false), pin_mail());
  check_failed(st, errc::not_possible, {"DATA", "554 5.6.0"});
  CHECK(st.message.find("Ihre") == std::string::npos);
}

TEST_CASE("mail smtp client: a server that never greets times out") {
  sink_process s({"--hang"});
  if (!s.usable()) return;
  auto o = options(s.url(), false);
  o.timeout_ms = 1500;
  const auto t0 = clock_type::now();
  const status st = mail::send(o, pin_mail());
  const double took = seconds_since(t0);
  check_failed(st, errc::timeout, {"connect", "1500 ms"});
  CHECK(took >= 1.4);
  CHECK(took < 1.5 + 2);
  // Over TLS too.
  sink_process tls({"--cert", "--smtps", "--hang"});
  if (!tls.usable()) return;
  o = options(tls.url("smtps"), false, tls.ca);
  o.timeout_ms = 1500;
  const auto t1 = clock_type::now();
  CHECK(mail::send(o, pin_mail()).code == errc::timeout);
  CHECK(seconds_since(t1) < 1.5 + 2);
}
