#include "actors/io/http_server.hpp"

#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>

#include "actors/io/parallel_runner.hpp"
#include "actors/io/tcp.hpp"
#include "actors/io/websocket.hpp"
#include "protocols/http/response.hpp"

namespace quire::io {

namespace {

// One read buffer for the whole loop: a read callback consumes its bytes
// before the next read can happen.
char read_buffer[64 * 1024];

// Responses queued for a client that does not read them: past this, the
// connection stops reading its requests until the queue drains.
constexpr size_t max_queued_write_bytes = 1 << 20;

// A WebSocket's frames go to the socket while its backlog is below this;
// the rest waits in the session, where it counts against max_buffered.
constexpr size_t ws_socket_backlog = 256 * 1024;
constexpr size_t ws_write_chunk = 64 * 1024;

}  // namespace

// The server as the owner of its WebSockets: a batch of messages for many
// of them (an event for every client of the event stream) travels to the
// loop in one post.
// Frames for sessions with nothing queued are written straight to their
// sockets, the send() calls shared between the loop thread and the
// writers' threads (parallel_runner.hpp); the rest queue in their session.
class http_server::ws_batches final : public ws_owner {
 public:
  ws_batches(http_server& srv, unsigned writers) : srv_(srv), writers_(writers) {}
  void post(std::function<void()> fn) override { srv_.loop_.post(std::move(fn)); }
  void deliver(const std::vector<ws_keyed_frame>& batch) override;
  fanout_stats stats;  // loop thread

 private:
  http_server& srv_;
  parallel_runner writers_;
};

class http_server::connection {
 public:
  connection(http_server& srv, uint64_t id) : srv_(srv), id_(id), parser_(parser_limits(srv)) {
    tcp_.data = this;
    timer_.data = this;
  }

  static http::request_parser::limits parser_limits(const http_server& srv) {
    http::request_parser::limits lim;
    lim.max_head_bytes = srv.limits_.max_head_bytes;
    return lim;
  }

  uv_tcp_t* tcp() { return &tcp_; }
  uv_timer_t* timer() { return &timer_; }

  void start() {
    sockaddr_storage ss{};
    int len = sizeof ss;
    if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
      peer_host_ = address_of(ss, false);
    len = sizeof ss;
    if (uv_tcp_getsockname(&tcp_, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
      local_ = address_of(ss, true);
    uv_tcp_nodelay(&tcp_, 1);
    resume_reading();
    arm_timer(srv_.limits_.idle_timeout_ms);
  }

  bool awaiting_response() const { return phase_ == phase::awaiting_response; }
  bool is_websocket() const { return phase_ == phase::websocket; }

  // Answers request `seq` unless it was answered already (loop thread).
  void respond(uint64_t seq, http_response r) {
    if (closing_ || seq != request_seq_ || responded_) return;
    responded_ = true;
    if (r.upgrade) {
      switch_to_websocket(std::move(r));
      return;
    }
    bool early = phase_ == phase::reading_request;
    // A TLS client that sent close_notify gets this answer, and those to the
    // requests it pipelined before; then the connection ends.
    bool peer_done = tls_ && tls_->peer_closed() && pending_.empty();
    // An upgrade request answered in HTTP: what the client sends next may be
    // another protocol already.
    bool close = r.close || !keep_alive_ || early || peer_done || upgrade_request_;
    std::string out = http::response_head(r.status, r.content_type, r.body.size(), !close, r.headers);
    if (!r.head_only) out += r.body;
    write(std::move(out), close);
    retire_handler();  // an early answer aborts the upload behind it
    if (close) {
      phase_ = phase::closing;  // what the client still sends is discarded
      return;
    }
    phase_ = phase::idle;
    // Requests that arrived pipelined behind this one are waiting in pending_.
    if (!pending_.empty()) {
      size_t used = parse(pending_);
      pending_.erase(0, used);
    }
    after_parse();
  }

  void close() {
    if (closing_handles_) return;
    closing_handles_ = closing_ = true;
    retire_handler();
    if (ws_) ws_->lost();  // on_close, unless the session ended already
    srv_.table_.open.erase(id_);
    uv_timer_stop(&timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &on_closed);
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &on_closed);
  }

  /// close_all(): a WebSocket gets a close frame 1001 if its socket takes
  /// it at once, then every connection closes.
  void stop() {
    if (phase_ == phase::websocket && ws_ && !closing_handles_) {
      ws_->close(1001, "server stopping");
      std::string out = ws_->take_output(SIZE_MAX);
      if (tls_) {
        bool sent = !tls_->send(out);
        tls_->close();
        out = sent ? tls_->take_output() : std::string();
      }
      // Fails (EAGAIN) while earlier writes are queued: the frame would
      // land in their middle.
      uv_buf_t buf = uv_buf_init(out.data(), static_cast<unsigned>(out.size()));
      if (!out.empty()) uv_try_write(reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1);
    }
    close();
  }

 private:
  enum class phase : uint8_t { idle, reading_request, awaiting_response, closing, websocket };

  struct write_req {
    uv_write_t req;
    std::string data;
  };

  static void on_alloc(uv_handle_t*, size_t, uv_buf_t* buf) {
    buf->base = read_buffer;
    buf->len = sizeof read_buffer;
  }

  static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
    auto* c = static_cast<connection*>(s->data);
    if (n < 0) {
      c->close();  // EOF or error: a half-received request is abandoned
      return;
    }
    if (n == 0 || c->closing_ || c->phase_ == phase::closing) return;  // closing: discard
    std::string_view data(buf->base, static_cast<size_t>(n));
    if (!c->sniffed_) c->sniff(data);
    if (c->tls_) {
      if (!c->decrypt(data)) return;
      data = c->plain_;
    }
    if (c->phase_ == phase::websocket) {
      c->ws_receive(data);
      return;
    }
    if (c->pending_.empty()) {
      size_t used = c->parse(data);
      if (used < data.size() && !c->closing_) c->pending_.assign(data.substr(used));
    } else {
      c->pending_.append(data);
      size_t used = c->parse(c->pending_);
      c->pending_.erase(0, used);
    }
    c->after_parse();
  }

  static void on_timeout(uv_timer_t* t) {
    auto* c = static_cast<connection*>(t->data);
    if (c->phase_ == phase::websocket) {
      c->ws_->tick();  // a ping, or the end of a client that stopped answering
      c->ws_pump();
      return;
    }
    if (c->tls_ && !c->tls_->handshake_done()) spdlog::debug("tls: {}: handshake timed out", c->peer_host_);
    c->close();
  }

  static void on_written(uv_write_t* req, int status) {
    auto* w = reinterpret_cast<write_req*>(req);
    auto* c = static_cast<connection*>(req->handle->data);
    delete w;
    c->writes_in_flight_ -= 1;
    if (status < 0)
      c->close();
    else if (c->close_after_write_ && c->writes_in_flight_ == 0)
      c->linger();
    else if (c->phase_ == phase::websocket)
      c->ws_pump();  // the client took some: more frames
    else if (c->write_blocked_)
      c->after_parse();  // the client reads again: resume, or wait on with a fresh timer
  }

  // A lingering close: send FIN after the last response, then keep reading
  // (and discarding) until the client closes or linger_ms pass. Closing at
  // once would reset a client still sending the body of a request we
  // refused early, and the reset would destroy our answer in its buffers.
  static constexpr uint64_t linger_ms = 2000;

  void linger() {
    if (closing_handles_) return;
    if (uv_shutdown(&shutdown_, reinterpret_cast<uv_stream_t*>(&tcp_), &on_shutdown) != 0) {
      close();
      return;
    }
    shutdown_.data = this;
    resume_reading();
    arm_timer(linger_ms);
  }

  static void on_shutdown(uv_shutdown_t* req, int status) {
    if (status < 0 && status != UV_ECANCELED) static_cast<connection*>(req->data)->close();
  }

  static void on_closed(uv_handle_t* h) {
    auto* c = static_cast<connection*>(h->data);
    if (++c->handles_closed_ == 2) delete c;
  }

  // A TLS handshake record as the first byte makes a TLS connection (when
  // the server has TLS); anything else is plain HTTP.
  void sniff(std::string_view first) {
    sniffed_ = true;
    tls_ = sniff_tls(srv_.tls_, first);
  }

  // Decrypts `ciphertext` into plain_ and sends what the session has to say
  // (handshake, alerts). False when the connection failed and is closing.
  bool decrypt(std::string_view ciphertext) {
    plain_.clear();
    bool was_done = tls_->handshake_done();
    status s = tls_->receive(ciphertext, plain_);
    flush_tls();
    if (s) {
      // A refused handshake is worth an admin's eye (an old client, a port
      // scanner); a broken session after it is the client's business.
      if (was_done)
        spdlog::debug("tls: {}: {}", peer_host_, s.message);
      else
        spdlog::info("tls: {}: {}", peer_host_, s.message);
      abandon();
      return false;
    }
    if (!was_done && tls_->handshake_done())
      spdlog::debug("tls: {}: {}{}", peer_host_, tls_->protocol(), tls_->resumed() ? ", resumed" : "");
    return !closing_handles_;
  }

  // Writes what the TLS session has queued for the peer.
  void flush_tls() {
    if (tls_->has_output()) write_raw(tls_->take_output(), false);
  }

  // Ends a connection that can serve no more requests once its last bytes
  // (a TLS alert, close_notify) are out.
  void abandon() {
    retire_handler();
    phase_ = phase::closing;
    closing_ = true;
    if (writes_in_flight_ == 0)
      close();
    else
      close_after_write_ = true;
  }

  // Feeds `in` to the parser while requests can proceed; returns bytes used.
  size_t parse(std::string_view in) {
    size_t used = 0;
    std::vector<http::request_parser::event> events;
    while (used < in.size() && !closing_ && phase_ != phase::awaiting_response &&
           phase_ != phase::closing) {
      events.clear();
      size_t n = parser_.feed(in.substr(used), events);
      used += n;
      for (auto& e : events) handle(e);
      if (parser_.failed()) {
        if (!closing_) fail(parser_.error_status(), parser_.error_message());
        break;
      }
      if (n == 0) break;
    }
    return used;
  }

  void handle(const http::request_parser::event& e) {
    using kind = http::request_parser::event_kind;
    switch (e.kind) {
      case kind::head: begin_request(); break;
      case kind::body:
        if (handler_ && !responded_) handler_->on_body(e.data);
        break;
      case kind::end:
        if (responded_) break;  // answered early; the connection closes
        phase_ = phase::awaiting_response;
        if (handler_) handler_->on_end();
        break;
    }
  }

  void begin_request() {
    const auto& head = parser_.head();
    request_seq_ += 1;
    responded_ = false;
    keep_alive_ = head.keep_alive;
    phase_ = phase::reading_request;
    upgrade_request_ = false;
    if (head.upgrade) {
      if (!wants_websocket(head)) {
        fail(501, "protocol upgrades are not supported here");
        return;
      }
      // The router decides; websocket_accept() answers it with a 101.
      upgrade_request_ = true;
      upgrade_bodyless_ = !head.chunked && head.content_length == 0;
    }
    retired_.reset();
    request_info info{head, peer_host_, local_, tls_ != nullptr};
    handler_ = srv_.route_(info, make_responder());
    if (handler_ && !responded_ && head.expect_continue) write(std::string(http::continue_response), false);
  }

  // Responses always arrive through the loop's queue, even from the loop
  // thread itself: a handler may answer from inside on_body() and the
  // connection must not re-enter its parser.
  responder make_responder() {
    http_server* srv = &srv_;
    uint64_t id = id_;
    uint64_t seq = request_seq_;
    return [srv, id, seq](http_response r) {
      srv->loop_.post([srv, id, seq, r = std::move(r)]() mutable {
        auto it = srv->table_.open.find(id);
        if (it != srv->table_.open.end()) it->second->respond(seq, std::move(r));
      });
    };
  }

  // A handler may be the caller further up the stack: keep it alive until
  // the connection goes or the next request starts.
  void retire_handler() {
    if (handler_) retired_ = std::move(handler_);
  }

  void fail(int status, const std::string& message) {
    responded_ = true;
    retire_handler();
    write(http::text_response(status, message + "\n", false), true);
    phase_ = phase::closing;
    closing_ = true;
  }

  // Writes plaintext, through the TLS session if there is one; `close_after`
  // also ends the TLS session with close_notify.
  void write(std::string data, bool close_after) {
    if (tls_) {
      status s = tls_->send(data);
      if (close_after) tls_->close();
      if (s) {
        spdlog::debug("tls: {}: {}", peer_host_, s.message);
        close();
        return;
      }
      data = tls_->take_output();
    }
    write_raw(std::move(data), close_after);
  }

  void write_raw(std::string data, bool close_after) {
    auto* w = new write_req{};
    w->data = std::move(data);
    uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
    close_after_write_ = close_after_write_ || close_after;
    writes_in_flight_ += 1;
    if (uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1, &on_written) != 0) {
      delete w;
      writes_in_flight_ -= 1;
      close();
    }
  }

  // Reading and timers follow the phase: no reading and no timer while the
  // server works on a response.
  void after_parse() {
    if (closing_handles_) return;
    if (tls_ && tls_->peer_closed() && (phase_ == phase::idle || phase_ == phase::reading_request)) {
      // close_notify, and no request left to answer: answer it in kind.
      retire_handler();
      phase_ = phase::closing;
      closing_ = true;
      write(std::string(), true);
    }
    write_blocked_ = (phase_ == phase::idle || phase_ == phase::reading_request) &&
                     uv_stream_get_write_queue_size(reinterpret_cast<uv_stream_t*>(&tcp_)) > max_queued_write_bytes;
    if (write_blocked_) {
      // Back-pressure: read no more requests until the client reads its
      // answers; one that stops reading is closed when the phase's timer ends.
      uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
      arm_timer(phase_ == phase::idle ? srv_.limits_.idle_timeout_ms : srv_.limits_.request_timeout_ms);
      return;
    }
    switch (phase_) {
      case phase::awaiting_response:
        uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
        uv_timer_stop(&timer_);
        break;
      case phase::reading_request:
        resume_reading();
        arm_timer(srv_.limits_.request_timeout_ms);
        break;
      case phase::idle:
        resume_reading();
        // A TLS handshake is part of the first request: it gets that timeout.
        arm_timer(tls_ && !tls_->handshake_done() ? srv_.limits_.request_timeout_ms
                                                  : srv_.limits_.idle_timeout_ms);
        break;
      case phase::closing:
        arm_timer(srv_.limits_.request_timeout_ms);  // bounds a client that never reads
        break;
      case phase::websocket:
        break;  // the session's timers (ws_pump)
    }
  }

  // ---- WebSocket: after the 101, a ws_session speaks on the connection.

  // Writes the 101 and hands the connection to a ws_session. RFC 6455 §4.1:
  // the handshake is a GET; one with a body (or a 101 to anything but a
  // whole upgrade request) cannot switch, and gets a 500 instead.
  void switch_to_websocket(http_response r) {
    retire_handler();
    if (!upgrade_request_ || !upgrade_bodyless_ || phase_ != phase::awaiting_response || r.status != 101 ||
        !r.upgrade->handler) {
      spdlog::warn("http: {}: a WebSocket accepted for a request that cannot switch to it", peer_host_);
      write(http::text_response(500, "this request cannot switch to WebSocket\n", false), true);
      phase_ = phase::closing;
      closing_ = true;
      after_parse();
      return;
    }
    write(switching_protocols_head(r), false);
    if (closing_handles_) return;
    phase_ = phase::websocket;
    uv_loop_t* uv = srv_.loop_.uv();
    ws_ = std::make_unique<ws_session>(std::move(r.upgrade->handler), r.upgrade->limits,
                                       [uv] { return static_cast<uint64_t>(uv_now(uv)); });
    ws_->start(ws_executor(), srv_.ws_batches_.get(), id_);
    resume_reading();
    // What the client sent behind its request is its first WebSocket bytes.
    std::string early = std::move(pending_);
    pending_.clear();
    ws_receive(early);
  }

  // The channel's operations reach the session through the loop's queue,
  // by connection id: a connection gone by then drops them.
  ws_channel::executor ws_executor() {
    http_server* srv = &srv_;
    uint64_t id = id_;
    return [srv, id](std::function<void(ws_session&)> op) {
      srv->loop_.post([srv, id, op = std::move(op)] {
        auto it = srv->table_.open.find(id);
        if (it == srv->table_.open.end()) return;
        connection* c = it->second;
        if (c->phase_ != phase::websocket || !c->ws_) return;
        op(*c->ws_);
        c->ws_pump();
      });
    };
  }

  friend class http_server::ws_batches;
  // For ws_batches::deliver: the socket to write `frame` to at once (plain
  // TCP, nothing queued before it anywhere), or -1.
  int ws_direct_fd(const ws_frame& frame) const {
    if (phase_ != phase::websocket || !ws_ || tls_ || closing_handles_ || writes_in_flight_ != 0) return -1;
    if (uv_stream_get_write_queue_size(reinterpret_cast<const uv_stream_t*>(&tcp_)) != 0) return -1;
    if (!ws_->takes_direct(frame)) return -1;
    uv_os_fd_t fd = -1;
    if (uv_fileno(reinterpret_cast<const uv_handle_t*>(&tcp_), &fd) != 0) return -1;
    return fd;
  }
  void ws_queue(const ws_frame& frame) {
    if (phase_ != phase::websocket || !ws_) return;
    ws_->queue_frame(frame);
    ws_pump();
  }
  // After ws_direct_fd: `written` bytes went; the rest waits in the session.
  void ws_sent(const ws_frame& frame, size_t written) {
    ws_->sent_direct(frame, written);
    if (written < frame.bytes.size()) ws_pump();
  }

  void ws_receive(std::string_view data) {
    ws_->receive(data);
    // A TLS close_notify: the client will send nothing more, not even the
    // end of a close handshake.
    if (tls_ && tls_->peer_closed()) ws_->lost();
    ws_pump();
  }

  // Moves the session's frames to the socket while its backlog is small (the
  // rest waits in the session, counted against max_buffered), closes the
  // connection once the session is done, and arms the session's timer.
  void ws_pump() {
    if (closing_handles_ || phase_ != phase::websocket) return;
    auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
    while (!ws_->done() && !closing_handles_ && uv_stream_get_write_queue_size(stream) < ws_socket_backlog &&
           ws_->wants_output()) {
      std::string chunk = ws_->take_output(ws_write_chunk);
      if (chunk.empty()) break;
      write(std::move(chunk), false);
    }
    if (closing_handles_) return;
    if (ws_->done()) {
      // RFC 6455 §7.1.1: after the close handshake the server closes the TCP
      // connection first; its last frames go before.
      phase_ = phase::closing;
      closing_ = true;
      std::string last = ws_->take_output(SIZE_MAX);
      if (tls_ || !last.empty())
        write(std::move(last), true);
      else if (writes_in_flight_ == 0)
        linger();
      else
        close_after_write_ = true;
      return;
    }
    ws_->set_socket_backlog(uv_stream_get_write_queue_size(stream));
    arm_ws_timer(uv_now(srv_.loop_.uv()), ws_->deadline());
  }

  void resume_reading() { uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), &on_alloc, &on_read); }
  void arm_timer(uint64_t ms) { uv_timer_start(&timer_, &on_timeout, ms, 0); }
  // A WebSocket's timer moves only when its deadline does: a message sent
  // leaves it where it was (restarting 10,000 timers per event costs).
  void arm_ws_timer(uint64_t now, uint64_t deadline) {
    if (deadline == ws_timer_due_ && uv_is_active(reinterpret_cast<uv_handle_t*>(&timer_))) return;
    ws_timer_due_ = deadline;
    arm_timer(deadline > now ? deadline - now : 0);
  }

  http_server& srv_;
  uint64_t id_;
  uv_tcp_t tcp_;
  uv_timer_t timer_;
  uv_shutdown_t shutdown_;
  http::request_parser parser_;
  std::unique_ptr<tls_session> tls_;  // set when the client opened with TLS
  std::string plain_;                 // what the last read decrypted to
  std::string pending_;
  std::unique_ptr<request_handler> handler_;
  std::unique_ptr<request_handler> retired_;
  std::unique_ptr<ws_session> ws_;  // after a 101
  phase phase_ = phase::idle;
  uint64_t request_seq_ = 0;
  bool responded_ = false;
  bool keep_alive_ = true;
  bool closing_ = false;
  bool closing_handles_ = false;
  bool close_after_write_ = false;
  bool sniffed_ = false;
  bool write_blocked_ = false;
  bool upgrade_request_ = false;   // the current request asks for a WebSocket
  bool upgrade_bodyless_ = false;  // ... and has no body
  int writes_in_flight_ = 0;
  int handles_closed_ = 0;
  uint64_t ws_timer_due_ = 0;  // the deadline the WebSocket's timer is set for
  std::string peer_host_;
  std::string local_;
};

void http_server::ws_batches::deliver(const std::vector<ws_keyed_frame>& batch) {
  struct direct {
    connection* c;
    int fd;
    const ws_frame* frame;
    size_t written;
  };
  auto started = std::chrono::steady_clock::now();
  std::vector<direct> now;
  now.reserve(batch.size());
  for (const auto& item : batch) {
    auto it = srv_.table_.open.find(item.key);
    if (it == srv_.table_.open.end()) continue;
    connection* c = it->second;
    int fd = c->ws_direct_fd(*item.frame);
    if (fd >= 0)
      now.push_back({c, fd, item.frame.get(), 0});
    else
      c->ws_queue(*item.frame);
  }
  // Only send() runs on the writers' threads: each socket is written by one
  // thread, and the loop thread waits here, so nothing else touches them.
  writers_.run(now.size(), [&now](size_t i) {
    direct& d = now[i];
    ssize_t n = ::send(d.fd, d.frame->bytes.data(), d.frame->bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    d.written = n > 0 ? static_cast<size_t>(n) : 0;
  });
  for (const auto& d : now) d.c->ws_sent(*d.frame, d.written);
  auto ns = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count());
  stats.batches += 1;
  stats.frames += batch.size();
  stats.total_ns += ns;
  stats.last_ns = ns;
  stats.max_ns = std::max(stats.max_ns, ns);
}

http_server::fanout_stats http_server::websocket_fanout() const { return ws_batches_->stats; }

http_server::http_server(loop& l, http_limits limits, router route, std::shared_ptr<const tls_context> tls)
    : loop_(l),
      limits_(limits),
      route_(std::move(route)),
      tls_(std::move(tls)),
      ws_batches_(std::make_unique<ws_batches>(*this, limits_.ws_writer_threads)) {}

unsigned http_limits::default_ws_writer_threads() {
  unsigned cores = std::thread::hardware_concurrency();
  return cores <= 1 ? 0 : std::min(cores - 1, 3u);
}

http_server::~http_server() {
  QUIRE_ASSERT(table_.open.empty(), "http_server destroyed with open connections");
}

result<std::string> http_server::listen(const std::string& host, uint16_t port) {
  auto tcp = listen_tcp(loop_.uv(), host, port, this, &http_server::on_connection);
  if (!tcp) return tcp.err();
  table_.add_listener(*tcp);
  return bound_address(*tcp);
}

void http_server::on_connection(uv_stream_t* listener, int status) {
  auto* srv = static_cast<http_server*>(listener->data);
  if (status < 0) return;
  auto* c = srv->table_.accept(
      srv->loop_.uv(), listener, srv->limits_.max_connections,
      [srv](uint64_t id) { return new connection(*srv, id); }, [](connection* refused) { refused->close(); });
  if (c) c->start();
}

void http_server::stop_listening() { table_.stop_listening(); }

void http_server::close_all() {
  table_.close_all([](connection* c) { c->stop(); });
}

size_t http_server::requests_in_flight() const {
  size_t n = 0;
  for (auto& [id, c] : table_.open)
    if (c->awaiting_response()) ++n;
  return n;
}

size_t http_server::websocket_count() const {
  size_t n = 0;
  for (auto& [id, c] : table_.open)
    if (c->is_websocket()) ++n;
  return n;
}

}  // namespace quire::io
