// ipp_load: an IPP load generator for quired and CUPS (see bench/README.md).
//
//   ipp_load print    --uri URI [--clients N] [--duration S | --count N] [--user NAME]
//                     [--file PDF] [--format MIME] [--no-hold] [--series S] [--ids-out FILE]
//   ipp_load attrs    --uri URI [--clients N] [--duration S | --count N] [--requested KEYWORD]
//   ipp_load get-jobs --uri URI [--user NAME] [--which KEYWORD] [--repeat K]
//   ipp_load release  --uri URI (--ids FILE | --range A-B) [--clients N] [--user NAME]
//                     [--wait-sink DIR | --wait-user NAME] [--timeout S]
//   ipp_load cancel   (same as release, without the waits)
//   ipp_load wait-done --uri URI [--user NAME] [--timeout S]
//
// URIs are ipp:// or ipps:// (TLS, the server's certificate not verified).
// Every mode prints one JSON line (for scripts) and one human line. Requests
// are encoded once before the clock starts; the hot path copies a buffer,
// patches the request-id and writes it (bench/load_engine.hpp). A response
// whose status is not successful-ok is counted (by status) and, unless it is
// in the successful-ok class, reported as an error.
#include <dirent.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_set>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/ipp_wire.hpp"
#include "bench/load_engine.hpp"

namespace bench {
namespace {

using std::chrono::duration;

std::string hex_status(int s) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%04x", s);
  return b;
}

// Status counts as a JSON object and a human list.
std::string statuses_json(const std::map<std::string, uint64_t>& m) {
  std::string out = "{";
  for (const auto& [k, v] : m) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += k;
    out += "\":";
    out += std::to_string(v);
  }
  return out + "}";
}
std::string statuses_text(const std::map<std::string, uint64_t>& m) {
  std::string out;
  for (const auto& [k, v] : m) {
    if (!out.empty()) out += ", ";
    out += k;
    out += " x";
    out += std::to_string(v);
  }
  return out.empty() ? "none" : out;
}

// Tallies one response; true when its status is in the successful-ok class.
bool tally(const http_response& r, uint32_t expected_id, std::map<std::string, uint64_t>& statuses,
           ipp_summary& s) {
  if (r.status != 200) return ++statuses["http-" + std::to_string(r.status)], false;
  s = scan_ipp(r.body);
  if (!s.valid) return ++statuses["bad-ipp"], false;
  if (s.request_id != expected_id) return ++statuses["wrong-request-id"], false;
  ++statuses[hex_status(s.status)];
  return s.status < 0x0100;
}

// ---- print ------------------------------------------------------------------

// Sends `tmpl` (request-id patched per request) over --clients connections
// for --duration seconds or --count requests; prints rate and latency.
// `noun` names what one request is in the output ("jobs", "requests").
int run_flood(const target& t, const options& o, const std::string& tmpl, const char* mode, const char* noun) {
  size_t clients = static_cast<size_t>(o.num("clients", 8));
  double dur = o.num("duration", 10), series_s = o.num("series", 0);
  uint64_t count = static_cast<uint64_t>(o.num("count", 0));
  const size_t rid_at = request_id_offset(tmpl);
  size_t bytes = 0;

  std::vector<uint32_t> expect(clients);
  std::vector<double> lat, done_at;  // seconds; done_at relative to the start
  std::vector<int> ids;
  std::map<std::string, uint64_t> statuses;
  uint64_t issued = 0, errors = 0;
  uint32_t rid = 0;
  lat.reserve(1 << 20);
  done_at.reserve(1 << 20);
  const auto start = clock_type::now();
  const auto deadline = start + std::chrono::duration_cast<clock_type::duration>(duration<double>(dur));
  load_engine eng(t, clients);
  auto next = [&](size_t c, std::string& m) {
    if (count ? issued >= count : clock_type::now() >= deadline) return false;
    m = tmpl;
    patch_request_id(m, rid_at, expect[c] = ++rid);
    ++issued;
    return true;
  };
  auto done = [&](size_t c, const http_response& resp, double l) {
    ipp_summary s;
    if (!tally(resp, expect[c], statuses, s)) return void(++errors);
    lat.push_back(l);
    bytes = resp.body.size();
    done_at.push_back(duration<double>(clock_type::now() - start).count());
    if (s.job_id > 0) ids.push_back(s.job_id);
  };
  std::string err;
  if (!eng.run(next, done, err)) return std::fprintf(stderr, "ipp_load: %s\n", err.c_str()), 1;
  errors += eng.transport_errors();
  if (eng.transport_errors()) statuses["transport"] += eng.transport_errors();

  double elapsed = duration<double>(eng.last_done() - start).count();
  double rate = elapsed > 0 ? static_cast<double>(lat.size()) / elapsed : 0;
  std::vector<double> sorted = lat;
  std::sort(sorted.begin(), sorted.end());
  double p50 = percentile(sorted, 0.5) * 1e3, p99 = percentile(sorted, 0.99) * 1e3;
  double mx = sorted.empty() ? 0 : sorted.back() * 1e3;

  std::vector<double> series;  // jobs/s per interval; the last one holds the tail
  if (series_s > 0 && elapsed > 0) {
    size_t n = std::max<size_t>(1, static_cast<size_t>(std::floor(elapsed / series_s + 1e-6)));
    std::vector<uint64_t> counts(n);
    for (double d : done_at) ++counts[std::min(n - 1, static_cast<size_t>(d / series_s))];
    for (size_t i = 0; i < n; ++i)
      series.push_back(static_cast<double>(counts[i]) / (i + 1 < n ? series_s : elapsed - series_s * (n - 1)));
  }
  if (o.has("ids-out")) {
    std::ofstream out(o.str("ids-out"));
    for (int id : ids) out << id << '\n';
  }

  std::ostringstream js;
  js.setf(std::ios::fixed);
  js.precision(3);
  js << "{\"mode\":\"" << mode << "\",\"uri\":\"" << t.uri << "\",\"clients\":" << clients
     << ",\"jobs\":" << lat.size() << ",\"response_bytes\":" << bytes << ",\"errors\":" << errors
     << ",\"seconds\":" << elapsed << ",\"jobs_per_s\":" << rate
     << ",\"p50_ms\":" << p50 << ",\"p99_ms\":" << p99 << ",\"max_ms\":" << mx
     << ",\"first_sent_mono\":" << monotonic_s(eng.first_sent()) << ",\"statuses\":" << statuses_json(statuses)
     << ",\"series_s\":" << series_s << ",\"series\":[";
  for (size_t i = 0; i < series.size(); ++i) js << (i ? "," : "") << series[i];
  js << "]}";
  std::printf("%s\n", js.str().c_str());
  std::printf("%s %s: %zu clients, %zu %s in %.2f s = %.1f %s/s; latency p50 %.2f ms, p99 %.2f ms, "
              "max %.2f ms; errors %llu; statuses: %s\n",
              mode, t.uri.c_str(), clients, lat.size(), noun, elapsed, rate, noun, p50, p99, mx,
              static_cast<unsigned long long>(errors), statuses_text(statuses).c_str());
  if (!series.empty()) {
    std::printf("  rate per %.0f s:", series_s);
    for (double s : series) std::printf(" %.1f", s);
    std::printf(" %s/s\n", noun);
  }
  return 0;
}

int run_print(const target& t, const options& o) {
  std::string file = o.str("file", QUIRE_SAMPLE_PDF);
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::fprintf(stderr, "ipp_load: cannot read %s\n", file.c_str()), 2;
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ipp_t* r = new_request(IPP_OP_PRINT_JOB, t, o.str("user", "bench"));
  ippAddString(r, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", nullptr, "ipp_load");
  ippAddString(r, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", nullptr,
               o.str("format", "application/pdf").c_str());
  if (!o.has("no-hold")) ippAddString(r, IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-hold-until", nullptr, "indefinite");
  return run_flood(t, o, http_post(t, encode_ipp(r) + doc), "print", "jobs");
}

// Get-Printer-Attributes with requested-attributes=all, as a client adding
// the printer (or CUPS's everywhere driver) asks.
int run_attrs(const target& t, const options& o) {
  ipp_t* r = new_request(IPP_OP_GET_PRINTER_ATTRIBUTES, t, o.str("user", "bench"));
  ippAddString(r, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", nullptr,
               o.str("requested", "all").c_str());
  return run_flood(t, o, http_post(t, encode_ipp(r)), "attrs", "requests");
}

// ---- get-jobs and wait-done ---------------------------------------------------

// Get-Jobs for `user`'s own jobs, job-id only; limit 0 = no limit.
std::string get_jobs_message(const target& t, const std::string& user, const std::string& which, int limit = 0) {
  ipp_t* r = new_request(IPP_OP_GET_JOBS, t, user);
  ippAddString(r, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", nullptr, which.c_str());
  ippAddBoolean(r, IPP_TAG_OPERATION, "my-jobs", 1);
  if (limit > 0) ippAddInteger(r, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "limit", limit);
  ippAddString(r, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", nullptr, "job-id");
  std::string m = http_post(t, encode_ipp(r));
  patch_request_id(m, request_id_offset(m), 1);
  return m;
}

// One Get-Jobs round trip; the number of jobs listed, or -1 (and a message).
long count_jobs(blocking_client& c, const std::string& m, size_t* bytes = nullptr) {
  http_response r;
  std::string err;
  std::map<std::string, uint64_t> st;
  ipp_summary s;
  if (!c.call(m, r, err)) return std::fprintf(stderr, "ipp_load: Get-Jobs: %s\n", err.c_str()), -1;
  if (bytes) *bytes = r.body.size();
  if (!tally(r, 1, st, s)) return std::fprintf(stderr, "ipp_load: Get-Jobs: %s\n", statuses_text(st).c_str()), -1;
  return static_cast<long>(s.job_ids);
}

int run_get_jobs(const target& t, const options& o) {
  std::string which = o.str("which", "completed");
  int repeat = std::max(1, static_cast<int>(o.num("repeat", 5)));
  const std::string m = get_jobs_message(t, o.str("user", "bench"), which);
  blocking_client c(t);
  std::vector<double> ms;
  long jobs = 0;
  size_t bytes = 0;
  for (int i = 0; i < repeat; ++i) {
    auto t0 = clock_type::now();
    jobs = count_jobs(c, m, &bytes);
    if (jobs < 0) return 1;
    ms.push_back(duration<double>(clock_type::now() - t0).count() * 1e3);
  }
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  double mean = 0;
  for (double v : ms) mean += v / static_cast<double>(ms.size());
  std::printf("{\"mode\":\"get-jobs\",\"uri\":\"%s\",\"which\":\"%s\",\"calls\":%d,\"jobs\":%ld,\"bytes\":%zu,"
              "\"ms_min\":%.3f,\"ms_median\":%.3f,\"ms_p99\":%.3f,\"ms_mean\":%.3f,\"ms_max\":%.3f,"
              "\"ms_first\":%.3f}\n",
              t.uri.c_str(), which.c_str(), repeat, jobs, bytes, sorted.front(), percentile(sorted, 0.5),
              percentile(sorted, 0.99), mean, sorted.back(), ms.front());
  std::printf("get-jobs %s which-jobs=%s: %ld jobs (%zu bytes) per call; %d calls: median %.2f ms, "
              "p99 %.2f, min %.2f, max %.2f, first %.2f ms\n",
              t.uri.c_str(), which.c_str(), jobs, bytes, repeat, percentile(sorted, 0.5), percentile(sorted, 0.99),
              sorted.front(), sorted.back(), ms.front());
  return 0;
}

// Polls Get-Jobs which-jobs=not-completed limit=1 for `user` every 20 ms until
// it lists nothing (limit=1 keeps each poll cheap for the server under test).
// false after `timeout_s`; `when` is the time of the last poll's answer.
bool wait_no_active_jobs(const target& t, const std::string& user, double timeout_s, clock_type::time_point& when,
                         int& polls) {
  const std::string m = get_jobs_message(t, user, "not-completed", 1);
  blocking_client c(t);
  auto limit = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(duration<double>(timeout_s));
  for (polls = 1;; ++polls) {
    long n = count_jobs(c, m);
    when = clock_type::now();
    if (n == 0) return true;
    if (n < 0 || when > limit) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a wait, not the measured path
  }
}

int run_wait_done(const target& t, const options& o) {
  auto t0 = clock_type::now();
  clock_type::time_point when;
  int polls = 0;
  bool ok = wait_no_active_jobs(t, o.str("user", "bench"), o.num("timeout", 600), when, polls);
  double s = duration<double>(when - t0).count();
  std::printf("{\"mode\":\"wait-done\",\"done\":%s,\"seconds\":%.3f,\"polls\":%d}\n", ok ? "true" : "false", s, polls);
  std::printf("wait-done %s: %s after %.2f s (%d polls)\n", t.uri.c_str(), ok ? "no active jobs" : "gave up", s,
              polls);
  return ok ? 0 : 1;
}

// ---- release and cancel -------------------------------------------------------

bool read_ids(const options& o, std::vector<int>& ids) {
  if (o.has("range")) {
    std::string r = o.str("range");
    size_t dash = r.find('-');
    if (dash == std::string::npos) return false;
    for (int i = std::atoi(r.c_str()), last = std::atoi(r.c_str() + dash + 1); i <= last; ++i) ids.push_back(i);
    return true;
  }
  std::ifstream in(o.str("ids"));
  for (int id; in >> id;) ids.push_back(id);
  return !ids.empty();
}

// Waits until a file named <id>.<ext> exists in `dir` for every id (the sink
// writes ".<name>.part" and renames it when complete).
bool wait_sink(const std::string& dir, const std::vector<int>& ids, double timeout_s, clock_type::time_point& when) {
  std::unordered_set<int> missing(ids.begin(), ids.end());
  auto limit = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(duration<double>(timeout_s));
  for (;;) {
    if (DIR* d = ::opendir(dir.c_str())) {
      while (dirent* e = ::readdir(d))
        if (e->d_name[0] != '.') missing.erase(std::atoi(e->d_name));
      ::closedir(d);
    }
    when = clock_type::now();
    if (missing.empty()) return true;
    if (when > limit) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

int run_job_op(const target& t, const options& o, ipp_op_t op, const char* mode) {
  std::vector<int> ids;
  if (!read_ids(o, ids)) return std::fprintf(stderr, "ipp_load: %s needs --ids FILE or --range A-B\n", mode), 2;
  std::string user = o.str("user", "bench");
  std::vector<std::string> msgs;
  for (size_t i = 0; i < ids.size(); ++i) {
    ipp_t* r = new_request(op, t, user);
    ippAddInteger(r, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", ids[i]);
    msgs.push_back(http_post(t, encode_ipp(r)));
    patch_request_id(msgs.back(), request_id_offset(msgs.back()), static_cast<uint32_t>(i + 1));
  }
  size_t clients = std::min(ids.size(), static_cast<size_t>(o.num("clients", 8)));
  std::vector<uint32_t> expect(clients);
  std::map<std::string, uint64_t> statuses;
  uint64_t errors = 0, ok = 0;
  size_t at = 0;
  load_engine eng(t, clients);
  auto next = [&](size_t c, std::string& m) {
    if (at >= msgs.size()) return false;
    expect[c] = static_cast<uint32_t>(at + 1);
    m = msgs[at++];
    return true;
  };
  auto done = [&](size_t c, const http_response& resp, double) {
    ipp_summary s;
    tally(resp, expect[c], statuses, s) ? ++ok : ++errors;
  };
  std::string err;
  if (!eng.run(next, done, err)) return std::fprintf(stderr, "ipp_load: %s\n", err.c_str()), 1;
  errors += eng.transport_errors();
  double sent_s = duration<double>(eng.last_done() - eng.first_sent()).count(), done_s = -1;
  bool waited = true;
  clock_type::time_point when;
  int polls = 0;
  double timeout = o.num("timeout", 600);
  if (o.has("wait-sink")) waited = wait_sink(o.str("wait-sink"), ids, timeout, when);
  else if (o.has("wait-user")) waited = wait_no_active_jobs(t, o.str("wait-user"), timeout, when, polls);
  if (o.has("wait-sink") || o.has("wait-user")) done_s = duration<double>(when - eng.first_sent()).count();
  std::printf("{\"mode\":\"%s\",\"uri\":\"%s\",\"jobs\":%zu,\"ok\":%llu,\"errors\":%llu,\"clients\":%zu,"
              "\"responses_s\":%.3f,\"done_s\":%.3f,\"waited\":%s,\"statuses\":%s}\n",
              mode, t.uri.c_str(), ids.size(), static_cast<unsigned long long>(ok),
              static_cast<unsigned long long>(errors), clients, sent_s, done_s, waited ? "true" : "false",
              statuses_json(statuses).c_str());
  std::printf("%s %s: %zu jobs over %zu clients, all answered %.3f s after the first was sent", mode,
              t.uri.c_str(), ids.size(), clients, sent_s);
  if (done_s >= 0) std::printf(", all done %.3f s after it%s", done_s, waited ? "" : " (GAVE UP: timeout)");
  std::printf("; errors %llu; statuses: %s\n", static_cast<unsigned long long>(errors),
              statuses_text(statuses).c_str());
  return waited ? 0 : 1;
}

int usage() {
  std::fprintf(stderr,
               "usage: ipp_load print|attrs|get-jobs|release|cancel|wait-done --uri ipp[s]://HOST:PORT/PATH [options]\n"
               "  see bench/README.md\n");
  return 2;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  using namespace bench;
  if (argc < 2) return usage();
  std::string mode = argv[1], err;
  options o;
  if (!o.parse(argc, argv, {"no-hold"}, err)) return std::fprintf(stderr, "ipp_load: %s\n", err.c_str()), 2;
  std::set<std::string> known = {"uri", "user", "timeout"};
  if (mode == "print") known.insert({"clients", "duration", "count", "file", "format", "no-hold", "series", "ids-out"});
  else if (mode == "attrs") known.insert({"clients", "duration", "count", "requested", "series"});
  else if (mode == "get-jobs") known.insert({"which", "repeat"});
  else if (mode == "release" || mode == "cancel") known.insert({"ids", "range", "clients", "wait-sink", "wait-user"});
  else if (mode != "wait-done") return usage();
  if (o.unknown(known, err)) return std::fprintf(stderr, "ipp_load: %s\n", err.c_str()), 2;
  target t;
  if (!parse_target(o.str("uri"), t, err)) return std::fprintf(stderr, "ipp_load: %s\n", err.c_str()), 2;
  if (mode == "print") return run_print(t, o);
  if (mode == "attrs") return run_attrs(t, o);
  if (mode == "get-jobs") return run_get_jobs(t, o);
  if (mode == "release") return run_job_op(t, o, IPP_OP_RELEASE_JOB, "release");
  if (mode == "cancel") return run_job_op(t, o, IPP_OP_CANCEL_JOB, "cancel");
  return run_wait_done(t, o);
}
