#include "actors/site_http.hpp"

#include <strings.h>

#include "actors/io/loop.hpp"
#include "actors/ipp/ipp_request.hpp"
#include "actors/ipp/ipp_render.hpp"
#include "actors/ipp_listener.hpp"
#include "web/queue_icon.hpp"
#include "actors/site_impl.hpp"
#include "protocols/http/response.hpp"
#include "storage/store.hpp"

namespace quire {

namespace {

io::http_response text(int status, std::string body, const char* type = "text/plain; charset=utf-8") {
  io::http_response r;
  r.status = status;
  r.content_type = type;
  r.body = std::move(body);
  return r;
}

std::string landing_page(const site::impl& d, const std::string& authority) {
  std::string out = d.cfg.server.name + " print server\n\nQueues (add them as IPP printers):\n";
  for (const auto& [name, q] : d.fleet->queues) {
    out += "  ipp://" + authority + "/ipp/print/" + name + "  ";
    out += q.record.type == queue_type::pull    ? "(secure print: release at a printer)"
           : q.record.type == queue_type::group ? "(prints at once on the least busy printer of its group)"
                                                : "(prints at once)";
    out += "\n";
  }
  return out;
}

std::string metrics(const site::impl& d) {
  auto s = d.st->stats();
  std::string out;
  auto line = [&](const char* name, const char* help, uint64_t v) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n";
    out += std::string(name) + " " + std::to_string(v) + "\n";
  };
  line("quire_storage_commit_groups_total", "Synced database writes (one WAL sync each).", s.groups);
  line("quire_storage_commits_total", "Batches made durable.", s.batches);
  line("quire_storage_file_syncs_total", "fsyncs of spool files and the spool folder.", s.fsyncs);
  out += "# HELP quire_http_connections Open HTTP connections.\n# TYPE quire_http_connections gauge\n";
  out += "quire_http_connections " + std::to_string(d.http->connection_count()) + "\n";
  return out;
}

}  // namespace

io::router make_router(site::impl& d) {
  return [&d](const io::request_info& info, io::responder respond) -> std::unique_ptr<io::request_handler> {
    const auto& head = info.head;
    std::string_view path = head.path();
    if (web::is_terminal_api_path(path) && d.terminals_api)
      return web::route_terminal_api(info, std::move(respond), *d.terminals_api, d.terminal_api_options);
    if (web::is_admin_api_path(path) && d.users_api && d.jobs_api)
      return web::route_admin_api(info, std::move(respond), *d.users_api, *d.jobs_api, d.api_options,
                                  d.accounting_api.get(), d.printers_api.get());
    if (head.method == "POST" && (path == "/" || path.rfind("/ipp/", 0) == 0)) {
      const std::string* type = head.find("Content-Type");
      if (!type || ::strncasecmp(type->c_str(), "application/ipp", 15) != 0) {
        respond(text(415, "IPP requests must be sent as application/ipp\n"));
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
    if (head.method == "GET" || head.method == "HEAD") {
      if (path == "/") {
        const std::string* host = head.find("Host");
        respond(text(200, landing_page(d, host ? *host : info.local)));
      } else if (path == queue_icon_path) {
        io::http_response r;
        r.content_type = "image/png";
        r.body = std::string(web::queue_icon());
        respond(std::move(r));
      } else if (path == "/metrics") {
        respond(text(200, metrics(d), "text/plain; version=0.0.4"));
      } else {
        respond(text(404, "not found\n"));
      }
      return nullptr;
    }
    respond(text(405, "method not allowed\n"));
    return nullptr;
  };
}

}  // namespace quire
