// ws_load: N WebSocket clients of quired's live event stream (GET
// /api/v1/events), held by one process, for ws_bench.py (see bench/README.md).
//
//   ws_load --addr HOST:PORT --user NAME --password PW [--clients N] [--topic T]
//           [--batch B] [--connect-timeout S] [--event-timeout S] [--duration S]
//
// One thread, one epoll loop, non-blocking sockets; libc, the standard library
// and OpenSSL's SHA-1 (for Sec-WebSocket-Accept). Each client connects, sends
// the opening handshake with HTTP Basic credentials, checks the 101 and its
// Sec-WebSocket-Accept, waits for {"type":"hello"}, sends {"type":"subscribe",
// "topics":[T]} (default "*") and waits for {"type":"subscribed"}. One client
// goes first alone (its login warms quired's password cache, so the others
// cost a cache hit instead of scrypt each); then at most --batch (default 500)
// are in the middle of connecting at any time, so that the listen backlog
// (511) is never overrun. A client not subscribed within --connect-timeout
// (default 60 s) fails; nothing is retried. Pings are answered with pongs.
//
// Once every client is subscribed or failed it prints
//   connected <ok> failed=<n> connect_s=<s> rate_per_s=<r> reasons=<kind:n,...|-> cpu_s=<s> rss_mb=<mb>
// and from then on records each event message: for each (seq, client) the
// arrival's CLOCK_REALTIME (ms, µs precision; the event's time_ms is quired's
// wall clock when its bus stamped the event) and CLOCK_MONOTONIC, taken right
// after the recv() that brought the bytes, and the kernel's receive timestamp
// of those bytes (SO_TIMESTAMPNS, CLOCK_REALTIME; on loopback, the moment
// quired's write went through the loopback device). When every subscribed
// client has an event (or --event-timeout, default 10 s, after its first
// arrival) it prints
//   event <seq> <type> clients=<n> p50_ms=.. p99_ms=.. max_ms=.. spread_ms=.. min_ms=.. missing=<n>
//         k_p50_ms=.. k_p99_ms=.. k_max_ms=.. k_spread_ms=..
// (one line) where latency = receive wall time - time_ms (time_ms is whole
// milliseconds, so a latency reads 0-1 ms high); spread = last client's
// monotonic arrival - first client's; missing = subscribed clients that did
// not get it; k_* the same from the kernel timestamps: the server's side of
// the latency, without the time this process took to get to the socket
// (k_spread: first to last write of the event by quired, its fan-out time).
// Events that arrive while clients are still connecting are not measured.
//
// stdin, one command a line: `stats` prints
//   stats open=<n> pending_events=<n> events=<n> pings=<n> closed_by_server=<n> cpu_s=<s> rss_mb=<mb>
// and `quit` (or the end of stdin, or --duration seconds after `connected`)
// prints the events still pending, then one line per event type and one for
// all events, pooled over every (event, client) sample:
//   type <type> events=<n> samples=<n> p50_ms=.. p99_ms=.. max_ms=.. k_p50_ms=.. k_p99_ms=.. k_max_ms=..
//   total events=<n> samples=<n> p50_ms=.. p99_ms=.. max_ms=.. k_p50_ms=.. k_p99_ms=.. k_max_ms=..
// closes every connection (a close frame, then the socket), and prints
//   bye events=<n> incomplete=<n> late=<n> out_of_order=<n> closed_by_server=<n> ...
// Only loopback addresses are accepted: this is a benchmark tool.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/ws_wire.hpp"

namespace {

using namespace bench::ws;
using bench::clock_ms;
using bench::cpu_s;
using bench::mono_ms;
using bench::rss_mb;
using bench::wall_ms;

// --- clocks, small helpers ---------------------------------------------------









std::string errno_name(int e) {
  switch (e) {
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case EPIPE: return "EPIPE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case EAGAIN: return "EAGAIN";
    default: return "errno" + std::to_string(e);
  }
}

// --- settings ----------------------------------------------------------------

struct settings {
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  std::string addr_text, user, password, topic = "*", path = "/api/v1/events";
  size_t clients = 10000, batch = 500;
  double connect_timeout_s = 60, event_timeout_s = 10, duration_s = 0;
};

bool parse_addr(settings& s, std::string& err) {
  return bench::parse_loopback_addr(s.addr_text, s.addr, s.addr_len, err);
}

bool parse_args(int argc, char** argv, settings& s, std::string& err) {
  static const std::set<std::string> known = {"addr",  "user",  "password",        "clients",       "topic",
                                              "batch", "path",  "connect-timeout", "event-timeout", "duration"};
  std::map<std::string, std::string> v;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0 || !known.count(k.substr(2))) return (err = "unknown argument " + k, false);
    if (i + 1 >= argc) return (err = k + " needs a value", false);
    v[k.substr(2)] = argv[++i];
  }
  if (!v.count("addr") || !v.count("user") || !v.count("password"))
    return (err = "--addr HOST:PORT, --user NAME and --password PW are required", false);
  s.addr_text = v["addr"];
  s.user = v["user"];
  s.password = v["password"];
  if (v.count("clients")) s.clients = std::strtoul(v["clients"].c_str(), nullptr, 10);
  if (v.count("batch")) s.batch = std::max<size_t>(1, std::strtoul(v["batch"].c_str(), nullptr, 10));
  if (v.count("topic")) s.topic = v["topic"];
  if (v.count("path")) s.path = v["path"];
  if (v.count("connect-timeout")) s.connect_timeout_s = std::atof(v["connect-timeout"].c_str());
  if (v.count("event-timeout")) s.event_timeout_s = std::atof(v["event-timeout"].c_str());
  if (v.count("duration")) s.duration_s = std::atof(v["duration"].c_str());
  if (s.clients == 0) return (err = "--clients must be at least 1", false);
  return parse_addr(s, err);
}

// --- one client --------------------------------------------------------------

enum class state : uint8_t { idle, connecting, handshake, hello, subscribing, ready, closing, gone };

const char* state_name(state s) {
  switch (s) {
    case state::idle: return "idle";
    case state::connecting: return "connect";
    case state::handshake: return "handshake";
    case state::hello: return "hello";
    case state::subscribing: return "subscribe";
    case state::ready: return "ready";
    case state::closing: return "closing";
    case state::gone: return "gone";
  }
  return "?";
}

struct client {
  int fd = -1;
  state at = state::idle;
  bool want_out = false;
  uint32_t out_off = 0;
  uint64_t last_seq = 0;
  double started = 0;  // monotonic ms of the connect
  std::string in, out, msg, accept;
};

// One event as the clients see it.
struct event_rec {
  std::string type;
  int64_t time_ms = 0;
  double first = 0, last = 0;    // monotonic arrival of the first and last client
  double kfirst = 0, klast = 0;  // the kernel's receive timestamps (wall ms), earliest and latest
  std::vector<double> lat;       // ms, one per client that got it
  std::vector<double> klat;      // ms, from the kernel's timestamp (when the socket had one)
};

// Latencies pooled over events.
struct pooled {
  size_t events = 0;
  std::vector<double> lat, klat;
};

constexpr uint64_t stdin_tag = UINT64_MAX;

class ws_loop {
 public:
  explicit ws_loop(const settings& s) : s_(s), clients_(s.clients) {
    std::string cred = s.user + ":" + s.password;
    auth_ = base64(reinterpret_cast<const unsigned char*>(cred.data()), cred.size());
    subscribe_ = "{\"type\":\"subscribe\",\"topics\":[" + json_string(s.topic) + "]}";
    std::random_device rd;
    rng_.seed((uint64_t(rd()) << 32) ^ rd());
  }
  ~ws_loop() {
    for (auto& c : clients_)
      if (c.fd >= 0) ::close(c.fd);
    if (ep_ >= 0) ::close(ep_);
  }

  int run() {
    ep_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0) return std::perror("epoll_create1"), 2;
    epoll_event se{};
    se.events = EPOLLIN;
    se.data.u64 = stdin_tag;
    ::fcntl(0, F_SETFL, ::fcntl(0, F_GETFL) | O_NONBLOCK);
    stdin_open_ = ::epoll_ctl(ep_, EPOLL_CTL_ADD, 0, &se) == 0;
    if (!stdin_open_ && s_.duration_s <= 0)
      std::fprintf(stderr, "ws_load: stdin is not a pipe or terminal: no commands; stop it with a signal\n");
    connect_start_ = mono_ms();
    std::vector<epoll_event> evs(4096);
    double last_tick = 0;
    while (!quit_) {
      start_more();
      int n = ::epoll_wait(ep_, evs.data(), int(evs.size()), 50);
      if (n < 0 && errno != EINTR) return std::perror("epoll_wait"), 2;
      for (int i = 0; i < n; ++i) {
        if (evs[i].data.u64 == stdin_tag) {
          read_stdin();
        } else {
          on_ready(evs[i].data.u64, evs[i].events);
        }
      }
      double now = mono_ms();
      if (now - last_tick >= 50) {
        last_tick = now;
        tick(now);
      }
    }
    shutdown_all();
    return 0;
  }

 private:
  // --- connecting ------------------------------------------------------------

  void start_more() {
    if (connected_phase_) return;
    // The first client alone: its login fills quired's password cache.
    size_t window = next_ == 0 || (next_ == 1 && ready_ == 0) ? 1 : s_.batch;
    while (next_ < clients_.size() && in_progress_ < window) open(next_++);
    if (next_ == clients_.size() && in_progress_ == 0) {
      connected_phase_ = true;
      double took = (mono_ms() - connect_start_) / 1e3;
      std::string reasons;
      for (const auto& [k, v] : reasons_) reasons += (reasons.empty() ? "" : ",") + k + ":" + std::to_string(v);
      std::printf("connected %zu failed=%zu connect_s=%.2f rate_per_s=%.0f reasons=%s cpu_s=%.2f rss_mb=%.1f\n",
                  ready_, failed_, took, double(ready_) / std::max(took, 1e-3), reasons.empty() ? "-" : reasons.c_str(),
                  cpu_s(), rss_mb());
      std::fflush(stdout);
      ignore_upto_ = max_seq_seen_;
      pending_.clear();
      running_since_ = mono_ms();
    }
  }

  void open(size_t i) {
    auto& c = clients_[i];
    c.started = mono_ms();
    in_progress_ += 1;
    c.fd = ::socket(s_.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return fail(i, "socket-" + errno_name(errno));
    int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(c.fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    c.at = state::connecting;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = i;
    c.want_out = true;
    if (::epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev) != 0) return fail(i, "epoll-" + errno_name(errno));
    if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&s_.addr), s_.addr_len) != 0 && errno != EINPROGRESS)
      return fail(i, "connect-" + errno_name(errno));
  }

  void send_handshake(size_t i) {
    auto& c = clients_[i];
    unsigned char raw[16];
    for (auto& b : raw) b = static_cast<unsigned char>(rng_());
    std::string key = base64(raw, sizeof raw);
    c.accept = accept_key(key);
    c.out += "GET " + s_.path + " HTTP/1.1\r\nHost: " + s_.addr_text +
             "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
             "\r\nSec-WebSocket-Version: 13\r\nAuthorization: Basic " + auth_ + "\r\n\r\n";
    c.at = state::handshake;
    flush(i);
  }

  // A failure while connecting (or later: a lost connection).
  void fail(size_t i, const std::string& why) {
    auto& c = clients_[i];
    if (c.at == state::ready) {
      ready_ -= 1;
      lost_[why] += 1;
      lost_total_ += 1;
    } else if (c.at != state::gone && c.at != state::closing) {
      in_progress_ -= 1;
      failed_ += 1;
      reasons_[why] += 1;
    }
    drop(i);
  }

  void drop(size_t i) {
    auto& c = clients_[i];
    if (c.fd >= 0) ::close(c.fd);  // also leaves the epoll set
    c.fd = -1;
    c.at = state::gone;
    std::string().swap(c.in);
    std::string().swap(c.out);
    std::string().swap(c.msg);
  }

  // --- bytes -------------------------------------------------------------------

  void on_ready(size_t i, uint32_t events) {
    auto& c = clients_[i];
    if (c.fd < 0) return;
    if (c.at == state::connecting) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) return fail(i, "connect-" + errno_name(err));
      if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
      send_handshake(i);
      if (c.fd < 0) return;
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
      if (!read_some(i)) return;
    }
    if ((events & EPOLLOUT) && c.fd >= 0) flush(i);
  }

  // False when the client is gone.
  bool read_some(size_t i) {
    auto& c = clients_[i];
    static char buf[65536];
    alignas(cmsghdr) static char control[256];
    for (;;) {
      iovec iov{buf, sizeof buf};
      msghdr mh{};
      mh.msg_iov = &iov;
      mh.msg_iovlen = 1;
      mh.msg_control = control;
      mh.msg_controllen = sizeof control;
      ssize_t n = ::recvmsg(c.fd, &mh, 0);
      if (n > 0) {
        double wall = wall_ms(), mono = mono_ms(), kwall = 0;
        for (cmsghdr* cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
          if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
            timespec ts{};
            std::memcpy(&ts, CMSG_DATA(cm), sizeof ts);
            kwall = double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
          }
        c.in.append(buf, size_t(n));
        if (!process(i, wall, mono, kwall)) return false;
        if (size_t(n) < sizeof buf) return true;
        continue;
      }
      if (n == 0) {
        if (c.at == state::closing) {
          drop(i);
          closed_ += 1;
        } else {
          fail(i, std::string("eof-") + state_name(c.at));
        }
        return false;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      if (errno == EINTR) continue;
      if (c.at == state::closing) {
        drop(i);
        closed_ += 1;
      } else {
        fail(i, std::string("recv-") + errno_name(errno) + "-" + state_name(c.at));
      }
      return false;
    }
  }

  void flush(size_t i) {
    auto& c = clients_[i];
    while (c.out_off < c.out.size()) {
      ssize_t n = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_off += uint32_t(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      return fail(i, std::string("send-") + errno_name(errno) + "-" + state_name(c.at));
    }
    if (c.out_off == c.out.size()) {
      c.out.clear();
      c.out_off = 0;
    }
    bool want = !c.out.empty();
    if (want != c.want_out) {
      epoll_event ev{};
      ev.events = want ? uint32_t(EPOLLIN | EPOLLOUT) : uint32_t(EPOLLIN);
      ev.data.u64 = i;
      ::epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
      c.want_out = want;
    }
  }

  // A masked frame from the client.
  void queue_frame(size_t i, uint8_t opcode, std::string_view payload) {
    auto& c = clients_[i];
    c.out.push_back(char(0x80 | opcode));
    if (payload.size() < 126) {
      c.out.push_back(char(0x80 | payload.size()));
    } else {
      c.out.push_back(char(0x80 | 126));
      c.out.push_back(char(payload.size() >> 8));
      c.out.push_back(char(payload.size() & 0xff));
    }
    uint32_t m = uint32_t(rng_());
    unsigned char mask[4] = {uint8_t(m), uint8_t(m >> 8), uint8_t(m >> 16), uint8_t(m >> 24)};
    c.out.append(reinterpret_cast<char*>(mask), 4);
    for (size_t k = 0; k < payload.size(); ++k) c.out.push_back(char(payload[k] ^ mask[k % 4]));
  }

  // What arrived in c.in; false when the client is gone.
  bool process(size_t i, double wall, double mono, double kwall) {
    auto& c = clients_[i];
    if (c.at == state::handshake) {
      size_t end = c.in.find("\r\n\r\n");
      if (end == std::string::npos) {
        if (c.in.size() > 16384) return fail(i, "handshake-too-long"), false;
        return true;
      }
      std::string head = c.in.substr(0, end);
      int status = head.size() > 12 ? std::atoi(head.c_str() + 9) : 0;
      if (status != 101) return fail(i, "http-" + std::to_string(status)), false;
      std::string lower = head;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
      size_t at = lower.find("\r\nsec-websocket-accept:");
      if (at == std::string::npos) return fail(i, "no-accept"), false;
      at += 23;
      while (at < head.size() && head[at] == ' ') ++at;
      size_t eol = head.find("\r\n", at);
      std::string got = head.substr(at, eol == std::string::npos ? std::string::npos : eol - at);
      while (!got.empty() && got.back() == ' ') got.pop_back();
      if (got != c.accept) return fail(i, "bad-accept"), false;
      std::string().swap(c.accept);
      c.in.erase(0, end + 4);
      c.at = state::hello;
    }
    size_t pos = 0;
    bool alive = true;
    while (alive) {
      size_t avail = c.in.size() - pos;
      if (avail < 2) break;
      auto b0 = uint8_t(c.in[pos]), b1 = uint8_t(c.in[pos + 1]);
      if (b1 & 0x80) return fail(i, "masked-frame"), false;
      uint64_t len = b1 & 0x7f;
      size_t hdr = 2;
      if (len == 126) {
        if (avail < 4) break;
        len = (uint64_t(uint8_t(c.in[pos + 2])) << 8) | uint8_t(c.in[pos + 3]);
        hdr = 4;
      } else if (len == 127) {
        if (avail < 10) break;
        len = 0;
        for (int k = 0; k < 8; ++k) len = (len << 8) | uint8_t(c.in[pos + 2 + k]);
        hdr = 10;
      }
      if (len > (8u << 20)) return fail(i, "frame-too-big"), false;
      if (avail < hdr + len) break;
      std::string_view payload(c.in.data() + pos + hdr, len);
      pos += hdr + len;
      uint8_t op = b0 & 0x0f;
      bool fin = b0 & 0x80;
      switch (op) {
        case 0x9:  // ping
          queue_frame(i, 0xA, payload);
          pings_ += 1;
          flush(i);
          alive = c.fd >= 0;
          break;
        case 0xA:
          break;
        case 0x8: {  // close
          if (c.at == state::closing) {
            drop(i);
            closed_ += 1;
            return false;
          }
          int code = payload.size() >= 2 ? (uint8_t(payload[0]) << 8) | uint8_t(payload[1]) : 1005;
          std::string why = "closed-" + std::to_string(code) + "-" + state_name(c.at);
          if (c.at == state::ready) {
            std::string reason(payload.size() > 2 ? payload.substr(2) : std::string_view());
            if (closed_by_server_ < 10)
              std::fprintf(stderr, "ws_load: client %zu closed by the server: %d %s\n", i, code, reason.c_str());
            closed_by_server_ += 1;
          }
          queue_frame(i, 0x8, payload.substr(0, 2));
          flush(i);
          if (c.fd >= 0) fail(i, why);
          return false;
        }
        case 0x1:
        case 0x0:
          if (fin && c.msg.empty()) {
            alive = on_message(i, payload, wall, mono, kwall);
          } else {
            c.msg.append(payload);
            if (fin) {
              std::string whole;
              whole.swap(c.msg);
              alive = on_message(i, whole, wall, mono, kwall);
            }
          }
          break;
        default:
          return fail(i, "opcode-" + std::to_string(op)), false;
      }
    }
    if (!alive || c.fd < 0) return false;
    if (pos == c.in.size()) {
      c.in.clear();
      if (c.in.capacity() > 65536) std::string().swap(c.in);
    } else if (pos > 0) {
      c.in.erase(0, pos);
    }
    return true;
  }

  // --- messages ----------------------------------------------------------------

  bool on_message(size_t i, std::string_view text, double wall, double mono, double kwall) {
    auto& c = clients_[i];
    size_t ev_at = value_at(text, "event");
    if (ev_at != std::string_view::npos && text.compare(ev_at, 1, "{") == 0) {
      on_event(i, text, ev_at, wall, mono, kwall);
      return true;
    }
    std::string type = string_value(text, value_at(text, "type"));
    if (type == "hello") {
      if (c.at != state::hello) return true;
      queue_frame(i, 0x1, subscribe_);
      c.at = state::subscribing;
      flush(i);
      return c.fd >= 0;
    }
    if (type == "subscribed") {
      if (c.at != state::subscribing) return true;
      c.at = state::ready;
      in_progress_ -= 1;
      ready_ += 1;
      return true;
    }
    if (type == "error") {
      std::string m = string_value(text, value_at(text, "message"));
      if (c.at != state::ready) {
        if (failed_ < 10) std::fprintf(stderr, "ws_load: client %zu: error before subscribed: %s\n", i, m.c_str());
        fail(i, "error-" + std::string(state_name(c.at)));
        return false;
      }
      errors_ += 1;
      return true;
    }
    return true;  // pong, anything new
  }

  void on_event(size_t i, std::string_view text, size_t ev_at, double wall, double mono, double kwall) {
    auto& c = clients_[i];
    int64_t seq = int_value(text, value_at(text, "seq", ev_at));
    int64_t t = int_value(text, value_at(text, "time_ms", ev_at));
    if (seq <= 0) return;
    auto useq = uint64_t(seq);
    max_seq_seen_ = std::max(max_seq_seen_, useq);
    if (!connected_phase_ || useq <= ignore_upto_) {
      ignored_ += 1;
      return;
    }
    if (useq <= c.last_seq) {
      out_of_order_ += 1;
      return;
    }
    c.last_seq = useq;
    if (finished_.count(useq)) {
      late_ += 1;
      return;
    }
    auto [it, fresh] = pending_.try_emplace(useq);
    auto& r = it->second;
    if (fresh) {
      r.type = string_value(text, value_at(text, "type", ev_at));
      r.time_ms = t;
      r.first = mono;
      r.lat.reserve(ready_);
      r.klat.reserve(ready_);
    }
    r.lat.push_back(wall - double(t));
    r.last = mono;
    if (kwall > 0) {
      r.klat.push_back(kwall - double(t));
      r.kfirst = r.kfirst == 0 ? kwall : std::min(r.kfirst, kwall);
      r.klast = std::max(r.klast, kwall);
    }
    if (r.lat.size() >= ready_) finish(it);
  }

  void finish(std::unordered_map<uint64_t, event_rec>::iterator it) {
    auto& r = it->second;
    std::sort(r.lat.begin(), r.lat.end());
    std::sort(r.klat.begin(), r.klat.end());
    size_t missing = ready_ > r.lat.size() ? ready_ - r.lat.size() : 0;
    if (missing > 0) incomplete_ += 1;
    std::printf("event %llu %s clients=%zu p50_ms=%.3f p99_ms=%.3f max_ms=%.3f spread_ms=%.3f min_ms=%.3f missing=%zu "
                "k_p50_ms=%.3f k_p99_ms=%.3f k_max_ms=%.3f k_spread_ms=%.3f\n",
                static_cast<unsigned long long>(it->first), r.type.c_str(), r.lat.size(), bench::percentile(r.lat, 0.5),
                bench::percentile(r.lat, 0.99), r.lat.empty() ? 0 : r.lat.back(), r.last - r.first, r.lat.empty() ? 0 : r.lat.front(),
                missing, bench::percentile(r.klat, 0.5), bench::percentile(r.klat, 0.99), r.klat.empty() ? 0 : r.klat.back(), r.klast - r.kfirst);
    std::fflush(stdout);
    events_ += 1;
    for (auto* p : {&by_type_[r.type], &all_}) {
      p->events += 1;
      p->lat.insert(p->lat.end(), r.lat.begin(), r.lat.end());
      p->klat.insert(p->klat.end(), r.klat.begin(), r.klat.end());
    }
    finished_.insert(it->first);
    pending_.erase(it);
  }

  void tick(double now) {
    if (!connected_phase_) {
      for (size_t i = 0; i < next_; ++i) {
        auto& c = clients_[i];
        if (c.fd >= 0 && c.at != state::ready && now - c.started > s_.connect_timeout_s * 1e3)
          fail(i, std::string("timeout-") + state_name(c.at));
      }
      return;
    }
    // Events every open client has (some closed), or whose time is up.
    std::vector<uint64_t> due;
    for (auto& [seq, r] : pending_)
      if (r.lat.size() >= ready_ || now - r.first > s_.event_timeout_s * 1e3) due.push_back(seq);
    std::sort(due.begin(), due.end());
    for (auto seq : due) finish(pending_.find(seq));
    if (s_.duration_s > 0 && now - running_since_ > s_.duration_s * 1e3) quit_ = true;
  }

  void read_stdin() {
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(0, buf, sizeof buf);
      if (n > 0) {
        stdin_buf_.append(buf, size_t(n));
        continue;
      }
      if (n == 0) {  // stdin closed
        quit_ = true;
        ::epoll_ctl(ep_, EPOLL_CTL_DEL, 0, nullptr);
      }
      break;
    }
    size_t nl;
    while ((nl = stdin_buf_.find('\n')) != std::string::npos) {
      std::string line = stdin_buf_.substr(0, nl);
      stdin_buf_.erase(0, nl + 1);
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (line == "quit") {
        quit_ = true;
      } else if (line == "stats") {
        std::printf("stats open=%zu pending_events=%zu events=%zu pings=%zu closed_by_server=%zu cpu_s=%.2f rss_mb=%.1f\n",
                    ready_, pending_.size(), events_, pings_, closed_by_server_, cpu_s(), rss_mb());
        std::fflush(stdout);
      } else if (!line.empty()) {
        std::printf("error unknown command '%s' (stats, quit)\n", line.c_str());
        std::fflush(stdout);
      }
    }
  }

  void print_pooled(const std::string& head, pooled& p) {
    std::sort(p.lat.begin(), p.lat.end());
    std::sort(p.klat.begin(), p.klat.end());
    std::printf("%s events=%zu samples=%zu p50_ms=%.3f p99_ms=%.3f max_ms=%.3f k_p50_ms=%.3f k_p99_ms=%.3f "
                "k_max_ms=%.3f\n",
                head.c_str(), p.events, p.lat.size(), bench::percentile(p.lat, 0.5), bench::percentile(p.lat, 0.99),
                p.lat.empty() ? 0 : p.lat.back(), bench::percentile(p.klat, 0.5), bench::percentile(p.klat, 0.99),
                p.klat.empty() ? 0 : p.klat.back());
  }

  // quit: the events still pending, the pooled figures, then every
  // connection closed (a close frame each, up to 3 s for the server's answer).
  void shutdown_all() {
    std::vector<uint64_t> left;
    for (auto& [seq, r] : pending_) left.push_back(seq);
    std::sort(left.begin(), left.end());
    for (auto seq : left) finish(pending_.find(seq));
    for (auto& [type, p] : by_type_) print_pooled("type " + type, p);
    print_pooled("total", all_);
    std::fflush(stdout);
    size_t open = 0;
    for (size_t i = 0; i < clients_.size(); ++i) {
      auto& c = clients_[i];
      if (c.fd < 0) continue;
      if (c.at != state::ready) {
        fail(i, std::string("quit-") + state_name(c.at));
        continue;
      }
      ready_ -= 1;
      c.at = state::closing;
      queue_frame(i, 0x8, std::string_view("\x03\xe8", 2));  // 1000
      flush(i);
      if (c.fd >= 0) open += 1;
    }
    std::vector<epoll_event> evs(4096);
    double deadline = mono_ms() + 3000;
    while (closed_ < open && mono_ms() < deadline) {
      int n = ::epoll_wait(ep_, evs.data(), int(evs.size()), 50);
      for (int k = 0; k < n; ++k)
        if (evs[k].data.u64 != stdin_tag) on_ready(evs[k].data.u64, evs[k].events);
    }
    size_t unanswered = 0;
    for (size_t i = 0; i < clients_.size(); ++i)
      if (clients_[i].fd >= 0) {
        unanswered += 1;
        drop(i);
      }
    std::string lost;
    for (const auto& [k, v] : lost_) lost += (lost.empty() ? "" : ",") + k + ":" + std::to_string(v);
    std::printf("bye events=%zu incomplete=%zu late=%zu out_of_order=%zu ignored=%zu errors=%zu pings=%zu "
                "closed_by_server=%zu lost=%zu lost_reasons=%s closed=%zu close_unanswered=%zu cpu_s=%.2f\n",
                events_, incomplete_, late_, out_of_order_, ignored_, errors_, pings_, closed_by_server_, lost_total_,
                lost.empty() ? "-" : lost.c_str(), closed_, unanswered, cpu_s());
    std::fflush(stdout);
  }

  const settings& s_;
  std::vector<client> clients_;
  std::string auth_, subscribe_, stdin_buf_;
  std::mt19937_64 rng_;
  int ep_ = -1;
  bool stdin_open_ = false, quit_ = false, connected_phase_ = false;
  size_t next_ = 0, in_progress_ = 0, ready_ = 0, failed_ = 0;
  double connect_start_ = 0, running_since_ = 0;
  std::map<std::string, size_t> reasons_, lost_;
  size_t lost_total_ = 0, closed_by_server_ = 0, closed_ = 0, pings_ = 0, errors_ = 0;
  uint64_t max_seq_seen_ = 0, ignore_upto_ = 0;
  std::unordered_map<uint64_t, event_rec> pending_;
  std::unordered_set<uint64_t> finished_;
  size_t events_ = 0, incomplete_ = 0, late_ = 0, out_of_order_ = 0, ignored_ = 0;
  std::map<std::string, pooled> by_type_;
  pooled all_;
};

}  // namespace

int main(int argc, char** argv) {
  settings s;
  std::string err;
  if (!parse_args(argc, argv, s, err)) {
    std::fprintf(stderr,
                 "ws_load: %s\nusage: ws_load --addr HOST:PORT --user NAME --password PW [--clients N] [--topic T]\n"
                 "                [--batch B] [--connect-timeout S] [--event-timeout S] [--duration S] [--path P]\n",
                 err.c_str());
    return 2;
  }
  // Every client is a file descriptor: as many as the hard limit allows.
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  ::getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur != RLIM_INFINITY && s.clients + 16 > rl.rlim_cur) {
    std::fprintf(stderr, "ws_load: %zu clients need more files than RLIMIT_NOFILE allows (%llu)\n", s.clients,
                 static_cast<unsigned long long>(rl.rlim_cur));
    return 2;
  }
  ws_loop loop(s);
  return loop.run();
}
