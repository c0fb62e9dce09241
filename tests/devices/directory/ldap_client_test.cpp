// The LDAP client: option checks, the local refusal of unauthenticated
// binds and timeouts against loopback sockets that never answer; then,
// against a private slapd (slapd_fixture.hpp), binds, paged searches past
// the server's size limit, abandoning from the callback, value limits,
// StartTLS and ldaps with the right and a wrong CA, filter injection, and a
// server stopped mid-search.
#include "devices/directory/ldap_client.hpp"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>

#include "devices/directory/ldap_text.hpp"
#include "devices/directory/slapd_fixture.hpp"

using namespace quire;
using quire::testing::slapd_fixture;

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

// A loopback TCP listener that never accepts nor answers: the kernel
// completes connects to it, and every request then goes unanswered.
struct silent_server {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int port = 0;
  silent_server() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd, 8) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~silent_server() { ::close(fd); }
  std::string url() const { return "ldap://127.0.0.1:" + std::to_string(port); }
};

// The shared server, or nullptr when the case must be skipped.
slapd_fixture* server() {
  auto& f = slapd_fixture::shared();
  if (!f.skip.empty()) {
    MESSAGE("skipped, no slapd: " << f.skip);
    return nullptr;
  }
  REQUIRE_MESSAGE(f.failure.empty(), f.failure);
  static bool told = false;
  if (!told && f.pid > 0) MESSAGE("slapd fixture ready in " << f.setup_seconds << " s");
  told = true;
  return &f;
}

ldap::client_options options(std::string url, int timeout_ms = 5000) {
  ldap::client_options o;
  o.url = std::move(url);
  o.timeout_ms = timeout_ms;
  return o;
}

ldap::client_options with_tls(ldap::client_options o, std::string ca_file, bool start_tls) {
  o.ca_file = std::move(ca_file);
  o.start_tls = start_tls;
  return o;
}

ldap::connection open_ok(const ldap::client_options& o) {
  auto c = ldap::connection::open(o);
  REQUIRE_MESSAGE(c.ok(), (c.ok() ? std::string() : c.err().describe()));
  return std::move(c).value();
}

ldap::search_request people(std::string filter = "(uid=user*)") {
  ldap::search_request r;
  r.base = testing::ldap_people;
  r.filter = std::move(filter);
  r.attributes = {"UID", "cn"};
  return r;
}

// Runs `req` and returns the status; the entries go to `out`.
status collect(ldap::connection& c, const ldap::search_request& req,
               std::vector<ldap::entry>& out) {
  return c.search(req, [&](ldap::entry&& e) {
    out.push_back(std::move(e));
    return status{};
  });
}

}  // namespace

TEST_CASE("ldap client: open refuses bad options") {
  for (const char* url :
       {"", "http://127.0.0.1", "ldap://", "ldaps://", "ldapi:///", "cldap://127.0.0.1",
        "LDAP://127.0.0.1", "ldap://127.0.0.1 ldap://127.0.0.2", "ldap://a,ldap://b",
        "ldap://127.0.0.1/dc=x??sub", "ldap://127.0.0.1:0", "ldap://127.0.0.1:65536",
        "ldap://127.0.0.1:", "ldap://127.0.0.1:38a", "ldap://user@127.0.0.1", "ldap://[::1",
        "ldap:// 127.0.0.1"}) {
    CAPTURE(url);
    auto c = ldap::connection::open(options(url, 1000));
    REQUIRE_FALSE(c.ok());
    CHECK(c.err().code == errc::invalid_argument);
  }
  auto c = ldap::connection::open(with_tls(options("ldaps://127.0.0.1:636"), "", true));
  REQUIRE_FALSE(c.ok());
  CHECK(c.err().code == errc::invalid_argument);
  c = ldap::connection::open(options("ldap://127.0.0.1:389", 0));
  REQUIRE_FALSE(c.ok());
  CHECK(c.err().code == errc::invalid_argument);
}

TEST_CASE("ldap client: an empty password or DN is refused before anything is sent") {
  silent_server s;
  auto c = open_ok(options(s.url(), 1000));
  auto t0 = clock_type::now();
  status st = c.bind("cn=admin,dc=quire,dc=test", "");
  CHECK(st.code == errc::permission_denied);
  st = c.bind("", "password");
  CHECK(st.code == errc::permission_denied);
  CHECK(seconds_since(t0) < 0.5);  // no round trip
  int peer = ::accept(s.fd, nullptr, nullptr);
  REQUIRE(peer >= 0);
  char buf[64];
  CHECK(::recv(peer, buf, sizeof buf, MSG_DONTWAIT) < 0);  // nothing arrived
  ::close(peer);
}

TEST_CASE("ldap client: a closed port is unavailable within the timeout") {
  const int port = testing::free_loopback_port();
  auto t0 = clock_type::now();
  auto c = ldap::connection::open(options("ldap://127.0.0.1:" + std::to_string(port), 1000));
  REQUIRE_FALSE(c.ok());
  CHECK(c.err().code == errc::unavailable);
  CHECK(seconds_since(t0) < 1.5);
}

TEST_CASE("ldap client: a server that never answers times out, and the connection is done") {
  silent_server s;
  auto c = open_ok(options(s.url(), 700));
  auto t0 = clock_type::now();
  status st = c.bind("cn=x", "never-in-a-message");
  const double took = seconds_since(t0);
  CHECK(st.code == errc::unavailable);
  CHECK(st.message.find("never-in-a-message") == std::string::npos);
  CHECK(took >= 0.6);
  CHECK(took < 2.0);
  st = c.ping();  // refused at once: no silent reconnect
  CHECK(st.code == errc::unavailable);
  // StartTLS against the same silence fails too, within the timeout.
  t0 = clock_type::now();
  auto tls = ldap::connection::open(with_tls(options(s.url(), 700), "", true));
  REQUIRE_FALSE(tls.ok());
  CHECK(tls.err().code == errc::unavailable);
  CHECK(seconds_since(t0) < 2.0);
}

TEST_CASE("ldap client: a server that hangs up makes the connection unavailable for good") {
  silent_server s;
  auto c = open_ok(options(s.url(), 1000));
  int peer = ::accept(s.fd, nullptr, nullptr);
  REQUIRE(peer >= 0);
  ::close(peer);  // as AD does after MaxConnIdleTime
  status st = c.bind("cn=x", "secret-x");
  CHECK(st.code == errc::unavailable);
  // libldap would open a new connection here, unbound (and without
  // StartTLS); the client refuses instead.
  CHECK(c.ping().code == errc::unavailable);
  auto t0 = clock_type::now();
  auto tls = ldap::connection::open(
      with_tls(options("ldaps://127.0.0.1:" + std::to_string(s.port), 700), "", false));
  REQUIRE_FALSE(tls.ok());  // an ldaps handshake with nobody answering
  CHECK(tls.err().code == errc::unavailable);
  CHECK(seconds_since(t0) < 2.0);
}

TEST_CASE("ldap client: bind to slapd") {
  auto* srv = server();
  if (!srv) return;
  auto c = open_ok(options(srv->ldap_url, 5000));
  CHECK_FALSE(c.bind(testing::ldap_root_dn, testing::ldap_root_password));
  status st = c.bind(testing::ldap_root_dn, "wrong-secret-123");
  CHECK(st.code == errc::permission_denied);
  CHECK(st.message == "wrong name or password");
  CHECK(st.message.find("wrong-secret-123") == std::string::npos);
  CHECK_FALSE(c.bind("uid=user0001," + testing::ldap_people, "user-secret"));
  st = c.bind("uid=nobody," + testing::ldap_people, "user-secret");
  CHECK(st.code == errc::permission_denied);
  CHECK_FALSE(c.ping());
}

TEST_CASE("ldap client: paging returns more entries than the size limit") {
  auto* srv = server();
  if (!srv) return;
  auto c = open_ok(options(srv->ldap_url, 5000));  // anonymous: limits apply
  std::vector<ldap::entry> got;
  auto req = people();
  req.page_size = 0;
  CHECK(collect(c, req, got).code == errc::limit_exceeded);
  CHECK(got.size() == 500);

  got.clear();
  req.page_size = 100;
  auto t0 = clock_type::now();
  REQUIRE_FALSE(collect(c, req, got));
  MESSAGE("1,200 entries in pages of 100: " << seconds_since(t0) << " s");
  CHECK(got.size() == 1200);
  std::set<std::string> uids;
  for (const auto& e : got) {
    const auto* uid = e.get("uid");
    REQUIRE(uid);
    REQUIRE(uid->size() == 1);
    uids.insert(uid->front());
    CHECK(e.attributes.front().first == "UID");  // spelled as requested
    CHECK(e.get("CN"));
    CHECK_FALSE(e.get("mail"));  // not requested
    CHECK(e.oversized.empty());
    CHECK(ldap::lower_dn(e.dn) == "uid=" + uid->front() + "," + testing::ldap_people);
  }
  CHECK(uids.size() == 1200);
}

TEST_CASE("ldap client: an error from on_entry abandons the search") {
  auto* srv = server();
  if (!srv) return;
  auto c = open_ok(options(srv->ldap_url, 5000));
  int seen = 0;
  auto req = people();
  req.page_size = 100;
  status st = c.search(req, [&](ldap::entry&&) {
    return ++seen == 150 ? status{errc::busy, "enough"} : status{};
  });
  CHECK(st.code == errc::busy);
  CHECK(st.message == "enough");
  CHECK(seen == 150);
  CHECK_FALSE(c.ping());  // the connection goes on
  std::vector<ldap::entry> got;
  CHECK_FALSE(collect(c, people("(uid=user0002)"), got));
  CHECK(got.size() == 1);
}

TEST_CASE("ldap client: value limits and binary values") {
  auto* srv = server();
  if (!srv) return;
  auto c = open_ok(options(srv->ldap_url, 5000));
  std::vector<ldap::entry> got;
  auto req = people("(uid=user0001)");
  req.attributes = {"description", "jpegPhoto", "mail", "uid"};
  req.max_values = 2;
  REQUIRE_FALSE(collect(c, req, got));
  REQUIRE(got.size() == 1);
  const auto& e = got[0];
  CHECK(std::find(e.oversized.begin(), e.oversized.end(), "description") != e.oversized.end());
  CHECK(e.get("description")->empty());  // the 5,000-byte value was dropped
  REQUIRE(e.get("jpegphoto"));
  REQUIRE(e.get("jpegphoto")->size() == 1);
  CHECK(e.get("jpegPhoto")->front() == testing::photo_bytes);
  CHECK(std::find(e.oversized.begin(), e.oversized.end(), "mail") != e.oversized.end());
  CHECK(e.get("MAIL")->size() == 2);  // of three
  CHECK(e.oversized.size() == 2);

  got.clear();
  req.max_value_bytes = 8000;
  req.max_values = 1024;
  REQUIRE_FALSE(collect(c, req, got));
  CHECK(got.at(0).oversized.empty());
  CHECK(got.at(0).get("description")->front() == std::string(5000, 'x'));
}

TEST_CASE("ldap client: search errors") {
  auto* srv = server();
  if (!srv) return;
  auto c = open_ok(options(srv->ldap_url, 5000));
  std::vector<ldap::entry> got;
  auto req = people();
  req.base = "ou=nowhere," + testing::ldap_suffix;
  CHECK(collect(c, req, got).code == errc::not_found);
  CHECK(collect(c, people("(uid=user0001"), got).code == errc::invalid_argument);
  CHECK(collect(c, people(""), got).code == errc::invalid_argument);
  CHECK(got.empty());
}

TEST_CASE("ldap client: an escaped user name cannot widen the filter") {
  auto* srv = server();
  if (!srv) return;
  auto c = open_ok(options(srv->ldap_url, 5000));
  std::vector<ldap::entry> got;
  CHECK_FALSE(collect(c, people("(uid=" + ldap::escape_filter_value("*)(uid=*") + ")"), got));
  CHECK(got.empty());
  CHECK_FALSE(collect(c, people("(uid=" + ldap::escape_filter_value("user0003") + ")"), got));
  CHECK(got.size() == 1);
}

TEST_CASE("ldap client: StartTLS and ldaps verify the server with this connection's CA") {
  auto* srv = server();
  if (!srv) return;
  auto t0 = clock_type::now();
  auto good = open_ok(with_tls(options(srv->ldap_url), srv->ca_file, true));
  MESSAGE("StartTLS open: " << seconds_since(t0) << " s");
  CHECK_FALSE(good.bind(testing::ldap_root_dn, testing::ldap_root_password));
  // A second connection with another CA file, in the same process, fails:
  // no plain-text fallback, and no reuse of the first one's TLS context.
  auto bad = ldap::connection::open(with_tls(options(srv->ldap_url), srv->wrong_ca_file, true));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().code == errc::unavailable);
  MESSAGE("wrong CA, StartTLS: " << bad.err().describe());
  // ...and the first still works, as does a third with the right file.
  CHECK_FALSE(good.ping());
  auto again = open_ok(with_tls(options(srv->ldap_url), srv->ca_file, true));
  CHECK_FALSE(again.ping());

  auto tls = open_ok(with_tls(options(srv->ldaps_url), srv->ca_file, false));
  CHECK_FALSE(tls.bind(testing::ldap_root_dn, testing::ldap_root_password));
  std::vector<ldap::entry> got;
  CHECK_FALSE(collect(tls, people("(uid=user0004)"), got));
  CHECK(got.size() == 1);
  auto tls_bad =
      ldap::connection::open(with_tls(options(srv->ldaps_url), srv->wrong_ca_file, false));
  REQUIRE_FALSE(tls_bad.ok());
  CHECK(tls_bad.err().code == errc::unavailable);
  // verify_server = false accepts any certificate (testing only).
  auto lax_options = with_tls(options(srv->ldaps_url), srv->wrong_ca_file, false);
  lax_options.verify_server = false;
  auto lax = open_ok(lax_options);
  CHECK_FALSE(lax.ping());
}

TEST_CASE("ldap client: a server stopped mid-search gives an error within the timeout") {
  auto* srv = server();
  if (!srv) return;
  if (srv->pid <= 0) {
    MESSAGE("skipped: no slapd process id to stop");
    return;
  }
  auto c = open_ok(options(srv->ldap_url, 1000));
  REQUIRE_FALSE(c.bind(testing::ldap_root_dn, testing::ldap_root_password));
  auto tc = open_ok(with_tls(options(srv->ldaps_url, 1000), srv->ca_file, false));
  const pid_t pid = srv->pid;
  int seen = 0;
  clock_type::time_point stopped;
  auto req = people();
  req.page_size = 100;
  status st = c.search(req, [&](ldap::entry&&) {
    if (++seen == 50) {
      ::kill(pid, SIGSTOP);
      stopped = clock_type::now();
    }
    return status{};
  });
  const double took = seconds_since(stopped);
  // A stopped server still completes TCP connects (the kernel's backlog).
  auto t0 = clock_type::now();
  auto late = ldap::connection::open(options(srv->ldap_url, 1000));
  status late_bind =
      late.ok() ? late->bind(testing::ldap_root_dn, testing::ldap_root_password) : late.err();
  const double late_took = seconds_since(t0);
  // Over TLS: an open connection's search, and a new connection's handshake
  // (where libldap alone would spin for ever).
  t0 = clock_type::now();
  status tls_search = tc.search(people("(uid=user0005)"), [](ldap::entry&&) { return status{}; });
  const double tls_search_took = seconds_since(t0);
  t0 = clock_type::now();
  auto tls_late =
      ldap::connection::open(with_tls(options(srv->ldaps_url, 1000), srv->ca_file, false));
  const double tls_late_took = seconds_since(t0);
  ::kill(pid, SIGCONT);
  CHECK(tls_search.code == errc::unavailable);
  CHECK(tls_search_took < 2.5);
  REQUIRE_FALSE(tls_late.ok());
  CHECK(tls_late.err().code == errc::unavailable);
  CHECK(tls_late_took < 2.5);
  MESSAGE("stopped, ldaps handshake: " << tls_late.err().describe() << " after " << tls_late_took
                                       << " s");
  CHECK(st.code == errc::unavailable);
  CHECK(seen >= 50);
  CHECK(seen < 1200);
  CHECK(took < 2.5);
  MESSAGE("stopped mid-search: " << st.describe() << " after " << took << " s");
  CHECK(late_bind.code == errc::unavailable);
  CHECK(late_took < 2.5);
  CHECK(c.ping().code == errc::unavailable);  // done after a timeout
  // Continued, the server answers new connections again.
  auto fresh = open_ok(options(srv->ldap_url, 5000));
  CHECK_FALSE(fresh.ping());
}
