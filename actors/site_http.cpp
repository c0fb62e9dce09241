#include "actors/site_http.hpp"

#include <strings.h>

#include <spdlog/spdlog.h>

#include "actors/io/loop.hpp"
#include "actors/ipp/ipp_request.hpp"
#include "actors/ipp/ipp_render.hpp"
#include "actors/ipp_listener.hpp"
#include "actors/metrics.hpp"
#include "web/login_api.hpp"
#include "web/metrics_text.hpp"
#include "web/queue_icon.hpp"
#include "web/openapi.hpp"
#include "web/static_files.hpp"
#include "actors/site_impl.hpp"
#include "protocols/http/response.hpp"
#include "storage/credentials.hpp"
#include "storage/store.hpp"

namespace quire {

namespace {

io::http_response text_response(int status, std::string body, std::string_view type = "text/plain; charset=utf-8") {
  io::http_response r;
  r.status = status;
  r.content_type = std::string(type);
  r.body = std::move(body);
  return r;
}

std::string landing_page(const site::impl& d, const std::string& authority) {
  std::string out = d.cfg.server.name + " print server\n\nQueues (add them as IPP printers):\n";
  fleet_ptr fl = d.fleet->get();
  for (const auto& [name, q] : fl->queues) {
    out += "  ipp://" + authority + "/ipp/print/" + name + "  ";
    out += q.record.type == queue_type::pull    ? "(secure print: release at a printer)"
           : q.record.type == queue_type::group ? "(prints at once on the least busy printer of its group)"
                                                : "(prints at once)";
    out += "\n";
  }
  return out;
}

// ---- GET /metrics -----------------------------------------------------------
//
// Who may scrape: an administrator, authenticated as on the admin API (HTTP
// Basic through user_service, over TLS or a plain loopback connection when
// api.allow_plain_loopback), or, when api.metrics_token is set, anyone who
// presents it as "Authorization: Bearer <token>" (Prometheus's
// authorization.credentials), under the same transport rule. Missing or
// wrong credentials: 401 with a challenge; a user who is no administrator:
// 403.

// RFC 7617 §2 and RFC 6750 §3: the schemes /metrics takes.
constexpr std::string_view basic_challenge = "Basic realm=\"Quire\", charset=\"UTF-8\"";
constexpr std::string_view bearer_challenge = "Bearer realm=\"quire-metrics\"";

io::http_response metrics_unauthorized(const site::impl& d, std::string_view message) {
  auto r = web::unauthorized_response("unauthorized", message, basic_challenge);
  if (!d.cfg.api.metrics_token.empty()) r.headers.push_back({"WWW-Authenticate", std::string(bearer_challenge)});
  return r;
}

// Compares digests rather than the tokens, so that neither the bytes nor
// the length of the configured token shows in the time taken.
bool same_token(std::string_view presented, std::string_view configured) {
  std::string a = sha256(presented);
  std::string b = sha256(configured);
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0 && a.size() == b.size();
}

struct metrics_call : web::api_exchange {
  site::impl* d = nullptr;
  size_t connections = 0;  // read on the loop thread, when the head arrived
  size_t websockets = 0;   // of them, upgraded to WebSocket (the event stream)
  io::http_server::fanout_stats fanout;  // the loop's fan-out of events to them
  bool token_ok = false;   // the bearer token matched: no user to authenticate
  web::basic_credentials credentials;
  std::string peer;
};
using metrics_call_ptr = std::shared_ptr<metrics_call>;

void answer_metrics(const metrics_call_ptr& c) {
  if (!c->d->metrics) return c->reply(web::error_response(503, "unavailable", "the metrics are not running"));
  scrape_metrics(*c->d->actors, c->d->metrics, [c](result<web::metrics_samples> r) {
    web::guarded(c, [&] {
      if (!r.ok()) return c->reply(web::service_error(r.err()));
      r->add_value("quire_http_connections", "Open HTTP connections.", web::metric_kind::gauge,
                   double(c->connections));
      r->add_value("quire_websocket_clients", "Open WebSocket connections (the live event stream).",
                   web::metric_kind::gauge, double(c->websockets));
      // The server's own fan-out time: a batch is one event for every
      // client that wants it, from its first frame to its last one written
      // or queued on the loop (io/http_server.hpp, websocket_fanout).
      const auto& f = c->fanout;
      r->add_value("quire_websocket_fanouts_total", "Events fanned out to WebSocket clients in one batch.",
                   web::metric_kind::counter, double(f.batches));
      r->add_value("quire_websocket_fanout_messages_total", "Messages those batches held, one per client.",
                   web::metric_kind::counter, double(f.frames));
      r->add_value("quire_websocket_fanout_seconds_total", "Time the loop spent writing those batches.",
                   web::metric_kind::counter, double(f.total_ns) / 1e9);
      r->add_value("quire_websocket_fanout_last_seconds", "The last batch's time, first frame to last.",
                   web::metric_kind::gauge, double(f.last_ns) / 1e9);
      r->add_value("quire_websocket_fanout_max_seconds", "The longest batch's time since start.",
                   web::metric_kind::gauge, double(f.max_ns) / 1e9);
      auto text = web::render_metrics(*r);
      if (!text.ok()) {  // a bug in the samples: say which, once per scrape
        spdlog::error("metrics: {}", text.err().message);
        return c->reply(web::internal_error());
      }
      auto resp = text_response(200, std::move(*text), web::metrics_content_type);
      resp.headers.push_back({"Cache-Control", "no-store"});
      c->reply(std::move(resp));
    });
  });
}

void on_metrics_login(const metrics_call_ptr& c, result<web::principal> r) {
  if (!r.ok()) {
    return c->reply(web::login_failure(r.err(), [&](std::string_view m) { return metrics_unauthorized(*c->d, m); }));
  }
  if (!r->admin) return c->reply(web::error_response(403, "forbidden", "only an administrator may read the metrics"));
  answer_metrics(c);
}

void start_metrics(const metrics_call_ptr& c) {
  if (c->token_ok) return answer_metrics(c);
  std::string user = std::move(c->credentials.user);
  std::string password = std::move(c->credentials.password);
  c->d->users_api->authenticate(std::move(user), std::move(password), c->peer, [c](result<web::principal> r) {
    web::guarded(c, [&] { on_metrics_login(c, std::move(r)); });
  });
}

std::unique_ptr<io::request_handler> route_metrics(site::impl& d, const io::request_info& info,
                                                   io::responder respond) {
  if (auto r = web::check_transport(info, d.api_options.allow_plain_loopback, "metrics endpoint"))
    return web::refuse(respond, std::move(*r));
  if (auto r = web::check_body_head(info.head, false, d.api_options.max_body_bytes))
    return web::refuse(respond, std::move(*r));
  const std::string* authorization = info.head.find("Authorization");
  if (!authorization) return web::refuse(respond, metrics_unauthorized(d, "authentication required"));
  auto call = std::make_shared<metrics_call>();
  if (web::authorization_credentials(*authorization, "bearer")) {
    auto token = web::parse_bearer_token(*authorization);
    const std::string& configured = d.cfg.api.metrics_token;
    bool match = !configured.empty() && token.ok() && same_token(*token, configured);
    if (token.ok()) wipe(*token);
    if (!match) return web::refuse(respond, metrics_unauthorized(d, "unknown token"));
    call->token_ok = true;
  } else if (d.users_api) {
    auto credentials = web::parse_basic_authorization(*authorization);
    if (!credentials.ok()) return web::refuse(respond, metrics_unauthorized(d, credentials.err().message));
    call->credentials = std::move(*credentials);
  } else {
    return web::refuse(respond, web::error_response(503, "unavailable", "users are not available yet"));
  }
  call->respond = respond;
  call->d = &d;
  call->connections = d.http->connection_count();
  call->websockets = d.http->websocket_count();
  call->fanout = d.http->websocket_fanout();
  call->peer = info.peer_host;
  return std::make_unique<web::collecting_handler<metrics_call>>(std::move(call), start_metrics);
}

// GET /api/v1/openapi.json: the API's description (web/openapi.hpp), for
// anyone: it describes the API, it holds nothing of the site. Revalidated
// by its ETag, so a new server's description shows at once.
io::http_response openapi_response(const http::request_head& head) {
  io::http_response r;
  r.headers.push_back({"ETag", std::string(web::openapi_etag())});
  r.headers.push_back({"Cache-Control", "no-cache"});
  r.headers.push_back({"X-Content-Type-Options", "nosniff"});
  const std::string* inm = head.find("If-None-Match");
  if (inm && web::etag_matches(*inm, web::openapi_etag())) {
    r.status = 304;
    r.head_only = true;
  }
  r.content_type = "application/json";
  r.body = std::string(web::openapi_json());
  if (head.method == "HEAD") r.head_only = true;
  return r;
}

}  // namespace

io::router make_router(site::impl& d) {
  return [&d](const io::request_info& info, io::responder respond) -> std::unique_ptr<io::request_handler> {
    const auto& head = info.head;
    std::string_view path = head.path();
    if (web::is_terminal_api_path(path) && d.terminals_api)
      return web::route_terminal_api(info, std::move(respond), *d.terminals_api, d.terminal_api_options);
    if (is_event_stream_path(path)) return route_event_stream(info, std::move(respond), d.stream_options);
    if (web::is_login_path(path) && d.users_api && d.sessions_api)
      return web::route_login(info, std::move(respond), *d.users_api, *d.sessions_api, d.api_options);
    if (web::is_print_path(path) && d.users_api && d.print_api)
      return web::route_print_api(info, std::move(respond), *d.users_api, d.sessions_api.get(), *d.print_api,
                                  d.api_options);
    if (path == "/api/v1/openapi.json" && (head.method == "GET" || head.method == "HEAD")) {
      respond(openapi_response(head));
      return nullptr;
    }
    if (web::is_admin_api_path(path) && d.users_api && d.jobs_api)
      return web::route_admin_api(info, std::move(respond), *d.users_api, *d.jobs_api, d.api_options,
                                  d.accounting_api.get(), d.printers_api.get(), d.sessions_api.get(),
                                  d.tokens_api.get(), d.reports_api.get(), d.audit_api.get(), d.fleet_api.get(),
                                  d.directory_api.get());
    if (head.method == "POST" && (path == "/" || path.rfind("/ipp/", 0) == 0)) {
      const std::string* type = head.find("Content-Type");
      if (!type || ::strncasecmp(type->c_str(), "application/ipp", 15) != 0) {
        respond(text_response(415, "IPP requests must be sent as application/ipp\n"));
        return nullptr;
      }
      ipp_limits lim;
      lim.max_attributes_bytes = d.cfg.limits.max_ipp_attributes_bytes;
      lim.max_document_bytes = d.cfg.limits.max_document_bytes;
      lim.inline_document_bytes = d.cfg.limits.inline_document_bytes;
      caf::actor listener = d.ipp_listener;
      return make_ipp_handler(info, std::move(respond), lim, d.st->spool_folder(),
                              [listener](ipp_call_ptr call) { caf::anon_send(listener, std::move(call)); });
    }
    if ((head.method == "GET" || head.method == "HEAD") && path == "/metrics") return route_metrics(d, info, respond);
    if (head.method == "GET" || head.method == "HEAD") {
      // The web UI (web/static_files.hpp): /, /admin, /kiosk, /static/...;
      // "/" is the portal for browsers, the plain-text queue list for
      // other clients (as /queues.txt is for everyone).
      if (auto page = web::serve_static({head.method, path, head.find("Accept"), head.find("If-None-Match")})) {
        respond(std::move(*page));
      } else if (path == "/" || path == "/queues.txt") {
        const std::string* host = head.find("Host");
        auto r = text_response(200, landing_page(d, host ? *host : info.local));
        if (path == "/") r.headers.push_back({"Vary", "Accept"});
        r.head_only = head.method == "HEAD";
        respond(std::move(r));
      } else if (path == queue_icon_path) {
        io::http_response r;
        r.content_type = "image/png";
        r.body = std::string(web::queue_icon());
        r.head_only = head.method == "HEAD";
        respond(std::move(r));
      } else {
        auto r = text_response(404, "not found\n");
        r.head_only = head.method == "HEAD";
        respond(std::move(r));
      }
      return nullptr;
    }
    respond(text_response(405, "method not allowed\n"));
    return nullptr;
  };
}

}  // namespace quire
