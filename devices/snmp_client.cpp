#include "devices/snmp_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <netdb.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

namespace quire::devices {

struct snmp_client::socket {
  uv_udp_t* handle = nullptr;  // freed by its close callback
  snmp_client* owner = nullptr;
};

namespace {

constexpr size_t datagram_buffer = 65536;

bool is_loopback(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&a);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (a.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(&a);
    return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
  }
  return false;
}

bool same_address(const sockaddr_storage& a, const sockaddr* b) {
  if (!b || a.ss_family != b->sa_family) return false;
  if (a.ss_family == AF_INET) {
    auto* x = reinterpret_cast<const sockaddr_in*>(&a);
    auto* y = reinterpret_cast<const sockaddr_in*>(b);
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  auto* x = reinterpret_cast<const sockaddr_in6*>(&a);
  auto* y = reinterpret_cast<const sockaddr_in6*>(b);
  return x->sin6_port == y->sin6_port && std::memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
}

std::string address_text(const sockaddr* a) {
  if (!a) return "?";
  sockaddr_storage s{};
  std::memcpy(&s, a, a->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
  return to_string(s);
}

std::vector<char>& receive_buffer() {
  static thread_local std::vector<char> buf(datagram_buffer);
  return buf;
}

}  // namespace

bool parse_numeric_address(const std::string& host, uint16_t port, sockaddr_storage& out) {
  out = {};
  std::string h = host;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  auto* in = reinterpret_cast<sockaddr_in*>(&out);
  if (uv_ip4_addr(h.c_str(), port, in) == 0) return true;
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (uv_ip6_addr(h.c_str(), port, in6) == 0) return true;
  out = {};
  return false;
}

std::string to_string(const sockaddr_storage& a) {
  char ip[INET6_ADDRSTRLEN] = "?";
  if (a.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&a);
    uv_ip4_name(in, ip, sizeof ip);
    return std::string(ip) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (a.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(&a);
    uv_ip6_name(in6, ip, sizeof ip);
    std::string out(1, '[');
    out.append(ip).append("]:").append(std::to_string(ntohs(in6->sin6_port)));
    return out;
  }
  return "?";
}

void resolve_address(uv_loop_t* loop, const std::string& host, uint16_t port,
                     std::function<void(result<sockaddr_storage>)> done) {
  sockaddr_storage numeric{};
  if (parse_numeric_address(host, port, numeric)) return done(numeric);
  struct call {
    uv_getaddrinfo_t req;
    std::string host;
    std::function<void(result<sockaddr_storage>)> done;
  };
  auto* c = new call;
  c->req.data = c;
  c->host = host;
  c->done = std::move(done);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  std::string service = std::to_string(port);
  int rc = uv_getaddrinfo(
      loop, &c->req,
      [](uv_getaddrinfo_t* req, int status, addrinfo* res) {
        std::unique_ptr<call> c(static_cast<call*>(req->data));
        if (status != 0 || !res) {
          if (res) uv_freeaddrinfo(res);
          return c->done(error(errc::unavailable, "cannot resolve " + c->host + ": " + uv_strerror(status)));
        }
        sockaddr_storage out{};
        std::memcpy(&out, res->ai_addr, std::min<size_t>(res->ai_addrlen, sizeof out));
        uv_freeaddrinfo(res);
        c->done(out);
      },
      c->host.c_str(), service.c_str(), &hints);
  if (rc != 0) {
    std::unique_ptr<call> owned(c);
    owned->done(error(errc::unavailable, "cannot resolve " + host + ": " + uv_strerror(rc)));
  }
}

snmp_client::snmp_client(uv_loop_t* loop, snmp_client_options opts) : loop_(loop), opts_(std::move(opts)) {
  std::random_device rd;
  last_id_ = static_cast<int32_t>(rd() & 0x3fffffff);
}

snmp_client::~snmp_client() {
  // close() handed the handles to libuv; only plain memory is left.
}

int32_t snmp_client::next_id() {
  // Positive ids only (some agents mishandle negative ones), never one in use.
  do {
    last_id_ = last_id_ >= 0x7ffffffe ? 1 : last_id_ + 1;
  } while (pending_.count(last_id_));
  return last_id_;
}

snmp_client::socket* snmp_client::socket_for(const sockaddr_storage& to, std::string& error) {
  bool v6 = to.ss_family == AF_INET6;
  bool loop_only = is_loopback(to);
  size_t slot = (v6 ? 2 : 0) + (loop_only ? 0 : 1);
  if (sockets_[slot]) return sockets_[slot].get();
  sockaddr_storage bind_to{};
  if (v6) parse_numeric_address(loop_only ? "::1" : "::", 0, bind_to);
  else parse_numeric_address(loop_only ? "127.0.0.1" : "0.0.0.0", 0, bind_to);
  auto s = std::make_unique<socket>();
  s->owner = this;
  s->handle = new uv_udp_t;
  uv_udp_init(loop_, s->handle);
  s->handle->data = s.get();
  int rc = uv_udp_bind(s->handle, reinterpret_cast<const sockaddr*>(&bind_to), 0);
  if (rc == 0)
    rc = uv_udp_recv_start(
        s->handle,
        [](uv_handle_t*, size_t, uv_buf_t* buf) {
          auto& b = receive_buffer();
          *buf = uv_buf_init(b.data(), static_cast<unsigned>(b.size()));
        },
        [](uv_udp_t* h, ssize_t n, const uv_buf_t* buf, const sockaddr* from, unsigned flags) {
          auto* sock = static_cast<socket*>(h->data);
          if (!sock || !sock->owner || n <= 0 || !from) return;  // errors and "nothing more" (n == 0)
          sock->owner->on_datagram(buf->base, static_cast<size_t>(n), from, (flags & UV_UDP_PARTIAL) != 0);
        });
  if (rc != 0) {
    error = std::string("cannot open an SNMP socket: ") + uv_strerror(rc);
    s->handle->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(s->handle), [](uv_handle_t* h) { delete reinterpret_cast<uv_udp_t*>(h); });
    return nullptr;
  }
  sockets_[slot] = std::move(s);
  return sockets_[slot].get();
}

bool snmp_client::send(pending& p) {
  auto* req = new uv_udp_send_t;
  auto* copy = new std::string(p.bytes);  // libuv needs the bytes until the send completes
  req->data = copy;
  uv_buf_t buf = uv_buf_init(copy->data(), static_cast<unsigned>(copy->size()));
  int rc = uv_udp_send(req, p.via->handle, &buf, 1, reinterpret_cast<const sockaddr*>(&p.to),
                       [](uv_udp_send_t* r, int) {
                         delete static_cast<std::string*>(r->data);
                         delete r;
                       });
  if (rc != 0) {
    delete copy;
    delete req;
    return false;
  }
  stats_.sent += 1;
  return true;
}

void snmp_client::request(const sockaddr_storage& to, snmp::message m, callback done) {
  if (closed_) {
    done(error(errc::shutting_down, "snmp: the server is stopping"));
    return;
  }
  std::string why;
  socket* via = socket_for(to, why);
  if (!via) {
    done(error(errc::io_error, why));
    return;
  }
  m.request_id = next_id();
  pending p;
  p.to = to;
  p.community = m.community;
  p.ver = m.ver;
  p.bytes = snmp::encode(m);
  p.tries_left = opts_.retries;
  p.via = via;
  p.deadline_ms = uv_now(loop_) + opts_.timeout_ms;
  p.done = std::move(done);
  if (!send(p)) {
    p.done(error(errc::io_error, "snmp: cannot send to " + to_string(to)));
    return;
  }
  int32_t id = m.request_id;
  deadlines_.emplace(p.deadline_ms, id);
  pending_.emplace(id, std::move(p));
  arm_timer();
}

void snmp_client::arm_timer() {
  if (closed_) return;
  if (!timer_) {
    timer_ = new uv_timer_t;
    uv_timer_init(loop_, timer_);
    timer_->data = this;
  }
  if (deadlines_.empty()) {
    uv_timer_stop(timer_);
    return;
  }
  uint64_t now = uv_now(loop_);
  uint64_t first = deadlines_.begin()->first;
  uv_timer_start(
      timer_, [](uv_timer_t* t) { static_cast<snmp_client*>(t->data)->on_timer(); },
      first > now ? first - now : 0, 0);
}

void snmp_client::on_timer() {
  uint64_t now = uv_now(loop_);
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    auto [deadline, id] = *deadlines_.begin();
    deadlines_.erase(deadlines_.begin());
    auto it = pending_.find(id);
    if (it == pending_.end() || it->second.deadline_ms != deadline) continue;  // answered meanwhile
    auto& p = it->second;
    if (p.tries_left > 0) {
      p.tries_left -= 1;
      p.deadline_ms = now + opts_.timeout_ms;
      deadlines_.emplace(p.deadline_ms, id);
      send(p);  // a failed send is a lost datagram: the next deadline decides
      continue;
    }
    auto done = std::move(p.done);
    std::string to = to_string(p.to);
    pending_.erase(it);
    stats_.timeouts += 1;
    done(error(errc::timeout, "snmp: no answer from " + to));
  }
  arm_timer();
}

void snmp_client::drop(const sockaddr* from, const std::string& why) {
  stats_.dropped += 1;
  if (opts_.on_drop) opts_.on_drop("from " + address_text(from) + ": " + why);
}

void snmp_client::on_datagram(const char* data, size_t size, const sockaddr* from, bool partial) {
  if (partial) return drop(from, "datagram larger than " + std::to_string(datagram_buffer) + " bytes");
  auto m = snmp::decode(std::string_view(data, size), opts_.limits);
  if (!m) return drop(from, m.err().message);
  auto it = pending_.find(m->request_id);
  if (it == pending_.end()) return drop(from, "no request has id " + std::to_string(m->request_id));
  auto& p = it->second;
  if (!same_address(p.to, from)) return drop(from, "an answer to a request sent to " + to_string(p.to));
  if (m->type != snmp::pdu_type::response) return drop(from, "not a Response-PDU");
  if (m->ver != p.ver || m->community != p.community) return drop(from, "wrong version or community");
  auto done = std::move(p.done);
  pending_.erase(it);  // its deadline entry is skipped when it comes up
  stats_.answered += 1;
  done(std::move(*m));
}

void snmp_client::close() {
  if (closed_) return;
  closed_ = true;
  auto pending = std::move(pending_);
  pending_.clear();
  deadlines_.clear();
  for (auto& [id, p] : pending) p.done(error(errc::shutting_down, "snmp: the server is stopping"));
  if (timer_) {
    uv_timer_stop(timer_);
    timer_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(timer_), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
    timer_ = nullptr;
  }
  for (auto& s : sockets_) {
    if (!s) continue;
    s->handle->data = nullptr;
    uv_udp_recv_stop(s->handle);
    uv_close(reinterpret_cast<uv_handle_t*>(s->handle), [](uv_handle_t* h) { delete reinterpret_cast<uv_udp_t*>(h); });
    s->handle = nullptr;
  }
}

}  // namespace quire::devices
