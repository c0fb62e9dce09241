#include "actors/io/websocket.hpp"

#include <openssl/sha.h>
#include <strings.h>
#include <wslay/wslay.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

#include "protocols/base64.hpp"

namespace quire::io {

namespace {

// RFC 6455 §1.3: the GUID a server appends to the client's key.
constexpr std::string_view websocket_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// What a queued message costs beyond its payload (frame header, wslay's
// record): counted so that a flood of empty pongs also fills the buffer.
constexpr size_t per_message_overhead = 16;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// True when the comma-separated list `value` holds `token` (case-insensitive).
bool has_token(std::string_view value, std::string_view token) {
  while (true) {
    size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) return false;
    value.remove_prefix(comma + 1);
  }
}

// RFC 6455 §7.4: the codes an endpoint may put in a close frame.
bool sendable_code(uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
}

// A close frame's payload is at most 125 bytes: the code and 123 bytes of
// reason, cut where a UTF-8 character starts (the client checks it).
std::string_view fit_reason(std::string_view reason) {
  if (reason.size() <= 123) return reason;
  size_t cut = 123;
  while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
  return reason.substr(0, cut);
}

// The reason of a close wslay sent on its own (it sends none on the wire).
const char* describe(uint16_t code) {
  switch (code) {
    case 1002: return "protocol error";
    case 1007: return "invalid UTF-8 in a text message";
    case 1009: return "message too big";
    default: return "";
  }
}

}  // namespace

// ---------------------------------------------------------------- handshake

bool wants_websocket(const http::request_head& head) {
  const std::string* upgrade = head.find("Upgrade");
  return upgrade && has_token(*upgrade, "websocket");
}

status check_websocket_request(const http::request_head& head) {
  auto refuse = [](std::string why) { return status{errc::invalid_argument, std::move(why)}; };
  if (head.method != "GET") return refuse("a WebSocket handshake must be a GET, not " + head.method);
  if (head.version_major != 1 || head.version_minor < 1) return refuse("a WebSocket handshake needs HTTP/1.1");
  if (!head.find("Host")) return refuse("no Host header");
  if (head.chunked || head.content_length > 0) return refuse("a WebSocket handshake has no body");
  if (!wants_websocket(head)) return refuse("no 'Upgrade: websocket' header");
  const std::string* connection = head.find("Connection");
  if (!connection || !has_token(*connection, "upgrade")) return refuse("no 'Connection: upgrade' header");
  const std::string* version = head.find("Sec-WebSocket-Version");
  if (!version || *version != "13") return refuse("Sec-WebSocket-Version must be 13");
  const std::string* key = head.find("Sec-WebSocket-Key");
  if (!key) return refuse("no Sec-WebSocket-Key header");
  std::string nonce;
  if (!base64_decode(*key, nonce, base64_padding::required) || nonce.size() != 16)
    return refuse("Sec-WebSocket-Key is not 16 bytes in base64");
  return {};
}

std::string websocket_accept_key(std::string_view key) {
  std::string input(key);
  input += websocket_guid;
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest),
                       base64_padding::required);
}

http_response websocket_accept(const http::request_head& head, std::shared_ptr<ws_handler> handler,
                               ws_limits limits) {
  http_response r;
  if (status s = check_websocket_request(head)) {
    const std::string* version = head.find("Sec-WebSocket-Version");
    // RFC 6455 §4.4: a version we do not speak gets 426 and the one we do.
    bool wrong_version = version && *version != "13" && head.method == "GET";
    r.status = wrong_version ? 426 : 400;
    r.content_type = "text/plain; charset=utf-8";
    r.body = s.message + "\n";
    r.close = true;
    if (wrong_version) r.headers.push_back({"Sec-WebSocket-Version", "13"});
    return r;
  }
  r.status = 101;
  r.headers = {{"Upgrade", "websocket"},
               {"Connection", "Upgrade"},
               {"Sec-WebSocket-Accept", websocket_accept_key(*head.find("Sec-WebSocket-Key"))}};
  r.upgrade = std::make_shared<ws_upgrade>(ws_upgrade{std::move(handler), limits});
  return r;
}

std::string switching_protocols_head(const http_response& r) {
  std::string out = "HTTP/1.1 101 Switching Protocols\r\n";
  for (const auto& h : r.headers) out += h.name + ": " + h.value + "\r\n";
  out += "\r\n";
  return out;
}

std::shared_ptr<const ws_frame> make_text_frame(std::string_view text) {
  auto f = std::make_shared<ws_frame>();
  f->payload = text.size();
  f->bytes.reserve(text.size() + 10);
  f->bytes.push_back(static_cast<char>(0x81));  // FIN, text
  uint64_t n = text.size();
  if (n < 126) {
    f->bytes.push_back(static_cast<char>(n));
  } else if (n <= 0xffff) {
    f->bytes.push_back(static_cast<char>(126));
    for (int shift = 8; shift >= 0; shift -= 8) f->bytes.push_back(static_cast<char>((n >> shift) & 0xff));
  } else {
    f->bytes.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8) f->bytes.push_back(static_cast<char>((n >> shift) & 0xff));
  }
  f->bytes.append(text);
  return f;
}

// ---------------------------------------------------------------- channel

ws_channel::ws_channel(executor run, size_t max_buffered) : run_(std::move(run)), max_buffered_(max_buffered) {}

bool ws_channel::admit(size_t n) {
  // Messages on their way to the loop count too: a sender faster than the
  // loop cannot pile them up in its queue either.
  if (posted_ + buffered_ + n + per_message_overhead > max_buffered_) {
    open_ = false;
    run_([](ws_session& s) { s.close(1008, "too slow"); });
    return false;
  }
  posted_ += n;
  note_peak();
  return true;
}

bool ws_channel::send_text(std::string message) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!open_ || !admit(message.size())) return false;
  run_([m = std::move(message)](ws_session& s) mutable { s.queue_text(std::move(m)); });
  return true;
}

void ws_channel::send_all(std::vector<ws_delivery> batch) {
  std::vector<ws_keyed_frame> items;
  items.reserve(batch.size());
  ws_owner* owner = nullptr;
  auto flush = [&] {
    if (items.empty()) return;
    owner->post([owner, items = std::move(items)] { owner->deliver(items); });
    items = {};
  };
  for (auto& d : batch) {
    if (!d.channel || !d.frame) continue;
    ws_channel& ch = *d.channel;
    std::lock_guard<std::mutex> lock(ch.mutex_);
    if (!ch.open_ || !ch.admit(d.frame->payload)) continue;
    if (!ch.owner_) {
      ch.run_([f = d.frame](ws_session& s) { s.queue_frame(*f); });
      continue;
    }
    if (ch.owner_ != owner) {  // one server per site: this happens once
      flush();
      owner = ch.owner_;
    }
    items.push_back({ch.key_, std::move(d.frame)});
  }
  flush();
}

void ws_channel::close(uint16_t code, std::string reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!open_) return;
  open_ = false;
  run_([code, r = std::move(reason)](ws_session& s) { s.close(code, r); });
}

bool ws_channel::open() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return open_;
}

size_t ws_channel::peak_buffered() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peak_;
}

void ws_channel::detach() {
  std::lock_guard<std::mutex> lock(mutex_);
  open_ = false;
  run_ = nullptr;  // nothing is posted for a session that is gone
  owner_ = nullptr;
}

void ws_channel::delivered(size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  posted_ -= std::min(posted_, bytes);
}

void ws_channel::set_buffered(size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  buffered_ = bytes;
  note_peak();
}

void ws_channel::note_peak() { peak_ = std::max(peak_, posted_ + buffered_); }

// ---------------------------------------------------------------- session

struct ws_session::callbacks {
  static ws_session& self(void* user) { return *static_cast<ws_session*>(user); }

  // wslay pulls the client's bytes from what receive() was given.
  static ssize_t recv(wslay_event_context_ptr ctx, uint8_t* buf, size_t len, int, void* user) {
    auto& s = self(user);
    if (s.in_.empty()) {
      wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
      return -1;
    }
    size_t n = std::min(len, s.in_.size());
    std::memcpy(buf, s.in_.data(), n);
    s.in_.remove_prefix(n);
    return static_cast<ssize_t>(n);
  }

  // Every frame goes to out_ whole: wslay never holds a half-sent message, so
  // buffered() is its queue plus out_, with nothing counted twice.
  static ssize_t send(wslay_event_context_ptr, const uint8_t* data, size_t len, int, void* user) {
    self(user).out_.append(reinterpret_cast<const char*>(data), len);
    return static_cast<ssize_t>(len);
  }

  // A binary message is refused at its first frame, before it is buffered.
  static void frame_start(wslay_event_context_ptr ctx, const wslay_event_on_frame_recv_start_arg* arg, void* user) {
    auto& s = self(user);
    if (arg->opcode != WSLAY_BINARY_FRAME || s.refused_binary_) return;
    s.refused_binary_ = true;
    s.start_close(1003, "binary messages are not accepted", false);  // inside wslay_event_recv
    wslay_event_shutdown_read(ctx);
  }

  // Pings are answered by wslay itself; a pong is a sign of life like any
  // byte (receive() noted it).
  static void message(wslay_event_context_ptr, const wslay_event_on_msg_recv_arg* arg, void* user) {
    auto& s = self(user);
    const char* bytes = reinterpret_cast<const char*>(arg->msg);
    if (arg->opcode == WSLAY_TEXT_FRAME && !s.ended_ && !s.refused_binary_) {
      s.handler_->on_text(std::string(bytes, arg->msg_length));
    } else if (arg->opcode == WSLAY_CONNECTION_CLOSE) {
      s.peer_closed_ = true;
      s.peer_code_ = arg->status_code != 0 ? arg->status_code : 1005;
      if (arg->msg_length > 2) s.peer_reason_.assign(bytes + 2, arg->msg_length - 2);
    }
  }
};

ws_session::ws_session(std::shared_ptr<ws_handler> handler, ws_limits limits, clock now)
    : handler_(std::move(handler)), limits_(limits), now_(std::move(now)) {
  QUIRE_ASSERT(handler_ != nullptr, "a WebSocket needs a handler");
  limits_.ping_interval_ms = std::max<uint32_t>(limits_.ping_interval_ms, 1);
  limits_.pong_timeout_ms = std::max<uint32_t>(limits_.pong_timeout_ms, 1);
  wslay_event_callbacks cb{};
  cb.recv_callback = &callbacks::recv;
  cb.send_callback = &callbacks::send;
  cb.on_frame_recv_start_callback = &callbacks::frame_start;
  cb.on_msg_recv_callback = &callbacks::message;
  QUIRE_ASSERT(wslay_event_context_server_init(&ctx_, &cb, this) == 0, "wslay_event_context_server_init");
  // Checked on each frame's header: a bigger message is refused (1009)
  // before any of it is buffered.
  wslay_event_config_set_max_recv_msg_length(ctx_, limits_.max_message);
  heard_at_ = now_();
}

ws_session::~ws_session() {
  if (started_) lost();
  wslay_event_context_free(ctx_);
}

void ws_session::start(ws_channel::executor run) { start(std::move(run), nullptr, 0); }

void ws_session::start(ws_channel::executor run, ws_owner* owner, uint64_t key) {
  QUIRE_ASSERT(!started_, "ws_session started twice");
  started_ = true;
  channel_ = std::make_shared<ws_channel>(std::move(run), limits_.max_buffered);
  channel_->owner_ = owner;
  channel_->key_ = key;
  handler_->on_open(channel_);
  after_io();
}

void ws_session::receive(std::string_view bytes) {
  if (ended_ || bytes.empty()) return;
  heard_at_ = now_();
  ping_at_.reset();
  if (!wslay_event_get_read_enabled(ctx_)) return;
  in_ = bytes;
  // On an error wslay queues a close and stops reading; after_io() sees it.
  if (wslay_event_recv(ctx_) != 0) malformed_ = true;
  in_ = {};
  after_io();
}

std::string ws_session::take_output(size_t max) {
  if (wslay_event_want_write(ctx_)) wslay_event_send(ctx_);
  size_t n = std::min(max, out_.size() - out_off_);
  std::string chunk = out_.substr(out_off_, n);
  out_off_ += n;
  if (out_off_ == out_.size()) {
    out_.clear();
    out_off_ = 0;
  } else if (out_off_ > 64 * 1024 && out_off_ * 2 > out_.size()) {
    out_.erase(0, out_off_);
    out_off_ = 0;
  }
  after_io();
  return chunk;
}

bool ws_session::wants_output() const { return wslay_event_want_write(ctx_) || out_off_ < out_.size(); }

void ws_session::set_socket_backlog(size_t bytes) {
  backlog_ = bytes;
  if (channel_) channel_->set_buffered(buffered());
}

void ws_session::queue_text(std::string message) {
  if (channel_) channel_->delivered(message.size());
  if (ended_ || closing_at_) return;
  if (buffered() + message.size() + per_message_overhead > limits_.max_buffered) {
    // RFC 6455 §7.4.1: 1008, a message that violates the server's policy.
    close(1008, "too slow");
    return;
  }
  wslay_event_msg msg{WSLAY_TEXT_FRAME, reinterpret_cast<const uint8_t*>(message.data()), message.size()};
  wslay_event_queue_msg(ctx_, &msg);  // copies
  after_io();
}

void ws_session::queue_frame(const ws_frame& frame) {
  if (channel_) channel_->delivered(frame.payload);
  if (ended_ || closing_at_) return;
  if (buffered() + frame.bytes.size() > limits_.max_buffered) {
    close(1008, "too slow");
    return;
  }
  // wslay's queue first, so that messages leave in the order they came: its
  // send callback takes every byte, which leaves the queue empty.
  if (wslay_event_want_write(ctx_)) wslay_event_send(ctx_);
  out_.append(frame.bytes);
  after_io();
}

bool ws_session::takes_direct(const ws_frame& frame) const {
  return !ended_ && !closing_at_ && !wants_output() && buffered() + frame.bytes.size() <= limits_.max_buffered;
}

void ws_session::sent_direct(const ws_frame& frame, size_t written) {
  if (channel_) channel_->delivered(frame.payload);
  if (written >= frame.bytes.size()) return;  // nothing queued, nothing changed
  out_.append(frame.bytes, written);
  after_io();
}

void ws_session::close(uint16_t code, std::string_view reason) {
  start_close(code, reason);
  after_io();
}

void ws_session::start_close(uint16_t code, std::string_view reason, bool flush_first) {
  if (ended_ || closing_at_) return;  // a close handshake is under way already
  if (!sendable_code(code)) code = 1000;
  reason = fit_reason(reason);
  // wslay sends control frames ahead of queued messages, and none after a
  // close: what the application queued before closing goes out first.
  if (flush_first && wslay_event_want_write(ctx_)) wslay_event_send(ctx_);
  if (wslay_event_queue_close(ctx_, code, reinterpret_cast<const uint8_t*>(reason.data()), reason.size()) != 0)
    return;
  close_code_ = code;
  close_reason_ = std::string(reason);
  closing_at_ = now_();
}

void ws_session::tick() {
  if (ended_ || now_() < deadline()) return;
  if (closing_at_) {
    // The client did not finish the close handshake, or did not even read
    // the close frame.
    auto [code, reason] = outcome();
    end(code, std::move(reason));
  } else if (ping_at_) {
    start_close(1001, "ping timeout");
    end(1001, "ping timeout");
  } else {
    wslay_event_msg ping{WSLAY_PING, nullptr, 0};
    wslay_event_queue_msg(ctx_, &ping);
    ping_at_ = now_();
  }
  after_io();
}

uint64_t ws_session::deadline() const {
  if (ended_) return std::numeric_limits<uint64_t>::max();
  if (closing_at_) return *closing_at_ + limits_.pong_timeout_ms;
  if (ping_at_) return *ping_at_ + limits_.pong_timeout_ms;
  return heard_at_ + limits_.ping_interval_ms;
}

void ws_session::lost() {
  if (ended_) return;
  auto [code, reason] = outcome();
  end(code, std::move(reason));
}

size_t ws_session::buffered() const {
  return wslay_event_get_queued_msg_length(ctx_) + per_message_overhead * wslay_event_get_queued_msg_count(ctx_) +
         (out_.size() - out_off_) + backlog_;
}

std::pair<uint16_t, std::string> ws_session::outcome() const {
  if (peer_closed_) return {peer_code_, peer_reason_};
  if (close_code_ != 0) return {close_code_, close_reason_};
  if (wslay_event_get_close_sent(ctx_)) {
    uint16_t code = wslay_event_get_status_code_sent(ctx_);
    // wslay answers a frame it cannot parse with a close without a code.
    if (malformed_ && !sendable_code(code)) code = 1002;
    return {code, describe(code)};
  }
  return {1006, malformed_ ? "protocol error" : "connection lost"};
}

void ws_session::after_io() {
  if (!ended_) {
    bool reading = wslay_event_get_read_enabled(ctx_);
    bool writing = wslay_event_get_write_enabled(ctx_);
    // wslay stops reading when it answered the client's close or failed the
    // connection (1002, 1007, 1009), having queued a close frame.
    if (!reading && !closing_at_) closing_at_ = now_();
    if (!reading && !writing) {
      // Both closes went (or wslay failed): the close handshake is over.
      auto [code, reason] = outcome();
      end(code, std::move(reason));
    } else if (!closing_at_ && buffered() > limits_.max_buffered) {
      // Only wslay's own frames get here (pongs to a flood of pings); text
      // messages are checked before they are queued.
      start_close(1008, "too slow");
    }
  }
  if (channel_) channel_->set_buffered(buffered());
}

void ws_session::end(uint16_t code, std::string reason) {
  if (ended_) return;
  ended_ = true;
  wslay_event_shutdown_read(ctx_);
  if (channel_) channel_->detach();
  handler_->on_close(code, std::move(reason));
}

}  // namespace quire::io
