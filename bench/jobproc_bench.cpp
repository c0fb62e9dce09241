// jobproc_bench: how fast quire-jobproc children analyse documents (see
// bench/README.md, "Job processors").
//
//   jobproc_bench single --program PATH --file PDF [--repeat N] [--expect-pages N]
//                        [--expect-colour none|P,P,...] [--gs PATH] [--gs-runs K]
//   jobproc_bench pool   --program PATH --file PDF [--processes N] [--count M] [--cached]
//   jobproc_bench convert --program PATH --file DOC --target MIME [--mono] [--media WxH]
//                         [--dpi N] [--repeat N]
//   jobproc_bench normalise --program PATH --file PS [--repeat N]
//
// The children are started the way quired's processor pool starts them
// (fork/exec, requests on stdin, replies on stdout, stderr inherited) and
// spoken to with the frames of protocols/jobproc/wire.hpp. A child caches
// analyses by the document's SHA-256, so an "uncached" request carries bytes
// the child has not seen: the file with a PDF comment line holding a counter
// appended after %%EOF (readers ignore it). "Cached" requests repeat bytes
// the child has already analysed once, untimed. Frames are encoded before the
// clock starts; a call's latency runs from the first byte of its frame
// written to its reply decoded. Each mode prints one JSON line and one human
// line (a second one for single: the correctness check).
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_util.hpp"
#include "protocols/jobproc/wire.hpp"

extern char** environ;

namespace bench {
namespace {

using namespace quire::jobproc;
using clock_type = std::chrono::steady_clock;

double ms_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return percentile(v, 0.5);
}

// The 1-minute load average: the machine has 2 cores, and anything else
// running shows in every figure.
double load1() {
  double l[1] = {-1};
  return ::getloadavg(l, 1) == 1 ? l[0] : -1;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

// The document with one more PDF comment line: unique bytes per `tag`.
std::string tagged(const std::string& doc, const std::string& tag) {
  std::string out = doc;
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out + "%quire-bench " + tag + "\n";
}

bool write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// ---- children -------------------------------------------------------------

// One quire-jobproc: its pid, the write end of its stdin, the read end of
// its stdout and the reader that splits that stdout into frames.
struct child {
  pid_t pid = -1;
  int in = -1;
  int out = -1;
  frame_reader reader{max_reply_frame};
};

bool spawn_child(const std::string& program, child& c, std::string& err) {
  int to[2], from[2];
  if (::pipe2(to, O_CLOEXEC) != 0 || ::pipe2(from, O_CLOEXEC) != 0) return (err = std::strerror(errno), false);
  pid_t pid = ::fork();
  if (pid < 0) return (err = std::strerror(errno), false);
  if (pid == 0) {  // dup2 clears O_CLOEXEC on 0 and 1; the rest closes at exec
    ::dup2(to[0], 0);
    ::dup2(from[1], 1);
    char* argv[] = {const_cast<char*>(program.c_str()), nullptr};
    ::execv(program.c_str(), argv);
    std::fprintf(stderr, "jobproc_bench: cannot run %s: %s\n", program.c_str(), std::strerror(errno));
    ::_exit(127);
  }
  ::close(to[0]);
  ::close(from[1]);
  c.pid = pid;
  c.in = to[1];
  c.out = from[0];
  return true;
}

// Closes the child's stdin (it exits 0 on EOF) and reaps it; its exit status.
int stop_child(child& c) {
  if (c.in >= 0) ::close(c.in);
  int st = 0;
  while (::waitpid(c.pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (c.out >= 0) ::close(c.out);
  c = child{};
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// Reads what the pipe has (one read) and hands out a frame's payload if one
// is complete: 1 payload, 0 need more, -1 failed (err says why).
int pump_payload(child& c, std::string& payload, std::string& err) {
  for (bool fed = false;; fed = true) {
    auto st = c.reader.next(payload);
    if (st == frame_reader::status::frame) return 1;
    if (st == frame_reader::status::error) return (err = "bad frame: " + c.reader.error_message(), -1);
    if (fed) return 0;
    char buf[1 << 16];
    ssize_t n;
    while ((n = ::read(c.out, buf, sizeof buf)) < 0 && errno == EINTR) {
    }
    if (n <= 0) return (err = "the child closed its stdout", -1);
    c.reader.feed(std::string_view(buf, static_cast<size_t>(n)));
  }
}

// As pump_payload, decoding a reply of type Reply.
template <class Reply, class Decode>
int pump_as(child& c, Reply& rep, std::string& err, Decode decode) {
  std::string payload;
  int got = pump_payload(c, payload, err);
  if (got != 1) return got;
  auto r = decode(payload);
  if (!r) return (err = "bad reply: " + r.err().message, -1);
  rep = std::move(*r);
  return 1;
}

int pump(child& c, analyse_reply& rep, std::string& err) { return pump_as(c, rep, err, decode_reply); }
int pump(child& c, convert_reply& rep, std::string& err) { return pump_as(c, rep, err, decode_convert_reply); }

// One blocking call: write `frame`, read until its reply. Latency in ms.
template <class Reply>
bool call(child& c, const std::string& frame, Reply& rep, double& ms, std::string& err) {
  auto t0 = clock_type::now();
  if (!write_all(c.in, frame)) return (err = "cannot write to the child", false);
  int got;
  while ((got = pump(c, rep, err)) == 0) {
  }
  ms = ms_since(t0);
  return got == 1;
}

std::string frame_for(uint64_t id, const std::string& document, const std::string& path) {
  analyse_request req;
  req.job_id = id;
  req.document = document;
  req.path = path;
  req.declared_format = "application/pdf";
  auto f = encode_request(req);
  if (!f) {
    std::fprintf(stderr, "jobproc_bench: %s\n", f.err().message.c_str());
    std::exit(2);
  }
  return std::move(*f);
}

// ---- single -----------------------------------------------------------------

// Latencies of one kind of call and the children's own elapsed_us.
struct series {
  std::vector<double> ms, child_ms;
  uint64_t errors = 0;
  double median() const { return median_of(ms); }
  double p99() const {
    auto s = ms;
    std::sort(s.begin(), s.end());
    return percentile(s, 0.99);
  }
  std::string json() const {
    char b[200];
    std::snprintf(b, sizeof b, "{\"calls\":%zu,\"median_ms\":%.3f,\"p99_ms\":%.3f,\"min_ms\":%.3f,"
                  "\"child_median_ms\":%.3f,\"errors\":%llu}", ms.size(), median(), p99(),
                  ms.empty() ? 0.0 : *std::min_element(ms.begin(), ms.end()), median_of(child_ms),
                  static_cast<unsigned long long>(errors));
    return b;
  }
};

// Sends every frame in turn; the first reply is kept in `first`.
bool run_series(child& c, const std::vector<std::string>& frames, series& s, analyse_reply& first, std::string& err) {
  for (size_t i = 0; i < frames.size(); ++i) {
    analyse_reply rep;
    double ms = 0;
    if (!call(c, frames[i], rep, ms, err)) return false;
    s.ms.push_back(ms);
    s.child_ms.push_back(static_cast<double>(rep.elapsed_us) / 1000.0);
    if (!rep.ok) ++s.errors;
    if (i == 0) first = rep;
  }
  return true;
}

// Wall time of `gs ... -sDEVICE=inkcov -r20 -o - FILE`, stdout to /dev/null.
double time_gs(const std::string& gs, const std::string& file) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> args = {gs, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=inkcov", "-r20",
                                   "-o", "-", file};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  auto t0 = clock_type::now();
  pid_t pid;
  int rc = posix_spawn(&pid, gs.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  double ms = ms_since(t0);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? ms : -1;
}

std::string numbers_text(const std::vector<uint32_t>& v, const char* sep) {
  std::string out;
  for (uint32_t n : v) out += (out.empty() ? "" : sep) + std::to_string(n);
  return out;
}

// "none" or "10,20,30": the colour pages the document truly has.
std::vector<uint32_t> parse_pages(const std::string& s) {
  std::vector<uint32_t> out;
  if (s == "none") return out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(static_cast<uint32_t>(std::stoul(item)));
  return out;
}

// What one single run measured.
struct single_result {
  series cold, uncached, cached, upath, cpath, prime;
  analyse_reply first;  // the first uncached reply: what the figures describe
  int child_exit = 0;
  uint64_t errors() const {
    return cold.errors + uncached.errors + cached.errors + upath.errors + cpath.errors + prime.errors;
  }
};

// One child, the calls of every kind in turn. `dir` is an empty folder for
// the tagged copies sent by path.
bool measure_single(const std::string& program, const std::string& file, const std::string& doc, size_t repeat,
                    const std::string& dir, single_result& r, std::string& err) {
  std::vector<std::string> uncached, cached, upath, cpath;
  uint64_t id = 1;
  std::string same = tagged(doc, "cached");
  for (size_t i = 0; i < repeat; ++i) {
    uncached.push_back(frame_for(id++, tagged(doc, "uncached " + std::to_string(i)), ""));
    cached.push_back(frame_for(id++, same, ""));
    std::string p = dir + "/doc-" + std::to_string(i) + ".pdf";
    std::ofstream(p, std::ios::binary) << tagged(doc, "path " + std::to_string(i));
    upath.push_back(frame_for(id++, "", p));
    cpath.push_back(frame_for(id++, "", file));
  }
  child c;
  if (!spawn_child(program, c, err)) return false;
  analyse_reply ignored;
  // Calls outside the series: the child's first call (a fresh process grows
  // its heap and faults its pages in: reported apart), and the priming of
  // the cached series (their bytes, and the unmodified file by path).
  bool ok = run_series(c, {frame_for(id++, tagged(doc, "first"), "")}, r.cold, ignored, err) &&
            run_series(c, uncached, r.uncached, r.first, err) &&
            run_series(c, {frame_for(id++, same, ""), frame_for(id++, "", file)}, r.prime, ignored, err) &&
            run_series(c, cached, r.cached, ignored, err) && run_series(c, upath, r.upath, ignored, err) &&
            run_series(c, cpath, r.cpath, ignored, err);
  r.child_exit = stop_child(c);
  if (!ok) err += " (child exit " + std::to_string(r.child_exit) + ")";
  return ok;
}

// "yes"/"no" against --expect-pages and --expect-colour, else "unchecked".
const char* check_truth(const options& o, const analyse_reply& first) {
  if (!o.has("expect-colour") && !o.has("expect-pages")) return "unchecked";
  bool good = first.ok && (!o.has("expect-pages") || first.pages == static_cast<uint32_t>(o.whole("expect-pages", 0)));
  if (o.has("expect-colour")) {
    auto truth = parse_pages(o.str("expect-colour"));
    good = good && first.colour_pages == truth.size() && first.colour_page_numbers == truth;
  }
  return good ? "yes" : "no";
}

int run_single(const options& o) {
  double load0 = load1();
  std::string program = o.str("program"), file = std::filesystem::absolute(o.str("file")).string(), doc, err;
  size_t repeat = static_cast<size_t>(std::max(1L, o.whole("repeat", 20)));
  if (!read_file(file, doc)) return std::fprintf(stderr, "jobproc_bench: cannot read %s\n", file.c_str()), 2;
  std::string dir = (std::filesystem::temp_directory_path() / "jobproc_bench.XXXXXX").string();
  if (!::mkdtemp(dir.data())) return std::fprintf(stderr, "jobproc_bench: mkdtemp: %s\n", std::strerror(errno)), 1;
  single_result r;
  bool ok = measure_single(program, file, doc, repeat, dir, r, err);
  std::filesystem::remove_all(dir);
  if (!ok) return std::fprintf(stderr, "jobproc_bench: %s\n", err.c_str()), 1;

  // Ghostscript after the child has exited: the two never share the cores.
  std::string gs = o.str("gs", "/usr/bin/gs"), gs_list;
  std::vector<double> gs_ms;
  for (long i = 0; i < o.whole("gs-runs", 3); ++i) gs_ms.push_back(time_gs(gs, file));
  for (double v : gs_ms) gs_list += (gs_list.empty() ? "" : ",") + std::to_string(v);
  bool gs_ok = !gs_ms.empty() && std::none_of(gs_ms.begin(), gs_ms.end(), [](double v) { return v < 0; });
  double gs_median = gs_ok ? median_of(gs_ms) : -1, ours = r.uncached.median();
  double ratio = gs_ok && ours > 0 ? gs_median / ours : 0;

  const char* correct = check_truth(o, r.first);
  const analyse_reply& f = r.first;
  auto errors = static_cast<unsigned long long>(r.errors());
  std::printf("{\"mode\":\"single\",\"file\":\"%s\",\"bytes\":%zu,\"repeat\":%zu,\"ok\":%s,\"pages\":%u,"
              "\"colour_pages\":%u,\"mono_pages\":%u,\"colour_page_numbers\":[%s],\"method\":\"%s\","
              "\"exact\":%s,\"correct\":\"%s\",\"first_call_ms\":%.3f,\"uncached_inline\":%s,"
              "\"cached_inline\":%s,\"uncached_path\":%s,\"cached_path\":%s,\"gs_inkcov_ms\":[%s],"
              "\"gs_inkcov_median_ms\":%.3f,\"gs_over_uncached\":%.2f,\"errors\":%llu,\"child_exit\":%d,"
              "\"load_at_start\":%.2f}\n",
              file.c_str(), doc.size(), repeat, f.ok ? "true" : "false", f.pages, f.colour_pages, f.mono_pages,
              numbers_text(f.colour_page_numbers, ",").c_str(), f.method.c_str(), f.exact ? "true" : "false",
              correct, r.cold.median(), r.uncached.json().c_str(), r.cached.json().c_str(), r.upath.json().c_str(),
              r.cpath.json().c_str(), gs_list.c_str(), gs_median, ratio, errors, r.child_exit, load0);
  std::printf("single %s: %u pages, %u colour [%s], method %s%s; uncached median %.1f ms p99 %.1f ms "
              "(child %.1f ms; a new child's first call %.1f ms), cached %.2f ms; by path uncached %.1f ms, "
              "cached %.2f ms; gs inkcov -r20 %.1f ms = %.1fx ours; errors %llu; load at start %.2f\n",
              std::filesystem::path(file).filename().c_str(), f.pages, f.colour_pages,
              numbers_text(f.colour_page_numbers, " ").c_str(), f.method.c_str(), f.exact ? "" : " (estimate)", ours,
              r.uncached.p99(), median_of(r.uncached.child_ms), r.cold.median(), r.cached.median(),
              r.upath.median(), r.cpath.median(), gs_median, ratio, errors, load0);
  std::printf("  colour pages correct: %s%s%s\n", correct, f.ok ? "" : "; reply failed: ", f.ok ? "" : f.reason.c_str());
  return errors == 0 && r.child_exit == 0 && std::strcmp(correct, "no") != 0 ? 0 : 1;
}

// ---- pool -------------------------------------------------------------------

struct pool_result {
  std::vector<double> ms, child_ms;
  std::map<std::string, uint64_t> methods;
  uint64_t errors = 0;
  double wall_s = 0;
};

void tally(const analyse_reply& rep, uint64_t want_id, pool_result& r) {
  if (!rep.ok || rep.job_id != want_id) ++r.errors;
  ++r.methods[rep.ok ? rep.method : "failed:" + rep.failure];
  r.child_ms.push_back(static_cast<double>(rep.elapsed_us) / 1000.0);
}

// Keeps one request outstanding per child until every frame is answered.
bool drive(std::vector<child>& kids, const std::vector<std::string>& frames, pool_result& r, std::string& err) {
  size_t next = 0, done = 0;
  std::vector<size_t> job(kids.size());
  std::vector<clock_type::time_point> sent(kids.size());
  auto give = [&](size_t k) {
    if (next >= frames.size()) return true;
    job[k] = next++;
    sent[k] = clock_type::now();
    return write_all(kids[k].in, frames[job[k]]);
  };
  auto t0 = clock_type::now();
  for (size_t k = 0; k < kids.size(); ++k)
    if (!give(k)) return (err = "cannot write to a child", false);
  std::vector<pollfd> fds(kids.size());
  while (done < frames.size()) {
    for (size_t k = 0; k < kids.size(); ++k) fds[k] = pollfd{kids[k].out, POLLIN, 0};
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return (err = std::strerror(errno), false);
    }
    for (size_t k = 0; k < kids.size(); ++k) {
      if (!fds[k].revents) continue;
      analyse_reply rep;
      int got = pump(kids[k], rep, err);
      if (got < 0) return false;
      if (got == 0) continue;
      r.ms.push_back(ms_since(sent[k]));
      tally(rep, job[k] + 1, r);
      ++done;
      if (!give(k)) return (err = "cannot write to a child", false);
    }
  }
  r.wall_s = ms_since(t0) / 1000.0;
  return true;
}

double cpu_s(int who) {
  rusage u{};
  ::getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int run_pool(const options& o) {
  double load0 = load1();
  std::string program = o.str("program"), file = o.str("file"), doc, err;
  size_t procs = static_cast<size_t>(std::max(1L, o.whole("processes", 2)));
  size_t count = static_cast<size_t>(std::max(1L, o.whole("count", 2000)));
  bool cached = o.has("cached");
  if (!read_file(file, doc)) return std::fprintf(stderr, "jobproc_bench: cannot read %s\n", file.c_str()), 2;
  // Frame i carries job id i + 1; warm-up frames (one per child, untimed)
  // come after, and prime each child's cache in --cached runs.
  std::string same = tagged(doc, "cached");
  std::vector<std::string> frames, warm;
  for (size_t i = 0; i < count; ++i)
    frames.push_back(frame_for(i + 1, cached ? same : tagged(doc, std::to_string(i)), ""));
  for (size_t k = 0; k < procs; ++k)
    warm.push_back(frame_for(count + k + 1, cached ? same : tagged(doc, "warm " + std::to_string(k)), ""));
  std::vector<child> kids(procs);
  for (auto& c : kids)
    if (!spawn_child(program, c, err)) return std::fprintf(stderr, "jobproc_bench: %s\n", err.c_str()), 1;
  bool ok = true;
  for (size_t k = 0; k < procs && ok; ++k) {
    analyse_reply rep;
    double ms;
    ok = call(kids[k], warm[k], rep, ms, err) && rep.ok;
    if (ok == false && err.empty()) err = "warm-up failed: " + rep.reason;
  }
  double self0 = cpu_s(RUSAGE_SELF);
  pool_result r;
  ok = ok && drive(kids, frames, r, err);
  double self_cpu = cpu_s(RUSAGE_SELF) - self0;
  int worst = 0;
  for (auto& c : kids) worst = std::max(worst, stop_child(c));
  if (!ok) return std::fprintf(stderr, "jobproc_bench: %s\n", err.c_str()), 1;
  double kids_cpu = cpu_s(RUSAGE_CHILDREN);  // includes the warm-up and any gs they ran

  std::sort(r.ms.begin(), r.ms.end());
  double rate = static_cast<double>(count) / r.wall_s;
  std::string methods;
  for (const auto& [m, n] : r.methods) methods += (methods.empty() ? "\"" : ",\"") + m + "\":" + std::to_string(n);
  std::printf("{\"mode\":\"pool\",\"file\":\"%s\",\"bytes\":%zu,\"processes\":%zu,\"count\":%zu,\"cached\":%s,"
              "\"seconds\":%.3f,\"jobs_per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
              "\"child_median_ms\":%.3f,\"errors\":%llu,\"methods\":{%s},\"bench_cpu_s\":%.3f,\"children_cpu_s\":%.3f,"
              "\"child_exit\":%d,\"load_at_start\":%.2f}\n",
              file.c_str(), doc.size(), procs, count, cached ? "true" : "false", r.wall_s, rate,
              percentile(r.ms, 0.5), percentile(r.ms, 0.99), r.ms.back(), median_of(r.child_ms),
              static_cast<unsigned long long>(r.errors), methods.c_str(), self_cpu, kids_cpu, worst, load0);
  std::printf("pool %s: %zu processes, %zu %s jobs in %.2f s = %.1f jobs/s; latency p50 %.2f ms, p99 %.2f ms "
              "(child median %.2f ms); errors %llu; CPU: bench %.2f s, children %.2f s; load at start %.2f\n",
              std::filesystem::path(file).filename().c_str(), procs, count, cached ? "cached" : "uncached", r.wall_s,
              rate, percentile(r.ms, 0.5), percentile(r.ms, 0.99), median_of(r.child_ms),
              static_cast<unsigned long long>(r.errors), self_cpu, kids_cpu, load0);
  return r.errors == 0 && worst == 0 ? 0 : 1;
}

// ---- convert and normalise ----------------------------------------------------

// Runs `frames` one after another on one new child; latencies and replies.
template <class Reply>
bool run_calls(const std::string& program, const std::vector<std::string>& frames, std::vector<double>& ms,
               std::vector<Reply>& replies, std::string& err) {
  child c;
  if (!spawn_child(program, c, err)) return false;
  bool ok = true;
  for (const auto& f : frames) {
    Reply rep;
    double t = 0;
    if (!(ok = call(c, f, rep, t, err))) break;
    ms.push_back(t);
    replies.push_back(std::move(rep));
  }
  int exit = stop_child(c);
  if (ok && exit != 0) ok = (err = "the child exited with " + std::to_string(exit), false);
  return ok;
}

std::string temp_dir() {
  std::string dir = (std::filesystem::temp_directory_path() / "jobproc_bench.XXXXXX").string();
  if (!::mkdtemp(dir.data())) return "";
  return dir;
}

// Converts the file `repeat` times (a converter keeps no cache: each call
// converts); the first call of the child is untimed.
int run_convert(const options& o) {
  double load0 = load1();
  std::string program = o.str("program"), file = std::filesystem::absolute(o.str("file")).string(), err;
  std::string target = o.str("target", "application/vnd.hp-pclxl");
  size_t repeat = static_cast<size_t>(std::max(1L, o.whole("repeat", 5)));
  std::string dir = temp_dir();
  if (dir.empty()) return std::fprintf(stderr, "jobproc_bench: mkdtemp: %s\n", std::strerror(errno)), 1;
  std::vector<std::string> frames;
  for (size_t i = 0; i <= repeat; ++i) {
    convert_request req;
    req.job_id = i + 1;
    req.path = file;
    req.target_format = target;
    req.output_path = dir + "/out-" + std::to_string(i);
    req.monochrome = o.has("mono");
    req.resolution_dpi = static_cast<uint32_t>(o.whole("dpi", 0));
    if (o.has("media") && std::sscanf(o.str("media").c_str(), "%lfx%lf", &req.media_width_pt, &req.media_height_pt) != 2)
      return std::fprintf(stderr, "jobproc_bench: --media WxH in points\n"), 2;
    auto f = encode_convert_request(req);
    if (!f) return std::fprintf(stderr, "jobproc_bench: %s\n", f.err().message.c_str()), 2;
    frames.push_back(std::move(*f));
  }
  std::vector<double> ms;
  std::vector<convert_reply> reps;
  bool ok = run_calls(program, frames, ms, reps, err);
  std::filesystem::remove_all(dir);
  if (!ok) return std::fprintf(stderr, "jobproc_bench: %s\n", err.c_str()), 1;
  ms.erase(ms.begin());  // the child's first call
  uint64_t errors = 0, bytes = 0;
  uint32_t pages = 0;
  std::string reason;
  for (const auto& r : reps) {
    if (!r.ok) ++errors, reason = r.reason;
    bytes = r.output_bytes;
    pages = r.pages;
  }
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  std::printf("{\"mode\":\"convert\",\"file\":\"%s\",\"target\":\"%s\",\"mono\":%s,\"repeat\":%zu,"
              "\"median_ms\":%.1f,\"p99_ms\":%.1f,\"output_bytes\":%llu,\"pages_written\":%u,\"errors\":%llu,"
              "\"load_at_start\":%.2f}\n",
              file.c_str(), target.c_str(), o.has("mono") ? "true" : "false", repeat, median_of(ms),
              percentile(sorted, 0.99), static_cast<unsigned long long>(bytes), pages,
              static_cast<unsigned long long>(errors), load0);
  std::printf("convert %s to %s%s: median %.1f ms over %zu, %llu bytes out; errors %llu%s%s; load at start %.2f\n",
              std::filesystem::path(file).filename().c_str(), target.c_str(), o.has("mono") ? " (grey)" : "",
              median_of(ms), repeat, static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(errors),
              reason.empty() ? "" : ": ", reason.c_str(), load0);
  return errors == 0 ? 0 : 1;
}

// PostScript analysed two ways: counted by interpreting it (no
// normalised_path) and normalised to PDF then analysed (what quired asks).
int run_normalise(const options& o) {
  double load0 = load1();
  std::string program = o.str("program"), file = std::filesystem::absolute(o.str("file")).string(), doc, err;
  size_t repeat = static_cast<size_t>(std::max(1L, o.whole("repeat", 5)));
  if (!read_file(file, doc)) return std::fprintf(stderr, "jobproc_bench: cannot read %s\n", file.c_str()), 2;
  std::string dir = temp_dir();
  if (dir.empty()) return std::fprintf(stderr, "jobproc_bench: mkdtemp: %s\n", std::strerror(errno)), 1;
  double median[2] = {0, 0};
  analyse_reply last[2];
  uint64_t errors = 0;
  for (int normalise = 0; normalise < 2 && err.empty(); ++normalise) {
    std::vector<std::string> frames;
    for (size_t i = 0; i <= repeat; ++i) {
      analyse_request req;
      req.job_id = i + 1;
      // Unique bytes per call: the analysis cache must not answer.
      req.document = doc + "\n%quire-bench " + std::to_string(normalise) + "-" + std::to_string(i) + "\n";
      req.declared_format = "application/postscript";
      if (normalise) req.normalised_path = dir + "/n-" + std::to_string(i) + ".pdf";
      auto f = encode_request(req);
      if (!f) return std::fprintf(stderr, "jobproc_bench: %s\n", f.err().message.c_str()), 2;
      frames.push_back(std::move(*f));
    }
    std::vector<double> ms;
    std::vector<analyse_reply> reps;
    if (!run_calls(program, frames, ms, reps, err)) break;
    ms.erase(ms.begin());
    median[normalise] = median_of(ms);
    for (const auto& r : reps) errors += r.ok ? 0 : 1;
    last[normalise] = reps.back();
  }
  std::filesystem::remove_all(dir);
  if (!err.empty()) return std::fprintf(stderr, "jobproc_bench: %s\n", err.c_str()), 1;
  std::printf("{\"mode\":\"normalise\",\"file\":\"%s\",\"repeat\":%zu,\"interpret_ms\":%.1f,\"normalise_ms\":%.1f,"
              "\"pages\":[%u,%u],\"colour_pages\":[%u,%u],\"methods\":[\"%s\",\"%s\"],\"errors\":%llu,"
              "\"load_at_start\":%.2f}\n",
              file.c_str(), repeat, median[0], median[1], last[0].pages, last[1].pages, last[0].colour_pages,
              last[1].colour_pages, last[0].method.c_str(), last[1].method.c_str(),
              static_cast<unsigned long long>(errors), load0);
  std::printf("normalise %s: counted by interpreting %.1f ms (%u pages, %u colour); normalised to PDF and analysed "
              "%.1f ms (%u pages, %u colour, %s); errors %llu; load at start %.2f\n",
              std::filesystem::path(file).filename().c_str(), median[0], last[0].pages, last[0].colour_pages,
              median[1], last[1].pages, last[1].colour_pages, last[1].method.c_str(),
              static_cast<unsigned long long>(errors), load0);
  return errors == 0 ? 0 : 1;
}

int usage() {
  std::fprintf(stderr,
               "usage: jobproc_bench single --program PATH --file PDF [--repeat N] [--expect-pages N]\n"
               "                            [--expect-colour none|P,P,...] [--gs PATH] [--gs-runs K]\n"
               "       jobproc_bench pool --program PATH --file PDF [--processes N] [--count M] [--cached]\n"
               "       jobproc_bench convert --program PATH --file DOC --target MIME [--mono] [--media WxH]\n"
               "                             [--dpi N] [--repeat N]\n"
               "       jobproc_bench normalise --program PATH --file PS [--repeat N]\n"
               "  see bench/README.md\n");
  return 2;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  using namespace bench;
  if (argc < 2) return usage();
  std::signal(SIGPIPE, SIG_IGN);  // a dead child shows as a failed write, not a dead bench
  std::string mode = argv[1], err;
  options o;
  if (!o.parse(argc, argv, {"cached", "mono"}, err)) return std::fprintf(stderr, "jobproc_bench: %s\n", err.c_str()), 2;
  std::set<std::string> known = {"program", "file"};
  if (mode == "single") known.insert({"repeat", "expect-pages", "expect-colour", "gs", "gs-runs"});
  else if (mode == "pool") known.insert({"processes", "count", "cached"});
  else if (mode == "convert") known.insert({"target", "mono", "media", "dpi", "repeat"});
  else if (mode == "normalise") known.insert({"repeat"});
  else return usage();
  if (o.unknown(known, err)) return std::fprintf(stderr, "jobproc_bench: %s\n", err.c_str()), 2;
  if (!o.has("program") || !o.has("file")) return usage();
  if (mode == "convert") return run_convert(o);
  if (mode == "normalise") return run_normalise(o);
  return mode == "single" ? run_single(o) : run_pool(o);
}
