// The JSON of the live event stream (WebSocket /api/v1/events): events out,
// the client's few requests in. The same events as IPP notifications
// (protocols/events/event.hpp, docs/events.md), rendered for browsers and
// desktop clients.
//
// Client -> server, one JSON object per text message:
//   {"type": "subscribe", "topics": ["user:alice", "printer:*"], "after": 1234}
//       topics it wants (it gets only those it may see: see allowed_topic);
//       `after`: the last sequence number it has (0 or absent: only new
//       events), so a client that reconnects resumes where it left off.
//   {"type": "ping"}  -> {"type": "pong"}  (an application-level check;
//       WebSocket's own ping/pong keeps the connection alive)
// Server -> client:
//   {"type": "hello", "user": "alice", "admin": false}
//   {"type": "subscribed", "topics": [...], "gap": false, "last_seq": 1240}
//       gap: events after `after` were no longer retained (reload state)
//   {"type": "event", "event": {...}}   (below)
//   {"type": "error", "message": "..."}
//
// An event: {"seq", "time_ms", "type" ("job.printed"...), and as they apply
// "job_id", "user", "queue", "printer", "job_state" ("held"...),
// "printer_state" ("idle"|"processing"|"stopped"), "job_name" (only to its
// owner and administrators), "text", "reasons"}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/events/event.hpp"
#include "protocols/result.hpp"

namespace quire::web {

/// One request of a client of the event stream.
struct stream_request {
  enum class kind : uint8_t { subscribe, ping };
  kind what = kind::ping;
  std::vector<std::string> topics;  // subscribe: 1..32 topics, each 1..200 characters
  uint64_t after = 0;
};

/// Parses a client's text message. Fails with a message naming what is wrong
/// (not JSON, not an object, an unknown type or key, a bad topic...).
result<stream_request> parse_stream_request(std::string_view text);

/// Whether `user` (an administrator or not) may subscribe to `topic`:
/// everyone to "user:<self>"; administrators to anything ("*", "admin",
/// "printer:*", "user:<anyone>", "queue:<q>", "printer:<p>", "job:<id>").
bool allowed_topic(const std::string& topic, const std::string& user, bool admin);

/// True when `topic` (as subscribed, "printer:*" included) covers event `e`.
bool topic_covers(const std::string& topic, const event& e);

/// {"type":"event","event":{...}}; `full`: the viewer is the job's owner or
/// an administrator (job names are private).
std::string event_message(const event& e, bool full);
std::string hello_message(const std::string& user, bool admin);
std::string subscribed_message(const std::vector<std::string>& topics, bool gap, uint64_t last_seq);
std::string error_message(const std::string& message);
std::string pong_message();

}  // namespace quire::web
