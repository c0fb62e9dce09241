// quire-jobproc: a job processor, started by quired's processor pool
// (actors/processor_pool.hpp). It reads request frames on stdin and answers
// each with one reply frame on stdout, one at a time, until stdin closes:
//   analyse_request (or a frame without "type")  -> analyse_reply
//   convert_request                              -> convert_reply
//   any other type                               -> analyse_reply, ok=false
// Diagnostics go to stderr (quired's log).
//
//   quire-jobproc [--work DIR] [--run-as USER] [--memory BYTES] [--timeout-ms MS] [--output-bytes BYTES]
//
// It holds no state worth keeping: quired kills and restarts it at will.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "devices/jobproc/analyse_job.hpp"
#include "devices/jobproc/convert_job.hpp"

using namespace quire;
using namespace quire::jobproc;

namespace {

bool write_all(const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(1, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

int usage() {
  std::fprintf(stderr,
               "usage: quire-jobproc [--work DIR] [--run-as USER] [--memory BYTES] [--timeout-ms MS]"
               " [--output-bytes BYTES]\n");
  return 2;
}

// The reply frame for one request payload. A request that cannot be read
// still gets a reply of its kind, so quired's pending request ends.
result<std::string> answer(const std::string& payload, analyser& a, const gs_limits& gs) {
  auto type = frame_type(payload);
  if (type && *type == "convert_request") {
    auto req = decode_convert_request(payload);
    convert_reply rep;
    if (!req) {
      rep.reason = "the request could not be read: " + req.err().message;
      rep.failure = to_string(errc::internal);
    } else {
      rep = convert(*req, gs);
    }
    return encode_convert_reply(rep);
  }
  analyse_reply rep;
  if (type && !type->empty() && *type != "analyse_request") {
    rep.reason = "unknown request type";
    rep.failure = to_string(errc::unsupported);
    return encode_reply(rep);
  }
  auto req = decode_request(payload);
  if (!req) {
    rep.reason = "the request could not be read: " + req.err().message;
  } else {
    rep = a.analyse(*req);
  }
  return encode_reply(rep);
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  processor_options opts;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (i + 1 >= argc) return usage();
    std::string v = argv[++i];
    if (k == "--work") opts.gs.work_base = v;
    else if (k == "--run-as") opts.gs.run_as_user = v;
    else if (k == "--memory") opts.gs.memory_bytes = std::strtoull(v.c_str(), nullptr, 10);
    else if (k == "--timeout-ms") opts.gs.timeout_ms = static_cast<uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
    else if (k == "--output-bytes") opts.gs.output_bytes = std::strtoull(v.c_str(), nullptr, 10);
    else return usage();
  }
  analyser a(opts);
  frame_reader reader;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;  // quired closed our stdin: done
    reader.feed(std::string_view(buf, static_cast<size_t>(n)));
    std::string payload;
    for (;;) {
      auto st = reader.next(payload);
      if (st == frame_reader::status::need_more) break;
      if (st == frame_reader::status::error) {
        std::fprintf(stderr, "quire-jobproc: bad frame from quired: %s\n", reader.error_message().c_str());
        return 3;
      }
      auto frame = answer(payload, a, opts.gs);
      if (!frame || !write_all(*frame)) return 4;
    }
  }
}
