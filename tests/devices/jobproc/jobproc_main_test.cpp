// The real quire-jobproc executable, end to end: frames in on stdin, frames
// out on stdout, one reply per request, of the request's kind.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "protocols/jobproc/wire.hpp"
#include "test_util.hpp"

using namespace quire;
using namespace quire::jobproc;

namespace {

std::string jobproc_program() { return QUIRE_JOBPROC; }  // tests/CMakeLists.txt

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A frame around `payload`.
std::string framed(const std::string& payload) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[static_cast<size_t>(i)] = static_cast<char>(payload.size() >> (24 - 8 * i));
  return out + payload;
}

// Runs quire-jobproc on `input` (stdin closes after it) and returns the
// reply payloads it wrote.
std::vector<std::string> run_jobproc(const quire::testing::temp_dir& dir, const std::string& input) {
  std::string in = dir.path() + "/frames.in", out = dir.path() + "/frames.out";
  std::ofstream(in, std::ios::binary) << input;
  // Appended, not "'" + std::string: GCC 12 warns wrongly (-Wrestrict) on that.
  std::string cmd(1, '\'');
  cmd += jobproc_program() + "' --work '" + dir.path() + "' < '" + in + "' > '" + out + "'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  frame_reader reader(max_reply_frame);
  reader.feed(slurp(out));
  std::vector<std::string> replies;
  std::string p;
  while (reader.next(p) == frame_reader::status::frame) replies.push_back(p);
  CHECK_FALSE(reader.failed());
  CHECK_FALSE(reader.mid_frame());
  return replies;
}

}  // namespace

TEST_CASE("quire-jobproc answers convert, analyse, typeless and unknown requests in order") {
  REQUIRE_MESSAGE(::access(jobproc_program().c_str(), X_OK) == 0,
                  "build the quire-jobproc target first: " << jobproc_program());
  quire::testing::temp_dir dir;
  const std::string doc = "%!PS\n1 0 0 setrgbcolor 0 0 100 100 rectfill showpage showpage\n";

  convert_request conv;
  conv.job_id = 11;
  conv.document = doc;
  conv.target_format = "image/pwg-raster";
  conv.output_path = dir.path() + "/job-11.pwg";
  conv.resolution_dpi = 72;
  conv.monochrome = true;

  analyse_request an;
  an.job_id = 12;
  an.document = doc;
  // The same request without its "type": the first field encode_request
  // writes (fixstr "type", fixstr "analyse_request"), cut out of the map.
  std::string typeless = encode_request(an)->substr(4);
  REQUIRE(typeless.compare(1, 5, "\xa4type") == 0);
  typeless = std::string(1, static_cast<char>(typeless[0] - 1)) + typeless.substr(1 + 5 + 16);
  // {"type": "frobnicate_request", "job_id": 14}
  std::string unknown = std::string("\x82\xa4type\xb2") + "frobnicate_request" + "\xa6job_id\x0e";

  std::string frames = *encode_convert_request(conv) + *encode_request(an) + framed(typeless) + framed(unknown);
  auto replies = run_jobproc(dir, frames);
  REQUIRE(replies.size() == 4);

  CHECK(*frame_type(replies[0]) == "convert_reply");
  auto c = decode_convert_reply(replies[0]);
  REQUIRE(c.ok());
  CHECK_MESSAGE(c->ok, c->reason);
  CHECK(c->job_id == 11);
  CHECK(c->format == "image/pwg-raster");
  CHECK(c->pages == 2);
  std::string raster = slurp(conv.output_path);
  CHECK(c->output_bytes == raster.size());
  CHECK(raster.rfind("RaS2", 0) == 0);

  for (size_t i : {1, 2}) {
    auto a = decode_reply(replies[i]);
    REQUIRE(a.ok());
    CHECK_MESSAGE(a->ok, a->reason);
    CHECK(a->job_id == 12);
    CHECK(a->pages == 2);
    CHECK(a->colour_pages == 1);
  }

  auto u = decode_reply(replies[3]);
  REQUIRE(u.ok());
  CHECK_FALSE(u->ok);
  CHECK(u->reason == "unknown request type");
  CHECK(std::filesystem::exists(dir.path() + "/frames.out"));
}

TEST_CASE("quire-jobproc answers an unreadable convert request with a convert_reply") {
  quire::testing::temp_dir dir;
  // {"type": "convert_request", "monochrome": "yes"}
  std::string bad = std::string("\x82\xa4type\xaf") + "convert_request" + "\xaamonochrome\xa3yes";
  auto replies = run_jobproc(dir, framed(bad));
  REQUIRE(replies.size() == 1);
  auto r = decode_convert_reply(replies[0]);
  REQUIRE(r.ok());
  CHECK_FALSE(r->ok);
  CHECK(r->reason.find("'monochrome'") != std::string::npos);
}

TEST_CASE("quire-jobproc normalises PostScript into normalised_path and says so") {
  quire::testing::temp_dir dir;
  analyse_request an;
  an.job_id = 21;
  an.path = dir.path() + "/job-21.ps";
  an.normalised_path = dir.path() + "/job-21.pdf";
  // One page on the devices analysis renders with, three on pdfwrite.
  std::ofstream(an.path) << "%!PS\n%%Pages: 1\ncurrentpagedevice /OutputDevice get /pdfwrite eq { 3 } { 1 } ifelse\n"
                            "{ 0 0 1 setrgbcolor 0 0 100 100 rectfill showpage } repeat\n";
  analyse_request failing = an;
  failing.job_id = 22;
  failing.path = dir.path() + "/job-22.ps";
  failing.normalised_path = dir.path() + "/job-22.pdf";
  failing.timeout_ms = 1000;
  std::ofstream(failing.path) << "%!PS\n{} loop\n";

  auto replies = run_jobproc(dir, *encode_request(an) + *encode_request(failing));
  REQUIRE(replies.size() == 2);
  auto a = decode_reply(replies[0]);
  REQUIRE(a.ok());
  REQUIRE_MESSAGE(a->ok, a->reason);
  CHECK(a->job_id == 21);
  CHECK(a->normalised);
  CHECK(a->format == "application/postscript");
  CHECK(a->pages == 3);
  CHECK(a->colour_pages == 3);
  CHECK(a->method.rfind("normalised+", 0) == 0);
  CHECK(slurp(an.normalised_path).rfind("%PDF-", 0) == 0);
  CHECK_FALSE(std::filesystem::exists(an.normalised_path + ".part"));

  auto f = decode_reply(replies[1]);
  REQUIRE(f.ok());
  CHECK_FALSE(f->ok);
  CHECK_FALSE(f->normalised);
  CHECK(f->failure == "timeout");
  CHECK_FALSE(std::filesystem::exists(failing.normalised_path));
  CHECK_FALSE(std::filesystem::exists(failing.normalised_path + ".part"));
}
