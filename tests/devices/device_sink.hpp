// A controllable network printer for the driver tests: a thread with plain
// blocking sockets on 127.0.0.1, port 0 (or a given port). It plays a raw
// 9100 printer or an RFC 1179 LPD server, and misbehaves on request:
//
//   store        accept, keep every byte until the client's EOF, close
//   close_after  accept, read N bytes, close (a printer that gives up)
//   hang         accept, never read, keep the connection open
//   lpd          answer the receive-job protocol; the answer to the queue
//                command is configurable (0, a nack, garbage)
//
// refuse() closes the listening socket (clients get ECONNREFUSED);
// reopen_after() listens again on the same port later, from the thread.
// Loopback only. Test-only code: failures abort through doctest's REQUIRE
// in the constructor, and the thread simply stops on socket errors.
#pragma once

#include <doctest/doctest.h>
#include <uv.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "devices/driver.hpp"
#include <string>
#include <thread>
#include <vector>

namespace quire::testing {

class device_sink {
 public:
  enum class mode { store, close_after, hang, lpd };

  /// What one connection brought.
  struct received {
    std::string bytes;         // store/close_after: all octets read
    std::string queue;         // lpd: the queue of the 02 command
    std::string data;          // lpd: the data file
    std::string control;       // lpd: the control file
    std::string data_name;     // lpd: names from the subcommand lines
    std::string control_name;
    std::string order;         // lpd: 'd' and 'c' in the order the files came
    bool complete = false;     // store: EOF seen; lpd: control file and data acked
  };

  explicit device_sink(mode m, uint16_t port = 0) : mode_(m) {
    listen_on(port);
    thread_ = std::thread([this] { run(); });
  }
  ~device_sink() {
    stop_ = true;
    thread_.join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
    for (int fd : hung_) ::close(fd);
  }
  device_sink(const device_sink&) = delete;
  device_sink& operator=(const device_sink&) = delete;

  uint16_t port() const { return port_; }
  /// close_after: how many octets to read before closing.
  void set_close_after(size_t n) { close_after_ = n; }
  /// lpd: what to answer to the 02 queue command ("\0" accepts).
  void set_queue_answer(std::string a) {
    std::lock_guard<std::mutex> lock(mu_);
    queue_answer_ = std::move(a);
  }
  /// Stops listening: connections are refused from now on.
  void refuse() { refuse_ = true; wait([this] { return listen_fd_ < 0; }, std::chrono::seconds(5)); }
  /// Listens again on the same port after `delay`.
  void reopen_after(std::chrono::milliseconds delay) {
    reopen_at_ = std::chrono::steady_clock::now() + delay;
    reopen_ = true;
  }
  /// Connections accepted so far.
  size_t connections() const { return connections_; }

  /// Waits until `n` connections have ended (or `timeout`), then returns them.
  std::vector<received> wait_for(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    wait([&] { return done_.size() >= n; }, timeout);
    std::lock_guard<std::mutex> lock(mu_);
    return done_;
  }

 private:
  template <class Pred>
  void wait(Pred pred, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, pred);
  }

  void listen_on(uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 16) != 0) {
      ::close(fd);
      return;
    }
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    std::lock_guard<std::mutex> lock(mu_);
    listen_fd_ = fd;
  }

  // Waits until fd is readable or the sink stops; false when stopping.
  bool readable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) return true;
    }
    return false;
  }

  // Reads up to `max` octets; 0 at EOF, error or stop.
  size_t read_some(int fd, char* buf, size_t max) {
    if (!readable(fd)) return 0;
    ssize_t r = ::read(fd, buf, max);
    return r > 0 ? static_cast<size_t>(r) : 0;
  }

  bool read_exact(int fd, std::string& out, size_t n) {
    char buf[65536];
    while (n > 0) {
      size_t r = read_some(fd, buf, std::min(n, sizeof buf));
      if (r == 0) return false;
      out.append(buf, r);
      n -= r;
    }
    return true;
  }

  bool read_line(int fd, std::string& line) {
    line.clear();
    char c;
    while (read_some(fd, &c, 1) == 1) {
      if (c == '\n') return true;
      line.push_back(c);
    }
    return false;
  }

  void run() {
    while (!stop_) {
      if (refuse_ && listen_fd_ >= 0) {
        std::lock_guard<std::mutex> lock(mu_);
        ::close(listen_fd_);
        listen_fd_ = -1;
        refuse_ = false;
        cv_.notify_all();
      }
      if (reopen_ && std::chrono::steady_clock::now() >= reopen_at_) {
        reopen_ = false;
        listen_on(port_);
      }
      if (listen_fd_ < 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++connections_;
      if (mode_ == mode::hang) {
        hung_.push_back(fd);
        continue;
      }
      received r = mode_ == mode::lpd ? serve_lpd(fd) : serve_raw(fd);
      ::close(fd);
      std::lock_guard<std::mutex> lock(mu_);
      done_.push_back(std::move(r));
      cv_.notify_all();
    }
  }

  received serve_raw(int fd) {
    received r;
    char buf[65536];
    size_t limit = mode_ == mode::close_after ? close_after_.load() : SIZE_MAX;
    while (r.bytes.size() < limit) {
      size_t n = read_some(fd, buf, std::min(sizeof buf, limit - r.bytes.size()));
      if (n == 0) {
        r.complete = !stop_;
        break;
      }
      r.bytes.append(buf, n);
    }
    return r;
  }

  void answer(int fd, const std::string& a) { (void)!::write(fd, a.data(), a.size()); }

  received serve_lpd(int fd) {
    received r;
    std::string line;
    if (!read_line(fd, line) || line.empty() || line[0] != '\x02') return r;
    r.queue = line.substr(1);
    std::string qa;
    {
      std::lock_guard<std::mutex> lock(mu_);
      qa = queue_answer_;
    }
    answer(fd, qa);
    if (qa != std::string(1, '\0')) return r;
    bool have_data = false;
    bool have_control = false;
    while (read_line(fd, line)) {  // RFC 1179 6.2/6.3 subcommands
      if (line.empty() || (line[0] != '\x02' && line[0] != '\x03')) break;
      size_t sp = line.find(' ');
      size_t count = std::stoul(line.substr(1, sp - 1));
      bool control = line[0] == '\x02';
      (control ? r.control_name : r.data_name) = line.substr(sp + 1);
      answer(fd, std::string(1, '\0'));
      std::string body;
      if (!read_exact(fd, body, count + 1) || body.back() != '\0') break;
      body.pop_back();
      (control ? r.control : r.data) = std::move(body);
      r.order.push_back(control ? 'c' : 'd');
      (control ? have_control : have_data) = true;
      answer(fd, std::string(1, '\0'));
      r.complete = have_control && have_data;
    }
    return r;
  }

  mode mode_;
  std::atomic<uint16_t> port_{0};
  int listen_fd_ = -1;  // written by the thread (and the constructor) under mu_
  std::atomic<bool> stop_{false};
  std::atomic<bool> refuse_{false};
  std::atomic<bool> reopen_{false};
  std::chrono::steady_clock::time_point reopen_at_;
  std::atomic<size_t> close_after_{0};
  std::atomic<size_t> connections_{0};
  std::string queue_answer_{std::string(1, '\0')};
  std::vector<int> hung_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<received> done_;
  std::thread thread_;
};


/// Hands `docs` to `d` in one go and runs `loop` until every callback ran;
/// the results in the order they came.
inline std::vector<quire::devices::delivery_result> deliver_all(uv_loop_t& loop, quire::devices::driver& d,
                                                                std::vector<quire::devices::job_document> docs) {
  std::vector<quire::devices::delivery_result> out;
  size_t n = docs.size();
  for (auto& doc : docs)
    d.deliver(std::move(doc), [&out](quire::devices::delivery_result r) { out.push_back(std::move(r)); });
  uv_run(&loop, UV_RUN_DEFAULT);
  REQUIRE(out.size() == n);
  return out;
}

}  // namespace quire::testing
