#include "bench/load_engine.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace bench {

double monotonic_s(clock_type::time_point t) {
  // libstdc++'s steady_clock is CLOCK_MONOTONIC: its epoch is the same.
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

namespace {

struct connection {
  wire_socket s;
  std::string out;
  size_t off = 0;
  http_reader reader;
  clock_type::time_point sent{};
  bool in_flight = false;
  bool want_out = false;  // EPOLLOUT registered: the request did not fit the socket buffer
  bool reopen = false;    // closed or to be closed: open a new one before the next request
  bool finished = false;
};

class loop {
 public:
  loop(const target& t, size_t n, const load_engine::next_fn& next, const load_engine::done_fn& done)
      : t_(t), conns_(n), next_(next), done_(done) {}
  ~loop() {
    if (ep_ >= 0) ::close(ep_);
  }

  bool run(std::string& err);

  uint64_t errors = 0;
  clock_type::time_point first_sent{}, last_done{};

 private:
  bool open(size_t i, std::string& err);
  void drop(size_t i);
  bool start(size_t i, std::string& err);
  void flush(size_t i);
  void readable(size_t i);
  void broken(size_t i);
  void watch(size_t i, bool out);

  const target& t_;
  std::vector<connection> conns_;
  const load_engine::next_fn& next_;
  const load_engine::done_fn& done_;
  int ep_ = -1;
  size_t active_ = 0;
  std::vector<size_t> to_start_;  // idle connections waiting for their next request
};

bool loop::open(size_t i, std::string& err) {
  auto& c = conns_[i];
  if (!c.s.open(t_, true, err)) return false;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = i;
  ::epoll_ctl(ep_, EPOLL_CTL_ADD, c.s.fd(), &ev);
  c.reader.reset();
  c.want_out = false;
  c.reopen = false;
  return true;
}

void loop::drop(size_t i) {
  auto& c = conns_[i];
  if (c.s.fd() < 0) return;
  ::epoll_ctl(ep_, EPOLL_CTL_DEL, c.s.fd(), nullptr);
  c.s.close();
}

void loop::watch(size_t i, bool out) {
  auto& c = conns_[i];
  if (c.want_out == out) return;
  c.want_out = out;
  epoll_event ev{};
  ev.events = EPOLLIN | (out ? EPOLLOUT : 0u);
  ev.data.u64 = i;
  ::epoll_ctl(ep_, EPOLL_CTL_MOD, c.s.fd(), &ev);
}

bool loop::start(size_t i, std::string& err) {
  auto& c = conns_[i];
  if (c.reopen || c.s.fd() < 0) {
    drop(i);
    if (!open(i, err)) return false;
  }
  if (!next_(i, c.out)) {
    c.finished = true;
    --active_;
    drop(i);
    return true;
  }
  c.off = 0;
  c.in_flight = true;
  c.sent = clock_type::now();
  if (first_sent == clock_type::time_point{}) first_sent = c.sent;
  flush(i);
  return true;
}

void loop::flush(size_t i) {
  auto& c = conns_[i];
  while (c.off < c.out.size()) {
    ssize_t w = c.s.send(c.out.data() + c.off, c.out.size() - c.off);
    if (w > 0) {
      c.off += static_cast<size_t>(w);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      watch(i, true);
      return;
    } else if (errno != EINTR) {
      broken(i);
      return;
    }
  }
  watch(i, false);
}

void loop::broken(size_t i) {
  auto& c = conns_[i];
  if (c.in_flight) ++errors;
  c.in_flight = false;
  c.reopen = true;
  drop(i);
  to_start_.push_back(i);
}

void loop::readable(size_t i) {
  auto& c = conns_[i];
  char buf[65536];
  // One recv for plain sockets; TLS reads until OpenSSL's buffer is empty,
  // since epoll does not see records it already decrypted.
  do {
    ssize_t r = c.s.recv(buf, sizeof buf);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
    if (r <= 0) {
      broken(i);
      return;
    }
    c.reader.feed(buf, static_cast<size_t>(r));
  } while (c.s.tls());
  http_response resp;
  if (c.reader.next(resp)) {
    auto now = clock_type::now();
    last_done = now;
    if (!c.in_flight || c.reader.pending() > 0) {  // an answer nobody asked for: the stream is lost
      ++errors;
      c.in_flight = false;
      c.reopen = true;
      to_start_.push_back(i);
      return;
    }
    c.in_flight = false;
    done_(i, resp, std::chrono::duration<double>(now - c.sent).count());
    if (resp.close) c.reopen = true;
    to_start_.push_back(i);
  } else if (c.reader.failed()) {
    broken(i);
  }
}

bool loop::run(std::string& err) {
  ep_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep_ < 0) {
    err = std::string("epoll_create1: ") + std::strerror(errno);
    return false;
  }
  for (size_t i = 0; i < conns_.size(); ++i)
    if (!open(i, err)) return false;
  active_ = conns_.size();
  for (size_t i = 0; i < conns_.size(); ++i) to_start_.push_back(i);
  std::vector<epoll_event> events(256);
  while (active_ > 0) {
    while (!to_start_.empty()) {
      std::vector<size_t> now;
      now.swap(to_start_);
      for (size_t i : now)
        if (!start(i, err)) return false;
    }
    if (active_ == 0) break;
    int n = ::epoll_wait(ep_, events.data(), static_cast<int>(events.size()), -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = std::string("epoll_wait: ") + std::strerror(errno);
      return false;
    }
    for (int k = 0; k < n; ++k) {
      size_t i = events[k].data.u64;
      auto& c = conns_[i];
      if (c.s.fd() < 0 || c.finished) continue;  // dropped earlier in this batch
      if ((events[k].events & EPOLLOUT) && c.in_flight) flush(i);
      if (c.s.fd() >= 0 && (events[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) readable(i);
    }
  }
  return true;
}

}  // namespace

bool load_engine::run(const next_fn& next, const done_fn& done, std::string& err) {
  loop l(t_, n_, next, done);
  bool ok = l.run(err);
  transport_errors_ = l.errors;
  first_sent_ = l.first_sent;
  last_done_ = l.last_done;
  return ok;
}

}  // namespace bench
