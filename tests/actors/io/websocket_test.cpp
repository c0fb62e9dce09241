// WebSocket connections of the HTTP server over real loopback sockets
// (plain and TLS) carrying hand-made, masked client frames to an echo
// handler. The handshake helpers and ws_session alone are in
// websocket_session_test.cpp.
#include "actors/io/websocket_test_util.hpp"
TEST_CASE("websocket: the handshake over a socket, then text echoed both ways") {
  server srv;
  client c(srv.port);
  c.send_all(handshake_request());
  std::string head = c.read_head();
  CHECK(head.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0) == 0);
  std::string accept_line = "Sec-WebSocket-Accept: ";
  accept_line.append(rfc_accept).append("\r\n");
  CHECK(head.find(accept_line) != std::string::npos);
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
      {"a length of 2^62 bytes", std::string("\x81\xff\x40\0\0\0\0\0\0\0maskpayload", 21), 1009},
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
  std::optional<wire_frame> f;
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

TEST_CASE("websocket: send_all over sockets, written by several threads, each client gets its frames in order") {
  server srv;
  // Enough clients for the writers' threads to share the sends (parallel_runner's min_parallel).
  constexpr size_t n = 300;
  std::vector<std::unique_ptr<client>> clients;
  for (size_t i = 0; i < n; ++i) {
    clients.push_back(std::make_unique<client>(srv.port));
    clients.back()->open_websocket();
  }
  std::vector<std::shared_ptr<ws_channel>> channels;
  for (size_t i = 0; i < n; ++i) channels.push_back(srv.handler(i)->ch());
  // The first client has a message of its own on the way: it must arrive first.
  REQUIRE(channels[0]->send_text("own"));
  std::string big(70000, 'b');
  for (const std::string& text : {std::string("event"), big}) {
    auto frame = make_text_frame(text);
    std::vector<ws_delivery> batch;
    for (auto& ch : channels) batch.push_back({ch, frame});
    ws_channel::send_all(std::move(batch));
  }
  for (size_t i = 0; i < n; ++i) {
    CAPTURE(i);
    if (i == 0) {
      auto own = clients[i]->read_frame();
      REQUIRE(own);
      CHECK(own->payload == "own");
    }
    auto first = clients[i]->read_frame();
    REQUIRE(first);
    CHECK(first->opcode == op_text);
    CHECK(first->payload == "event");
    auto second = clients[i]->read_frame();
    REQUIRE(second);
    CHECK(second->payload == big);
    CHECK(clients[i]->in.empty());
  }
}
