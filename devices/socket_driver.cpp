#include "devices/socket_driver.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>

namespace quire::devices {

std::string device_address::shown() const {
  std::string out;
  if (host.find(':') != std::string::npos) out.append("[").append(host).append("]");
  else out.append(host);
  return out.append(":").append(std::to_string(port));
}

std::string seconds_text(uint64_t ms) {
  std::string out = std::to_string(ms / 1000);
  if (ms % 1000 != 0) out.append(".").append(std::to_string(ms % 1000 / 100));
  return out.append(" s");
}

// ---- device_link ----

std::shared_ptr<device_link> device_link::create(uv_loop_t* loop, const network_options& opts, bool keep_replies) {
  std::shared_ptr<device_link> l(new device_link(loop, opts, keep_replies));
  uv_tcp_init(loop, &l->tcp_);
  uv_timer_init(loop, &l->timer_);
  l->tcp_.data = l.get();
  l->timer_.data = l.get();
  l->open_handles_ = 2;
  l->self_ = l;
  return l;
}

device_link::device_link(uv_loop_t* loop, const network_options& opts, bool keep_replies)
    : loop_(loop), opts_(opts), keep_replies_(keep_replies) {}

void device_link::close() {
  if (closed_) return;
  closed_ = true;
  op_ = op::none;
  done_ = nullptr;
  byte_done_ = nullptr;
  finish_done_ = nullptr;
  // When the loop is stopping, io::loop may have closed the handles already
  // (without our callback: the link then leaks, once, at exit).
  for (uv_handle_t* h : {reinterpret_cast<uv_handle_t*>(&tcp_), reinterpret_cast<uv_handle_t*>(&timer_)})
    if (!uv_is_closing(h)) uv_close(h, &on_closed);
}

void device_link::on_closed(uv_handle_t* h) {
  auto* self = static_cast<device_link*>(h->data);
  if (--self->open_handles_ == 0) self->self_.reset();  // may delete self
}

void device_link::fail(link_error e) {
  op was = op_;
  if (was == op::write && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&tcp_))) {
    // Count what the kernel took of the write cut short: the byte counts in
    // the job's message then tell how far it got.
    size_t q = uv_stream_get_write_queue_size(reinterpret_cast<uv_stream_t*>(&tcp_));
    written_ += pending_write_ - std::min(q, pending_write_);
  }
  auto done = std::move(done_);
  auto byte_done = std::move(byte_done_);
  auto finish_done = std::move(finish_done_);
  auto keep = self_;
  close();
  if (was == op::read_byte && byte_done) byte_done(e, 0);
  else if (was == op::finish && finish_done) finish_done(e, false);
  else if (done) done(e);
}

void device_link::start_timer(uint64_t ms, uint64_t repeat_ms) { uv_timer_start(&timer_, &on_timer, ms, repeat_ms); }

namespace {

link_error classify(int code) {
  switch (code) {
    case UV_ECONNREFUSED: return {link_failure::refused, code};
    case UV_ENETUNREACH:
    case UV_EHOSTUNREACH:
    case UV_ENETDOWN:
    case UV_EHOSTDOWN: return {link_failure::unreachable, code};
    case UV_ETIMEDOUT: return {link_failure::connect_timeout, code};
    case UV_EPIPE:
    case UV_EOF: return {link_failure::peer_closed, code};
    case UV_ECONNRESET: return {link_failure::reset, code};
    case UV_ECANCELED: return {link_failure::canceled, code};
    default: return {link_failure::other, code};
  }
}

}  // namespace

void device_link::connect(const sockaddr* addr, done_fn done) {
  op_ = op::connect;
  done_ = std::move(done);
  connect_req_.data = this;
  int rc = uv_tcp_connect(&connect_req_, &tcp_, addr, &on_connect);
  if (rc < 0) return fail(classify(rc));
  start_timer(opts_.connect_timeout_ms, 0);
}

void device_link::on_connect(uv_connect_t* req, int status) {
  auto* self = static_cast<device_link*>(req->data);
  if (self->closed_) return;
  if (status < 0) return self->fail(classify(status));
  uv_timer_stop(&self->timer_);
  uv_tcp_nodelay(&self->tcp_, 1);  // LPD: small command lines wait for acks
  // Read from the start: printers chatter (PJL status), and an EOF or a reset
  // tells the writer that the device gave up.
  if (uv_read_start(reinterpret_cast<uv_stream_t*>(&self->tcp_),
                    [](uv_handle_t* h, size_t, uv_buf_t* buf) {
                      auto* l = static_cast<device_link*>(h->data);
                      *buf = uv_buf_init(l->read_buf_, sizeof l->read_buf_);
                    },
                    &on_read) == 0)
    self->reading_ = true;
  self->op_ = op::none;
  auto done = std::move(self->done_);
  done({});
}

void device_link::on_read(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<device_link*>(s->data);
  if (self->closed_ || nread == 0) return;
  if (nread > 0) {
    // The bound only matters for a device that floods us; LPD needs octets one at a time.
    if (self->keep_replies_ && self->inbox_.size() < 4096)
      self->inbox_.append(buf->base, std::min<size_t>(static_cast<size_t>(nread), 4096 - self->inbox_.size()));
    if (self->op_ == op::read_byte) self->deliver_byte();
    return;
  }
  uv_read_stop(s);
  self->reading_ = false;
  self->on_peer_gone(nread);
}

// The device closed its side (EOF) or the connection broke: the operation
// under way learns it now; a later one at its start.
void device_link::on_peer_gone(ssize_t code) {
  peer_gone_ = code;
  switch (op_) {
    case op::none:
    case op::connect: return;
    case op::read_byte:
      if (!inbox_.empty()) return deliver_byte();
      return fail(classify(static_cast<int>(code)));
    case op::write: return fail(classify(static_cast<int>(code)));
    case op::finish: {
      if (code != UV_EOF) return fail(classify(static_cast<int>(code)));
      auto done = std::move(finish_done_);
      op_ = op::none;
      uv_timer_stop(&timer_);
      done({}, true);
      return;
    }
  }
}

void device_link::write(std::string_view data, done_fn done) {
  if (peer_gone_ != 0) {
    done_ = std::move(done);
    op_ = op::write;
    return fail(classify(static_cast<int>(peer_gone_)));
  }
  op_ = op::write;
  done_ = std::move(done);
  pending_write_ = data.size();
  uv_buf_t b = uv_buf_init(const_cast<char*>(data.data()), static_cast<unsigned>(data.size()));
  write_req_.data = this;
  int rc = uv_write(&write_req_, reinterpret_cast<uv_stream_t*>(&tcp_), &b, 1, &on_write);
  if (rc < 0) return fail(classify(rc));
  // Progress is any octet the kernel takes: watch the write queue shrink.
  last_queue_ = uv_stream_get_write_queue_size(reinterpret_cast<uv_stream_t*>(&tcp_));
  last_progress_ = uv_now(loop_);
  uint64_t tick = std::max<uint64_t>(opts_.progress_timeout_ms / 8, 5);
  start_timer(tick, tick);
}

void device_link::on_write(uv_write_t* req, int status) {
  auto* self = static_cast<device_link*>(req->data);
  if (self->closed_) return;
  if (status < 0) return self->fail(classify(status));
  uv_timer_stop(&self->timer_);
  self->written_ += self->pending_write_;
  self->op_ = op::none;
  auto done = std::move(self->done_);
  done({});
}

void device_link::read_byte(byte_fn done) {
  op_ = op::read_byte;
  byte_done_ = std::move(done);
  if (!inbox_.empty()) return deliver_byte();
  if (peer_gone_ != 0) return fail(classify(static_cast<int>(peer_gone_)));
  start_timer(opts_.ack_timeout_ms, 0);
}

void device_link::deliver_byte() {
  auto octet = static_cast<uint8_t>(inbox_.front());
  inbox_.erase(0, 1);
  uv_timer_stop(&timer_);
  op_ = op::none;
  auto done = std::move(byte_done_);
  done({}, octet);
}

void device_link::finish(finish_fn done) {
  op_ = op::finish;
  finish_done_ = std::move(done);
  if (peer_gone_ != 0) return on_peer_gone(peer_gone_);
  shutdown_req_.data = this;
  int rc = uv_shutdown(&shutdown_req_, reinterpret_cast<uv_stream_t*>(&tcp_), &on_shutdown);
  if (rc < 0) return fail(classify(rc));
  start_timer(opts_.linger_ms, 0);
}

void device_link::on_shutdown(uv_shutdown_t* req, int status) {
  auto* self = static_cast<device_link*>(req->data);
  if (self->closed_ || status == 0) return;
  if (self->op_ == op::finish) self->fail(classify(status));
}

void device_link::on_timer(uv_timer_t* t) {
  auto* self = static_cast<device_link*>(t->data);
  if (self->closed_) return;
  switch (self->op_) {
    case op::none: return;
    case op::connect: return self->fail({link_failure::connect_timeout, 0});
    case op::read_byte: return self->fail({link_failure::ack_timeout, 0});
    case op::finish: {  // the printer keeps the connection open: it has all the bytes
      auto done = std::move(self->finish_done_);
      self->op_ = op::none;
      return done({}, false);
    }
    case op::write: {
      size_t q = uv_stream_get_write_queue_size(reinterpret_cast<uv_stream_t*>(&self->tcp_));
      uint64_t now = uv_now(self->loop_);
      if (q != self->last_queue_) {
        self->last_queue_ = q;
        self->last_progress_ = now;
      } else if (now - self->last_progress_ >= self->opts_.progress_timeout_ms) {
        return self->fail({link_failure::no_progress, 0});
      }
      return;
    }
  }
}

// ---- network_delivery ----

struct network_delivery::backoff_timer {
  uv_timer_t timer;
  std::shared_ptr<network_delivery> owner;  // while started
};

network_delivery::network_delivery(uv_loop_t* loop, device_address where, network_options opts, job_document doc,
                                   driver::callback done)
    : loop_(loop), where_(std::move(where)), opts_(opts), doc_(std::move(doc)), done_(std::move(done)) {}

network_delivery::~network_delivery() = default;

void network_delivery::start() {
  reader_ = document_reader::create(loop_, std::move(doc_.bytes), doc_.path, opts_.chunk_bytes);
  doc_.bytes.clear();
  reader_->open([self = shared_from_this()](const std::string& err, uint64_t size) {
    if (!err.empty()) return self->fail(err);
    self->size_ = size;
    self->try_once();
  });
}

namespace {

struct resolve_req {
  uv_getaddrinfo_t req;
  std::function<void(int status, std::vector<sockaddr_storage>)> done;
};

void on_resolved(uv_getaddrinfo_t* req, int status, addrinfo* res) {
  std::unique_ptr<resolve_req> r(static_cast<resolve_req*>(req->data));
  std::vector<sockaddr_storage> addrs;
  for (addrinfo* a = res; status == 0 && a; a = a->ai_next) {
    sockaddr_storage ss{};
    std::memcpy(&ss, a->ai_addr, std::min<size_t>(a->ai_addrlen, sizeof ss));
    addrs.push_back(ss);
  }
  uv_freeaddrinfo(res);
  r->done(status, std::move(addrs));
}

}  // namespace

// Numeric hosts and "localhost" need no resolver; names go through
// uv_getaddrinfo on the thread pool, again on each try (a printer may move).
void network_delivery::try_once() {
  ++tries_;
  sockaddr_storage ss{};
  const std::string& host = where_.host == "localhost" ? std::string("127.0.0.1") : where_.host;
  if (uv_ip4_addr(host.c_str(), where_.port, reinterpret_cast<sockaddr_in*>(&ss)) == 0 ||
      uv_ip6_addr(host.c_str(), where_.port, reinterpret_cast<sockaddr_in6*>(&ss)) == 0)
    return connect_to({ss}, 0);
  auto r = std::make_unique<resolve_req>();
  r->req.data = r.get();
  r->done = [self = shared_from_this()](int status, std::vector<sockaddr_storage> addrs) {
    if (self->finished()) return;
    if (status == UV_ECANCELED) return self->fail(network_delivery::canceled_text);
    if (status < 0 || addrs.empty()) {
      std::string reason = "cannot find the host '";
      reason.append(self->where_.host).append("': ").append(status < 0 ? uv_strerror(status) : "no address");
      return self->retry_or_fail(std::move(reason));
    }
    self->connect_to(std::move(addrs), 0);
  };
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  std::string port = std::to_string(where_.port);
  int rc = uv_getaddrinfo(loop_, &r->req, &on_resolved, where_.host.c_str(), port.c_str(), &hints);
  if (rc < 0) {
    std::string reason = "cannot look up the host '";
    reason.append(where_.host).append("': ").append(uv_strerror(rc));
    return retry_or_fail(std::move(reason));
  }
  r.release();  // on_resolved owns it
}

void network_delivery::connect_to(std::vector<sockaddr_storage> addrs, size_t i) {
  link_ = device_link::create(loop_, opts_, keep_replies_);
  const sockaddr* sa = reinterpret_cast<const sockaddr*>(&addrs[i]);
  link_->connect(sa, [self = shared_from_this(), addrs, i](link_error e) mutable {
    if (!e) return self->speak();
    if (e.kind != link_failure::canceled && i + 1 < addrs.size()) return self->connect_to(std::move(addrs), i + 1);
    self->connect_failed(e);
  });
}

void network_delivery::connect_failed(const link_error& e) {
  std::string reason = "the ";
  reason.append(device_noun()).append(" at ").append(where_.shown());
  switch (e.kind) {
    case link_failure::refused: return retry_or_fail(reason.append(" refused the connection"));
    case link_failure::unreachable:
      return retry_or_fail(reason.append(" is unreachable (").append(uv_strerror(e.uv_code)).append(")"));
    case link_failure::connect_timeout:
      return retry_or_fail(reason.append(" did not answer within ").append(seconds_text(opts_.connect_timeout_ms)));
    case link_failure::canceled: return fail(network_delivery::canceled_text);
    default:
      return retry_or_fail(reason.append(" could not be reached (").append(uv_strerror(e.uv_code)).append(")"));
  }
}

const char* const network_delivery::canceled_text = "delivery canceled: the server is stopping";

std::string network_delivery::describe(const link_error& e) const {
  std::string of;
  uint64_t sent = link_ && link_->written() > counted_from_ ? link_->written() - counted_from_ : 0;
  of.append(with_commas(std::min(sent, total_))).append(" of ").append(with_commas(total_)).append(" bytes");
  std::string reason;
  switch (e.kind) {
    case link_failure::no_progress:
      return reason.append("no progress for ").append(seconds_text(opts_.progress_timeout_ms))
          .append(": the ").append(device_noun()).append(" stopped taking data after ").append(of);
    case link_failure::ack_timeout:
      return reason.append("the ").append(device_noun()).append(" did not answer for ")
          .append(seconds_text(opts_.ack_timeout_ms));
    case link_failure::peer_closed:
    case link_failure::reset:  // a device closing with our bytes unread resets: the same to a user
      return reason.append("the ").append(device_noun()).append(" closed the connection after ").append(of);
    case link_failure::canceled: return network_delivery::canceled_text;
    default:
      return reason.append("the connection to the ").append(device_noun()).append(" failed after ").append(of)
          .append(" (").append(uv_strerror(e.uv_code)).append(")");
  }
}

void network_delivery::retry_or_fail(std::string reason) {
  if (link_) link_->close();
  if (accepted_ || tries_ > opts_.retries) {
    if (tries_ > 1 && !reason.empty() && reason.back() == ')')  // "(nack 1)" -> "(nack 1; 4 tries)"
      reason.insert(reason.size() - 1, "; " + std::to_string(tries_) + " tries");
    else if (tries_ > 1)
      reason.append(" (").append(std::to_string(tries_)).append(" tries)");
    if (accepted_) return fail(std::move(reason));
    return finish({false, std::move(reason), {}, true});
  }
  if (!timer_) {
    timer_ = new backoff_timer;
    uv_timer_init(loop_, &timer_->timer);
    timer_->timer.data = timer_;
  }
  timer_->owner = shared_from_this();
  uint64_t delay = opts_.backoff_ms << std::min<uint32_t>(tries_ - 1, 20);
  uv_timer_start(&timer_->timer,
                 [](uv_timer_t* t) {
                   auto owner = std::move(static_cast<backoff_timer*>(t->data)->owner);
                   if (!owner->finished()) owner->try_once();
                 },
                 delay, 0);
}

void network_delivery::fail(std::string reason) { finish({false, std::move(reason), {}}); }

void network_delivery::succeed(std::string confirmation) { finish({true, {}, std::move(confirmation)}); }

void network_delivery::finish(delivery_result r) {
  if (!done_) return;
  if (link_) link_->close();
  if (reader_) reader_->close();
  if (timer_) {
    timer_->owner.reset();
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_->timer),
             [](uv_handle_t* h) { delete static_cast<backoff_timer*>(h->data); });
    timer_ = nullptr;
  }
  auto done = std::move(done_);
  done_ = nullptr;
  done(std::move(r));
}

// ---- network_driver ----

void network_driver::deliver(job_document doc, callback done) {
  if (stopping_) return done({false, network_delivery::canceled_text, {}});
  queue_.emplace_back(std::move(doc), std::move(done));
  if (!busy_) start_next();
}

void network_driver::start_next() {
  if (queue_.empty()) return;
  auto [doc, done] = std::move(queue_.front());
  queue_.pop_front();
  busy_ = true;
  auto wrapped = [self = shared_from_this(), done = std::move(done)](delivery_result r) {
    if (!r.ok && r.message == network_delivery::canceled_text) self->stopping_ = true;
    self->busy_ = false;
    done(std::move(r));
    if (self->stopping_) {
      auto left = std::move(self->queue_);
      for (auto& [d, cb] : left) cb({false, network_delivery::canceled_text, {}});
      return;
    }
    if (!self->busy_) self->start_next();
  };
  make_delivery(std::move(doc), std::move(wrapped))->start();
}

// ---- socket_driver ----

namespace {

// Universal Exit Language: ends a PJL job and resets the printer's language.
constexpr std::string_view uel = "\x1b%-12345X";

class socket_delivery final : public network_delivery {
 public:
  using network_delivery::network_delivery;

 private:
  const char* device_noun() const override { return "printer"; }

  void speak() override {
    const char* language = socket_driver::pjl_language(doc_.format);
    note_.clear();
    if (doc_.copies > 1 && language) {
      header_.assign(uel).append("@PJL SET COPIES=").append(std::to_string(doc_.copies)).append("\r\n");
      header_.append("@PJL ENTER LANGUAGE=").append(language).append("\r\n");
      trailer_.assign(uel);
    } else if (doc_.copies > 1) {
      note_.append("; ").append(std::to_string(doc_.copies)).append(" copies were asked for, but ")
          .append(doc_.format.empty() ? "this format" : doc_.format)
          .append(" has no way to ask a raw printer for copies: it was sent once");
    }
    total_ = header_.size() + size_ + trailer_.size();
    if (header_.empty()) return pump();
    send(header_, [](socket_delivery* self) { self->pump(); });
  }

  // One chunk in flight: read it (thread pool for files), write it, repeat.
  void pump() {
    reader_->next([self = shared_self()](const std::string& err, std::string_view chunk) {
      if (self->finished()) return;
      if (!err.empty()) return self->fail(err);
      if (!chunk.empty()) return self->send(chunk, [](socket_delivery* s) { s->pump(); });
      if (self->trailer_.empty()) return self->close_cleanly();
      self->send(self->trailer_, [](socket_delivery* s) { s->close_cleanly(); });
    });
  }

  void send(std::string_view data, void (*then)(socket_delivery*)) {
    link_->write(data, [self = shared_self(), then](link_error e) {
      if (self->finished()) return;
      if (e) {
        // Nothing taken yet: the printer hung up at once (busy), a new try is safe.
        if (self->link_->written() == 0 && e.kind != link_failure::canceled)
          return self->retry_or_fail(self->describe(e));
        return self->fail(self->describe(e));
      }
      self->mark_accepted();
      then(self.get());
    });
  }

  // Delivered means: every byte written, our side shut down, and the
  // printer's EOF seen (or it kept the connection open for the linger time).
  void close_cleanly() {
    link_->finish([self = shared_self()](link_error e, bool peer_closed) {
      if (self->finished()) return;
      std::string all = "all " + with_commas(self->total_) + " bytes accepted";
      if (e.kind == link_failure::reset)
        return self->fail("the printer reset the connection after taking all " + with_commas(self->total_) +
                          " bytes: the job may be incomplete");
      if (e) return self->fail(self->describe(e));
      if (peer_closed) return self->succeed(all.append(" and the connection closed").append(self->note_));
      return self->succeed(all.append("; the printer kept the connection open for ")
                               .append(seconds_text(self->opts_.linger_ms))
                               .append(" after the end")
                               .append(self->note_));
    });
  }

  std::shared_ptr<socket_delivery> shared_self() {
    return std::static_pointer_cast<socket_delivery>(shared_from_this());
  }

  std::string header_;
  std::string trailer_;
  std::string note_;
};

}  // namespace

const char* socket_driver::pjl_language(const std::string& format) {
  if (format == "application/pdf") return "PDF";
  if (format == "application/postscript") return "POSTSCRIPT";
  if (format == "application/vnd.hp-pclxl") return "PCLXL";
  return nullptr;
}

std::shared_ptr<network_delivery> socket_driver::make_delivery(job_document doc, callback done) {
  return std::make_shared<socket_delivery>(loop_, where_, opts_, std::move(doc), std::move(done));
}

}  // namespace quire::devices
