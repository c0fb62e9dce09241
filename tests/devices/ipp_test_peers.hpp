// Simulated IPP peers for the IPP driver's tests, all on loopback:
//   - ippeve_printer: a real /usr/sbin/ippeveprinter in a temp folder, with
//     the private D-Bus system bus it insists on even with DNS-SD off;
//   - bad_server: a TCP server that answers every connection wrongly.
#pragma once

#include <arpa/inet.h>
#include <cups/cups.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace quire::testing {

constexpr const char* ippeveprinter_path = "/usr/sbin/ippeveprinter";

/// Starts `argv` with `env` added to this process's environment.
inline pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                   const std::string& log) {
  std::vector<std::string> envs(env);
  for (char** e = environ; *e; ++e) envs.emplace_back(*e);  // the first of a name wins
  std::vector<char*> a, e;
  for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  for (auto& s : envs) e.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  e.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  if (posix_spawn(&pid, a[0], &fa, nullptr, a.data(), e.data()) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

inline void stop(pid_t& pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  int st = 0;
  ::waitpid(pid, &st, 0);
  pid = -1;
}

/// An ippeveprinter on 127.0.0.1:port keeping every document in spool().
/// Each document is "printed" by `command` (default /bin/true: no 5–15 s
/// pretend printing).
class ippeve_printer {
 public:
  ippeve_printer(std::string dir, int port, std::string command = "/bin/true")
      : dir_(std::move(dir)), port_(port), command_(std::move(command)) {
    std::filesystem::create_directories(spool());
    std::ofstream(dir_ + "/bus.conf")
        << "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\""
           " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
           "<busconfig><type>system</type><listen>unix:path="
        << dir_ << "/bus</listen><policy context=\"default\"><allow send_destination=\"*\"/><allow receive_sender=\"*\"/>"
        << "<allow own=\"*\"/><allow user=\"*\"/></policy></busconfig>\n";
    bus_ = spawn({"/usr/bin/dbus-daemon", "--nofork", "--config-file=" + dir_ + "/bus.conf"}, {}, dir_ + "/bus.log");
    for (int i = 0; i < 200 && !std::filesystem::exists(dir_ + "/bus"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ~ippeve_printer() {
    stop(printer_);
    stop(bus_);
  }
  ippeve_printer(const ippeve_printer&) = delete;
  ippeve_printer& operator=(const ippeve_printer&) = delete;

  /// Starts the printer without waiting for it.
  void start(const std::string& formats = "application/pdf,application/postscript,image/pwg-raster") {
    // HOME: where it makes its self-signed TLS certificate.
    printer_ = spawn({ippeveprinter_path, "-n", "localhost", "-p", std::to_string(port_), "-k", "-d", spool(), "-f",
                      formats, "-r", "off", "-c", command_, "-v", "Quire Test"},
                     {"DBUS_SYSTEM_BUS_ADDRESS=unix:path=" + dir_ + "/bus", "HOME=" + dir_},
                     dir_ + "/printer.log");
  }
  /// Starts it and waits until it answers Get-Printer-Attributes.
  bool start_and_wait(const std::string& formats = "application/pdf,application/postscript,image/pwg-raster") {
    start(formats);
    return wait_ready();
  }
  bool wait_ready() const {
    for (int i = 0; i < 100; ++i) {
      if (http_t* http = httpConnect2("127.0.0.1", port_, nullptr, AF_INET, HTTP_ENCRYPTION_IF_REQUESTED, 1, 1000,
                                      nullptr)) {
        ipp_t* req = ippNewRequest(IPP_OP_GET_PRINTER_ATTRIBUTES);
        ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr, uri().c_str());
        ipp_t* resp = cupsDoRequest(http, req, "/ipp/print");
        bool ok = resp && ippGetStatusCode(resp) == IPP_STATUS_OK;
        ippDelete(resp);
        httpClose(http);
        if (ok) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  std::string uri(const char* scheme = "ipp") const {
    return std::string(scheme).append("://127.0.0.1:").append(std::to_string(port_)).append("/ipp/print");
  }
  int port() const { return port_; }
  std::string spool() const { return dir_ + "/spool"; }
  /// The documents kept in the spool with extension `ext`, by name.
  std::vector<std::string> documents(const std::string& ext = ".pdf") const {
    std::vector<std::string> out;
    for (auto& e : std::filesystem::directory_iterator(spool()))
      if (e.path().extension() == ext) out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string log() const {
    std::ifstream in(dir_ + "/printer.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::string dir_;
  int port_;
  std::string command_;
  pid_t bus_ = -1;
  pid_t printer_ = -1;
};

/// A TCP server on 127.0.0.1 that answers each connection with `reply`
/// (nothing: it closes at once; "-": it reads and stays silent until
/// stopped) after reading what the client sent first.
class bad_server {
 public:
  explicit bad_server(std::string reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 8);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~bad_server() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
    for (int c : held_) ::close(c);
  }
  bad_server(const bad_server&) = delete;
  bad_server& operator=(const bad_server&) = delete;

  int port() const { return port_; }
  int connections() const { return connections_; }

 private:
  void run() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      connections_ += 1;
      if (reply_.empty()) {
        ::close(c);
        continue;
      }
      pollfd q{c, POLLIN, 0};
      char buf[4096];
      if (::poll(&q, 1, 1000) > 0) [[maybe_unused]] auto n = ::read(c, buf, sizeof buf);
      if (reply_ == "-") {
        held_.push_back(c);
        continue;
      }
      [[maybe_unused]] auto n = ::send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }

  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::vector<int> held_;
  std::thread thread_;
};

}  // namespace quire::testing
