// Fuzz entry point for the HTTP request parser. The first byte picks the
// size of the pieces the rest is fed in, as a socket would split it.
#include <cstdint>
#include <string>
#include <vector>

#include "protocols/http/request_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = 1 + data[0] % 64;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  quire::http::request_parser::limits lim;
  lim.max_head_bytes = 2048;
  lim.max_headers = 16;
  quire::http::request_parser p(lim);
  std::vector<quire::http::request_parser::event> ev;
  std::string pending;
  for (size_t at = 0; at < in.size() && !p.failed(); at += step) {
    pending.append(in.substr(at, step));
    for (int guard = 0; guard < 1000 && !pending.empty() && !p.failed(); ++guard) {
      ev.clear();
      size_t n = p.feed(pending, ev);
      if (n > pending.size()) __builtin_trap();  // consumed more than it was given
      for (auto& e : ev)
        if (e.kind == quire::http::request_parser::event_kind::head) (void)p.head().path();
      pending.erase(0, n);
      if (n == 0) break;
    }
  }
  return 0;
}
