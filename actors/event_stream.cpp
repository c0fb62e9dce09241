#include "actors/event_stream.hpp"

#include <spdlog/spdlog.h>

#include <strings.h>

#include <algorithm>
#include <limits>

#include "actors/io/websocket.hpp"
#include "storage/credentials.hpp"
#include "web/api_common.hpp"
#include "web/api_request.hpp"
#include "web/event_json.hpp"
#include "web/terminal_api.hpp"

namespace quire {

namespace {

constexpr std::string_view stream_path = "/api/v1/events";
constexpr std::string_view basic_challenge = "Basic realm=\"Quire\", charset=\"UTF-8\"";

using client_atom = caf::atom_constant<caf::atom("client")>;

// One WebSocket client's session: bus subscription, topic filter, writes.
using session_actor = caf::typed_actor<caf::reacts_to<client_atom, std::string>>;

struct session_state {
  std::shared_ptr<io::ws_channel> channel;
  web::principal who;
  event_bus_actor bus;
  fanout_actor fanout;
  static inline const char* name = "event_stream_session";
};

using session_self = session_actor::stateful_pointer<session_state>;

void say(session_self self, std::string text) {
  if (!self->state.channel->send_text(std::move(text))) self->quit();  // gone, or too slow
}

// The fan-out actor sends "subscribed", the retained events and then the
// live ones (actors/event_fanout.hpp); the session checks what was asked.
void subscribe(session_self self, web::stream_request& req) {
  auto& s = self->state;
  for (const auto& t : req.topics)
    if (!web::allowed_topic(t, s.who.name, s.who.admin))
      return say(self, web::error_message("topic " + t + " is not yours to see"));
  fanout_join j;
  j.channel = s.channel;
  j.user = s.who.name;
  j.admin = s.who.admin;
  j.topics = std::move(req.topics);
  j.after = req.after;
  caf::anon_send(s.fanout, join_atom::value, caf::actor_cast<caf::actor>(self), std::move(j));
}

session_actor::behavior_type session_behavior(session_self self, std::shared_ptr<io::ws_channel> channel,
                                              web::principal who, event_bus_actor bus, fanout_actor fanout) {
  auto& s = self->state;
  s.channel = std::move(channel);
  s.who = std::move(who);
  s.bus = std::move(bus);
  s.fanout = std::move(fanout);
  // Sessions belong to no supervisor: they end with the bus (at shutdown),
  // or with their connection. The fan-out forgets a session that ends.
  self->monitor(s.bus);
  self->monitor(s.fanout);
  self->set_down_handler([self](caf::down_msg&) {
    self->state.channel->close(1001, "server stopping");
    self->quit();
  });
  say(self, web::hello_message(s.who.name, s.who.admin));
  return {
      [self](client_atom, const std::string& text) {
        auto req = web::parse_stream_request(text);
        if (!req) return say(self, web::error_message(req.err().message));
        if (req->what == web::stream_request::kind::ping) return say(self, web::pong_message());
        subscribe(self, *req);
      },
  };
}

// The loop side of one connection: hands the client's messages to its
// session actor, and ends the actor with the connection.
class stream_handler final : public io::ws_handler {
 public:
  stream_handler(caf::actor_system& sys, web::principal who, event_bus_actor bus, fanout_actor fanout)
      : sys_(sys), who_(std::move(who)), bus_(std::move(bus)), fanout_(std::move(fanout)) {}

  void on_open(std::shared_ptr<io::ws_channel> ch) override {
    session_ = sys_.spawn(session_behavior, std::move(ch), who_, bus_, fanout_);
  }
  void on_text(std::string message) override {
    if (session_) caf::anon_send(session_, client_atom::value, std::move(message));
  }
  void on_close(uint16_t, std::string) override {
    if (session_) caf::anon_send_exit(session_, caf::exit_reason::user_shutdown);
    session_ = nullptr;
  }

 private:
  caf::actor_system& sys_;
  web::principal who_;
  event_bus_actor bus_;
  fanout_actor fanout_;
  session_actor session_;
};

// A browser sends Origin on every WebSocket handshake (RFC 6455 §4.1): a
// cookie-authenticated one must come from a page of this server, whose
// origin's host[:port] is the Host the request names. No Origin: not a
// browser, so no ambient cookie to abuse.
bool same_origin(const http::request_head& head) {
  const std::string* origin = head.find("Origin");
  if (!origin) return true;
  const std::string* host = head.find("Host");
  if (!host) return false;
  std::string_view o = *origin;
  size_t sep = o.find("://");
  if (sep == std::string_view::npos) return false;
  o.remove_prefix(sep + 3);
  return !o.empty() && ::strcasecmp(std::string(o).c_str(), host->c_str()) == 0;
}

// Waits for the end of the (bodiless) upgrade request, then checks the
// credentials with the user service and upgrades.
class upgrade_handler final : public io::request_handler {
 public:
  upgrade_handler(http::request_head head, web::basic_credentials credentials, std::string session_token,
                  std::string peer, io::responder respond, const event_stream_options& opts,
                  std::string api_token = {})
      : head_(std::move(head)), credentials_(std::move(credentials)), session_token_(std::move(session_token)),
        api_token_(std::move(api_token)), peer_(std::move(peer)), respond_(std::move(respond)), opts_(opts) {}
  ~upgrade_handler() override {
    wipe(session_token_);
    wipe(api_token_);
  }

  void on_body(std::string_view bytes) override {
    if (!bytes.empty() && respond_) {
      respond_(web::error_response(400, "invalid_argument", "a WebSocket handshake has no body"));
      respond_ = nullptr;
    }
  }

  void on_end() override {
    if (!respond_) return;
    auto head = std::make_shared<http::request_head>(std::move(head_));
    if (!api_token_.empty()) {
      std::string token = std::move(api_token_);
      opts_.tokens->authenticate(std::move(token), [head, respond = std::move(respond_), sys = opts_.sys,
                                                    bus = opts_.bus, fanout = opts_.fanout](result<web::principal> who) {
        if (!who) {
          respond(web::unauthorized_response("unauthorized", "unknown, revoked or expired API token",
                                             basic_challenge));
          return;
        }
        auto handler = std::make_shared<stream_handler>(*sys, std::move(*who), bus, fanout);
        respond(io::websocket_accept(*head, std::move(handler)));
      });
      return;
    }
    if (!session_token_.empty()) {
      std::string token = std::move(session_token_);
      opts_.sessions->verify(std::move(token), [head, respond = std::move(respond_), sys = opts_.sys,
                                                bus = opts_.bus, fanout = opts_.fanout](result<web::session_view> v) {
        if (!v) {
          respond(web::unauthorized_response("unauthorized", "session expired or unknown: log in again",
                                             basic_challenge));
          return;
        }
        auto handler = std::make_shared<stream_handler>(*sys, std::move(v->who), bus, fanout);
        respond(io::websocket_accept(*head, std::move(handler)));
      });
      return;
    }
    opts_.users->authenticate(
        std::move(credentials_.user), std::move(credentials_.password), peer_,
        [head, respond = std::move(respond_), sys = opts_.sys, bus = opts_.bus,
         fanout = opts_.fanout](result<web::principal> who) {
          if (!who) {
            respond(web::unauthorized_response("unauthorized", "user name or password is wrong", basic_challenge));
            return;
          }
          auto handler = std::make_shared<stream_handler>(*sys, std::move(*who), bus, fanout);
          respond(io::websocket_accept(*head, std::move(handler)));
        });
  }

 private:
  http::request_head head_;
  web::basic_credentials credentials_;
  std::string session_token_;  // the cookie's, when it authenticates
  std::string api_token_;      // Bearer qt_..., when it authenticates
  std::string peer_;
  io::responder respond_;
  event_stream_options opts_;
};

}  // namespace

bool is_event_stream_path(std::string_view path) { return path == stream_path; }

std::unique_ptr<io::request_handler> route_event_stream(const io::request_info& info, io::responder respond,
                                                        const event_stream_options& opts) {
  const auto& head = info.head;
  if (head.method != "GET") {
    auto r = web::error_response(405, "method_not_allowed", "the event stream is a WebSocket: GET with Upgrade");
    r.headers.push_back({"Allow", "GET"});
    respond(std::move(r));
    return nullptr;
  }
  if (auto refused = web::check_transport(info, opts.allow_plain_loopback, "event stream")) {
    respond(std::move(*refused));
    return nullptr;
  }
  if (status s = io::check_websocket_request(head)) {
    respond(web::error_response(400, "invalid_argument", s.message));
    return nullptr;
  }
  const std::string* authorization = head.find("Authorization");
  std::string cookie;
  if (!authorization && opts.sessions)
    if (const std::string* h = head.find("Cookie")) cookie = web::session_cookie_of(*h);
  if (!cookie.empty() && opts.sys) {
    if (!same_origin(head)) {
      wipe(cookie);
      respond(web::error_response(403, "forbidden", "the event stream takes a session cookie from its own origin only"));
      return nullptr;
    }
    return std::make_unique<upgrade_handler>(head, web::basic_credentials{}, std::move(cookie), info.peer_host,
                                             std::move(respond), opts);
  }
  if (authorization && opts.tokens && opts.sys && web::authorization_credentials(*authorization, "bearer")) {
    auto token = web::parse_bearer_token(*authorization);
    if (!token.ok() || token->rfind(web::api_token_prefix, 0) != 0) {
      respond(web::unauthorized_response("unauthorized", "the Bearer credential is not an API token (qt_...)",
                                         basic_challenge));
      return nullptr;
    }
    return std::make_unique<upgrade_handler>(head, web::basic_credentials{}, std::string(), info.peer_host,
                                             std::move(respond), opts, std::move(*token));
  }
  auto credentials = authorization ? web::parse_basic_authorization(*authorization)
                                   : result<web::basic_credentials>(error(errc::permission_denied, "no credentials"));
  if (!credentials || !opts.users || !opts.sys) {
    respond(web::unauthorized_response("unauthorized", "log in with HTTP Basic credentials", basic_challenge));
    return nullptr;
  }
  return std::make_unique<upgrade_handler>(head, std::move(*credentials), std::string(), info.peer_host,
                                           std::move(respond), opts);
}

}  // namespace quire
