// A private OpenLDAP server for the LDAP client's tests: slapd on two
// loopback ports (ldap:// with StartTLS, and ldaps://) over a temporary
// folder with an mdb database of 1,200 users and a self-signed certificate
// made with the openssl CLI.
//
// Header-only: the devices suite compiles tests/devices/**/*_test.cpp only.
//
// The server is started once per test process, on first use, and killed at
// exit. With QUIRE_TEST_SLAPD set, no server is started: the variable names
// one already loaded with the same data, as "LDAP_URL LDAPS_URL CA_FILE [PID]"
// (without a PID the SIGSTOP case is skipped). Without slapd, slapadd or
// openssl, `skip` says why and the server cases are skipped.
//
// The data: suffix dc=quire,dc=test; rootdn cn=admin,dc=quire,dc=test with
// password "root-secret" (no limits, as every rootdn); uid=userNNNN (0001 to
// 1200),ou=people,... as inetOrgPerson, readable anonymously; user0001 also
// has userPassword "user-secret", a 5,000-byte description, a binary
// jpegPhoto (`photo_bytes`) and three mail values. Other users have a size limit of 500 entries,
// except through paging (size.prtotal=unlimited).
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "test_util.hpp"

extern char** environ;

namespace quire::testing {

inline const std::string ldap_suffix = "dc=quire,dc=test";
inline const std::string ldap_root_dn = "cn=admin,dc=quire,dc=test";
inline const std::string ldap_root_password = "root-secret";
inline const std::string ldap_people = "ou=people,dc=quire,dc=test";
inline const std::string photo_bytes = std::string("\x00\x01\xff\xfe\x80 photo", 11);

class slapd_fixture {
 public:
  std::string ldap_url, ldaps_url, ca_file, wrong_ca_file;
  pid_t pid = -1;            // -1: not ours, or not running
  std::string skip;          // non-empty: no server; why
  std::string failure;       // non-empty: setup failed; why (and slapd's log)
  double setup_seconds = 0;  // certificates, slapadd and start

  /// The process-wide server, started on the first call.
  static slapd_fixture& shared() {
    static slapd_fixture f;
    return f;
  }

  ~slapd_fixture() {
    if (pid <= 0) return;
    ::kill(pid, SIGCONT);
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 250 && ::waitpid(pid, nullptr, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (::kill(pid, SIGKILL) == 0) ::waitpid(pid, nullptr, 0);
  }

 private:
  temp_dir dir_;

  slapd_fixture() {
    auto start = std::chrono::steady_clock::now();
    if (const char* ext = std::getenv("QUIRE_TEST_SLAPD")) {
      std::istringstream in(ext);
      in >> ldap_url >> ldaps_url >> ca_file;
      if (!(in >> pid)) pid = -1;
      if (!make_cert("wrong")) failure = "openssl failed";
      wrong_ca_file = dir_.path() + "/wrong-cert.pem";
      return;
    }
    for (const char* tool : {"/usr/sbin/slapd", "/usr/sbin/slapadd", "/usr/bin/openssl"})
      if (::access(tool, X_OK) != 0) {
        skip = std::string(tool) + " is not installed";
        return;
      }
    setup();
    setup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  bool run(const std::string& cmd) {
    return std::system((cmd + " >>" + dir_.path() + "/setup.log 2>&1").c_str()) == 0;
  }

  bool make_cert(const std::string& name) {
    const std::string d = dir_.path();
    return run(
        "/usr/bin/openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
        " -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
        " -keyout " +
        d + "/" + name + "-key.pem -out " + d + "/" + name + "-cert.pem");
  }

  void fail(const std::string& why) {
    std::ifstream log(dir_.path() + "/setup.log");
    std::stringstream text;
    text << log.rdbuf();
    failure = why + "\n" + text.str();
  }

  void setup() {
    const std::string d = dir_.path();
    if (!make_cert("server") || !make_cert("wrong")) return fail("openssl failed");
    ca_file = d + "/server-cert.pem";  // self-signed: its own CA
    wrong_ca_file = d + "/wrong-cert.pem";
    std::ofstream(d + "/config.ldif") << config_ldif(d);
    std::ofstream(d + "/data.ldif") << data_ldif();
    std::filesystem::create_directories(d + "/slapd.d");
    std::filesystem::create_directories(d + "/db");
    if (!run("/usr/sbin/slapadd -n0 -F " + d + "/slapd.d -l " + d + "/config.ldif"))
      return fail("slapadd of cn=config failed");
    if (!run("/usr/sbin/slapadd -q -n1 -F " + d + "/slapd.d -l " + d + "/data.ldif"))
      return fail("slapadd of the users failed");
    const int port = free_loopback_port(), tls_port = free_loopback_port();
    ldap_url = "ldap://127.0.0.1:" + std::to_string(port);
    ldaps_url = "ldaps://127.0.0.1:" + std::to_string(tls_port);
    const std::string urls = ldap_url + "/ " + ldaps_url + "/";
    const std::string conf = d + "/slapd.d", log = d + "/setup.log";
    const char* argv[] = {"slapd", "-d", "0", "-h", urls.c_str(), "-F", conf.c_str(), nullptr};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_APPEND, 0);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    const int rc =
        posix_spawn(&pid, "/usr/sbin/slapd", &fa, nullptr, const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      pid = -1;
      return fail("cannot start slapd");
    }
    for (int i = 0; i < 500; ++i) {  // up to 10 s for both listeners
      if (accepts(port) && accepts(tls_port)) return;
      if (::waitpid(pid, nullptr, WNOHANG) == pid) {
        pid = -1;
        return fail("slapd exited");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    fail("slapd does not listen");
  }

  static bool accepts(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
  }

  static std::string config_ldif(const std::string& d) {
    return "dn: cn=config\nobjectClass: olcGlobal\ncn: config\n"
           "olcTLSCertificateFile: " +
           d +
           "/server-cert.pem\n"
           "olcTLSCertificateKeyFile: " +
           d +
           "/server-key.pem\n\n"
           "dn: cn=module{0},cn=config\nobjectClass: olcModuleList\ncn: module{0}\n"
           "olcModulePath: /usr/lib/ldap\nolcModuleLoad: back_mdb\n\n"
           "dn: cn=schema,cn=config\nobjectClass: olcSchemaConfig\ncn: schema\n\n"
           "include: file:///etc/ldap/schema/core.ldif\n\n"
           "include: file:///etc/ldap/schema/cosine.ldif\n\n"
           "include: file:///etc/ldap/schema/inetorgperson.ldif\n\n"
           "dn: olcDatabase={0}config,cn=config\nobjectClass: olcDatabaseConfig\n"
           "olcDatabase: {0}config\nolcAccess: {0}to * by * none\n\n"
           "dn: olcDatabase={1}mdb,cn=config\nobjectClass: olcDatabaseConfig\n"
           "objectClass: olcMdbConfig\nolcDatabase: {1}mdb\n"
           "olcSuffix: " +
           ldap_suffix + "\nolcRootDN: " + ldap_root_dn +
           "\n"
           "olcRootPW: " +
           ldap_root_password + "\nolcDbDirectory: " + d +
           "/db\n"
           "olcDbMaxSize: 67108864\n"
           // 500 entries per search, except through paging (slapd.conf(5) "limits").
           "olcSizeLimit: size.soft=500 size.hard=500 size.prtotal=unlimited\n"
           "olcAccess: {0}to attrs=userPassword by anonymous auth by * none\n"
           "olcAccess: {1}to * by * read\n\n";
  }

  static std::string data_ldif() {
    std::string out = "dn: " + ldap_suffix +
                      "\nobjectClass: dcObject\nobjectClass: organization\n"
                      "dc: quire\no: Quire\n\n"
                      "dn: " +
                      ldap_people + "\nobjectClass: organizationalUnit\nou: people\n\n";
    char uid[16];
    for (int i = 1; i <= 1200; ++i) {
      std::snprintf(uid, sizeof uid, "user%04d", i);
      out += std::string("dn: uid=") + uid + "," + ldap_people +
             "\nobjectClass: inetOrgPerson\n"
             "uid: " +
             uid + "\ncn: User " + (uid + 4) + "\nsn: " + (uid + 4) +
             "\n"
             "mail: " +
             uid + "@quire.test\n";
      if (i == 1)
        out +=
            "mail: user0001-b@quire.test\nmail: user0001-c@quire.test\n"
            "userPassword: user-secret\ndescription: " +
            std::string(5000, 'x') +
            "\n"
            "jpegPhoto:: AAH//oAgcGhvdG8=\n";  // photo_bytes
      out += "\n";
    }
    return out;
  }
};

}  // namespace quire::testing
