// Device URIs: where a printer's jobs go. The checks are strict because the
// URI is trusted from here on: devices/ opens what it names. A file: device
// in particular may only write inside <data_dir>/sink/, so that a config
// typo (or a hostile --set) cannot make quired overwrite arbitrary files.
#include <arpa/inet.h>

#include <algorithm>
#include <filesystem>

#include "config/config_internal.hpp"

namespace quire::detail {

namespace {

constexpr std::string_view data_dir_ref = "${data_dir}";

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

// The problem with "host[:port]", or "" when fine (see parse_host_port).
std::string check_authority(std::string_view a) {
  auto parsed = parse_host_port(a);
  return parsed ? std::string() : parsed.err().message;
}

// file:///absolute/path -> the normalized URI, or the problem.
result<std::string> check_file(std::string_view path, const std::string& data_dir) {
  if (path.empty() || path.front() != '/')
    return invalid("expected file:///absolute/path (no host)");
  // Percent-escapes, queries and fragments would each let the path that
  // devices/ opens differ from the one checked here.
  if (path.find_first_of("%?#") != std::string_view::npos)
    return invalid("a file URI cannot contain '%', '?' or '#'");
  for (size_t at = 0; at != std::string_view::npos;) {
    size_t next = path.find('/', at + 1);
    std::string_view segment = path.substr(at + 1, next == std::string_view::npos ? next : next - at - 1);
    if (segment == "..") return invalid("'..' is not allowed in a file URI");
    at = next;
  }
  std::string normal = std::filesystem::path(path).lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  std::string sink = (data_dir == "/" ? "" : data_dir) + "/sink/";
  if (normal.size() <= sink.size() || normal.compare(0, sink.size(), sink) != 0)
    return invalid("a file device must write inside " + sink);
  return "file://" + normal;
}

// The scheme-specific part after "scheme://", or the problem.
std::string check_network(std::string_view scheme, std::string_view rest) {
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (scheme == "socket") {
    if (!path.empty() && path != "/") return "expected socket://host[:port]";
    return check_authority(authority);
  }
  if (std::string problem = check_authority(authority); !problem.empty()) return problem;
  if (scheme == "lpd") {
    // RFC 1179 5.1: the queue name is an operand of the command line and may
    // not hold white space.
    std::string_view queue = path.empty() ? path : path.substr(1);
    if (queue.empty() || queue.find_first_of("/ ") != std::string_view::npos)
      return "expected lpd://host[:port]/queue";
    return "";
  }
  if (path.size() < 2) return "expected " + std::string(scheme) + "://host[:port]/path";
  if (path.find(' ') != std::string_view::npos) return "a URI cannot contain spaces";
  return "";
}

}  // namespace

result<host_port> parse_host_port(std::string_view a) {
  host_port out;
  std::string_view rest;
  if (!a.empty() && a.front() == '[') {
    size_t close = a.find(']');
    if (close == std::string_view::npos) return invalid("unterminated [IPv6 address]");
    out.host = a.substr(1, close - 1);
    rest = a.substr(close + 1);
    unsigned char addr[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET6, out.host.c_str(), addr) != 1) return invalid("expected an IPv6 address in brackets");
  } else {
    size_t colon = a.find(':');
    std::string_view host = a.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view() : a.substr(colon);
    if (host.empty()) return invalid("missing host");
    if (!std::all_of(host.begin(), host.end(), is_host_char)) return invalid("bad host name");
    out.host = host;
  }
  if (rest.empty()) return out;
  if (rest.front() != ':' || rest.size() == 1 || rest.size() > 6) return invalid("bad port");
  uint32_t port = 0;
  for (char c : rest.substr(1)) {
    if (c < '0' || c > '9') return invalid("bad port");
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  // 0 is meaningless for a peer.
  if (port < 1 || port > 65535) return invalid("the port must be between 1 and 65535");
  out.port = static_cast<uint16_t>(port);
  return out;
}

result<host_port> device_host(std::string_view uri) {
  size_t sep = uri.find("://");
  if (sep == std::string_view::npos) return invalid("not a URI");
  std::string_view scheme = uri.substr(0, sep);
  if (scheme != "ipp" && scheme != "ipps" && scheme != "lpd" && scheme != "socket")
    return invalid("no host to poll");
  std::string_view rest = uri.substr(sep + 3);
  return parse_host_port(rest.substr(0, rest.find('/')));
}

result<std::string> check_device_uri(std::string_view uri, const std::string& data_dir) {
  auto fail = [&](std::string_view problem) {
    return invalid(std::string(problem) + ", got '" + shown(uri) + "'");
  };
  std::string expanded;
  for (size_t i = 0; i < uri.size();) {
    if (uri.substr(i, 2) == "${") {
      if (uri.substr(i, data_dir_ref.size()) != data_dir_ref)
        return fail("only ${data_dir} can be expanded");
      expanded += data_dir;
      i += data_dir_ref.size();
    } else {
      expanded += uri[i++];
    }
  }
  if (std::any_of(expanded.begin(), expanded.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }))
    return fail("a URI cannot contain control characters");
  size_t sep = expanded.find("://");
  std::string_view scheme = std::string_view(expanded).substr(0, sep);
  if (sep == std::string::npos ||
      (scheme != "file" && scheme != "ipp" && scheme != "ipps" && scheme != "lpd" && scheme != "socket"))
    return fail("expected a file, ipp, ipps, lpd or socket URI");
  std::string_view rest = std::string_view(expanded).substr(sep + 3);
  if (scheme == "file") {
    auto checked = check_file(rest, data_dir);
    if (!checked) return fail(checked.err().message);
    return checked;
  }
  if (std::string problem = check_network(scheme, rest); !problem.empty()) return fail(problem);
  return expanded;
}

}  // namespace quire::detail
