// lpd_load: an LPD (RFC 1179) job sender for quired and cups-lpd (see bench/README.md).
//
//   lpd_load --addr HOST:PORT --queue Q [--clients N] [--duration S | --count N]
//            [--user NAME] [--file PATH] [--order control,data|data,control] [--timeout S]
//
// N senders, each a small state machine, run on one epoll loop on one thread
// (like load_engine.cpp for IPP), so the process stays alive and its start-up
// is not measured. Each sender loops over one job per connection, the way
// CUPS's lpd backend sends one:
//
//   connect                       (non-blocking)
//   02 Queue LF                   receive a job (RFC 1179 5.2)  -> ack 0
//   02 Count SP cfA<nnn><host> LF control file (6.2)           -> ack 0
//   <control file> 00                                           -> ack 0
//   03 Count SP dfA<nnn><host> LF data file (6.3)              -> ack 0
//   <data file> 00                                              -> ack 0
//   close
//
// (--order data,control sends the data file first, as the Windows LPR port
// does.) A job counts when its last ack is 0; quired sends that ack once the
// job is durable. Its latency runs from the connect to that ack. A non-zero
// ack, a closed or broken connection, a failed connect or a step that takes
// longer than --timeout (default 30 s) fails the job: it is counted by kind in
// "statuses", the connection is closed and the sender starts the next job
// (with a new job number); nothing is retried. Only loopback addresses are
// accepted: this is a benchmark tool, not a network client.
//
// Output: one JSON line (read by compare_cups.py), then one human line.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_util.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::duration;
using bench::percentile;

struct settings {
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  std::string addr_text, queue, user = "bench", file = QUIRE_SAMPLE_PDF;
  size_t clients = 8;
  double duration_s = 10, timeout_s = 30;
  uint64_t count = 0;  // 0: run for duration_s
  bool data_first = false;
};

// --key value options.
bool parse_args(int argc, char** argv, settings& s, std::string& err) {
  static const std::set<std::string> known = {"addr", "queue", "clients", "duration", "count",
                                              "user", "file",  "order",   "timeout"};
  std::map<std::string, std::string> v;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0 || !known.count(k.substr(2))) return (err = "unknown argument " + k, false);
    if (i + 1 >= argc) return (err = k + " needs a value", false);
    v[k.substr(2)] = argv[++i];
  }
  if (!v.count("addr") || !v.count("queue")) return (err = "--addr HOST:PORT and --queue Q are required", false);
  s.addr_text = v["addr"];
  s.queue = v["queue"];
  if (v.count("clients")) s.clients = std::max<size_t>(1, std::strtoul(v["clients"].c_str(), nullptr, 10));
  if (v.count("duration")) s.duration_s = std::atof(v["duration"].c_str());
  if (v.count("count")) s.count = std::strtoull(v["count"].c_str(), nullptr, 10);
  if (v.count("timeout")) s.timeout_s = std::atof(v["timeout"].c_str());
  if (v.count("user")) s.user = v["user"];
  if (v.count("file")) s.file = v["file"];
  if (v.count("order")) {
    if (v["order"] != "control,data" && v["order"] != "data,control")
      return (err = "--order is control,data or data,control", false);
    s.data_first = v["order"] == "data,control";
  }
  if (s.queue.empty() || s.queue.find_first_of(" \t\n/") != std::string::npos)
    return (err = "bad queue name '" + s.queue + "'", false);
  return true;
}

// HOST:PORT or [V6]:PORT, numeric and loopback only.
bool parse_addr(settings& s, std::string& err) {
  return bench::parse_loopback_addr(s.addr_text, s.addr, s.addr_len, err);
}

// The steps of one job, in the order they go out; each waits for one ack.
enum class step : uint8_t { connect, command, control_line, control_file, data_line, data_file, done };

const char* step_name(step s) {
  switch (s) {
    case step::connect: return "connect";
    case step::command: return "command";
    case step::control_line: return "control-line";
    case step::control_file: return "control-file";
    case step::data_line: return "data-line";
    case step::data_file: return "data-file";
    case step::done: return "done";
  }
  return "?";
}

std::string errno_name(int e) {
  switch (e) {
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case EPIPE: return "EPIPE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    default: return "errno" + std::to_string(e);
  }
}

// What every job shares, built once: the data file with its trailing zero
// octet, and the parts of the names and the control file that do not change.
struct job_template {
  std::string data;  // the document followed by one zero octet
  size_t data_size = 0;
  std::string host, user, title, queue;
  bool data_first = false;
};

// The bytes of one job (job number `nnn`), all but the shared data file.
struct job_bytes {
  std::string command, control_line, control_file, data_line;

  void build(const job_template& t, unsigned nnn) {
    char num[8];
    std::snprintf(num, sizeof num, "%03u", nnn % 1000);
    const std::string df = std::string("dfA") + num + t.host, cf = std::string("cfA") + num + t.host;
    command = "\x02" + t.queue + "\n";
    // What CUPS's lpd backend writes (backend/lpd.c): host, user, job name,
    // the print line ('l': print as is), unlink, source name.
    control_file = "H" + t.host + "\nP" + t.user + "\nJ" + t.title + "\nl" + df + "\nU" + df + "\nN" + t.title + "\n";
    control_line = "\x02" + std::to_string(control_file.size()) + " " + cf + "\n";
    control_file.push_back('\0');
    data_line = "\x03" + std::to_string(t.data_size) + " " + df + "\n";
  }
};

struct sender {
  int fd = -1;
  step at = step::done;
  job_bytes job;
  const char* out = nullptr;  // what the current step still has to write
  size_t out_left = 0;
  bool want_out = false;
  clock_type::time_point started{}, step_deadline{};
};

class lpd_loop {
 public:
  lpd_loop(const settings& s, const job_template& t) : s_(s), t_(t), senders_(s.clients) {}
  ~lpd_loop() {
    for (auto& x : senders_)
      if (x.fd >= 0) ::close(x.fd);
    if (ep_ >= 0) ::close(ep_);
  }
  bool run(std::string& err);

  std::vector<double> latencies;  // seconds, of the jobs that succeeded
  std::map<std::string, uint64_t> statuses;
  uint64_t failed = 0;
  clock_type::time_point start{}, last_done{};

 private:
  bool more_jobs() const;
  void begin(sender& x);
  void connected(sender& x);
  void enter(sender& x, step st);
  void flush(sender& x);
  void readable(sender& x);
  void fail(sender& x, const std::string& why);
  void finish(sender& x);
  void watch(sender& x, bool out);
  void expire(clock_type::time_point now);
  step after(step st) const;

  const settings& s_;
  const job_template& t_;
  std::vector<sender> senders_;
  int ep_ = -1;
  uint64_t started_jobs_ = 0;
  unsigned job_number_ = 0;
  size_t active_ = 0;
  clock_type::time_point deadline_{};
  clock_type::duration step_timeout_{};
  // Senders whose job ended: the loop starts their next one after the batch
  // of events, so no stale event of a closed socket reaches the new one and
  // a refused connect does not recurse.
  std::vector<sender*> to_start_;
};

bool lpd_loop::more_jobs() const {
  return s_.count ? started_jobs_ < s_.count : clock_type::now() < deadline_;
}

// The step that follows `st`; --order data,control swaps the two files.
step lpd_loop::after(step st) const {
  if (!t_.data_first) return st == step::data_file ? step::done : static_cast<step>(static_cast<int>(st) + 1);
  switch (st) {
    case step::command: return step::data_line;
    case step::data_line: return step::data_file;
    case step::data_file: return step::control_line;
    case step::control_line: return step::control_file;
    default: return step::done;
  }
}

// Starts a new job on a new connection, or retires the sender.
void lpd_loop::begin(sender& x) {
  if (!more_jobs()) {
    x.at = step::done;
    --active_;
    return;
  }
  ++started_jobs_;
  x.job.build(t_, job_number_++ % 1000);
  x.started = clock_type::now();
  x.step_deadline = x.started + step_timeout_;
  x.at = step::connect;
  x.fd = ::socket(s_.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (x.fd < 0) return fail(x, "socket-" + errno_name(errno));
  int one = 1;
  ::setsockopt(x.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int r = ::connect(x.fd, reinterpret_cast<const sockaddr*>(&s_.addr), s_.addr_len);
  if (r < 0 && errno != EINPROGRESS) return fail(x, "connect-" + errno_name(errno));
  epoll_event ev{};
  ev.events = EPOLLOUT;
  ev.data.ptr = &x;
  ::epoll_ctl(ep_, EPOLL_CTL_ADD, x.fd, &ev);
  x.want_out = true;
  if (r == 0) connected(x);
}

void lpd_loop::connected(sender& x) {
  int soerr = 0;
  socklen_t len = sizeof soerr;
  ::getsockopt(x.fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
  if (soerr != 0) return fail(x, "connect-" + errno_name(soerr));
  enter(x, step::command);
}

// Writes the step's bytes; its ack is read by readable().
void lpd_loop::enter(sender& x, step st) {
  x.at = st;
  x.step_deadline = clock_type::now() + step_timeout_;
  const std::string* s = nullptr;
  switch (st) {
    case step::command: s = &x.job.command; break;
    case step::control_line: s = &x.job.control_line; break;
    case step::control_file: s = &x.job.control_file; break;
    case step::data_line: s = &x.job.data_line; break;
    case step::data_file: x.out = t_.data.data(), x.out_left = t_.data.size(); break;
    default: return;
  }
  if (s) x.out = s->data(), x.out_left = s->size();
  flush(x);
}

void lpd_loop::flush(sender& x) {
  while (x.out_left > 0) {
    ssize_t w = ::send(x.fd, x.out, x.out_left, MSG_NOSIGNAL);
    if (w > 0) {
      x.out += w;
      x.out_left -= static_cast<size_t>(w);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return watch(x, true);
    } else if (errno != EINTR) {
      return fail(x, std::string(errno == EPIPE || errno == ECONNRESET ? "reset-" : "send-") + step_name(x.at));
    }
  }
  watch(x, false);
}

void lpd_loop::watch(sender& x, bool out) {
  if (x.want_out == out) return;
  x.want_out = out;
  epoll_event ev{};
  ev.events = out ? EPOLLOUT : EPOLLIN;
  ev.data.ptr = &x;
  ::epoll_ctl(ep_, EPOLL_CTL_MOD, x.fd, &ev);
}

// One ack octet per step (RFC 1179 5.2, 6.2, 6.3).
void lpd_loop::readable(sender& x) {
  char buf[16];
  ssize_t r = ::recv(x.fd, buf, sizeof buf, 0);
  if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (r < 0) return fail(x, std::string(errno == ECONNRESET ? "reset-" : "recv-") + step_name(x.at));
  if (r == 0) return fail(x, std::string("closed-") + step_name(x.at));
  if (buf[0] != 0) return fail(x, std::string("nack-") + step_name(x.at));
  if (x.out_left > 0 || r != 1) return fail(x, std::string("unexpected-bytes-") + step_name(x.at));
  step next = after(x.at);
  if (next == step::done) return finish(x);
  enter(x, next);
}

void lpd_loop::finish(sender& x) {
  last_done = clock_type::now();
  latencies.push_back(duration<double>(last_done - x.started).count());
  ++statuses["ok"];
  ::close(x.fd);  // also drops it from the epoll set
  x.fd = -1;
  to_start_.push_back(&x);
}

void lpd_loop::fail(sender& x, const std::string& why) {
  ++statuses[why];
  ++failed;
  last_done = clock_type::now();
  if (x.fd >= 0) ::close(x.fd);
  x.fd = -1;
  to_start_.push_back(&x);
}

void lpd_loop::expire(clock_type::time_point now) {
  for (auto& x : senders_)
    if (x.fd >= 0 && x.at != step::done && now > x.step_deadline) fail(x, std::string("timeout-") + step_name(x.at));
}

bool lpd_loop::run(std::string& err) {
  ep_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep_ < 0) return (err = std::string("epoll_create1: ") + std::strerror(errno), false);
  step_timeout_ = std::chrono::duration_cast<clock_type::duration>(duration<double>(s_.timeout_s));
  start = last_done = clock_type::now();
  deadline_ = start + std::chrono::duration_cast<clock_type::duration>(duration<double>(s_.duration_s));
  latencies.reserve(1 << 20);
  active_ = senders_.size();
  for (auto& x : senders_) to_start_.push_back(&x);
  std::vector<epoll_event> events(256);
  auto next_sweep = clock_type::now() + std::chrono::milliseconds(100);
  for (;;) {
    while (!to_start_.empty()) {
      std::vector<sender*> now;
      now.swap(to_start_);
      for (sender* x : now) begin(*x);
    }
    if (active_ == 0) break;
    int n = ::epoll_wait(ep_, events.data(), static_cast<int>(events.size()), 100);
    if (n < 0 && errno != EINTR) return (err = std::string("epoll_wait: ") + std::strerror(errno), false);
    for (int k = 0; k < n; ++k) {
      auto& x = *static_cast<sender*>(events[k].data.ptr);
      if (x.fd < 0) continue;
      if (x.at == step::connect) {
        connected(x);
      } else if (x.want_out && (events[k].events & EPOLLOUT)) {
        flush(x);
      } else if (events[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        readable(x);
      }
    }
    auto now = clock_type::now();
    if (now >= next_sweep) {
      expire(now);
      next_sweep = now + std::chrono::milliseconds(100);
    }
  }
  return true;
}

void report(const settings& s, const lpd_loop& l) {
  double elapsed = duration<double>(l.last_done - l.start).count();
  double rate = elapsed > 0 ? static_cast<double>(l.latencies.size()) / elapsed : 0;
  std::vector<double> sorted = l.latencies;
  std::sort(sorted.begin(), sorted.end());
  double p50 = percentile(sorted, 0.5) * 1e3, p99 = percentile(sorted, 0.99) * 1e3;
  double mx = sorted.empty() ? 0 : sorted.back() * 1e3;
  std::string st_json = "{", st_text;
  for (const auto& [k, v] : l.statuses) {
    st_json += (st_json.size() > 1 ? ",\"" : "\"") + k + "\":" + std::to_string(v);
    st_text += (st_text.empty() ? "" : ", ") + k + " x" + std::to_string(v);
  }
  st_json += "}";
  std::ostringstream js;
  js.setf(std::ios::fixed);
  js.precision(3);
  // The start on CLOCK_MONOTONIC (libstdc++'s steady_clock), as Python's
  // time.monotonic() reads it, so a script can time what follows the run.
  js << "{\"mode\":\"lpd\",\"addr\":\"" << s.addr_text << "\",\"queue\":\"" << s.queue << "\",\"clients\":"
     << s.clients << ",\"order\":\"" << (s.data_first ? "data,control" : "control,data")
     << "\",\"jobs\":" << l.latencies.size() << ",\"errors\":" << l.failed << ",\"seconds\":" << elapsed
     << ",\"jobs_per_s\":" << rate << ",\"p50_ms\":" << p50 << ",\"p99_ms\":" << p99 << ",\"max_ms\":" << mx
     << ",\"start_mono\":" << duration<double>(l.start.time_since_epoch()).count()
     << ",\"end_mono\":" << duration<double>(l.last_done.time_since_epoch()).count()
     << ",\"statuses\":" << st_json << "}";
  std::printf("%s\n", js.str().c_str());
  std::printf("lpd %s queue %s: %zu clients, %zu jobs in %.2f s = %.1f jobs/s; latency p50 %.2f ms, p99 %.2f ms, "
              "max %.2f ms; errors %llu; statuses: %s\n",
              s.addr_text.c_str(), s.queue.c_str(), s.clients, l.latencies.size(), elapsed, rate, p50, p99, mx,
              static_cast<unsigned long long>(l.failed), st_text.empty() ? "none" : st_text.c_str());
}

// The H line and the file names carry this host's name, cut to the 31
// octets RFC 1179 7.2 allows (CUPS's lpd backend does the same).
std::string local_host() {
  char h[256] = {0};
  if (::gethostname(h, sizeof h - 1) != 0 || !h[0]) return "localhost";
  std::string s(h);
  if (auto dot = s.find('.'); dot != std::string::npos) s.resize(dot);
  return s.substr(0, 31);
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  std::string err;
  if (!parse_args(argc, argv, s, err) || !parse_addr(s, err)) {
    std::fprintf(stderr, "lpd_load: %s\nusage: lpd_load --addr HOST:PORT --queue Q [--clients N] "
                         "[--duration S | --count N] [--user NAME] [--file PATH] "
                         "[--order control,data|data,control] [--timeout S]\n", err.c_str());
    return 2;
  }
  std::ifstream in(s.file, std::ios::binary);
  if (!in) return std::fprintf(stderr, "lpd_load: cannot read %s\n", s.file.c_str()), 2;
  job_template t;
  t.data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  t.data_size = t.data.size();
  t.data.push_back('\0');
  t.host = local_host();
  t.user = s.user;
  t.queue = s.queue;
  t.data_first = s.data_first;
  t.title = s.file.substr(s.file.find_last_of('/') + 1);
  lpd_loop l(s, t);
  if (!l.run(err)) return std::fprintf(stderr, "lpd_load: %s\n", err.c_str()), 1;
  report(s, l);
  return 0;
}
