// WebSocket connections of the HTTP server: the handshake helpers as pure
// functions, ws_session on a fake clock, and real loopback sockets (plain
// and TLS) carrying hand-made, masked client frames to an echo handler.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "actors/io/http_server.hpp"
#include "actors/io/loop.hpp"
#include "actors/io/websocket.hpp"
#include "protocols/http/request_parser.hpp"
#include "test_util.hpp"

using namespace quire;
using namespace quire::io;
using namespace std::chrono_literals;

namespace {

constexpr const char* rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr const char* rfc_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

// ---- frames, as a client writes and reads them

enum : uint8_t { op_cont = 0x0, op_text = 0x1, op_binary = 0x2, op_close = 0x8, op_ping = 0x9, op_pong = 0xa };

// A client frame: masked (RFC 6455 §5.3) unless told otherwise.
std::string frame(uint8_t opcode, std::string_view payload, bool fin = true, bool masked = true) {
  std::string f;
  f.push_back(static_cast<char>((fin ? 0x80 : 0) | opcode));
  char mask_bit = masked ? static_cast<char>(0x80) : 0;
  uint64_t n = payload.size();
  if (n < 126) {
    f.push_back(static_cast<char>(mask_bit | static_cast<char>(n)));
  } else if (n < 65536) {
    f.push_back(static_cast<char>(mask_bit | 126));
    f.push_back(static_cast<char>(n >> 8));
    f.push_back(static_cast<char>(n & 0xff));
  } else {
    f.push_back(static_cast<char>(mask_bit | 127));
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  }
  const char key[4] = {0x37, static_cast<char>(0xfa), 0x21, 0x3d};
  if (!masked) return f + std::string(payload);
  f.append(key, 4);
  for (size_t i = 0; i < payload.size(); ++i) f.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
  return f;
}

std::string close_payload(uint16_t code, std::string_view reason = "") {
  std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
  return p + std::string(reason);
}

struct ws_frame {
  bool fin = false;
  uint8_t opcode = 0;
  bool masked = false;
  std::string payload;

  uint16_t close_code() const {
    if (payload.size() < 2) return 0;
    return static_cast<uint16_t>((static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]));
  }
  std::string close_reason() const { return payload.size() > 2 ? payload.substr(2) : ""; }
};

// Takes one whole frame off the front of `in`, if there is one.
std::optional<ws_frame> parse_frame(std::string& in) {
  if (in.size() < 2) return std::nullopt;
  auto byte = [&](size_t i) { return static_cast<unsigned char>(in[i]); };
  ws_frame f;
  f.fin = (byte(0) & 0x80) != 0;
  f.opcode = byte(0) & 0x0f;
  f.masked = (byte(1) & 0x80) != 0;
  uint64_t n = byte(1) & 0x7f;
  size_t at = 2;
  if (n == 126 || n == 127) {
    size_t len_bytes = n == 126 ? 2 : 8;
    if (in.size() < at + len_bytes) return std::nullopt;
    n = 0;
    for (size_t i = 0; i < len_bytes; ++i) n = (n << 8) | byte(at + i);
    at += len_bytes;
  }
  if (f.masked) at += 4;
  if (in.size() < at + n) return std::nullopt;
  f.payload = in.substr(at, n);
  in.erase(0, at + n);
  return f;
}

std::string handshake_request(std::string_view path = "/ws", std::string_view extra = "") {
  return "GET " + std::string(path) +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: " +
         rfc_key + "\r\nSec-WebSocket-Version: 13\r\n" + std::string(extra) + "\r\n";
}

http::request_head head_of(const std::string& raw) {
  http::request_parser p;
  std::vector<http::request_parser::event> events;
  p.feed(raw, events);
  REQUIRE_FALSE(p.failed());
  REQUIRE(!events.empty());
  return p.head();
}

// ---- the application side

// Records what one WebSocket's handler hears, and echoes its texts.
struct recorder : ws_handler {
  std::mutex m;
  std::condition_variable cv;
  std::shared_ptr<ws_channel> channel;
  std::vector<std::string> texts;
  int opens = 0;
  int closes = 0;
  bool text_after_close = false;
  uint16_t code = 0;
  std::string reason;
  bool echo = true;

  void on_open(std::shared_ptr<ws_channel> ch) override {
    std::lock_guard<std::mutex> l(m);
    channel = std::move(ch);
    ++opens;
    cv.notify_all();
  }
  void on_text(std::string message) override {
    std::shared_ptr<ws_channel> ch;
    {
      std::lock_guard<std::mutex> l(m);
      if (closes) text_after_close = true;
      texts.push_back(message);
      ch = channel;
      cv.notify_all();
    }
    if (echo && ch) ch->send_text(std::move(message));
  }
  void on_close(uint16_t c, std::string r) override {
    std::lock_guard<std::mutex> l(m);
    ++closes;
    code = c;
    reason = std::move(r);
    cv.notify_all();
  }

  template <class Pred>
  bool wait(Pred pred, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock<std::mutex> l(m);
    return cv.wait_for(l, timeout, pred);
  }
  bool wait_open() { return wait([&] { return opens > 0; }); }
  bool wait_closed() { return wait([&] { return closes > 0; }); }
  std::shared_ptr<ws_channel> ch() {
    std::lock_guard<std::mutex> l(m);
    return channel;
  }
};

// An http_server on its own loop: /ws accepts a WebSocket (each with a
// fresh recorder), /refuse answers 403, anything else 200 "hello".
struct server {
  io::loop l;
  ws_limits limits;
  bool accept_later = false;  // decide on another thread, 50 ms later
  std::unique_ptr<http_server> http;
  uint16_t port = 0;
  std::mutex m;
  std::vector<std::shared_ptr<recorder>> handlers;
  std::vector<std::thread> deciders;  // touched on the loop thread only
  bool stopped = false;

  explicit server(ws_limits lim = {}, std::shared_ptr<const tls_context> tls = nullptr, bool later = false)
      : limits(lim), accept_later(later) {
    http = std::make_unique<http_server>(
        l, http_limits{}, [this](const request_info& info, responder respond) { return route(info, respond); },
        std::move(tls));
    auto bound = http->listen("127.0.0.1", 0);
    REQUIRE(bound.ok());
    port = static_cast<uint16_t>(std::stoi(bound->substr(bound->rfind(':') + 1)));
    l.start();
  }
  ~server() { stop(); }

  void stop() {
    if (stopped) return;
    stopped = true;
    l.stop([this] { http->close_all(); });
    for (auto& t : deciders) t.join();
  }

  std::unique_ptr<request_handler> route(const request_info& info, responder respond) {
    if (info.head.path() == "/ws") {
      auto h = std::make_shared<recorder>();
      {
        std::lock_guard<std::mutex> lock(m);
        handlers.push_back(h);
      }
      if (accept_later) {
        http::request_head head = info.head;
        deciders.emplace_back([head, h, respond, lim = limits] {
          std::this_thread::sleep_for(50ms);  // checking credentials
          respond(websocket_accept(head, h, lim));
        });
      } else {
        respond(websocket_accept(info.head, h, limits));
      }
      return nullptr;
    }
    http_response r;
    r.content_type = "text/plain";
    if (info.head.path() == "/refuse") {
      r.status = 403;
      r.body = "no\n";
    } else {
      r.body = "hello\n";
    }
    respond(std::move(r));
    return nullptr;
  }

  // The i-th WebSocket's handler, once it opened.
  std::shared_ptr<recorder> handler(size_t i = 0) {
    for (int tries = 0; tries < 500; ++tries) {
      std::shared_ptr<recorder> h;
      {
        std::lock_guard<std::mutex> lock(m);
        if (handlers.size() > i) h = handlers[i];
      }
      if (h && h->wait_open()) return h;
      std::this_thread::sleep_for(10ms);
    }
    FAIL("no WebSocket opened");
    return nullptr;
  }

  template <class F>
  auto on_loop(F f) {
    std::promise<decltype(f())> p;
    auto done = p.get_future();
    l.post([&] { p.set_value(f()); });
    return done.get();
  }
  size_t connections() {
    return on_loop([this] { return http->connection_count(); });
  }
  bool connections_drop_to(size_t n) {
    for (int tries = 0; tries < 500; ++tries) {
      if (connections() == n) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
};

// ---- a raw client: blocking loopback socket, optionally TLS

struct client {
  int fd = -1;
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  std::string in;  // received, not yet taken

  // `rcvbuf`: a small receive buffer keeps the kernel from absorbing what a
  // client that does not read is sent.
  explicit client(uint16_t port, int rcvbuf = 0) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    if (rcvbuf) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  ~client() {
    if (ssl) SSL_free(ssl);
    if (ctx) SSL_CTX_free(ctx);
    if (fd >= 0) ::close(fd);
  }
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  void start_tls(const std::string& ca_file) {
    ctx = SSL_CTX_new(TLS_client_method());
    REQUIRE(SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) == 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    ssl = SSL_new(ctx);
    SSL_set1_host(ssl, "localhost");
    SSL_set_fd(ssl, fd);
    REQUIRE(SSL_connect(ssl) == 1);
  }

  void send_all(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ssl ? SSL_write(ssl, bytes.data(), static_cast<int>(bytes.size()))
                      : ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      REQUIRE(n > 0);
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }

  // More bytes into `in`: > 0 read, 0 the server closed, -1 timeout.
  int read_some() {
    char buf[64 * 1024];
    if (ssl) {
      int n = SSL_read(ssl, buf, sizeof buf);
      if (n > 0) {
        in.append(buf, static_cast<size_t>(n));
        return 1;
      }
      int e = SSL_get_error(ssl, n);
      bool timeout = e == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK);
      ERR_clear_error();
      return timeout ? -1 : 0;
    }
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      in.append(buf, static_cast<size_t>(n));
      return 1;
    }
    if (n == 0 || errno == ECONNRESET) return 0;
    return -1;
  }

  // The response head, leaving what follows in `in`.
  std::string read_head() {
    size_t end;
    while ((end = in.find("\r\n\r\n")) == std::string::npos)
      if (read_some() <= 0) return {};
    std::string head = in.substr(0, end + 4);
    in.erase(0, end + 4);
    return head;
  }

  std::optional<ws_frame> read_frame() {
    while (true) {
      if (auto f = parse_frame(in)) return f;
      if (read_some() <= 0) return std::nullopt;
    }
  }

  // True when the server closed the connection (after anything still unread).
  bool closed_by_server() {
    while (true) {
      int r = read_some();
      if (r == 0) return true;
      if (r < 0) return false;
    }
  }

  void open_websocket(std::string_view extra_bytes = "") {
    send_all(handshake_request() + std::string(extra_bytes));
    std::string head = read_head();
    REQUIRE(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0) == 0);
  }
};

}  // namespace

// ---------------------------------------------------------------- handshake

TEST_CASE("websocket: the accept key of RFC 6455's example, and the 101 that carries the handler") {
  CHECK(websocket_accept_key(rfc_key) == rfc_accept);
  auto head = head_of(handshake_request());
  CHECK(wants_websocket(head));
  CHECK_FALSE(check_websocket_request(head));
  auto h = std::make_shared<recorder>();
  ws_limits lim;
  lim.max_message = 1234;
  http_response r = websocket_accept(head, h, lim);
  CHECK(r.status == 101);
  REQUIRE(r.upgrade);
  CHECK(r.upgrade->handler == h);
  CHECK(r.upgrade->limits.max_message == 1234);
  std::string bytes = switching_protocols_head(r);
  CHECK(bytes.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0) == 0);
  CHECK(bytes.find("\r\nUpgrade: websocket\r\n") != std::string::npos);
  CHECK(bytes.find("\r\nConnection: Upgrade\r\n") != std::string::npos);
  CHECK(bytes.find(std::string("\r\nSec-WebSocket-Accept: ") + rfc_accept + "\r\n") != std::string::npos);
  CHECK(bytes.find("Content-Length") == std::string::npos);
  CHECK(bytes.substr(bytes.size() - 4) == "\r\n\r\n");
  // Header names and the Connection list are case-insensitive.
  auto lower = head_of(
      "GET /ws HTTP/1.1\r\nhost: x\r\nupgrade: WebSocket\r\nconnection: keep-alive, upgrade\r\n"
      "sec-websocket-key: AAAAAAAAAAAAAAAAAAAAAA==\r\nsec-websocket-version: 13\r\n\r\n");
  CHECK_FALSE(check_websocket_request(lower));
}

TEST_CASE("websocket: check_websocket_request refuses bad handshakes and says why") {
  auto refused = [](const std::string& raw, const char* why) {
    CAPTURE(raw);
    auto head = head_of(raw);
    status s = check_websocket_request(head);
    REQUIRE(s);
    CHECK(s.message.find(why) != std::string::npos);
    http_response r = websocket_accept(head, std::make_shared<recorder>());
    CHECK_FALSE(r.upgrade);
    CHECK(r.close);
    return r;
  };
  std::string key = std::string("Sec-WebSocket-Key: ") + rfc_key + "\r\n";
  std::string base = "Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
  SUBCASE("missing key") {
    auto r = refused("GET /ws HTTP/1.1\r\n" + base + "Sec-WebSocket-Version: 13\r\n\r\n", "Sec-WebSocket-Key");
    CHECK(r.status == 400);
  }
  SUBCASE("a key that is not 16 bytes") {
    refused("GET /ws HTTP/1.1\r\n" + base + "Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n",
            "16 bytes");
  }
  SUBCASE("wrong version: 426 and the version we speak") {
    auto r = refused("GET /ws HTTP/1.1\r\n" + base + key + "Sec-WebSocket-Version: 8\r\n\r\n", "13");
    CHECK(r.status == 426);
    REQUIRE(r.headers.size() == 1);
    CHECK(r.headers[0].name == "Sec-WebSocket-Version");
    CHECK(r.headers[0].value == "13");
  }
  SUBCASE("POST") {
    auto r = refused("POST /ws HTTP/1.1\r\n" + base + key + "Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n",
                     "GET");
    CHECK(r.status == 400);
  }
  SUBCASE("HTTP/1.0") {
    refused("GET /ws HTTP/1.0\r\n" + base + key + "Sec-WebSocket-Version: 13\r\n\r\n", "HTTP/1.1");
  }
  SUBCASE("no Connection: upgrade") {
    refused("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n",
            "Connection");
  }
  SUBCASE("no Upgrade: websocket") {
    auto head = head_of("GET /ws HTTP/1.1\r\nHost: x\r\n" + key + "Sec-WebSocket-Version: 13\r\n\r\n");
    CHECK_FALSE(wants_websocket(head));
    CHECK(check_websocket_request(head));
  }
}

// ---------------------------------------------------------------- ws_session in memory

namespace {

// A session on a clock the test moves; the channel's operations wait in
// `posted` until run().
struct memory_session {
  uint64_t now = 1000;
  std::shared_ptr<recorder> handler = std::make_shared<recorder>();
  std::vector<std::function<void(ws_session&)>> posted;
  ws_session session;

  explicit memory_session(ws_limits lim) : session(handler, lim, [this] { return now; }) {
    handler->echo = false;
    session.start([this](std::function<void(ws_session&)> op) { posted.push_back(std::move(op)); });
  }
  void run() {
    auto ops = std::move(posted);
    posted.clear();
    for (auto& op : ops) op(session);
  }
  std::vector<ws_frame> frames() {
    std::string out = session.take_output(SIZE_MAX);
    std::vector<ws_frame> all;
    while (auto f = parse_frame(out)) all.push_back(*f);
    CHECK(out.empty());
    return all;
  }
};

}  // namespace

TEST_CASE("websocket: ws_session on a fake clock pings a silent client and drops one that stays silent") {
  ws_limits lim;
  lim.ping_interval_ms = 100;
  lim.pong_timeout_ms = 50;
  memory_session t(lim);
  CHECK(t.session.deadline() == 1100);
  t.now = 1099;
  t.session.tick();
  CHECK(t.frames().empty());
  t.now = 1100;
  t.session.tick();
  auto f = t.frames();
  REQUIRE(f.size() == 1);
  CHECK(f[0].opcode == op_ping);
  CHECK_FALSE(f[0].masked);
  CHECK(t.session.deadline() == 1150);
  // Any frame is a sign of life: the next ping is due an interval later.
  t.now = 1120;
  t.session.receive(frame(op_pong, ""));
  CHECK(t.session.deadline() == 1220);
  t.now = 1220;
  t.session.tick();
  REQUIRE(t.frames().size() == 1);
  t.now = 1270;
  t.session.tick();
  CHECK(t.session.done());
  CHECK(t.handler->closes == 1);
  CHECK(t.handler->code == 1001);
  f = t.frames();
  REQUIRE(f.size() == 1);
  CHECK(f[0].opcode == op_close);
  CHECK(f[0].close_code() == 1001);
  t.session.lost();
  CHECK(t.handler->closes == 1);
}

TEST_CASE("websocket: ws_session closes with 1008 once output for the client would pass max_buffered") {
  ws_limits lim;
  lim.max_buffered = 1000;
  memory_session t(lim);
  auto ch = t.handler->ch();
  REQUIRE(ch);
  CHECK(ch->send_text(std::string(400, 'a')));
  t.run();
  CHECK(ch->send_text(std::string(400, 'b')));
  t.run();
  CHECK(t.session.buffered() <= 1000);
  CHECK_FALSE(ch->send_text(std::string(400, 'c')));  // would be 1200
  CHECK_FALSE(ch->open());
  CHECK_FALSE(ch->send_text("x"));
  t.run();
  CHECK(ch->peak_buffered() <= 1000);
  auto f = t.frames();
  REQUIRE(f.size() == 3);
  CHECK(f[0].payload == std::string(400, 'a'));
  CHECK(f[1].payload == std::string(400, 'b'));
  CHECK(f[2].opcode == op_close);
  CHECK(f[2].close_code() == 1008);
  CHECK(f[2].close_reason() == "too slow");
  // The client answers the close: the handshake is over.
  CHECK_FALSE(t.session.done());
  t.session.receive(frame(op_close, close_payload(1008)));
  CHECK(t.session.done());
  CHECK(t.handler->code == 1008);
  CHECK(t.handler->closes == 1);
}

TEST_CASE("websocket: ws_session ends a close handshake the client does not finish") {
  ws_limits lim;
  lim.pong_timeout_ms = 50;
  memory_session t(lim);
  t.handler->ch()->close(4000, "bye");
  t.run();
  auto f = t.frames();
  REQUIRE(f.size() == 1);
  CHECK(f[0].close_code() == 4000);
  CHECK(t.session.deadline() == 1050);
  t.now = 1050;
  t.session.tick();
  CHECK(t.session.done());
  CHECK(t.handler->code == 4000);
  CHECK(t.handler->reason == "bye");
}

// ---------------------------------------------------------------- over sockets

TEST_CASE("websocket: the handshake over a socket, then text echoed both ways") {
  server srv;
  client c(srv.port);
  c.send_all(handshake_request());
  std::string head = c.read_head();
  CHECK(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0) == 0);
  CHECK(head.find(std::string("Sec-WebSocket-Accept: ") + rfc_accept + "\r\n") != std::string::npos);
  CHECK(head.find("Content-Length") == std::string::npos);
  auto h = srv.handler();
  CHECK(srv.connections() == 1);

  c.send_all(frame(op_text, "hello"));
  auto f = c.read_frame();
  REQUIRE(f);
  CHECK(f->fin);
  CHECK(f->opcode == op_text);
  CHECK_FALSE(f->masked);
  CHECK(f->payload == "hello");
  std::string big(60000, 'q');  // a 16-bit extended length
  c.send_all(frame(op_text, big));
  f = c.read_frame();
  REQUIRE(f);
  CHECK(f->payload == big);
  std::string utf8 = "Gr\xc3\xbc\xc3\x9f" "e \xe2\x9c\x93";
  c.send_all(frame(op_text, utf8));
  f = c.read_frame();
  REQUIRE(f);
  CHECK(f->payload == utf8);
  CHECK(h->texts.size() == 3);
  CHECK(h->closes == 0);
}

TEST_CASE("websocket: a fragmented message is reassembled, a ping between its fragments answered first") {
  server srv;
  client c(srv.port);
  c.open_websocket();
  c.send_all(frame(op_text, "Hel", false) + frame(op_ping, "mid") + frame(op_cont, "lo, ", false) +
             frame(op_cont, "world", true));
  auto f = c.read_frame();
  REQUIRE(f);
  CHECK(f->opcode == op_pong);
  CHECK(f->payload == "mid");
  f = c.read_frame();
  REQUIRE(f);
  CHECK(f->opcode == op_text);
  CHECK(f->payload == "Hello, world");
  auto h = srv.handler();
  REQUIRE(h->texts.size() == 1);
  CHECK(h->texts[0] == "Hello, world");
}

TEST_CASE("websocket: a ping is answered by a pong with its payload") {
  server srv;
  client c(srv.port);
  c.open_websocket();
  c.send_all(frame(op_ping, "are you there"));
  auto f = c.read_frame();
  REQUIRE(f);
  CHECK(f->opcode == op_pong);
  CHECK(f->payload == "are you there");
  CHECK(srv.handler()->texts.empty());
}

TEST_CASE("websocket: a client's close is answered in kind, on_close(1000) once, then the server closes TCP") {
  server srv;
  auto c = std::make_unique<client>(srv.port);
  c->open_websocket();
  auto h = srv.handler();
  c->send_all(frame(op_close, close_payload(1000, "bye")));
  auto f = c->read_frame();
  REQUIRE(f);
  CHECK(f->opcode == op_close);
  CHECK(f->close_code() == 1000);
  CHECK(c->closed_by_server());
  c.reset();  // or the server lingers 2 s for the client's FIN
  REQUIRE(h->wait_closed());
  CHECK(h->code == 1000);
  CHECK(h->reason == "bye");
  CHECK(srv.connections_drop_to(0));
  CHECK(h->closes == 1);
  CHECK_FALSE(h->ch()->open());
  CHECK_FALSE(h->ch()->send_text("late"));
}

TEST_CASE("websocket: client faults close the connection with the RFC's codes") {
  ws_limits lim;
  lim.max_message = 1024;
  server srv(lim);
  struct fault {
    const char* what;
    std::string bytes;
    uint16_t code;
  };
  const fault faults[] = {
      {"an unmasked frame", frame(op_text, "hi", true, false), 1002},
      {"a binary message", frame(op_binary, "\x01\x02"), 1003},
      {"a message above max_message", frame(op_text, std::string(2000, 'x')), 1009},
      {"fragments that add up above max_message",
       frame(op_text, std::string(600, 'x'), false) + frame(op_cont, std::string(600, 'x')), 1009},
      {"a length of 2^62 bytes", std::string("\x81\xff\x40\0\0\0\0\0\0\0", 10) + "maskpayload", 1009},
      {"invalid UTF-8", frame(op_text, "\xff\xfe"), 1007},
      {"a continuation with no message", frame(op_cont, "x"), 1002},
  };
  size_t i = 0;
  for (const auto& fault : faults) {
    CAPTURE(fault.what);
    client c(srv.port);
    c.open_websocket();
    auto h = srv.handler(i++);
    c.send_all(fault.bytes);
    auto f = c.read_frame();
    REQUIRE(f);
    CHECK(f->opcode == op_close);
    CHECK(f->close_code() == fault.code);
    CHECK(c.closed_by_server());
    REQUIRE(h->wait_closed());
    CHECK(h->code == fault.code);
    CHECK(h->texts.empty());
  }
  CHECK(srv.connections_drop_to(0));
}

TEST_CASE("websocket: a client that does not read is closed with 1008, the server's buffer bounded") {
  ws_limits lim;
  lim.max_buffered = 256 * 1024;
  server srv(lim);
  client c(srv.port, 4096);
  c.open_websocket();
  auto h = srv.handler();
  auto ch = h->ch();
  // The kernel takes a few MB first (Linux's tcp_wmem allows the server's
  // send buffer 4 MB by default), then the session's buffer fills.
  const std::string message(64 * 1024, 'm');
  size_t accepted = 0;
  for (size_t sent = 0; sent < 5 * 1000 * 1000; sent += message.size()) {
    if (!ch->send_text(message)) break;
    ++accepted;
    std::this_thread::sleep_for(1ms);  // let the loop move what it can
  }
  CHECK(accepted * message.size() < 5 * 1000 * 1000);
  CHECK_FALSE(ch->open());
  CHECK(ch->peak_buffered() <= lim.max_buffered + message.size());
  CHECK(h->closes == 0);  // the close handshake waits for the client

  // The client finally reads: what was accepted, then the close.
  size_t texts = 0;
  std::optional<ws_frame> f;
  while ((f = c.read_frame()) && f->opcode == op_text) {
    CHECK(f->payload.size() == message.size());
    ++texts;
  }
  REQUIRE(f);
  CHECK(f->opcode == op_close);
  CHECK(f->close_code() == 1008);
  CHECK(f->close_reason() == "too slow");
  CHECK(texts <= accepted);
  c.send_all(frame(op_close, close_payload(1008)));
  CHECK(c.closed_by_server());
  REQUIRE(h->wait_closed());
  CHECK(h->code == 1008);
  CHECK(ch->peak_buffered() <= lim.max_buffered + message.size());
}

TEST_CASE("websocket: the server starts the close handshake, thread-safely") {
  server srv;
  client c(srv.port);
  c.open_websocket();
  auto h = srv.handler();
  auto ch = h->ch();
  CHECK(ch->open());
  CHECK(ch->send_text("first"));
  std::thread other([ch] { ch->close(1000, "done"); });
  other.join();
  CHECK_FALSE(ch->open());
  CHECK_FALSE(ch->send_text("after"));
  auto f = c.read_frame();
  REQUIRE(f);
  CHECK(f->payload == "first");
  f = c.read_frame();
  REQUIRE(f);
  CHECK(f->opcode == op_close);
  CHECK(f->close_code() == 1000);
  CHECK(f->close_reason() == "done");
  CHECK(h->closes == 0);
  c.send_all(frame(op_close, close_payload(1000)));
  CHECK(c.closed_by_server());
  REQUIRE(h->wait_closed());
  CHECK(h->code == 1000);
  CHECK(h->closes == 1);
}

TEST_CASE("websocket: close_all sends 1001 to every open WebSocket, then closes them") {
  server srv;
  client a(srv.port), b(srv.port);
  a.open_websocket();
  b.open_websocket();
  auto ha = srv.handler(0), hb = srv.handler(1);
  client plain(srv.port);  // an HTTP connection beside them
  plain.send_all("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(plain.read_head().rfind("HTTP/1.1 200", 0) == 0);
  CHECK(srv.connections() == 3);
  srv.stop();
  for (client* c : {&a, &b}) {
    auto f = c->read_frame();
    REQUIRE(f);
    CHECK(f->opcode == op_close);
    CHECK(f->close_code() == 1001);
    CHECK(f->close_reason() == "server stopping");
    CHECK(c->closed_by_server());
  }
  for (auto& h : {ha, hb}) {
    REQUIRE(h->wait_closed());
    CHECK(h->code == 1001);
    CHECK(h->closes == 1);
  }
}

TEST_CASE("websocket: accepted later from another thread, bytes sent behind the request are its first frames") {
  server srv({}, nullptr, true);
  client c(srv.port);
  c.open_websocket(frame(op_text, "early") + frame(op_text, "bird"));
  auto f = c.read_frame();
  REQUIRE(f);
  CHECK(f->payload == "early");
  f = c.read_frame();
  REQUIRE(f);
  CHECK(f->payload == "bird");
}

TEST_CASE("websocket: over a socket, a silent client gets pings and is dropped when it stops answering") {
  ws_limits lim;
  lim.ping_interval_ms = 100;
  lim.pong_timeout_ms = 200;
  server srv(lim);
  client c(srv.port);
  c.open_websocket();
  auto h = srv.handler();
  for (int i = 0; i < 3; ++i) {
    auto f = c.read_frame();
    REQUIRE(f);
    CHECK(f->opcode == op_ping);
    c.send_all(frame(op_pong, f->payload));
  }
  CHECK(h->closes == 0);
  auto f = c.read_frame();
  REQUIRE(f);
  CHECK(f->opcode == op_ping);
  f = c.read_frame();  // no answer this time
  REQUIRE(f);
  CHECK(f->opcode == op_close);
  CHECK(f->close_code() == 1001);
  CHECK(c.closed_by_server());
  REQUIRE(h->wait_closed());
  CHECK(h->code == 1001);
}

TEST_CASE("websocket: other requests are unchanged, an upgrade answered in HTTP closes, other upgrades get 501") {
  server srv;
  {
    client c(srv.port);  // keep-alive as before
    c.send_all("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string head = c.read_head();
    CHECK(head.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(head.find("Connection: close") == std::string::npos);
    c.in.clear();
    c.send_all("GET /again HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(c.read_head().rfind("HTTP/1.1 200", 0) == 0);
  }
  {
    client c(srv.port);
    std::string req = handshake_request();
    req.replace(4, 3, "/refuse");
    c.send_all(req);
    std::string head = c.read_head();
    CHECK(head.rfind("HTTP/1.1 403", 0) == 0);
    CHECK(head.find("Connection: close") != std::string::npos);
    CHECK(c.closed_by_server());
  }
  {
    client c(srv.port);
    c.send_all("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n");
    CHECK(c.read_head().rfind("HTTP/1.1 501", 0) == 0);
  }
  {
    client c(srv.port);  // a handshake with a body is refused
    c.send_all("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " +
               std::string(rfc_key) + "\r\nSec-WebSocket-Version: 13\r\nContent-Length: 2\r\n\r\nhi");
    CHECK(c.read_head().rfind("HTTP/1.1 400", 0) == 0);
    CHECK(c.closed_by_server());
  }
  CHECK(srv.connections_drop_to(0));
}

TEST_CASE("websocket: echo and close handshake over TLS on the same port") {
  testing::temp_dir dir;
  auto files = ensure_certificate(dir.path(), "printer.example");
  REQUIRE(files.ok());
  auto ctx = tls_context::load(files->certificate, files->private_key);
  REQUIRE(ctx.ok());
  server srv({}, *ctx);
  client c(srv.port);
  c.start_tls(files->certificate);
  c.open_websocket(frame(op_text, "early over TLS"));
  auto f = c.read_frame();
  REQUIRE(f);
  CHECK(f->payload == "early over TLS");
  std::string big(40000, 's');
  c.send_all(frame(op_text, "secure") + frame(op_ping, "p") + frame(op_text, big));
  // wslay answers the ping while it reads; the echoes come through the
  // channel, posted to the loop, after.
  f = c.read_frame();
  REQUIRE(f);
  CHECK(f->opcode == op_pong);
  f = c.read_frame();
  REQUIRE(f);
  CHECK(f->payload == "secure");
  f = c.read_frame();
  REQUIRE(f);
  CHECK(f->payload == big);
  auto h = srv.handler();
  c.send_all(frame(op_close, close_payload(1000)));
  f = c.read_frame();
  REQUIRE(f);
  CHECK(f->close_code() == 1000);
  CHECK(c.closed_by_server());
  REQUIRE(h->wait_closed());
  CHECK(h->code == 1000);
  CHECK(h->texts.size() == 3);
}
