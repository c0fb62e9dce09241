// A stand-in for quire-jobproc in the processor pool's tests: it speaks the
// real frame protocol (protocols/jobproc/wire.hpp) and misbehaves on cue,
// by the declared format of the request it gets:
//   "test/ok"       answers ok with pages = job id % 100
//   "test/crash"    aborts (SIGABRT) before answering
//   "test/hang"     never answers
//   "test/garbage"  writes bytes that are no frame
//   "test/exit"     exits 0 without answering
//   "test/wrong-id" answers for another job
//   "test/slow"     answers ok after 300 ms
// A convert_request is answered ok at once, its target as the format and
// its job id as output_bytes.
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>

#include "protocols/jobproc/wire.hpp"

using namespace quire::jobproc;

namespace {

void write_all(const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(1, s.data() + off, s.size() - off);
    if (n <= 0) std::exit(2);
    off += static_cast<size_t>(n);
  }
}

void answer(const analyse_request& req) {
  const std::string& f = req.declared_format;
  if (f == "test/crash") std::abort();
  if (f == "test/hang") {
    for (;;) ::pause();
  }
  if (f == "test/garbage") {
    write_all(std::string("\xff\xff\xff\xffnot a frame", 15));
    return;
  }
  if (f == "test/exit") std::exit(0);
  if (f == "test/slow") ::usleep(300 * 1000);
  analyse_reply r;
  r.job_id = f == "test/wrong-id" ? req.job_id + 1 : req.job_id;
  r.ok = true;
  r.format = "application/pdf";
  r.pages = static_cast<uint32_t>(req.job_id % 100);
  r.mono_pages = r.pages;
  r.method = "structure";
  auto frame = encode_reply(r);
  if (!frame) std::exit(3);
  write_all(*frame);
}

}  // namespace

int main() {
  std::signal(SIGPIPE, SIG_IGN);
  frame_reader reader;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n <= 0) return 0;
    reader.feed(std::string_view(buf, static_cast<size_t>(n)));
    std::string payload;
    while (reader.next(payload) == frame_reader::status::frame) {
      auto type = frame_type(payload);
      if (type.ok() && *type == "convert_request") {
        auto req = decode_convert_request(payload);
        if (!req) return 4;
        convert_reply r;
        r.job_id = req->job_id;
        r.ok = true;
        r.format = req->target_format;
        r.output_bytes = req->job_id;
        auto frame = encode_convert_reply(r);
        if (!frame) return 3;
        write_all(*frame);
        continue;
      }
      auto req = decode_request(payload);
      if (!req) return 4;
      answer(*req);
    }
    if (reader.failed()) return 5;
  }
}
