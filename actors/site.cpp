#include "actors/site.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <thread>

#include "actors/io/http_server.hpp"
#include "actors/io/loop.hpp"
#include "actors/ipp_listener.hpp"
#include "actors/job_env.hpp"
#include "actors/job_reader.hpp"
#include "actors/job_registry.hpp"
#include "actors/printer.hpp"
#include "actors/queue.hpp"
#include "actors/site_http.hpp"
#include "actors/site_impl.hpp"
#include "actors/supervisor.hpp"
#include "storage/store.hpp"

namespace quire {

namespace {

status drop_privileges(const std::string& user) {
  if (user.empty() || ::geteuid() != 0) return {};
  passwd* pw = ::getpwnam(user.c_str());
  if (!pw) return {errc::invalid_argument, "server.user: no such user '" + user + "'"};
  if (::initgroups(pw->pw_name, pw->pw_gid) != 0 || ::setgid(pw->pw_gid) != 0 || ::setuid(pw->pw_uid) != 0)
    return {errc::permission_denied, "server.user: cannot switch to '" + user + "'"};
  spdlog::info("running as {}", user);
  return {};
}

void configure_actor_system(caf::actor_system_config& cfg) {
  register_message_types(cfg);
  size_t cores = std::max(2u, std::thread::hardware_concurrency());
  cfg.set("scheduler.max-threads", cores);
  // A worker polls less before sleeping: lower latency per request (STACK-NOTES).
  cfg.set("work-stealing.moderate-poll-attempts", 0);
  cfg.set("logger.verbosity", caf::atom("quiet"));
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
}

// Spawns printers, registry, queues, readers and the IPP listener; returns
// the actors the supervisor watches.
std::vector<caf::actor> spawn_actors(site::impl& d) {
  auto& sys = *d.actors;
  auto env = std::make_shared<job_env>();
  env->storage = d.jobs.get();
  env->held_expiry_ms = static_cast<int64_t>(d.cfg.jobs.held_expiry_s) * 1000;
  env->history_ms = static_cast<int64_t>(d.cfg.jobs.history_s) * 1000;
  env->now_ms = &wall_clock_ms;

  auto fl = std::make_shared<fleet>();
  std::vector<caf::actor> watched;
  devices::driver_options dopts{d.cfg.server.data_dir + "/sink"};
  for (auto& p : d.st->list_printers()) {
    auto drv = devices::make_driver(d.loop->uv(), p.device_uri, dopts);
    std::string reason = drv.ok() ? "" : drv.err().message;
    auto actor = spawn_printer(sys, p, drv.ok() ? *drv : nullptr, reason, d.loop.get());
    watched.push_back(caf::actor_cast<caf::actor>(actor));
    fl->printers.emplace(p.name, fleet::printer_entry{p, actor});
  }
  registry_options ropts;
  // Look for expired held jobs and forgettable finished ones a few times per
  // period, at most once a minute.
  int64_t period = env->held_expiry_ms;
  if (env->history_ms > 0) period = std::min(period, env->history_ms);
  ropts.expiry_interval = std::chrono::milliseconds(std::clamp<int64_t>(period / 4, 200, 60000));
  auto registry = spawn_registry(sys, env, d.st->next_job_id(), ropts);
  watched.push_back(caf::actor_cast<caf::actor>(registry));
  for (auto& q : d.st->list_queues()) {
    printer_actor direct;  // stays null for a pull queue
    if (q.type == queue_type::direct && !q.printers.empty())
      if (const auto* p = fl->printer(q.printers.front())) direct = p->actor;
    auto actor = spawn_queue(sys, q, registry, direct);
    watched.push_back(caf::actor_cast<caf::actor>(actor));
    fl->queues.emplace(q.name, fleet::queue_entry{q, actor});
  }
  env->printers_and_queues = fl;  // complete before any job can run
  d.fleet = fl;

  ipp_listener_config lc;
  lc.printers_and_queues = fl;
  lc.registry = registry;
  lc.readers = spawn_job_readers(sys, d.st.get(), 2);
  for (auto& r : lc.readers) watched.push_back(caf::actor_cast<caf::actor>(r));
  lc.server_name = d.cfg.server.name;
  lc.server_uuid = d.st->server_uuid();
  d.ipp_listener = spawn_ipp_listener(sys, std::move(lc));
  watched.push_back(d.ipp_listener);
  caf::anon_send(registry, resume_atom::value);
  return watched;
}

}  // namespace

site::site(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

site::~site() { stop(); }

const std::vector<std::pair<std::string, std::string>>& site::listeners() const { return impl_->listeners; }

result<std::unique_ptr<site>> site::start(const config& cfg, std::function<void(const std::string&)> on_fatal) {
  auto d = std::make_unique<impl>();
  d->cfg = cfg;
  impl* raw = d.get();

  io::http_limits hl;
  hl.request_timeout_ms = cfg.limits.request_timeout_ms;
  hl.idle_timeout_ms = cfg.limits.idle_timeout_ms;
  hl.max_connections = cfg.limits.max_connections;
  d->http = std::make_unique<io::http_server>(*d->loop, hl, make_router(*raw));
  std::unique_ptr<site> s(new site(std::move(d)));

  if (cfg.ipp.enabled) {
    auto bound = raw->http->listen(cfg.ipp.listen.host, cfg.ipp.listen.port);
    if (!bound.ok())
      return error{bound.err().code, "ipp.listen " + cfg.ipp.listen.to_string() + ": " + bound.err().message};
    raw->listeners.emplace_back("ipp", *bound);
  }
  if (auto e = drop_privileges(cfg.server.user)) return e;

  store::options so;
  so.data_dir = cfg.server.data_dir;
  auto opened = store::open(so);
  if (!opened.ok()) return opened.err();
  raw->st = std::move(opened.value());
  if (auto e = apply_config(*raw->st, cfg)) return error{e.code, "cannot apply the configuration: " + e.message};
  raw->jobs = make_job_store(*raw->st);

  raw->actor_cfg = std::make_unique<caf::actor_system_config>();
  configure_actor_system(*raw->actor_cfg);
  raw->actors = std::make_unique<caf::actor_system>(*raw->actor_cfg);
  auto watched = spawn_actors(*raw);
  raw->supervisor = spawn_supervisor(*raw->actors, std::move(watched), std::move(on_fatal));

  raw->loop->start();
  raw->loop_running = true;
  return s;
}

void site::stop() {
  impl& d = *impl_;
  if (d.stopped) return;
  d.stopped = true;
  bool served = d.loop_running;
  if (served) spdlog::info("stopping");
  d.on_loop([&] {
    d.http->stop_listening();
    return 0;
  });
  // Let answers on their way reach their clients (bounded).
  for (int i = 0; i < 250 && d.actors; ++i) {
    if (d.on_loop([&] { return d.http->requests_in_flight(); }) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (d.actors) {
    caf::anon_send_exit(d.supervisor, caf::exit_reason::user_shutdown);
    d.actors->await_all_actors_done();
  }
  if (d.loop_running) {
    d.loop->stop([&] { d.http->close_all(); });
    d.loop_running = false;
  } else {
    d.http->close_all();
  }
  // Actor handles must go before their actor system does.
  d.supervisor = nullptr;
  d.ipp_listener = nullptr;
  d.fleet.reset();
  d.actors.reset();
  if (d.st) d.st->close();
  if (served) spdlog::info("stopped");
}

}  // namespace quire
