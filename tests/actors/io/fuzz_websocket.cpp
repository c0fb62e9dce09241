// Fuzz entry point for ws_session, the WebSocket protocol of one connection
// with no socket: the input is what a client sends, and an echo application
// answers every text message through its channel.
//
// Input: byte 0 sets the limits and the application: bits 0-2 max_message
// (16 << n bytes), bits 3-5 max_buffered (64 << n bytes), bit 6 a client that
// never reads (output is never taken), bit 7 an application that also pushes
// a message of max_buffered / 3 bytes after every piece. Byte 1: bits 0-6
// the size of the pieces the rest arrives in (1 + n), bit 7 a clock that
// runs 40 ms per piece instead of 1 (the session pings after 50 ms of
// silence and gives up 50 ms later). The rest: the client's bytes.
//
// Beyond "no crash", it traps when: on_open is not first or on_close does
// not come exactly once (by the end) and last; the session buffers more than
// max_buffered plus one message plus what one piece of input can make wslay
// answer (pongs); the output is not a sequence of well-formed server frames
// (unmasked, no reserved bits, known opcodes, control frames whole and at
// most 125 bytes, nothing after a close); an echoed text is not what came in.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "actors/io/websocket.hpp"

namespace {

#define FUZZ_ASSERT(cond)                                                             \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "fuzz_websocket: invariant broken at line %d: %s\n", __LINE__, #cond); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (false)

using namespace quire::io;

struct echo : ws_handler {
  std::shared_ptr<ws_channel> channel;
  int opens = 0;
  int closes = 0;
  std::deque<std::string> echoed;  // texts the client should get back, in order

  void on_open(std::shared_ptr<ws_channel> ch) override {
    FUZZ_ASSERT(opens == 0 && closes == 0);
    ++opens;
    channel = std::move(ch);
  }
  void on_text(std::string message) override {
    FUZZ_ASSERT(opens == 1 && closes == 0);
    if (channel->send_text(message)) echoed.push_back(std::move(message));
  }
  void on_close(uint16_t code, std::string reason) override {
    FUZZ_ASSERT(opens == 1 && closes == 0);
    FUZZ_ASSERT(code >= 1000 && code <= 4999);
    FUZZ_ASSERT(!channel->open());
    ++closes;
  }
};

// Checks the server's frames as they come; `pending` holds an unfinished one.
struct output_checker {
  std::string pending;
  bool closed = false;
  bool in_message = false;
  std::string message;
  echo* app = nullptr;
  bool pushes = false;  // the application also sends messages of its own

  void feed(const std::string& bytes) {
    pending += bytes;
    while (pending.size() >= 2) {
      auto byte = [&](size_t i) { return static_cast<unsigned char>(pending[i]); };
      bool fin = (byte(0) & 0x80) != 0;
      unsigned opcode = byte(0) & 0x0f;
      FUZZ_ASSERT((byte(0) & 0x70) == 0);  // no reserved bits
      FUZZ_ASSERT((byte(1) & 0x80) == 0);  // a server never masks
      uint64_t n = byte(1) & 0x7f;
      size_t at = 2;
      if (n >= 126) {
        size_t len_bytes = n == 126 ? 2 : 8;
        if (pending.size() < at + len_bytes) return;
        n = 0;
        for (size_t i = 0; i < len_bytes; ++i) n = (n << 8) | byte(at + i);
        at += len_bytes;
      }
      if (pending.size() < at + n) return;
      std::string payload = pending.substr(at, n);
      pending.erase(0, at + n);
      FUZZ_ASSERT(!closed);  // nothing after a close frame
      bool control = opcode >= 8;
      FUZZ_ASSERT(opcode == 0 || opcode == 1 || opcode == 8 || opcode == 9 || opcode == 10);
      if (control) {
        FUZZ_ASSERT(fin && n <= 125);
        if (opcode == 8) {
          FUZZ_ASSERT(n != 1);
          closed = true;
        }
        continue;
      }
      FUZZ_ASSERT(opcode == 0 ? in_message : !in_message);
      message += payload;
      in_message = !fin;
      if (fin) {
        // Echoes come back in order; the application's own messages are all 'p'.
        if (pushes && message.find_first_not_of('p') == std::string::npos && !message.empty() &&
            (app->echoed.empty() || app->echoed.front() != message)) {
          // one of the pushed messages
        } else {
          FUZZ_ASSERT(!app->echoed.empty() && app->echoed.front() == message);
          app->echoed.pop_front();
        }
        message.clear();
      }
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint8_t shape = data[0], pace = data[1];
  ws_limits lim;
  lim.max_message = size_t{16} << (shape & 7);
  lim.max_buffered = size_t{64} << ((shape >> 3) & 7);
  lim.ping_interval_ms = 50;
  lim.pong_timeout_ms = 50;
  bool never_reads = (shape & 0x40) != 0;
  bool pushes = (shape & 0x80) != 0;
  size_t piece = 1 + (pace & 0x7f);
  uint64_t step_ms = (pace & 0x80) ? 40 : 1;
  std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);

  uint64_t now = 0;
  auto app = std::make_shared<echo>();
  std::vector<std::function<void(ws_session&)>> posted;
  output_checker out;
  out.app = app.get();
  out.pushes = pushes;
  const std::string push(lim.max_buffered / 3, 'p');
  size_t biggest = std::max(push.size(), lim.max_message);
  {
    ws_session s(app, lim, [&now] { return now; });
    s.start([&posted](std::function<void(ws_session&)> op) { posted.push_back(std::move(op)); });
    FUZZ_ASSERT(app->opens == 1 && app->channel);

    // What one piece of input can make wslay answer on its own before the
    // session notices and closes: a pong per ping (6 bytes on the wire at
    // least, 16 counted), and a close.
    const size_t slack = 3 * piece + 256;
    auto settle = [&] {
      FUZZ_ASSERT(s.buffered() <= lim.max_buffered + biggest + slack);
      FUZZ_ASSERT(app->channel->peak_buffered() <= lim.max_buffered + biggest + slack);
      FUZZ_ASSERT(s.done() == (app->closes == 1));
      if (s.done()) FUZZ_ASSERT(s.deadline() == UINT64_MAX);
    };
    auto run_posted = [&] {
      while (!posted.empty()) {
        auto ops = std::move(posted);
        posted.clear();
        for (auto& op : ops) op(s);
        settle();
      }
    };

    while (!input.empty() && !s.done()) {
      std::string_view bytes = input.substr(0, piece);
      input.remove_prefix(bytes.size());
      now += step_ms;
      s.receive(bytes);
      settle();
      if (pushes) app->channel->send_text(push);
      run_posted();
      if (now >= s.deadline()) s.tick();
      settle();
      if (!never_reads) out.feed(s.take_output(piece * 3));
      s.set_socket_backlog(never_reads ? 0 : piece);
      settle();
    }
    // The client goes quiet: the timers end the session within a few rounds.
    for (int round = 0; round < 4 && !s.done(); ++round) {
      now = s.deadline();
      s.tick();
      run_posted();
      settle();
    }
    FUZZ_ASSERT(s.done());
    if (!never_reads) out.feed(s.take_output(SIZE_MAX));
    s.lost();
    FUZZ_ASSERT(app->closes == 1);
    // Output after the end is only what was left of the last frames.
    if (!never_reads) FUZZ_ASSERT(s.take_output(SIZE_MAX).empty());
  }
  FUZZ_ASSERT(app->closes == 1);
  FUZZ_ASSERT(!app->channel->send_text("late"));
  return 0;
}
