// The inside of a running site, shared by its facets (site.cpp: start and
// stop; site_http.cpp: routes). Not for use elsewhere.
#pragma once

#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "actors/io/http_server.hpp"
#include "actors/io/loop.hpp"
#include "actors/io/stream_server.hpp"
#include "actors/event_stream.hpp"
#include "actors/fleet_cell.hpp"
#include "actors/job_env.hpp"
#include "actors/messages.hpp"
#include "actors/metrics.hpp"
#include "actors/site.hpp"
#include "config/config.hpp"
#include "devices/snmp_client.hpp"
#include "storage/store.hpp"
#include "web/admin_api.hpp"
#include "web/directory_service.hpp"
#include "web/fleet_service.hpp"
#include "web/print_api.hpp"
#include "web/terminal_api.hpp"

namespace quire {

struct lpd_context;
struct raw_context;

struct site::impl {
  config cfg;
  std::unique_ptr<io::loop> loop = std::make_unique<io::loop>();
  std::unique_ptr<io::http_server> http;
  std::unique_ptr<store> st;
  std::unique_ptr<job_store> jobs;
  std::unique_ptr<caf::actor_system_config> actor_cfg;
  std::unique_ptr<caf::actor_system> actors;
  caf::actor supervisor;
  caf::actor ipp_listener;  // set once actors run; read by the router on the loop
  // LPD and raw intake (site_streams.cpp): servers bound before the
  // privilege drop, contexts filled once the actors run.
  std::unique_ptr<io::stream_server> lpd;
  std::vector<std::unique_ptr<io::stream_server>> raw;
  caf::actor stream_listener;
  std::shared_ptr<const lpd_context> lpd_ctx;
  std::vector<std::shared_ptr<const raw_context>> raw_ctx;
  user_directory_actor users;
  std::unique_ptr<web::user_service> users_api;  // the admin API's view of `users`
  std::unique_ptr<web::session_service> sessions_api;  // browser login sessions (actors/web_sessions.hpp)
  std::unique_ptr<web::token_service> tokens_api;      // scripts' API tokens (actors/token_service_adapter.hpp)
  std::unique_ptr<web::report_service> reports_api;    // usage reports (actors/report_service_adapter.hpp)
  std::unique_ptr<web::audit_service> audit_api;       // the audit log (actors/audit_service_adapter.hpp)
  std::unique_ptr<web::job_service> jobs_api;    // the REST API's jobs: committed records, cancel, release
  std::unique_ptr<web::print_service> print_api;  // POST /api/v1/print (actors/web_print.hpp)
  web::api_options api_options;
  std::unique_ptr<web::terminal_service> terminals_api;  // the terminal API's view of the terminals actor
  web::terminal_api_options terminal_api_options;
  std::unique_ptr<web::accounting_service> accounting_api;  // credit, ledger, delegates, terminals (admin API)
  std::unique_ptr<web::printer_service> printers_api;       // the printers' state and counters (admin API)
  std::unique_ptr<web::fleet_service> fleet_api;            // printers and queues changed at run time (admin API)
  std::unique_ptr<web::directory_service> directory_api;    // the LDAP/AD sync (admin API); null without [directory]
  std::string directory_password;  // the directory's service account, until the sync has it (then wiped)
  std::string mail_password;       // [mail]'s SMTP AUTH password, until the mailer has it (then wiped)
  fleet_cell_ptr fleet;  // the fleet as the router and the adapters read it
  event_stream_options stream_options;  // WebSocket /api/v1/events
  metrics_actor metrics;  // what GET /metrics exports (site_http.cpp)
  std::shared_ptr<devices::snmp_client> snmp;  // the printers' one SNMP transport (loop thread)
  std::vector<std::pair<std::string, std::string>> listeners;
  bool loop_running = false;
  bool stopped = false;

  // Runs `fn` on the loop thread and waits for its result.
  template <class F>
  auto on_loop(F fn) -> decltype(fn()) {
    if (!loop_running) return fn();
    std::promise<decltype(fn())> p;
    auto f = p.get_future();
    loop->post([&p, &fn] { p.set_value(fn()); });
    return f.get();
  }
};

/// Binds the LPD and raw listeners of d.cfg (before privileges are dropped).
status bind_stream_listeners(site::impl& d);
/// Hands the stream servers what their connections need once the store and
/// the actors exist (before the loop starts); `tls` may be null.
void start_stream_intake(site::impl& d, std::shared_ptr<const io::tls_context> tls);
/// Stops accepting (loop thread); close_stream_connections() ends the rest.
void stop_stream_listeners(site::impl& d);
void close_stream_connections(site::impl& d);

}  // namespace quire
