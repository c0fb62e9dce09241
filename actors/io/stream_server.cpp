#include "actors/io/stream_server.hpp"

#include <spdlog/spdlog.h>

#include "actors/io/tcp.hpp"

namespace quire::io {

namespace {

// One read buffer for the whole loop: a read callback consumes its bytes
// before the next read can happen.
char stream_read_buffer[64 * 1024];

// After our FIN, how long the connection keeps reading (and dropping) what
// the peer still sends, so that a refusal we wrote is not destroyed by a
// reset (see http_server.cpp's lingering close); and how much it drops at
// most: a sender flooding garbage is cut off, not served for two seconds.
constexpr uint64_t linger_ms = 2000;
constexpr uint64_t linger_max_bytes = 1 << 20;

}  // namespace

class stream_server::connection final : public stream_connection {
 public:
  connection(stream_server& srv, uint64_t id) : srv_(srv), id_(id) {
    tcp_.data = this;
    timer_.data = this;
  }

  uv_tcp_t* tcp() { return &tcp_; }
  uv_timer_t* timer() { return &timer_; }

  void start() {
    sockaddr_storage ss{};
    int len = sizeof ss;
    if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) peer_ = address_of(ss, false);
    len = sizeof ss;
    if (uv_tcp_getsockname(&tcp_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) local_ = address_of(ss, true);
    uv_tcp_nodelay(&tcp_, 1);
    handler_ = srv_.factory_(*this);
    if (!handler_) return hard_close();
    resume();
  }

  // stream_connection
  uint64_t id() const override { return id_; }
  const std::string& peer_host() const override { return peer_; }
  const std::string& local() const override { return local_; }
  bool secure() const override { return tls_ != nullptr; }

  void write(std::string bytes) override {
    if (closing_ || bytes.empty()) return;
    if (tls_) {
      if (status s = tls_->send(bytes)) {
        spdlog::debug("{}: tls: {}: {}", srv_.name_, peer_, s.message);
        return hard_close();
      }
      bytes = tls_->take_output();
    }
    write_raw(std::move(bytes));
  }

  void close() override {
    if (closing_) return;
    closing_ = true;
    if (tls_) {
      tls_->close();
      if (tls_->has_output()) write_raw(tls_->take_output());
    }
    if (uv_shutdown(&shutdown_, reinterpret_cast<uv_stream_t*>(&tcp_), &on_shutdown) != 0) return hard_close();
    shutdown_.data = this;
    // Linger: read and drop until the peer closes, or linger_ms pass.
    start_reading();
    arm_timer(linger_ms);
  }

  void pause() override {
    paused_ = true;
    if (closing_ || ended_) return;
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
    uv_timer_stop(&timer_);
  }

  void resume() override {
    paused_ = false;
    if (closing_ || ended_) return;
    start_reading();
    arm_timer(srv_.limits_.idle_timeout_ms);
  }

  // Closes at once: no more bytes either way. The handler goes with the
  // connection (on_closed), never while one of its calls is on the stack.
  void hard_close() {
    if (handles_closing_) return;
    handles_closing_ = closing_ = true;
    srv_.table_.open.erase(id_);
    uv_timer_stop(&timer_);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &on_closed);
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &on_closed);
  }

  bool closing() const { return closing_; }

 private:
  struct write_req {
    uv_write_t req;
    std::string data;
  };

  static void on_alloc(uv_handle_t*, size_t, uv_buf_t* buf) {
    buf->base = stream_read_buffer;
    buf->len = sizeof stream_read_buffer;
  }

  static void on_read(uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
    auto* c = static_cast<connection*>(s->data);
    if (n == 0) return;
    if (n < 0) return c->peer_ended(n == UV_EOF);
    if (c->closing_) {  // lingering: drop, up to a point
      c->lingered_ += static_cast<uint64_t>(n);
      if (c->lingered_ > linger_max_bytes) c->hard_close();
      return;
    }
    std::string_view data(buf->base, static_cast<size_t>(n));
    if (!c->sniffed_) c->sniff(data);
    if (c->tls_) {
      if (!c->decrypt(data)) return;
      data = c->plain_;
      if (data.empty() && !c->tls_->peer_closed()) return;
    }
    if (!data.empty()) c->handler_->on_data(data);
    if (c->tls_ && c->tls_->peer_closed() && !c->closing_) return c->peer_ended(true);
    if (!c->closing_ && !c->paused_) c->arm_timer(c->srv_.limits_.idle_timeout_ms);
  }

  void peer_ended(bool fin) {
    if (closing_) return hard_close();  // the lingering close is over
    if (ended_) return;
    ended_ = true;
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
    // Over TLS only close_notify is a clean end; a bare FIN may be a cut.
    bool clean = fin && (!tls_ || tls_->peer_closed());
    handler_->on_end(clean);
    if (!clean) return hard_close();
    // The handler closes once it has answered; bound a handler that forgets.
    if (!closing_) arm_timer(srv_.limits_.idle_timeout_ms);
  }

  static void on_timeout(uv_timer_t* t) {
    auto* c = static_cast<connection*>(t->data);
    if (!c->closing_ && !c->ended_) {
      spdlog::debug("{}: {}: silent for {} ms, disconnected", c->srv_.name_, c->peer_, c->srv_.limits_.idle_timeout_ms);
      c->ended_ = true;
      c->handler_->on_end(false);
    }
    c->hard_close();
  }

  static void on_written(uv_write_t* req, int status) {
    auto* w = reinterpret_cast<write_req*>(req);
    auto* c = static_cast<connection*>(req->handle->data);
    delete w;
    if (status < 0 && status != UV_ECANCELED && !c->handles_closing_) {
      if (!c->ended_ && !c->closing_) {
        c->ended_ = true;
        c->handler_->on_end(false);
      }
      c->hard_close();
    }
  }

  static void on_shutdown(uv_shutdown_t* req, int status) {
    if (status < 0 && status != UV_ECANCELED) static_cast<connection*>(req->data)->hard_close();
  }

  static void on_closed(uv_handle_t* h) {
    auto* c = static_cast<connection*>(h->data);
    if (++c->handles_closed_ == 2) delete c;
  }

  void sniff(std::string_view first) {
    sniffed_ = true;
    tls_ = sniff_tls(srv_.tls_, first);
  }

  bool decrypt(std::string_view ciphertext) {
    plain_.clear();
    bool was_done = tls_->handshake_done();
    status s = tls_->receive(ciphertext, plain_);
    if (tls_->has_output()) write_raw(tls_->take_output());
    if (s) {
      if (was_done)
        spdlog::debug("{}: tls: {}: {}", srv_.name_, peer_, s.message);
      else
        spdlog::info("{}: tls: {}: {}", srv_.name_, peer_, s.message);
      if (!ended_) {
        ended_ = true;
        handler_->on_end(false);
      }
      close();
      return false;
    }
    return !closing_;
  }

  void write_raw(std::string data) {
    auto* w = new write_req{};
    w->data = std::move(data);
    uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
    if (uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1, &on_written) != 0) {
      delete w;
      hard_close();
    }
  }

  void start_reading() { uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), &on_alloc, &on_read); }
  void arm_timer(uint64_t ms) { uv_timer_start(&timer_, &on_timeout, ms, 0); }

  stream_server& srv_;
  uint64_t id_;
  uv_tcp_t tcp_;
  uv_timer_t timer_;
  uv_shutdown_t shutdown_;
  std::unique_ptr<stream_handler> handler_;
  std::unique_ptr<tls_session> tls_;
  std::string plain_;
  std::string peer_, local_;
  bool sniffed_ = false;
  bool paused_ = false;
  bool ended_ = false;    // the peer sent its last byte (or vanished)
  bool closing_ = false;  // close() or hard_close() ran
  bool handles_closing_ = false;
  int handles_closed_ = 0;
  uint64_t lingered_ = 0;  // bytes dropped after close()
};

stream_server::stream_server(loop& l, std::string name, stream_limits limits, stream_factory factory,
                             std::shared_ptr<const tls_context> tls)
    : loop_(l), name_(std::move(name)), limits_(limits), factory_(std::move(factory)), tls_(std::move(tls)) {}

stream_server::~stream_server() {
  QUIRE_ASSERT(table_.open.empty(), "stream_server destroyed with open connections");
}

result<std::string> stream_server::listen(const std::string& host, uint16_t port) {
  auto tcp = listen_tcp(loop_.uv(), host, port, this, &stream_server::on_connection);
  if (!tcp) return tcp.err();
  table_.add_listener(*tcp);
  return bound_address(*tcp);
}

void stream_server::on_connection(uv_stream_t* listener, int status) {
  auto* srv = static_cast<stream_server*>(listener->data);
  if (status < 0) return;
  auto* c = srv->table_.accept(
      srv->loop_.uv(), listener, srv->limits_.max_connections,
      [srv](uint64_t id) { return new connection(*srv, id); }, [](connection* refused) { refused->hard_close(); });
  if (c) c->start();
}

void stream_server::stop_listening() { table_.stop_listening(); }

void stream_server::close_all() {
  table_.close_all([](connection* c) { c->hard_close(); });
}

void stream_server::post(uint64_t id, std::function<void(stream_connection&)> fn) {
  loop_.post([this, id, fn = std::move(fn)] {
    auto it = table_.open.find(id);
    if (it != table_.open.end() && !it->second->closing()) fn(*it->second);
  });
}

}  // namespace quire::io
