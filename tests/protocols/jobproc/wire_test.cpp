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
  r.normalised_path = "/var/lib/quire/spool/42.normalised.pdf";
  return r;
}

analyse_reply sample_reply() {
  analyse_reply r;
  r.job_id = 42;
  r.ok = true;
  r.format = "application/postscript";
  r.normalised = true;
  r.pages = 12;
  r.colour_pages = 2;
  r.mono_pages = 10;
  r.colour_page_numbers = {3, 11};
  r.sizes = {{10, 595.276, 841.89}, {2, 612, 792}};
  r.title = "Thèse — chapitre 2";
  r.exact = false;
  r.method = "normalised+structure+render";
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

TEST_CASE("validate: normalised_path is optional, absolute, and never the document") {
  auto r = sample_request();
  CHECK_FALSE(validate(r));
  r.normalised_path.clear();  // do not normalise
  CHECK_FALSE(validate(r));
  auto bad = [](auto change) {
    auto q = sample_request();
    change(q);
    status st = validate(q);
    CHECK(st.code == errc::invalid_argument);
    CHECK_MESSAGE(st.message.find("normalised_path") != std::string::npos, st.message);
  };
  bad([](analyse_request& q) { q.normalised_path = "out.pdf"; });
  bad([](analyse_request& q) { q.normalised_path = "/out\0x"s; });
  bad([](analyse_request& q) { q.normalised_path = q.path; });
  // Its ".part" would be written over the document.
  bad([](analyse_request& q) {
    q.normalised_path = q.path;
    q.path.append(".part");
  });
  // With an inline document any absolute path will do.
  r.path.clear();
  r.document = "%!PS\n";
  r.normalised_path = "/var/lib/quire/spool/42.pdf";
  CHECK_FALSE(validate(r));
}

TEST_CASE("normalisation fields: old peers and wrong types") {
  // An old quired sends no normalised_path; an old child sends no normalised.
  auto q = decode_request(map_of(1, fixstr("job_id") + "\x05"));
  REQUIRE(q.ok());
  CHECK(q->normalised_path.empty());
  auto r = decode_reply(map_of(2, fixstr("ok") + "\xc3" + fixstr("format") + fixstr("application/postscript")));
  REQUIRE(r.ok());
  CHECK_FALSE(r->normalised);
  // Encoded with the fields, a request without them still round-trips.
  analyse_request plain;
  plain.path = "/x.ps";
  CHECK(*decode_request(payload_of(*encode_request(plain))) == plain);

  auto bad_rep = decode_reply(map_of(1, fixstr("normalised") + "\x01"));
  REQUIRE_FALSE(bad_rep.ok());
  CHECK(bad_rep.err().message.find("'normalised'") != std::string::npos);
  auto bad_req = decode_request(map_of(1, fixstr("normalised_path") + "\x07"));
  REQUIRE_FALSE(bad_req.ok());
  CHECK(bad_req.err().message.find("'normalised_path'") != std::string::npos);
}

// ---------------------------------------------------------------- conversion

namespace {

convert_request sample_convert() {
  convert_request r;
  r.job_id = 77;
  r.path = "/var/lib/quire/spool/77.pdf";
  r.source_format = "application/pdf";
  r.target_format = "image/pwg-raster";
  r.output_path = "/var/lib/quire/out/77.pwg";
  r.monochrome = true;
  r.duplex = true;
  r.tumble = true;
  r.media_width_pt = 595.276;
  r.media_height_pt = 841.89;
  r.resolution_dpi = 600;
  r.timeout_ms = 90000;
  return r;
}

convert_reply sample_convert_reply() {
  convert_reply r;
  r.job_id = 77;
  r.ok = true;
  r.format = "image/pwg-raster";
  r.output_bytes = 5ull << 32;
  r.pages = 12;
  r.elapsed_us = 987654;
  r.notes = {"fitted onto 595x842 pt", ""};
  return r;
}

}  // namespace

TEST_CASE("a convert request and a convert reply round-trip") {
  auto req = sample_convert();
  auto f = encode_convert_request(req);
  REQUIRE(f.ok());
  CHECK(*frame_type(payload_of(*f)) == "convert_request");
  auto back = decode_convert_request(payload_of(*f));
  REQUIRE(back.ok());
  CHECK(*back == req);

  req.path.clear();
  req.document = std::string("%!PS\0\xff", 6);
  back = decode_convert_request(payload_of(*encode_convert_request(req)));
  REQUIRE(back.ok());
  CHECK(*back == req);
  CHECK(decode_convert_request(payload_of(*encode_convert_request(convert_request{}))).value() == convert_request{});

  auto rep = sample_convert_reply();
  auto g = encode_convert_reply(rep);
  REQUIRE(g.ok());
  CHECK(*frame_type(payload_of(*g)) == "convert_reply");
  auto rback = decode_convert_reply(payload_of(*g));
  REQUIRE(rback.ok());
  CHECK(*rback == rep);

  rep = convert_reply{};
  rep.job_id = 3;
  rep.ok = true;
  rep.passthrough = true;
  CHECK(*decode_convert_reply(payload_of(*encode_convert_reply(rep))) == rep);
}

TEST_CASE("convert frames are not taken for analysis frames, nor the other way") {
  auto cr = payload_of(*encode_convert_request(sample_convert()));
  auto ar = payload_of(*encode_request(sample_request()));
  CHECK(decode_request(cr).err().code == errc::corruption);
  CHECK(decode_convert_request(ar).err().code == errc::corruption);
  CHECK_FALSE(decode_convert_reply(cr).ok());
  CHECK_FALSE(decode_reply(payload_of(*encode_convert_reply(sample_convert_reply()))).ok());
}

TEST_CASE("convert frames: defaults, unknown keys, nil, and the caps") {
  std::string body = fixstr("job_id") + "\x09" + fixstr("later") + "\x91\x01" + fixstr("timeout_ms") + "\xc0" +
                     fixstr("media_width_pt") + "\xcd\x02\x53";  // 595 as an integer
  auto q = decode_convert_request(map_of(4, body));
  REQUIRE(q.ok());
  CHECK(q->job_id == 9);
  CHECK(q->timeout_ms == 120000);
  CHECK(q->media_width_pt == 595);
  CHECK(q->resolution_dpi == 0);

  convert_reply many;
  many.notes.assign(100, "n");
  CHECK(decode_convert_reply(payload_of(*encode_convert_reply(many)))->notes.size() == max_notes);

  convert_request big;
  big.document.assign(2000, 'x');
  CHECK(encode_convert_request(big, 1024).err().code == errc::limit_exceeded);
  convert_reply chatty;
  chatty.reason.assign(2 << 20, 'r');
  CHECK(encode_convert_reply(chatty).err().code == errc::limit_exceeded);
}

TEST_CASE("convert frames: wrong types are errors that name the field") {
  struct bad {
    std::string payload;
    std::string needle;
    bool request;
  };
  std::vector<bad> cases = {
      {map_of(1, fixstr("monochrome") + "\x01"), "'monochrome'", true},
      {map_of(1, fixstr("tumble") + fixstr("yes")), "'tumble'", true},
      {map_of(1, fixstr("media_height_pt") + fixstr("A4")), "'media_height_pt'", true},
      {map_of(1, fixstr("media_width_pt") + "\xcb\x7f\xf0\0\0\0\0\0\0"s), "finite", true},  // +inf
      {map_of(1, fixstr("resolution_dpi") + "\xff"), "'resolution_dpi'", true},             // -1
      {map_of(1, fixstr("target_format") + "\xc4\x01x"), "'target_format'", true},          // bin
      {map_of(1, fixstr("output_path") + "\x07"), "'output_path'", true},
      {map_of(1, fixstr("document") + "\x07"), "'document'", true},
      {map_of(1, fixstr("passthrough") + "\x00"s), "'passthrough'", false},
      {map_of(1, fixstr("output_bytes") + fixstr("1")), "'output_bytes'", false},
      {map_of(1, fixstr("pages") + "\xcf\x00\x00\x00\x01\x00\x00\x00\x00"s), "32-bit", false},
      {map_of(1, fixstr("notes") + "\x91\x01"), "'notes'", false},
      {map_of(1, fixstr("type") + "\x01"), "'type'", false},
  };
  for (const auto& c : cases) {
    error e = c.request ? decode_convert_request(c.payload).err() : decode_convert_reply(c.payload).err();
    CHECK(e.code == errc::corruption);
    CHECK_MESSAGE(e.message.find(c.needle) != std::string::npos, e.message);
  }
  for (const std::string& junk : {""s, "\x81"s, "\x92\x01\x02"s, map_of(0, "") + "\x01", "\xdf\xff\xff\xff\xff"s}) {
    CHECK_FALSE(decode_convert_request(junk).ok());
    CHECK_FALSE(decode_convert_reply(junk).ok());
  }
}

TEST_CASE("validate checks a convert request") {
  CHECK_FALSE(validate(sample_convert()));
  auto bad = [](auto change) {
    auto r = sample_convert();
    change(r);
    status st = validate(r);
    CHECK(st.code == errc::invalid_argument);
    return st.message;
  };
  bad([](convert_request& r) { r.document = "x"; });   // both
  bad([](convert_request& r) { r.path.clear(); });     // neither
  bad([](convert_request& r) { r.path = "-dNOSAFER.pdf"; });
  bad([](convert_request& r) { r.output_path = ""; });
  bad([](convert_request& r) { r.output_path = "out.pwg"; });
  bad([](convert_request& r) { r.output_path = "/out\0x"s; });
  bad([](convert_request& r) { r.output_path = r.path; });  // truncating it would destroy the document
  CHECK(bad([](convert_request& r) { r.target_format = "image/png"; }).find("image/png") != std::string::npos);
  bad([](convert_request& r) { r.target_format = "APPLICATION/PDF"; });
  bad([](convert_request& r) { r.media_width_pt = 0; });  // one side only
  bad([](convert_request& r) { r.media_height_pt = 35.9; });
  bad([](convert_request& r) { r.media_width_pt = 14400.5; });
  bad([](convert_request& r) { r.media_width_pt = -595; });
  bad([](convert_request& r) { r.resolution_dpi = 71; });
  bad([](convert_request& r) { r.resolution_dpi = 1201; });
  bad([](convert_request& r) { r.timeout_ms = 0; });
  bad([](convert_request& r) { r.timeout_ms = 3'600'001; });

  auto r = sample_convert();
  r.media_width_pt = r.media_height_pt = 0;  // keep the document's sizes
  r.resolution_dpi = 0;                      // the default
  CHECK_FALSE(validate(r));
  r.media_width_pt = 36;
  r.media_height_pt = 14400;
  r.resolution_dpi = 72;
  r.timeout_ms = 3'600'000;
  CHECK_FALSE(validate(r));
  for (auto t : {"application/pdf", "application/postscript", "application/vnd.hp-pclxl", "image/pwg-raster",
                 "image/urf"}) {
    r.target_format = t;
    CHECK_FALSE(validate(r));
  }
}
