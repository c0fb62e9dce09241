// Fuzz entry point for the event stream's client requests
// (web/event_json.hpp): whatever a WebSocket client sends as text.
#include <cstdint>
#include <string>

#include "web/event_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = quire::web::parse_stream_request(text);
  if (!r) {
    if (r.err().message.empty()) __builtin_trap();
    return 0;
  }
  if (r->what == quire::web::stream_request::kind::subscribe) {
    if (r->topics.empty() || r->topics.size() > 32) __builtin_trap();
    for (const auto& t : r->topics) {
      if (t.empty() || t.size() > 200) __builtin_trap();
      // A user never gets another user's topic.
      if (quire::web::allowed_topic(t, "alice", false) && t != "user:alice") __builtin_trap();
    }
  }
  return 0;
}
