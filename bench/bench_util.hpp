// Small pieces every load generator in bench/ uses: `--key value` options,
// nearest-rank percentiles and loopback addresses.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace bench {

/// Parses HOST:PORT or [V6]:PORT, numeric and loopback only (the benches
/// never talk to anything else).
inline bool parse_loopback_addr(const std::string& a, sockaddr_storage& addr, socklen_t& len, std::string& err) {
  size_t colon = a.rfind(':');
  if (colon == std::string::npos) return (err = "--addr must be HOST:PORT", false);
  std::string host = a.substr(0, colon);
  int port = std::atoi(a.c_str() + colon + 1);
  if (port <= 0 || port > 65535) return (err = "bad port in " + a, false);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    if ((ntohl(v4->sin_addr.s_addr) >> 24) != 127) return (err = host + " is not a loopback address", false);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    if (!IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr)) return (err = host + " is not a loopback address", false);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof(sockaddr_in6);
  } else {
    return (err = "--addr needs a numeric loopback address, not " + host, false);
  }
  return true;
}

/// `--key value` options after the mode word (argv[1]); flags are keys with
/// an empty value.
class options {
 public:
  bool parse(int argc, char** argv, const std::set<std::string>& flags, std::string& err) {
    for (int i = 2; i < argc; ++i) {
      std::string k = argv[i];
      if (k.rfind("--", 0) != 0) return (err = "unexpected argument " + k, false);
      k = k.substr(2);
      if (flags.count(k)) {
        v_[k] = "";
      } else if (i + 1 < argc) {
        v_[k] = argv[++i];
      } else {
        return (err = "--" + k + " needs a value", false);
      }
    }
    return true;
  }
  /// True (and `err`) when an option outside `known` was given.
  bool unknown(const std::set<std::string>& known, std::string& err) const {
    for (const auto& [k, v] : v_)
      if (!known.count(k)) return (err = "unknown option --" + k, true);
    return false;
  }
  bool has(const std::string& k) const { return v_.count(k) > 0; }
  std::string str(const std::string& k, const std::string& def = "") const {
    auto it = v_.find(k);
    return it == v_.end() ? def : it->second;
  }
  double num(const std::string& k, double def) const {
    auto it = v_.find(k);
    return it == v_.end() ? def : std::atof(it->second.c_str());
  }
  long whole(const std::string& k, long def) const {
    auto it = v_.find(k);
    return it == v_.end() ? def : std::atol(it->second.c_str());
  }

 private:
  std::map<std::string, std::string> v_;
};

/// Nearest-rank percentile (q in 0..1) of an ascending vector; 0 when empty.
inline double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

/// Milliseconds of clock `id`; wall and monotonic; this process's CPU seconds and VmRSS (MB).
inline double clock_ms(clockid_t id) {
  timespec ts{};
  ::clock_gettime(id, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}
inline double wall_ms() { return clock_ms(CLOCK_REALTIME); }
inline double mono_ms() { return clock_ms(CLOCK_MONOTONIC); }

inline double cpu_s() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

inline double rss_mb() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  double out = 0;
  while (std::fgets(line, sizeof line, f))
    if (std::strncmp(line, "VmRSS:", 6) == 0) out = std::atof(line + 6) / 1024;
  std::fclose(f);
  return out;
}

}  // namespace bench
