// The site's LPD and raw-port intake: stream servers on the loop, feeding
// the stream listener actor (actors/stream_listener.hpp).
#include <spdlog/spdlog.h>

#include "actors/lpd/lpd_connection.hpp"
#include "actors/lpd/raw_connection.hpp"
#include "actors/site_impl.hpp"
#include "actors/stream_listener.hpp"
#include "storage/store.hpp"

namespace quire {

namespace {

io::stream_limits stream_limits_of(const config& cfg) {
  io::stream_limits l;
  l.idle_timeout_ms = cfg.limits.request_timeout_ms;  // a sender silent mid-job
  l.max_connections = cfg.limits.max_connections;
  return l;
}

}  // namespace

status bind_stream_listeners(site::impl& d) {
  const config& cfg = d.cfg;
  site::impl* dp = &d;
  if (cfg.lpd.enabled) {
    d.lpd = std::make_unique<io::stream_server>(
        *d.loop, "lpd", stream_limits_of(cfg),
        [dp](io::stream_connection& c) -> std::unique_ptr<io::stream_handler> {
          if (!dp->lpd_ctx) return nullptr;  // not serving yet
          return make_lpd_connection(c, dp->lpd_ctx);
        });
    auto bound = d.lpd->listen(cfg.lpd.listen.host, cfg.lpd.listen.port);
    if (!bound) return error{bound.err().code, "lpd.listen " + cfg.lpd.listen.to_string() + ": " + bound.err().message};
    d.listeners.emplace_back("lpd", *bound);
  }
  for (size_t i = 0; i < cfg.raw.size(); ++i) {
    const auto& r = cfg.raw[i];
    d.raw.push_back(std::make_unique<io::stream_server>(
        *d.loop, "raw " + r.name, stream_limits_of(cfg),
        [dp, i](io::stream_connection& c) -> std::unique_ptr<io::stream_handler> {
          if (i >= dp->raw_ctx.size()) return nullptr;
          return make_raw_connection(c, dp->raw_ctx[i]);
        }));
    auto bound = d.raw.back()->listen(r.listen.host, r.listen.port);
    if (!bound)
      return error{bound.err().code, "raw." + r.name + ".listen " + r.listen.to_string() + ": " + bound.err().message};
    d.listeners.emplace_back("raw." + r.name, *bound);
  }
  return {};
}

void start_stream_intake(site::impl& d, std::shared_ptr<const io::tls_context> tls) {
  const config& cfg = d.cfg;
  caf::actor target = d.stream_listener;
  auto submit = [target](stream_job_ptr job) { caf::anon_send(target, std::move(job)); };
  if (d.lpd) {
    auto ctx = std::make_shared<lpd_context>();
    ctx->uploads = &d.st->spool_folder();
    ctx->session.max_control_bytes = cfg.lpd.max_control_bytes;
    ctx->session.max_data_bytes = cfg.limits.max_document_bytes;
    ctx->inline_limit = cfg.limits.inline_document_bytes;
    ctx->max_document_bytes = cfg.limits.max_document_bytes;
    ctx->queue_exists = [cell = d.fleet](const std::string& q) { return cell->get()->queue(q) != nullptr; };
    ctx->submit = submit;
    ctx->ask = [target](lpd_request_ptr req) { caf::anon_send(target, std::move(req)); };
    ctx->server = d.lpd.get();
    d.lpd_ctx = std::move(ctx);
    d.lpd->set_tls(tls);
  }
  for (size_t i = 0; i < d.raw.size(); ++i) {
    auto ctx = std::make_shared<raw_context>();
    ctx->listener = "raw " + cfg.raw[i].name;
    ctx->queue = cfg.raw[i].queue;
    ctx->uploads = &d.st->spool_folder();
    ctx->inline_limit = cfg.limits.inline_document_bytes;
    ctx->max_document_bytes = cfg.limits.max_document_bytes;
    ctx->submit = submit;
    ctx->server = d.raw[i].get();
    d.raw_ctx.push_back(std::move(ctx));
    d.raw[i]->set_tls(tls);
  }
}

void stop_stream_listeners(site::impl& d) {
  if (d.lpd) d.lpd->stop_listening();
  for (auto& r : d.raw) r->stop_listening();
}

void close_stream_connections(site::impl& d) {
  if (d.lpd) d.lpd->close_all();
  for (auto& r : d.raw) r->close_all();
}

}  // namespace quire
