#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocols/jobproc/wire.hpp"

using namespace quire;
using namespace quire::jobproc;
using namespace std::string_literals;

namespace {

analyse_request sample_request() {
  analyse_request r;
  r.job_id = 1ull << 40;
  r.path = "/var/lib/quire/spool/42.pdf";
  r.declared_format = "application/pdf";
  r.copies = 3;
  r.number_up = 2;
  r.duplex = true;
  r.render_dpi = 30;
  r.timeout_ms = 1500;
  return r;
}

analyse_reply sample_reply() {
  analyse_reply r;
  r.job_id = 42;
  r.ok = true;
  r.format = "application/pdf";
  r.pages = 12;
  r.colour_pages = 2;
  r.mono_pages = 10;
  r.colour_page_numbers = {3, 11};
  r.sizes = {{10, 595.276, 841.89}, {2, 612, 792}};
  r.title = "Thèse — chapitre 2";
  r.exact = false;
  r.method = "structure+render";
  r.elapsed_us = 123456;
  r.notes = {"page 11 decided by rendering", ""};
  return r;
}

std::string payload_of(const std::string& frame) { return frame.substr(4); }

// A hand-built frame payload: a map with the given raw msgpack entries.
std::string map_of(int entries, const std::string& body) {
  return std::string(1, static_cast<char>(0x80 | entries)) + body;
}
std::string fixstr(const std::string& s) { return std::string(1, static_cast<char>(0xa0 | s.size())) + s; }

std::vector<std::string> read_all(frame_reader& fr, const std::string& bytes, size_t step) {
  std::vector<std::string> frames;
  std::string p;
  for (size_t at = 0; at < bytes.size(); at += step) {
    fr.feed(std::string_view(bytes).substr(at, step));
    while (fr.next(p) == frame_reader::status::frame) frames.push_back(p);
  }
  return frames;
}

}  // namespace

TEST_CASE("a request and a reply round-trip") {
  auto req = sample_request();
  auto f = encode_request(req);
  REQUIRE(f.ok());
  auto back = decode_request(payload_of(*f));
  REQUIRE(back.ok());
  CHECK(*back == req);

  req.path.clear();
  req.document = std::string("%PDF-1.7\0\xff binary", 17);
  f = encode_request(req);
  REQUIRE(f.ok());
  back = decode_request(payload_of(*f));
  REQUIRE(back.ok());
  CHECK(back->document == req.document);

  auto rep = sample_reply();
  auto g = encode_reply(rep);
  REQUIRE(g.ok());
  auto rback = decode_reply(payload_of(*g));
  REQUIRE(rback.ok());
  CHECK(*rback == rep);
  CHECK(*frame_type(payload_of(*g)) == "analyse_reply");
  CHECK(*frame_type(payload_of(*f)) == "analyse_request");
}

TEST_CASE("the length prefix is big-endian and counts the payload") {
  auto f = encode_reply(analyse_reply{});
  REQUIRE(f.ok());
  size_t len = f->size() - 4;
  CHECK(static_cast<unsigned char>((*f)[0]) == ((len >> 24) & 0xff));
  CHECK(static_cast<unsigned char>((*f)[3]) == (len & 0xff));
  CHECK(static_cast<unsigned char>((*f)[4]) == 0xde);  // a map 16: more than 15 fields
}

TEST_CASE("the reply encoder caps its lists") {
  analyse_reply r;
  for (uint32_t i = 1; i <= 5000; ++i) r.colour_page_numbers.push_back(i);
  r.notes.assign(100, "note");
  auto f = encode_reply(r);
  REQUIRE(f.ok());
  auto back = decode_reply(payload_of(*f));
  REQUIRE(back.ok());
  CHECK(back->colour_page_numbers.size() == max_colour_page_numbers);
  CHECK(back->colour_page_numbers.back() == 1000);
  CHECK(back->notes.size() == max_notes);
}

TEST_CASE("an inline document over the frame limit is refused, not truncated") {
  analyse_request r;
  r.document.assign(2000, 'x');
  auto f = encode_request(r, 1024);
  REQUIRE_FALSE(f.ok());
  CHECK(f.err().code == errc::limit_exceeded);
  analyse_reply big;
  big.title.assign(2 << 20, 't');
  CHECK(encode_reply(big).err().code == errc::limit_exceeded);
}

TEST_CASE("unknown keys, missing keys and nil values are tolerated") {
  // {"job_id": 7, "future": [1, {"x": 2}], 5: "non-string key", "pages": nil, "ok": true}
  std::string body = fixstr("job_id") + "\x07" + fixstr("future") + "\x92\x01\x81" + fixstr("x") + "\x02" +
                     std::string("\x05") + fixstr("non-string key") + fixstr("pages") + "\xc0" + fixstr("ok") + "\xc3";
  auto r = decode_reply(map_of(5, body));
  REQUIRE(r.ok());
  CHECK(r->job_id == 7);
  CHECK(r->ok);
  CHECK(r->pages == 0);
  CHECK(r->exact);  // missing: the default
  auto q = decode_request(map_of(0, ""));
  REQUIRE(q.ok());
  CHECK(q->copies == 1);
  CHECK(q->render_dpi == 20);
}

TEST_CASE("wrong types are errors that name the field") {
  struct bad {
    std::string payload;
    std::string needle;
  };
  std::vector<bad> cases = {
      {map_of(1, fixstr("pages") + fixstr("12")), "'pages'"},
      {map_of(1, fixstr("pages") + "\xff"), "'pages'"},                          // -1
      {map_of(1, fixstr("pages") + "\xcf\x00\x00\x00\x01\x00\x00\x00\x00"s), "32-bit"},  // 2^32
      {map_of(1, fixstr("ok") + "\x01"), "'ok'"},
      {map_of(1, fixstr("title") + "\xc4\x01x"), "'title'"},                     // bin for a string
      {map_of(1, fixstr("colour_page_numbers") + "\x91" + fixstr("3")), "colour_page_numbers"},
      {map_of(1, fixstr("sizes") + "\x91\x01"), "sizes"},
      {map_of(1, fixstr("sizes") + "\x91\x81" + fixstr("width_pt") + fixstr("wide")), "sizes.width_pt"},
      {map_of(1, fixstr("sizes") + "\x91\x81" + fixstr("width_pt") + "\xcb\x7f\xf8\0\0\0\0\0\0"s), "finite"},  // NaN
      {map_of(1, fixstr("notes") + fixstr("one note")), "'notes'"},
      {map_of(1, fixstr("type") + fixstr("analyse_request")), "was expected"},
  };
  for (const auto& c : cases) {
    auto r = decode_reply(c.payload);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::corruption);
    CHECK_MESSAGE(r.err().message.find(c.needle) != std::string::npos, r.err().message);
  }
  auto q = decode_request(map_of(1, fixstr("copies") + "\xcb\x40\x00\0\0\0\0\0\0"s));  // 2.0
  CHECK_FALSE(q.ok());
}

TEST_CASE("malformed msgpack is an error, never a throw") {
  std::vector<std::string> cases = {
      "",                                             // nothing
      "\x81",                                         // map missing its entry
      map_of(1, fixstr("job_id")),                    // key without value
      "\x92\x01\x02",                                 // an array, not a map
      map_of(0, "") + "\x01",                         // bytes after the map
      "\xdf\xff\xff\xff\xff",                         // a map claiming 4 billion entries
      map_of(1, fixstr("notes") + "\xdd\xff\xff\xff\xff"),  // an array claiming 4 billion
      map_of(1, fixstr("title") + "\xdb\xff\xff\xff\xf0" "abc"),  // a string longer than the payload
      map_of(1, fixstr("x") + "\x91\x91\x91\x91\x91\x91\x01"), // too deep
      map_of(1, fixstr("x") + "\xc1"),                // the never-used byte
  };
  for (const auto& c : cases) {
    auto r = decode_reply(c);
    CHECK_FALSE(r.ok());
    CHECK_FALSE(decode_request(c).ok());
  }
}

TEST_CASE("the frame reader splits a stream in any chunking") {
  std::string stream = *encode_request(sample_request()) + *encode_reply(sample_reply()) +
                       *encode_reply(analyse_reply{});
  for (size_t step : {1, 3, 4, 5, 64, 100000}) {
    frame_reader fr;
    auto frames = read_all(fr, stream, step);
    REQUIRE(frames.size() == 3);
    CHECK_FALSE(fr.failed());
    CHECK_FALSE(fr.mid_frame());
    CHECK(*decode_request(frames[0]) == sample_request());
    CHECK(*decode_reply(frames[1]) == sample_reply());
  }
  frame_reader fr;
  auto frames = read_all(fr, stream.substr(0, stream.size() - 1), 7);
  CHECK(frames.size() == 2);
  CHECK(fr.mid_frame());  // EOF here: the child died mid-reply
}

TEST_CASE("oversize, empty and garbage frames put the reader in error") {
  std::string p;
  {
    frame_reader fr(1024);
    fr.feed(std::string("\x00\x00\x04\x01", 4));  // 1025 bytes announced
    CHECK(fr.next(p) == frame_reader::status::error);
    CHECK(fr.error_message().find("limit") != std::string::npos);
    fr.feed(*encode_reply(analyse_reply{}));  // no recovery: framing is lost
    CHECK(fr.next(p) == frame_reader::status::error);
  }
  {
    frame_reader fr;
    fr.feed(std::string("\0\0\0\0", 4));
    CHECK(fr.next(p) == frame_reader::status::error);
  }
  {
    frame_reader fr;
    fr.feed(std::string("\0\0\0\x05hello", 9));  // a length, then text
    CHECK(fr.next(p) == frame_reader::status::error);
  }
  {
    frame_reader fr;  // text where a frame should start: a huge length
    fr.feed("Error: /undefined in garbage\n");
    CHECK(fr.next(p) == frame_reader::status::error);
  }
  {
    frame_reader fr;  // the first payload byte is checked before the rest arrives
    fr.feed(std::string("\0\0\x10\0\x92", 5));
    CHECK(fr.next(p) == frame_reader::status::error);
  }
}

TEST_CASE("validate checks what decoding cannot") {
  auto r = sample_request();
  CHECK_FALSE(validate(r));
  r.document = "x";
  CHECK(validate(r).code == errc::invalid_argument);  // both
  r.path.clear();
  CHECK_FALSE(validate(r));
  r.document.clear();
  CHECK(validate(r));  // neither
  r = sample_request();
  r.path = "relative/-dNOSAFER.pdf";
  CHECK(validate(r));
  r = sample_request();
  r.render_dpi = 0;
  CHECK(validate(r));
  r.render_dpi = 601;
  CHECK(validate(r));
  r = sample_request();
  r.copies = 0;
  CHECK(validate(r));
  r = sample_request();
  r.timeout_ms = 0;
  CHECK(validate(r));
}
