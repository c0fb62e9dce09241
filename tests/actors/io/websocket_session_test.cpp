// WebSocket: the handshake helpers as pure functions, and ws_session (the
// frame processing without sockets) on a fake clock.
#include <map>

#include "actors/io/websocket_test_util.hpp"

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
  std::string accept_line = "\r\nSec-WebSocket-Accept: ";  // appended: GCC 12's -Warray-bounds misfires on +
  accept_line.append(rfc_accept).append("\r\n");
  CHECK(bytes.find(accept_line) != std::string::npos);
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
  std::string key = "Sec-WebSocket-Key: ";
  key.append(rfc_key).append("\r\n");
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

  // `owner`: also reached in batches (ws_channel::send_all), as `key`.
  explicit memory_session(ws_limits lim, ws_owner* owner = nullptr, uint64_t key = 0)
      : session(handler, lim, [this] { return now; }) {
    handler->echo = false;
    session.start([this](std::function<void(ws_session&)> op) { posted.push_back(std::move(op)); }, owner, key);
  }
  void run() {
    auto ops = std::move(posted);
    posted.clear();
    for (auto& op : ops) op(session);
  }
  std::vector<wire_frame> frames() {
    std::string out = session.take_output(SIZE_MAX);
    std::vector<wire_frame> all;
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

// ---------------------------------------------------------------- frames made once, sent to many

TEST_CASE("websocket: make_text_frame gives the bytes wslay frames, at each length encoding") {
  for (size_t n : {size_t{0}, size_t{1}, size_t{125}, size_t{126}, size_t{65535}, size_t{65536}, size_t{70000}}) {
    CAPTURE(n);
    std::string text(n, 'x');
    memory_session t(ws_limits{});
    REQUIRE(t.handler->ch()->send_text(text));
    t.run();
    std::string by_wslay = t.session.take_output(SIZE_MAX);
    auto made = make_text_frame(text);
    CHECK(made->payload == n);
    CHECK(made->bytes == by_wslay);
  }
}

namespace {

// The owner side of send_all in memory: sessions by key, posts waiting in
// `posted` until run().
struct memory_owner final : ws_owner {
  std::map<uint64_t, ws_session*> sessions;
  std::vector<std::function<void()>> posted;
  int visits = 0;
  void post(std::function<void()> fn) override { posted.push_back(std::move(fn)); }
  void deliver(const std::vector<ws_keyed_frame>& batch) override {
    for (const auto& item : batch) {
      ++visits;
      auto it = sessions.find(item.key);
      if (it != sessions.end()) it->second->queue_frame(*item.frame);
    }
  }
  memory_session& add(memory_session& m, uint64_t key) {
    sessions[key] = &m.session;
    return m;
  }
  void run() {
    auto fns = std::move(posted);
    posted.clear();
    for (auto& f : fns) f();
  }
};

}  // namespace

TEST_CASE("websocket: send_all delivers one frame to many sessions in one post, after what each had queued") {
  memory_owner owner;
  ws_limits lim;
  lim.max_buffered = 1000;
  memory_session a(lim, &owner, 1), b(lim, &owner, 2), slow(lim, &owner, 3), gone(lim, &owner, 4);
  for (auto [m, key] : {std::pair{&a, 1}, {&b, 2}, {&slow, 3}, {&gone, 4}}) owner.add(*m, key);
  // `a` has a message of its own on the way: it must leave first.
  REQUIRE(a.handler->ch()->send_text("first"));
  a.run();
  // `slow` holds 960 bytes the client has not read.
  REQUIRE(slow.handler->ch()->send_text(std::string(960, 's')));
  slow.run();
  gone.handler->ch()->close(1000, "bye");
  gone.run();
  auto shared = make_text_frame("{\"seq\":7}");
  ws_channel::send_all({{a.handler->ch(), shared},
                        {b.handler->ch(), shared},
                        {slow.handler->ch(), shared},
                        {gone.handler->ch(), shared},
                        {nullptr, shared}});
  CHECK(owner.posted.size() == 1);  // one trip for the whole batch
  CHECK_FALSE(slow.handler->ch()->open());  // 960 + 10 + overhead would pass 1000: closed instead
  owner.run();
  slow.run();  // the 1008 close, posted by the channel
  CHECK(owner.visits == 2);  // a and b; the closed ones were never posted
  CHECK(b.session.buffered() == shared->bytes.size());  // what b's client has to read
  auto fa = a.frames();
  REQUIRE(fa.size() == 2);
  CHECK(fa[0].payload == "first");
  CHECK(fa[1].payload == "{\"seq\":7}");
  CHECK_FALSE(fa[1].masked);
  auto fb = b.frames();
  REQUIRE(fb.size() == 1);
  CHECK(fb[0].payload == "{\"seq\":7}");
  auto fs = slow.frames();
  REQUIRE(fs.size() == 2);
  CHECK(fs[1].close_code() == 1008);
  // The bytes counted on the way were handed back on delivery: the peak is
  // one message, not two.
  CHECK(b.handler->ch()->peak_buffered() < 2 * shared->bytes.size());
}

TEST_CASE("websocket: a frame for a session that ended meanwhile is dropped") {
  memory_owner owner;
  memory_session a(ws_limits{}, &owner, 1);
  owner.add(a, 1);
  auto ch = a.handler->ch();
  ws_channel::send_all({{ch, make_text_frame("late")}});
  REQUIRE(owner.posted.size() == 1);
  owner.sessions.erase(1);  // the connection went before the post ran
  owner.run();
  CHECK(owner.visits == 1);
  CHECK(a.frames().empty());
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


TEST_CASE("websocket: a frame written directly by the owner, whole or in part") {
  memory_session t(ws_limits{});
  auto f = make_text_frame("direct");
  CHECK(t.session.takes_direct(*f));
  t.session.sent_direct(*f, f->bytes.size());
  CHECK_FALSE(t.session.wants_output());  // all of it went
  t.session.sent_direct(*f, 3);           // the socket took 3 bytes: the rest waits in the session
  CHECK(t.session.wants_output());
  CHECK_FALSE(t.session.takes_direct(*f));  // something is queued: a new frame must wait behind it
  CHECK(t.session.take_output(SIZE_MAX) == f->bytes.substr(3));
  // Queued text goes first: the owner may not write past it.
  REQUIRE(t.handler->ch()->send_text("queued"));
  t.run();
  CHECK_FALSE(t.session.takes_direct(*f));
  // Closing: nothing more goes directly.
  t.session.take_output(SIZE_MAX);
  t.session.close(1000, "bye");
  t.session.take_output(SIZE_MAX);
  CHECK_FALSE(t.session.takes_direct(*f));
}
