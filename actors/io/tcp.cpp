#include "actors/io/tcp.hpp"

namespace quire::io {

std::string address_of(const sockaddr_storage& ss, bool with_port) {
  char host[INET6_ADDRSTRLEN] = {0};
  uint16_t port = 0;
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    uv_ip6_name(a, host, sizeof host);
    port = ntohs(a->sin6_port);
  } else {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    uv_ip4_name(a, host, sizeof host);
    port = ntohs(a->sin_port);
  }
  std::string out;
  bool brackets = with_port && ss.ss_family == AF_INET6;
  if (brackets) out.push_back('[');
  out.append(host);
  if (brackets) out.push_back(']');
  if (with_port) out.append(":").append(std::to_string(port));
  return out;
}

result<uv_tcp_t*> listen_tcp(uv_loop_t* loop, const std::string& host, uint16_t port, void* data,
                             uv_connection_cb on_connection) {
  sockaddr_storage ss{};
  bool v6 = host.find(':') != std::string::npos;
  int rc = v6 ? uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&ss))
              : uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&ss));
  if (rc != 0) return error{errc::invalid_argument, "'" + host + "' is not an IP address"};
  auto* tcp = new uv_tcp_t;
  uv_tcp_init(loop, tcp);
  tcp->data = data;
  rc = uv_tcp_bind(tcp, reinterpret_cast<sockaddr*>(&ss), 0);
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(tcp), 511, on_connection);
  if (rc != 0) {
    close_listener(tcp);
    errc code = rc == UV_EADDRINUSE || rc == UV_EACCES ? errc::busy : errc::io_error;
    return error{code, uv_strerror(rc)};
  }
  return tcp;
}

std::string bound_address(uv_tcp_t* listener) {
  sockaddr_storage ss{};
  int len = sizeof ss;
  uv_tcp_getsockname(listener, reinterpret_cast<sockaddr*>(&ss), &len);
  return address_of(ss, true);
}

void close_listener(uv_tcp_t* listener) {
  uv_close(reinterpret_cast<uv_handle_t*>(listener), [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
}

}  // namespace quire::io
