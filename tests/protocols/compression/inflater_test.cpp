#include <doctest/doctest.h>
#include <zlib.h>

#include <random>
#include <string>

#include "protocols/compression/inflater.hpp"

using namespace quire;
using namespace quire::compression;

namespace {

enum class wrap { gzip, raw, zlib };

// Compresses with zlib's own deflate, as a client would.
std::string compress(std::string_view in, wrap w, int window = 15) {
  z_stream s{};
  int bits = w == wrap::gzip ? 16 + window : w == wrap::raw ? -window : window;
  REQUIRE(deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&s, in.size()) + 64, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&s, Z_FINISH) == Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

// Text that compresses well but not trivially.
std::string sample(size_t n) {
  std::string s;
  std::mt19937 rng(42);
  while (s.size() < n) s += "%PDF-1.7 page " + std::to_string(rng() % 1000) + " ";
  s.resize(n);
  return s;
}

struct outcome {
  status fed;
  status finished;
  std::string out;
};

outcome run(std::string_view in, format f, size_t step, inflater::options opt = {}) {
  opt.fmt = f;
  inflater inf(opt);
  outcome r;
  for (size_t at = 0; at < in.size() && !r.fed; at += step) r.fed = inf.feed(in.substr(at, step), r.out);
  r.finished = inf.finish();
  return r;
}

}  // namespace

TEST_CASE("inflater: keywords name the two formats") {
  CHECK(format_from_keyword("gzip") == format::gzip);
  CHECK(format_from_keyword("deflate") == format::deflate);
  CHECK_FALSE(format_from_keyword("none"));
  CHECK_FALSE(format_from_keyword("compress"));
  CHECK(std::string(keyword(format::deflate)) == "deflate");
}

TEST_CASE("inflater: round trips in every wrapping and any split") {
  const std::string doc = sample(200000);
  struct fmt_case {
    wrap w;
    format f;
  };
  for (auto c : {fmt_case{wrap::gzip, format::gzip}, fmt_case{wrap::raw, format::deflate},
                 fmt_case{wrap::zlib, format::deflate}}) {
    const std::string z = compress(doc, c.w);
    for (size_t step : {size_t{1}, size_t{2}, size_t{3}, size_t{1000}, z.size()}) {
      CAPTURE(static_cast<int>(c.w));
      CAPTURE(step);
      auto r = run(z, c.f, step);
      REQUIRE_FALSE(r.fed);
      REQUIRE_FALSE(r.finished);
      CHECK(r.out == doc);
    }
  }
}

TEST_CASE("inflater: libcups's raw deflate with an 11-bit window") {
  // http.c compresses document data with deflateInit2(..., -11, 7, ...).
  const std::string doc = sample(50000);
  auto r = run(compress(doc, wrap::raw, 11), format::deflate, 4096);
  CHECK_FALSE(r.fed);
  CHECK_FALSE(r.finished);
  CHECK(r.out == doc);
}

TEST_CASE("inflater: the sink gets bounded chunks and the counters add up") {
  const std::string doc = sample(100000);
  const std::string z = compress(doc, wrap::gzip);
  inflater::options opt;
  opt.chunk_bytes = 4096;
  inflater inf(opt);
  std::string out;
  size_t calls = 0;
  auto st = inf.feed(z, [&](std::string_view chunk) {
    CHECK(chunk.size() <= 4096);
    CHECK_FALSE(chunk.empty());
    ++calls;
    out.append(chunk);
    return status{};
  });
  REQUIRE_FALSE(st);
  CHECK(inf.done());
  REQUIRE_FALSE(inf.finish());
  CHECK(out == doc);
  CHECK(calls >= doc.size() / 4096);
  CHECK(inf.total_in() == z.size());
  CHECK(inf.total_out() == doc.size());
}

TEST_CASE("inflater: a sink's error stops the inflater and is kept") {
  inflater inf({});
  auto st = inf.feed(compress(sample(1000), wrap::gzip),
                     [](std::string_view) { return status(errc::io_error, "disk full"); });
  CHECK(st.code == errc::io_error);
  CHECK(inf.failed());
  CHECK(inf.finish().code == errc::io_error);
}

TEST_CASE("inflater: an empty document compresses to a valid stream") {
  for (auto [w, f] : {std::pair{wrap::gzip, format::gzip}, std::pair{wrap::raw, format::deflate},
                      std::pair{wrap::zlib, format::deflate}}) {
    auto r = run(compress("", w), f, 1);
    CHECK_FALSE(r.fed);
    CHECK_FALSE(r.finished);
    CHECK(r.out.empty());
  }
}

TEST_CASE("inflater: no input at all is not a stream") {
  for (format f : {format::gzip, format::deflate}) {
    inflater::options opt;
    opt.fmt = f;
    inflater inf(opt);
    CHECK_FALSE(inf.feed("", [](std::string_view) { return status{}; }));
    auto st = inf.finish();
    CHECK(st.code == errc::corruption);
    CHECK(st.message.find("empty") != std::string::npos);
    CHECK(inf.total_in() == 0);
  }
}

TEST_CASE("inflater: a truncated stream fails at finish, wherever it is cut") {
  const std::string doc = sample(20000);
  for (auto [w, f] : {std::pair{wrap::gzip, format::gzip}, std::pair{wrap::raw, format::deflate},
                      std::pair{wrap::zlib, format::deflate}}) {
    const std::string z = compress(doc, w);
    for (size_t cut : {size_t{1}, size_t{2}, size_t{5}, z.size() / 2, z.size() - 4, z.size() - 1}) {
      CAPTURE(cut);
      auto r = run(std::string_view(z).substr(0, cut), f, 7);
      CHECK_FALSE(r.fed);
      CHECK(r.finished.code == errc::corruption);
      CHECK(r.finished.message.find("truncated") != std::string::npos);
    }
  }
}

TEST_CASE("inflater: a corrupted CRC-32, length or Adler-32 is caught") {
  const std::string doc = sample(5000);
  std::string gz = compress(doc, wrap::gzip);
  SUBCASE("gzip CRC-32") { gz[gz.size() - 8] ^= 0x01; }
  SUBCASE("gzip ISIZE") { gz[gz.size() - 1] ^= 0x01; }
  auto r = run(gz, format::gzip, 1);
  CHECK(r.fed.code == errc::corruption);
  CHECK(r.finished.code == errc::corruption);

  std::string zl = compress(doc, wrap::zlib);
  zl.back() ^= 0x40;
  auto z = run(zl, format::deflate, 64);
  CHECK(z.fed.code == errc::corruption);
  CHECK(z.fed.message.find("incorrect data check") != std::string::npos);
}

TEST_CASE("inflater: garbage is corruption, not a crash") {
  std::string bad = compress(sample(5000), wrap::raw);
  bad[bad.size() / 2] ^= 0xff;
  bad[bad.size() / 3] ^= 0xff;
  auto r = run(bad, format::deflate, 3);
  CHECK(r.fed.code == errc::corruption);

  auto g = run("this is not gzip", format::gzip, 4);
  CHECK(g.fed.code == errc::corruption);
  CHECK(g.fed.message.find("not gzip") != std::string::npos);
}

TEST_CASE("inflater: the output cap stops a bomb") {
  const std::string zeros(10 << 20, '\0');  // 10 MiB of zeros: ~10 KiB compressed
  for (auto [w, f] : {std::pair{wrap::gzip, format::gzip}, std::pair{wrap::raw, format::deflate}}) {
    const std::string z = compress(zeros, w);
    inflater::options opt;
    opt.fmt = f;
    opt.max_output_bytes = 1 << 20;
    inflater inf(opt);
    uint64_t got = 0;
    auto st = inf.feed(z, [&](std::string_view c) {
      got += c.size();
      return status{};
    });
    CHECK(st.code == errc::limit_exceeded);
    CHECK(got <= opt.max_output_bytes);
    CHECK(inf.total_out() <= opt.max_output_bytes);
    CHECK(inf.finish().code == errc::limit_exceeded);
  }
}

TEST_CASE("inflater: output exactly at the cap is allowed") {
  const std::string doc = sample(10000);
  inflater::options opt;
  opt.max_output_bytes = doc.size();
  opt.chunk_bytes = 1000;
  auto r = run(compress(doc, wrap::gzip), format::gzip, 100, opt);
  CHECK_FALSE(r.fed);
  CHECK_FALSE(r.finished);
  CHECK(r.out == doc);
  opt.max_output_bytes = doc.size() - 1;
  auto over = run(compress(doc, wrap::gzip), format::gzip, 100, opt);
  CHECK(over.fed.code == errc::limit_exceeded);
}

TEST_CASE("inflater: concatenated gzip members are one document") {
  const std::string a = sample(3000), b = "second member";
  const std::string both = compress(a, wrap::gzip) + compress(b, wrap::gzip);
  // Byte by byte, in odd chunks, and whole: a member ending inside a chunk
  // with the next one in the same chunk is the case real clients produce.
  for (size_t step : {size_t{1}, size_t{7}, size_t{1000}, both.size()}) {
    CAPTURE(step);
    auto r = run(both, format::gzip, step);
    CHECK_FALSE(r.fed);
    CHECK_FALSE(r.finished);
    CHECK(r.out == a + b);
  }
}

TEST_CASE("inflater: trailing bytes after the stream are an error") {
  const std::string doc = sample(3000);
  auto g = run(compress(doc, wrap::gzip) + "xy", format::gzip, 5);
  CHECK(g.fed.code == errc::corruption);
  CHECK(g.fed.message.find("trailing") != std::string::npos);
  auto g0 = run(compress(doc, wrap::gzip) + std::string(4, '\0'), format::gzip, 5);
  CHECK(g0.fed.code == errc::corruption);
  auto gpart = run(compress(doc, wrap::gzip) + "\x1f", format::gzip, 5);  // half a member header
  CHECK_FALSE(gpart.fed);
  CHECK(gpart.finished.code == errc::corruption);
  for (wrap w : {wrap::raw, wrap::zlib}) {
    auto d = run(compress(doc, w) + "z", format::deflate, 5);
    CHECK(d.fed.code == errc::corruption);
    CHECK(d.fed.message.find("trailing") != std::string::npos);
  }
}

TEST_CASE("inflater: gzip data is not deflate data") {
  auto r = run(compress(sample(100), wrap::gzip), format::deflate, 10);
  CHECK((r.fed.code == errc::corruption || r.finished.code == errc::corruption));
}

TEST_CASE("inflater: feeding after finish is refused") {
  inflater inf({});
  std::string out;
  REQUIRE_FALSE(inf.feed(compress("x", wrap::gzip), out));
  REQUIRE_FALSE(inf.finish());
  CHECK(inf.feed("more", out).code == errc::not_possible);
}
