#include <doctest/doctest.h>

#include "protocols/http/request_parser.hpp"
#include "protocols/http/response.hpp"

using namespace quire::http;

namespace {

struct parsed {
  int heads = 0;
  int ends = 0;
  std::string body;
  size_t consumed = 0;
};

// Feeds `in` in pieces of `step` bytes, as a socket might deliver it.
parsed feed_all(request_parser& p, std::string_view in, size_t step) {
  parsed r;
  std::vector<request_parser::event> events;
  std::string pending;
  for (size_t at = 0; at < in.size() && !p.failed(); at += step) {
    pending.append(in.substr(at, step));
    for (;;) {
      events.clear();
      size_t n = p.feed(pending, events);
      for (auto& e : events) {
        if (e.kind == request_parser::event_kind::head) ++r.heads;
        if (e.kind == request_parser::event_kind::body) r.body.append(e.data);
        if (e.kind == request_parser::event_kind::end) ++r.ends;
      }
      r.consumed += n;
      pending.erase(0, n);
      if (p.failed() || pending.empty() || n == 0) break;
    }
  }
  return r;
}

const char* ipp_post =
    "POST /ipp/print/secure HTTP/1.1\r\n"
    "Host: 127.0.0.1:8631\r\n"
    "Content-Type: application/ipp\r\n"
    "Content-Length: 11\r\n"
    "Expect: 100-continue\r\n"
    "\r\n"
    "hello world";

}  // namespace

TEST_CASE("a POST with Content-Length, in any split") {
  for (size_t step : {1, 2, 7, 64, 4096}) {
    request_parser p;
    auto r = feed_all(p, ipp_post, step);
    REQUIRE_FALSE(p.failed());
    CHECK(r.heads == 1);
    CHECK(r.ends == 1);
    CHECK(r.body == "hello world");
    const auto& h = p.head();
    CHECK(h.method == "POST");
    CHECK(h.target == "/ipp/print/secure");
    CHECK(h.path() == "/ipp/print/secure");
    CHECK(h.has_content_length);
    CHECK(h.content_length == 11);
    CHECK(h.expect_continue);
    CHECK(h.keep_alive);
    CHECK_FALSE(h.chunked);
    REQUIRE(h.find("content-type"));
    CHECK(*h.find("CONTENT-TYPE") == "application/ipp");
    CHECK(h.find("X-Missing") == nullptr);
  }
}

TEST_CASE("a chunked body is de-chunked") {
  request_parser p;
  auto r = feed_all(p,
                    "POST /ipp/print/demo?x=1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
                    3);
  REQUIRE_FALSE(p.failed());
  CHECK(p.head().chunked);
  CHECK(p.head().path() == "/ipp/print/demo");
  CHECK(r.body == "hello world");
  CHECK(r.ends == 1);
}

TEST_CASE("pipelined requests are handed out one at a time") {
  request_parser p;
  std::string two = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
  std::vector<request_parser::event> ev;
  size_t n = p.feed(two, ev);
  REQUIRE(ev.size() == 2);
  CHECK(ev[1].kind == request_parser::event_kind::end);
  CHECK(p.head().target == "/a");
  CHECK(n == two.size() / 2);
  ev.clear();
  size_t m = p.feed(std::string_view(two).substr(n), ev);
  CHECK(m == two.size() / 2);
  CHECK(p.head().target == "/b");
  CHECK(ev.size() == 2);
}

TEST_CASE("keep-alive follows the version and Connection header") {
  {
    request_parser p;
    feed_all(p, "GET / HTTP/1.0\r\n\r\n", 100);
    CHECK_FALSE(p.head().keep_alive);
  }
  {
    request_parser p;
    feed_all(p, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 100);
    CHECK_FALSE(p.head().keep_alive);
  }
  {
    request_parser p;
    feed_all(p, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 100);
    CHECK(p.head().keep_alive);
  }
}

TEST_CASE("malformed requests fail with the right status and stay failed") {
  struct bad {
    const char* text;
    int status;
  };
  std::string long_header = "GET / HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n";
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 100; ++i) many.append("X").append(std::to_string(i)).append(": y\r\n");
  many += "\r\n";
  bad cases[] = {
      {"GARBAGE\r\n\r\n", 501},
      {"GET / HTTP/1.1\r\nBad Header\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc", 400},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
      {"GET / HTTP/1.1\r\nExpect: teapot\r\n\r\n", 417},
      {long_header.c_str(), 431},
      {many.c_str(), 431},
  };
  for (auto& c : cases) {
    CAPTURE(c.text);
    request_parser p;
    feed_all(p, c.text, 5);
    REQUIRE(p.failed());
    CHECK(p.error_status() == c.status);
    CHECK_FALSE(p.error_message().empty());
    std::vector<request_parser::event> ev;
    CHECK(p.feed("GET / HTTP/1.1\r\n\r\n", ev) == 0);
  }
}

TEST_CASE("response heads") {
  auto h = response_head(200, "application/ipp", 42, true);
  CHECK(h == "HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nContent-Length: 42\r\n\r\n");
  auto c = response_head(404, "", 0, false, {{"X-A", "b"}});
  CHECK(c == "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\nX-A: b\r\n\r\n");
  CHECK(text_response(400, "bad", true).find("\r\n\r\nbad") != std::string::npos);
  // RFC 9110 §8.6: a 204 carries no Content-Length; the API's statuses have their phrases.
  CHECK(response_head(204, "", 0, true) == "HTTP/1.1 204 No Content\r\n\r\n");
  CHECK(response_head(201, "application/json", 2, true).rfind("HTTP/1.1 201 Created\r\n", 0) == 0);
  CHECK(response_head(429, "", 0, true).rfind("HTTP/1.1 429 Too Many Requests\r\n", 0) == 0);
}
