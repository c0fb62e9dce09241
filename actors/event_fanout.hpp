// The event stream's fan-out: one actor between the event bus and every
// WebSocket client of /api/v1/events (actors/event_stream.hpp).
//
// Why one actor and not the bus itself: with ten thousand clients, an event
// sent to ten thousand session actors is ten thousand mailbox trips, JSON
// renderings and posts to the loop (measured: about 20 µs of CPU per client
// per event, 200 ms for the last client). Here the bus sends each event once,
// to this actor; it renders the JSON at most twice (with the job's name, for
// its owner and administrators, and without), frames it once per rendering,
// and hands the whole batch to the HTTP server's loop in one post
// (io::ws_channel::send_all).
//
// The session actors stay (ARCHITECTURE.md: every user session is an actor):
// they authenticate, read the client's requests and answer them, and join
// this actor with what their user may see and the topics asked for. This
// actor keeps its own copy of the bus's recent window, so that a client that
// resumes (`after`) gets the retained events after its last one, then the
// live ones, in order and without a duplicate: both come from this actor's
// one mailbox. It monitors the sessions (a session gone is forgotten) and the
// bus (it ends with the bus, at shutdown).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "actors/messages.hpp"

namespace quire {

namespace io {
class ws_channel;
}

/// A session's request to receive events, as its client asked.
struct fanout_join {
  std::shared_ptr<io::ws_channel> channel;
  std::string user;
  bool admin = false;
  std::vector<std::string> topics;  // allowed ones (web::allowed_topic)
  uint64_t after = 0;               // 0: only new events
};

}  // namespace quire

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(quire::fanout_join)

namespace quire {

using join_atom = caf::atom_constant<caf::atom("join")>;

/// Takes `event` (from the bus); (join_atom, caf::actor session,
/// fanout_join): (re)subscribes the session (an earlier subscription of its
/// is replaced); (unsub_atom, caf::actor session): forgets it. Dynamically
/// typed: CAF 0.17's typed handles refuse an interface that carries a
/// caf::actor beside an unsafe message type.
using fanout_actor = caf::actor;

struct event_fanout_options {
  event_bus_actor bus;
  size_t window = 4096;  // events kept for clients that resume (the bus's own window)
};

fanout_actor spawn_event_fanout(caf::actor_system& sys, event_fanout_options opts);

}  // namespace quire
