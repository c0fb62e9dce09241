// The live event stream: WebSocket /api/v1/events (web/event_json.hpp has
// its messages).
//
// The upgrade request is authenticated like the admin API (HTTP Basic, over
// TLS or from loopback when api.allow_plain_loopback). Each accepted
// connection gets a session actor (ARCHITECTURE.md's `session`, WebSocket
// kind) that reads the client's requests and joins the event fan-out
// (event_fanout.hpp) with what its user may see (`user:<me>`; an
// administrator: everything) and the topics the client asked for; the
// fan-out writes each event to every connection that wants it. A
// client that reconnects names the last sequence number it has and gets the
// retained events after it (with `gap` when some are lost). A client that
// does not read is dropped by the channel (io/websocket.hpp), never slowing
// the bus or the others.
#pragma once

#include <memory>

#include "actors/event_fanout.hpp"
#include "actors/io/http_server.hpp"
#include "actors/messages.hpp"
#include "web/session_service.hpp"
#include "web/token_service.hpp"
#include "web/user_service.hpp"

namespace quire {

struct event_stream_options {
  caf::actor_system* sys = nullptr;
  event_bus_actor bus;
  fanout_actor fanout;  // sends the events to every connection (event_fanout.hpp)
  web::user_service* users = nullptr;  // authenticates the upgrade request
  web::session_service* sessions = nullptr;  // or the quire_session cookie, when set
  web::token_service* tokens = nullptr;      // or an API token (Bearer qt_...), when set
  bool allow_plain_loopback = false;
};

/// True for the stream's path.
bool is_event_stream_path(std::string_view path);

/// Routes one request for the stream: refuses it (405, 403 https_required,
/// 400 not a WebSocket handshake, 401 with a Basic challenge) or upgrades it
/// once its credentials check out: HTTP Basic, an API token (Bearer
/// qt_..., for desktop clients and scripts), or (without Authorization)
/// the quire_session cookie of a browser login, whose Origin, when sent,
/// must name the Host it asks (403 otherwise: cross-site WebSocket
/// hijacking). Loop thread.
std::unique_ptr<io::request_handler> route_event_stream(const io::request_info& info, io::responder respond,
                                                        const event_stream_options& opts);

}  // namespace quire
