// WebSocket (RFC 6455) connections on the loop's HTTP server.
//
// The opening handshake is an ordinary HTTP request. The application's router
// sees it (wants_websocket() tells it apart, check_websocket_request() says
// whether it is valid), decides, possibly later and on another thread once it
// has checked credentials, and answers through the request's responder with
// websocket_accept(): a 101 response that carries the application's
// ws_handler. Once the HTTP server has written the 101, the connection stops
// speaking HTTP and a ws_session drives it; the handler hears on_open (with a
// ws_channel to send on), each text message, and on_close exactly once.
//
// ws_session is the protocol of one connection with no socket inside,
// push-style like the HTTP parser and tls_session: its owner feeds it what
// the client sent and writes out what take_output() returns. wslay does the
// framing, the masking rules, reassembly of fragments, UTF-8 checks, answers
// to pings and the close handshake; this file adds Quire's limits: a message
// above max_message is refused with close 1009, a binary message with 1003,
// output piling up for a client that does not read with 1008; a client
// silent for ping_interval_ms gets a ping, and one that then stays silent
// for pong_timeout_ms is dropped (1001), as is one that does not finish a
// close handshake in that time.
//
// Threads: ws_session and the ws_handler callbacks run on the loop thread;
// ws_channel is the one thread-safe piece, it posts to the loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "actors/io/http_server.hpp"
#include "protocols/http/request_parser.hpp"
#include "protocols/result.hpp"

struct wslay_event_context;  // wslay's connection state

namespace quire::io {

struct ws_limits {
  size_t max_message = 64 * 1024;     // a bigger message from the client: close 1009
  size_t max_buffered = 1 << 20;      // output queued for one client: beyond, close 1008
  uint32_t ping_interval_ms = 30000;  // a ping when the client has been silent this long
  uint32_t pong_timeout_ms = 30000;   // then no byte at all for this long: close 1001, drop;
                                      // also the time a client gets to finish a close handshake
};

class ws_channel;
class ws_session;

/// A server-to-client text frame, whole: FIN, opcode 1, the payload's
/// length (7, 16 or 64 bits), no mask (RFC 6455 §5.2: servers never mask),
/// the payload. The same bytes suit every client, so a message sent to many
/// is framed once (ws_channel::send_all).
struct ws_frame {
  std::string bytes;
  size_t payload = 0;  // the message's length, within bytes
};
/// Frames `text` (valid UTF-8).
std::shared_ptr<const ws_frame> make_text_frame(std::string_view text);

/// One frame for the session `key` names, in a batch for its owner.
struct ws_keyed_frame {
  uint64_t key = 0;
  std::shared_ptr<const ws_frame> frame;
};

/// The owner of many sessions (the HTTP server), for work on many channels
/// in one trip to its thread: the fan-out of one event to thousands of
/// clients costs one post instead of thousands.
class ws_owner {
 public:
  virtual ~ws_owner() = default;
  /// Runs `fn` on the sessions' thread. Any thread.
  virtual void post(std::function<void()> fn) = 0;
  /// On that thread: each frame to the session its key names, if that is
  /// still there (ws_session::queue_frame, or written at once when the
  /// session has nothing queued: ws_session::takes_direct / sent_direct).
  virtual void deliver(const std::vector<ws_keyed_frame>& batch) = 0;
};

/// One message for one channel, in a batch (ws_channel::send_all).
struct ws_delivery {
  std::shared_ptr<ws_channel> channel;
  std::shared_ptr<const ws_frame> frame;
};

/// What the application gives an accepted WebSocket; called on the loop
/// thread. on_open comes first; on_close follows it exactly once, last. A
/// handler whose 101 never got written (the client left first) hears nothing.
class ws_handler {
 public:
  virtual ~ws_handler() = default;
  /// The connection is open; `ch` sends on it (keep it as long as you like).
  virtual void on_open(std::shared_ptr<ws_channel> ch) = 0;
  /// A whole text message from the client, fragments reassembled.
  virtual void on_text(std::string message) = 0;
  /// The connection ended (close handshake, error, timeout, server stopping).
  /// `code`: the client's close code when it sent one (1005 when its close
  /// had none), else the one the server sent, else 1006 (connection lost).
  virtual void on_close(uint16_t code, std::string reason) = 0;
};

/// A thread-safe handle on one connection.
class ws_channel {
 public:
  /// Carries an operation to the session's thread; drops it when the session
  /// is gone. Made by the session's owner.
  using executor = std::function<void(std::function<void(ws_session&)>)>;
  ws_channel(executor run, size_t max_buffered);

  /// Queues a text message (valid UTF-8) for the client. False when the
  /// connection is gone or closing. When the bytes queued for the client
  /// would pass ws_limits::max_buffered, the connection is closed with 1008
  /// "too slow" instead (and false returned, when this call sees it first).
  bool send_text(std::string message);
  /// Starts the close handshake: 1000 normal, 1001 going away, 1008 policy...
  /// (a code one may not send becomes 1000; the reason is cut to 123 bytes).
  void close(uint16_t code, std::string reason);
  /// send_text for many channels at once, each with a frame already made
  /// (shared by all that get the same bytes): the same checks per channel
  /// (gone, closing, too slow), one trip per owner for all of them. Channels
  /// without an owner (a session started without one) get one post each.
  static void send_all(std::vector<ws_delivery> batch);
  /// True until the connection closes or close() is called.
  bool open() const;
  /// The most bytes ever queued for the client at once: messages on their
  /// way to the loop, frames not yet written, the socket's backlog.
  size_t peak_buffered() const;

 private:
  friend class ws_session;
  void detach();                        // the connection ended
  // REQUIRES: mutex_ held. False (and the close posted) when `n` more bytes
  // would pass max_buffered; else counts them as posted.
  bool admit(size_t n);
  void delivered(size_t bytes);         // a posted message reached the session
  void set_buffered(size_t bytes);      // what the session holds now
  void note_peak();                     // REQUIRES: mutex_ held

  mutable std::mutex mutex_;
  executor run_;
  ws_owner* owner_ = nullptr;  // for send_all; null once detached
  uint64_t key_ = 0;           // this channel's session, for owner_->visit
  size_t max_buffered_;
  size_t posted_ = 0;    // sent here, not yet on the loop
  size_t buffered_ = 0;  // held by the session (its buffered())
  size_t peak_ = 0;
  bool open_ = true;
};

/// What websocket_accept() hangs on its 101 response for the HTTP server.
struct ws_upgrade {
  std::shared_ptr<ws_handler> handler;
  ws_limits limits;
};

/// True when a request asks for a WebSocket (an Upgrade header naming
/// "websocket"), valid or not.
bool wants_websocket(const http::request_head& head);

/// Checks a request is a valid WebSocket opening handshake (RFC 6455
/// §4.2.1): GET, HTTP/1.1, Host, no body, Upgrade: websocket, Connection:
/// upgrade, Sec-WebSocket-Version: 13, a Sec-WebSocket-Key of 16
/// base64-encoded bytes.
/// On failure says why (errc::invalid_argument).
status check_websocket_request(const http::request_head& head);

/// base64(SHA-1(key + the RFC 6455 GUID)): the Sec-WebSocket-Accept value.
std::string websocket_accept_key(std::string_view key);

/// The 101 response for `head` (copy the head to answer later), carrying
/// `handler`: the connection switches to WebSocket once it is written. An
/// invalid handshake gets 400 instead (426 and Sec-WebSocket-Version: 13 for
/// a version other than 13), without the handler.
http_response websocket_accept(const http::request_head& head, std::shared_ptr<ws_handler> handler,
                               ws_limits limits = {});

/// The bytes of a 101 response (its headers; no body, no Content-Length).
std::string switching_protocols_head(const http_response& r);

/// One WebSocket connection's protocol, bytes in and bytes out (see the top
/// of this file). Loop thread only; the owner also runs the timer: it calls
/// tick() at deadline().
class ws_session {
 public:
  /// Milliseconds on a monotonic clock (the loop's uv_now in the server).
  using clock = std::function<uint64_t()>;

  ws_session(std::shared_ptr<ws_handler> handler, ws_limits limits, clock now);
  ~ws_session();
  ws_session(const ws_session&) = delete;
  ws_session& operator=(const ws_session&) = delete;

  /// Opens: makes the channel, whose operations `run` carries back to this
  /// session, and gives it to the handler's on_open. Once, first.
  void start(ws_channel::executor run);
  /// The same, for a session whose owner also takes batches (send_all):
  /// `owner->visit(key, ...)` reaches this session.
  void start(ws_channel::executor run, ws_owner* owner, uint64_t key);

  /// Feeds bytes the client sent (any split). Calls on_text for each whole
  /// message; ignored once the session stopped reading.
  void receive(std::string_view bytes);
  /// Frames for the client, at most `max` bytes (may be empty). Also after
  /// done(): what is left of a close frame.
  std::string take_output(size_t max);
  /// True when take_output() would return something.
  bool wants_output() const;
  /// The owner's bytes handed to the socket and not yet taken by it: they
  /// count in buffered().
  void set_socket_backlog(size_t bytes);

  /// The loop side of ws_channel::send_text and close; also for the owner
  /// (close(1001, "server stopping")).
  void queue_text(std::string message);
  void close(uint16_t code, std::string_view reason);
  /// The loop side of ws_channel::send_all: queues a frame made by
  /// make_text_frame, after whatever was queued before it.
  void queue_frame(const ws_frame& frame);
  /// Whether the owner may write `frame` to the socket itself, right now,
  /// instead of queue_frame: nothing is queued before it, the session is
  /// open, and the frame fits max_buffered. Then the owner writes what it
  /// can and calls sent_direct with how much went.
  bool takes_direct(const ws_frame& frame) const;
  /// After takes_direct: `written` bytes of `frame` reached the socket; the
  /// rest is queued like queue_frame's.
  void sent_direct(const ws_frame& frame, size_t written);

  /// Runs the timers: a ping, or the end of a connection that did not answer.
  void tick();
  /// When tick() has something to do next (clock milliseconds);
  /// UINT64_MAX once done().
  uint64_t deadline() const;

  /// The connection is over and on_close has run: the owner writes what
  /// take_output() still gives and closes the socket.
  bool done() const { return ended_; }
  /// The socket is gone: ends the session (on_close) unless it ended already.
  void lost();

  /// Bytes queued for the client: messages and frames not yet written, plus
  /// the socket backlog. Never above max_buffered by more than one message.
  size_t buffered() const;

 private:
  struct callbacks;  // wslay's C callbacks
  void start_close(uint16_t code, std::string_view reason, bool flush_first = true);
  // After every operation: notices the end of the close handshake, and
  // output piling up; tells the channel how much is buffered.
  void after_io();
  // The code and reason on_close gets.
  std::pair<uint16_t, std::string> outcome() const;
  void end(uint16_t code, std::string reason);

  wslay_event_context* ctx_ = nullptr;
  std::shared_ptr<ws_handler> handler_;
  std::shared_ptr<ws_channel> channel_;
  ws_limits limits_;
  clock now_;
  std::string_view in_;  // what receive() is feeding wslay
  std::string out_;      // frames wslay wrote, for take_output() from out_off_
  size_t out_off_ = 0;
  size_t backlog_ = 0;
  uint64_t heard_at_ = 0;               // the client's last bytes
  std::optional<uint64_t> ping_at_;     // a ping is out since then
  std::optional<uint64_t> closing_at_;  // a close handshake started then
  uint16_t close_code_ = 0;             // the close the server started (0: none)
  std::string close_reason_;
  bool peer_closed_ = false;  // the client's close frame arrived
  uint16_t peer_code_ = 0;
  std::string peer_reason_;
  bool refused_binary_ = false;
  bool malformed_ = false;  // wslay failed a frame it could not parse
  bool started_ = false;
  bool ended_ = false;
};

}  // namespace quire::io
