// Shared by the WebSocket tests (websocket_test.cpp: real sockets;
// websocket_session_test.cpp: handshake helpers and ws_session in memory):
// hand-made client frames, a recording echo handler, a server on a private
// loop, and a blocking loopback client (plain or TLS).
#pragma once

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

struct wire_frame {
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
std::optional<wire_frame> parse_frame(std::string& in) {
  if (in.size() < 2) return std::nullopt;
  auto byte = [&](size_t i) { return static_cast<unsigned char>(in[i]); };
  wire_frame f;
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

[[maybe_unused]] http::request_head head_of(const std::string& raw) {
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

  std::optional<wire_frame> read_frame() {
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
