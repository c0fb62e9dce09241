#include "actors/site.hpp"

#include <filesystem>
#include <fstream>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <thread>

#include "actors/account.hpp"
#include "actors/accounting_service_adapter.hpp"
#include "actors/printer_service_adapter.hpp"
#include "actors/io/http_server.hpp"
#include "actors/io/loop.hpp"
#include "actors/io/tls.hpp"
#include "actors/directory_service_adapter.hpp"
#include "actors/directory_sync.hpp"
#include "actors/disk_watch.hpp"
#include "actors/event_bus.hpp"
#include "actors/fleet_keeper.hpp"
#include "actors/ipp_listener.hpp"
#include "actors/ipp_notifier.hpp"
#include "actors/job_env.hpp"
#include "actors/job_reader.hpp"
#include "actors/job_registry.hpp"
#include "actors/job_service_adapter.hpp"
#include "actors/mailer.hpp"
#include "actors/metrics.hpp"
#include "actors/printer.hpp"
#include "actors/queue.hpp"
#include "actors/processor_pool.hpp"
#include "actors/release_service.hpp"
#include "actors/audit_service_adapter.hpp"
#include "actors/report_service_adapter.hpp"
#include "actors/token_service_adapter.hpp"
#include "actors/web_print.hpp"
#include "actors/site_http.hpp"
#include "actors/stream_listener.hpp"
#include "actors/site_impl.hpp"
#include "actors/supervisor.hpp"
#include "actors/terminal_service.hpp"
#include "actors/user_directory.hpp"
#include "actors/user_service_adapter.hpp"
#include "actors/web_sessions.hpp"
#include "protocols/ipp/job_password.hpp"
#include "storage/credentials.hpp"
#include "storage/store.hpp"

namespace quire {

namespace {

mailer_options mailer_options_of(const mail_config& m, const std::string& password) {
  mailer_options o;
  o.smtp.url = m.url;
  o.smtp.start_tls = m.start_tls && m.url.rfind("smtps://", 0) != 0;
  o.smtp.ca_file = m.ca_file;
  o.smtp.verify_server = m.verify_server;
  o.smtp.user = m.user;
  o.smtp.password = password;
  o.smtp.timeout_ms = static_cast<int>(m.timeout_ms);
  o.from = m.from;
  o.from_name = m.from_name;
  return o;
}

// The first line of a secret's file (the directory's service account
// password). The message names the file, never its content.
result<std::string> read_secret_line(const std::string& path) {
  std::ifstream in(path);
  if (!in) return error{errc::io_error, "cannot read " + path};
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return error{errc::invalid_argument, path + " is empty: its first line is the password"};
  return line;
}

status drop_privileges(const std::string& user) {
  if (user.empty() || ::geteuid() != 0) return {};
  passwd* pw = ::getpwnam(user.c_str());
  if (!pw) return {errc::invalid_argument, "server.user: no such user '" + user + "'"};
  if (::initgroups(pw->pw_name, pw->pw_gid) != 0 || ::setgid(pw->pw_gid) != 0 || ::setuid(pw->pw_uid) != 0)
    return {errc::permission_denied, "server.user: cannot switch to '" + user + "'"};
  spdlog::info("running as {}", user);
  return {};
}

// Loads the TLS certificate named in `files`, or, when it names none,
// the self-signed pair in the data folder (generated on first start).
result<std::shared_ptr<const io::tls_context>> load_tls(const config& cfg, io::tls_files& files) {
  files = io::tls_files{cfg.tls.certificate, cfg.tls.private_key};
  if (files.certificate.empty()) {
    auto made = io::ensure_certificate(cfg.server.data_dir);
    if (!made.ok()) return error{made.err().code, "tls: " + made.err().message};
    files = *made;
  }
  auto ctx = io::tls_context::load(files.certificate, files.private_key);
  if (!ctx.ok()) return error{ctx.err().code, "tls: " + ctx.err().message};
  return ctx;
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

// IPP subscription ids never name an older subscription after a restart:
// each start takes a fresh block of a million (RFC 3995 ids are 31-bit).
uint32_t reserve_subscription_ids(store& st) {
  constexpr uint64_t block = 1000000;
  uint64_t first = std::max<uint64_t>(1, st.counter("subscription_id"));
  if (first + block > 0x7fffffff) first = 1;  // after ~2,000 restarts: start over
  write_batch b;
  put_counter(b, "subscription_id", first + block);
  std::promise<status> done;
  st.commit(std::move(b), [&done](const status& s) { done.set_value(s); });
  if (auto e = done.get_future().get()) spdlog::warn("cannot reserve subscription ids: {}", e.describe());
  return static_cast<uint32_t>(first);
}

// The job processors: quire-jobproc beside quired's own executable.
processor_pool_actor spawn_processors(site::impl& d) {
  const auto& pc = d.cfg.processors;
  if (!pc.enabled) return {};
  std::error_code ec;
  auto self_path = std::filesystem::read_symlink("/proc/self/exe", ec);
  auto program = (ec ? std::filesystem::path("/usr/local/bin") : self_path.parent_path()) / "quire-jobproc";
  if (!std::filesystem::exists(program, ec)) {
    spdlog::warn("processors: {} is missing: documents are not read (no page counts)", program.string());
    return {};
  }
  processor_pool_options o;
  o.program = program.string();
  o.args = {"--work", d.cfg.server.data_dir + "/work", "--memory", std::to_string(pc.memory_bytes),
            "--timeout-ms", std::to_string(pc.timeout_ms)};
  if (!pc.run_as.empty()) o.args.insert(o.args.end(), {"--run-as", pc.run_as});
  std::filesystem::create_directories(d.cfg.server.data_dir + "/work", ec);
  o.env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"};
  o.processes = pc.count ? pc.count : std::max(1u, std::thread::hardware_concurrency());
  o.timeout_ms = pc.timeout_ms + 5000;  // the child's own limits end it first
  o.convert_timeout_ms = pc.convert_timeout_ms + 5000;
  o.loop = d.loop.get();
  o.document_of = [jobs = d.jobs.get()](uint64_t id) -> result<document> {
    auto job = jobs->get_job(id);
    if (!job) return job.err();
    if (job->document_deleted) return error{errc::not_found, "job " + std::to_string(id) + " has no document"};
    return jobs->get_document(*job);
  };
  spdlog::info("processors: {} x {}", o.processes, o.program);
  return spawn_processor_pool(*d.actors, std::move(o));
}

// How printer `p` watches its device: [monitoring] and the printer's own
// snmp keys (an API-made printer has none: its device URI decides).
printer_monitoring monitoring_of(site::impl& d, const printer_record& p) {
  printer_monitoring m;
  const monitoring_config& mc = d.cfg.monitoring;
  auto where = snmp_settings_of(d.cfg.find_printer(p.name), p.device_uri, mc);
  if (!where.monitored) return m;
  if (!d.snmp) {
    devices::snmp_client_options o;
    o.timeout_ms = mc.timeout_ms;
    o.retries = mc.retries;
    // A flood of bad datagrams must not flood the log: one line per 10 s.
    o.on_drop = [loop = d.loop.get(), last = uint64_t{0}, missed = uint64_t{0}](const std::string& why) mutable {
      uint64_t now = uv_now(loop->uv());
      if (last != 0 && now - last < 10'000) {
        missed += 1;
        return;
      }
      if (missed > 0) spdlog::warn("snmp: dropped a datagram {} (and {} more since the last line)", why, missed);
      else spdlog::warn("snmp: dropped a datagram {}", why);
      last = now;
      missed = 0;
    };
    d.snmp = std::make_shared<devices::snmp_client>(d.loop->uv(), std::move(o));
  }
  m.enabled = true;
  m.host = where.host;
  m.port = where.port;
  m.community = where.community;
  m.ver = where.version == "1" ? snmp::version::v1 : snmp::version::v2c;
  m.client = d.snmp;
  m.poll.max_rows = mc.max_rows;
  m.schedule.interval_ms = uint64_t{mc.interval_s} * 1000;
  m.schedule.busy_interval_ms = uint64_t{mc.busy_interval_s} * 1000;
  m.schedule.max_backoff_ms = uint64_t{mc.max_backoff_s} * 1000;
  m.schedule.jitter_percent = mc.jitter_percent;
  m.schedule.offline_after = mc.offline_after;
  m.low_percent = static_cast<int>(mc.low_percent);
  m.snapshot_ms = int64_t{mc.snapshot_s} * 1000;
  m.retention_ms = int64_t{mc.snapshot_days} * 86'400'000;
  m.st = d.st.get();
  return m;
}

accounts_options accounts_options_of(const site::impl& d, event_bus_actor bus,
                                     const std::map<std::string, quota_record>& quotas) {
  accounts_options ao;
  ao.st = d.st.get();
  ao.events = std::move(bus);
  ao.now_ms = &wall_clock_ms;
  ao.prepaid = d.cfg.accounting.prepaid;
  ao.initial_credit = d.cfg.accounting.initial_credit;
  ao.unlimited_groups = d.cfg.accounting.unlimited_groups;
  ao.quotas = quotas_of(quotas);
  ao.currency = d.cfg.accounting.currency;
  ao.minor_digits = d.cfg.accounting.minor_digits;
  return ao;
}

// Spawns printers, registry, queues, readers and the IPP listener; returns
// the actors the supervisor watches.
std::vector<caf::actor> spawn_actors(site::impl& d) {
  auto& sys = *d.actors;
  auto env = std::make_shared<job_env>();
  env->storage = d.jobs.get();
  env->held_expiry_ms = static_cast<int64_t>(d.cfg.jobs.held_expiry_s) * 1000;
  env->history_ms = static_cast<int64_t>(d.cfg.jobs.history_s) * 1000;
  env->reprint_ms = static_cast<int64_t>(d.cfg.jobs.reprint_s) * 1000;
  env->now_ms = &wall_clock_ms;
  // Job PINs: an HMAC with the server secret, bound to the job id; the
  // encryption the client used prefixes it so a typed PIN is compared alike.
  const secret_key* secret = &d.st->server_secret();
  env->pin_hash = [secret](uint64_t id, const std::string& encryption, const std::string& material) {
    return encryption + ":" + hash_job_pin(*secret, id, material);
  };
  env->pin_matches = [secret](const job_record& job, const std::string& typed) {
    auto colon = job.pin_hash.find(':');
    if (colon == std::string::npos) return false;
    std::string encryption = job.pin_hash.substr(0, colon);
    return verify_job_pin(*secret, job.id, ipp::pin_material(encryption, typed), job.pin_hash.substr(colon + 1));
  };

  auto fl = std::make_shared<fleet>();
  std::vector<caf::actor> watched;
  // Event sequence numbers never repeat: the bus reserves them in blocks.
  event_bus_options bo;
  bo.now_ms = &wall_clock_ms;
  bo.first_seq = bo.reserved_until = std::max<uint64_t>(1, d.st->counter("event_seq"));
  bo.reserve = [st = d.st.get()](uint64_t until, std::function<void(bool)> done) {
    write_batch b;
    put_counter(b, "event_seq", until);
    st->commit(std::move(b), [done = std::move(done)](const status& s) { done(!s); });
  };
  auto bus = spawn_event_bus(sys, bo);
  watched.push_back(caf::actor_cast<caf::actor>(bus));
  env->events = bus;
  if (auto pool = spawn_processors(d)) {
    watched.push_back(caf::actor_cast<caf::actor>(pool));
    env->processors = pool;
    env->analysis_timeout_ms = d.cfg.processors.timeout_ms;
    env->convert_timeout_ms = d.cfg.processors.convert_timeout_ms;
  }
  devices::driver_options dopts;
  dopts.sink_root = d.cfg.server.data_dir + "/sink";
  const delivery_config& dc = d.cfg.delivery;
  dopts.net.connect_timeout_ms = dopts.ipp.connect_timeout_ms = dc.connect_timeout_ms;
  dopts.net.progress_timeout_ms = dopts.ipp.io_timeout_ms = dc.progress_timeout_ms;
  dopts.net.ack_timeout_ms = dc.ack_timeout_ms;
  dopts.net.retries = dopts.ipp.retries = dc.retries;
  dopts.net.backoff_ms = dopts.ipp.backoff_ms = dc.backoff_ms;
  dopts.ipp.poll_interval_ms = dc.ipp_poll_ms;
  dopts.ipp.job_timeout_ms = uint64_t{dc.job_timeout_s} * 1000;
  // A printer's driver and monitoring touch the loop: at run time (the
  // fleet actor adding or renewing a printer) they are made on its thread.
  auto make_printer = [&d, &sys, dopts, bus](const printer_record& p) {
    return d.on_loop([&] {
      auto drv = devices::make_driver(d.loop->uv(), p.device_uri, dopts);
      std::string reason = drv.ok() ? "" : drv.err().message;
      fleet::printer_entry e;
      e.record = p;
      e.monitored = snmp_settings_of(d.cfg.find_printer(p.name), p.device_uri, d.cfg.monitoring).monitored;
      e.actor = spawn_printer(sys, p, drv.ok() ? *drv : nullptr, reason, d.loop.get(), bus, monitoring_of(d, p));
      return e;
    });
  };
  auto lists = std::make_shared<std::map<std::string, price_list_record>>();
  for (auto& l : d.st->list_price_lists()) lists->emplace(l.name, std::move(l));
  auto projects = std::make_shared<std::map<std::string, project_record>>();
  for (auto& p : d.st->list_projects()) projects->emplace(p.name, std::move(p));
  auto quotas = std::make_shared<std::map<std::string, quota_record>>();
  for (auto& q : d.st->list_quotas()) quotas->emplace(q.name, std::move(q));
  fl->price_lists = lists;
  fl->projects = projects;
  fl->quotas = quotas;
  auto printers = d.st->list_printers();
  for (auto& p : printers) {
    if (!p.price_list.empty() && !lists->count(p.price_list))
      spdlog::warn("printer {}: there is no price list {}; it prints free", p.name, p.price_list);
    fl->printers.emplace(p.name, make_printer(p));
  }
  fl->prices = prices_of(printers, *lists);
  env->prices = fl->prices;
  env->currency = d.cfg.accounting.currency;
  env->minor_digits = d.cfg.accounting.minor_digits;
  registry_options ropts;
  // Look for expired held jobs and forgettable finished ones a few times per
  // period, at most once a minute.
  int64_t period = env->held_expiry_ms;
  if (env->history_ms > 0) period = std::min(period, env->history_ms);
  ropts.expiry_interval = std::chrono::milliseconds(std::clamp<int64_t>(period / 4, 200, 60000));
  ropts.admission.max_jobs_per_user = d.cfg.limits.max_jobs_per_user;
  ropts.admission.max_bytes_per_user = d.cfg.limits.max_bytes_per_user;
  ropts.admission.user_per_minute = d.cfg.limits.user_submissions_per_minute;
  ropts.admission.host_per_minute = d.cfg.limits.host_submissions_per_minute;
  auto accounts = spawn_accounts(sys, accounts_options_of(d, bus, *quotas));
  watched.push_back(caf::actor_cast<caf::actor>(accounts));
  env->accounts = accounts;
  auto registry = spawn_registry(sys, env, d.st->next_job_id(), ropts);
  watched.push_back(caf::actor_cast<caf::actor>(registry));
  auto make_queue = [&sys, registry](const queue_record& q, std::vector<std::pair<std::string, printer_actor>> ps) {
    return spawn_queue(sys, q, registry, std::move(ps));  // `ps`: where it prints or releases
  };
  for (auto& q : d.st->list_queues()) fl->queues.emplace(q.name, fleet::queue_entry{q, make_queue(q, fl->printers_of(q))});
  env->printers_and_queues = fl;  // complete before any job can run
  d.fleet = std::make_shared<fleet_cell>(fl);
  // Who gets each new fleet snapshot (the fleet actor, spawned last).
  std::vector<caf::actor> fleet_holders{caf::actor_cast<caf::actor>(registry), caf::actor_cast<caf::actor>(accounts)};
  metrics_options mo;
  mo.st = d.st.get();
  mo.fleet = fl;
  mo.bus = bus;
  d.metrics = spawn_metrics(sys, std::move(mo));
  watched.push_back(caf::actor_cast<caf::actor>(d.metrics));
  fleet_holders.push_back(caf::actor_cast<caf::actor>(d.metrics));
  disk_watch_options dw;
  dw.path = d.cfg.server.data_dir;
  dw.min_free = d.cfg.limits.min_free_disk_bytes;
  watched.push_back(spawn_disk_watch(sys, dw, fl, bus));
  fleet_holders.push_back(watched.back());

  user_directory_options uo;
  uo.now_ms = &wall_clock_ms;
  uo.pins = pin_policy_of(d.cfg.pins);
  uo.card_enrolment = d.cfg.terminals.card_enrolment;
  uo.enrolment_code_ms = int64_t{d.cfg.terminals.enrolment_code_s} * 1000;
  if (d.cfg.mail.enabled) {
    uo.mailer = spawn_mailer(sys, mailer_options_of(d.cfg.mail, d.mail_password));
    wipe(d.mail_password);
    watched.push_back(caf::actor_cast<caf::actor>(*uo.mailer));
    uo.mail_timeout_ms = d.cfg.mail.timeout_ms;
    uo.site_name = d.cfg.mail.site_name;
  }
  const auto& dir_cfg = d.cfg.directory;
  if (dir_cfg.enabled && dir_cfg.password_logins) {
    uo.directory = ldap_options_of(dir_cfg);
    uo.offline_cached = dir_cfg.offline_logins == "cached";
  }
  d.users = spawn_user_directory(sys, *d.st, uo);
  watched.push_back(caf::actor_cast<caf::actor>(d.users));
  if (dir_cfg.enabled) {
    auto o = directory_options_of(dir_cfg, d.directory_password);
    wipe(d.directory_password);
    o.now_ms = &wall_clock_ms;
    auto sync = spawn_directory_sync(sys, std::move(o), *d.st, d.users, bus);
    watched.push_back(caf::actor_cast<caf::actor>(sync));
    d.directory_api = make_directory_service(sys, sync, dir_cfg.url, dir_cfg.base_dn);
  }
  d.users_api = make_user_service(sys, d.users);
  web_sessions_options wso;
  wso.now_ms = &wall_clock_ms;
  auto sessions = spawn_web_sessions(sys, wso);
  watched.push_back(caf::actor_cast<caf::actor>(sessions));
  d.sessions_api = make_session_service(sys, sessions);
  d.tokens_api = make_token_service(*d.st, &wall_clock_ms);
  d.audit_api = make_audit_service(sys, *d.st, d.cfg.api.audit_days, &wall_clock_ms);
  d.reports_api =
      make_report_service(sys, *d.st, {d.cfg.accounting.currency, d.cfg.accounting.minor_digits});
  d.api_options.allow_plain_loopback = d.cfg.api.allow_plain_loopback;
  d.stream_options.sys = &sys;
  d.stream_options.bus = bus;
  d.stream_options.fanout = spawn_event_fanout(sys, {bus, bo.window});
  watched.push_back(caf::actor_cast<caf::actor>(d.stream_options.fanout));
  d.stream_options.users = d.users_api.get();
  d.stream_options.sessions = d.sessions_api.get();
  d.stream_options.tokens = d.tokens_api.get();
  d.stream_options.allow_plain_loopback = d.cfg.api.allow_plain_loopback;

  auto tell_metrics = [m = d.metrics](std::chrono::nanoseconds t) {
    caf::anon_send(m, latency_atom::value, static_cast<int64_t>(t.count()));
  };
  release_service_options ro{d.st.get(), registry, fl, tell_metrics};
  auto releases = spawn_release_service(sys, std::move(ro));
  watched.push_back(caf::actor_cast<caf::actor>(releases));
  fleet_holders.push_back(caf::actor_cast<caf::actor>(releases));
  web::money_format money{d.cfg.accounting.currency, d.cfg.accounting.minor_digits};
  d.jobs_api = make_job_service(sys, job_service_options{d.st.get(), money, registry, releases, d.fleet});
  d.print_api = make_print_service(sys, web_print_options{&d.st->spool_folder(), d.fleet,
                                                          d.cfg.limits.inline_document_bytes, money});
  d.api_options.max_document_bytes = d.cfg.limits.max_document_bytes;
  terminal_options to;
  to.st = d.st.get();
  to.fleet = fl;
  to.users = d.users;
  to.releases = releases;
  to.registry = registry;
  to.accounts = accounts;
  to.events = bus;
  for (const auto& p : d.cfg.printers)
    to.printers.emplace(p.name, terminal_printer_policy{login_methods_of(p.login), p.print_all_on_login});
  to.prices = env->prices;
  to.money = {d.cfg.accounting.currency, d.cfg.accounting.minor_digits};
  to.idle_ms = int64_t{d.cfg.terminals.session_idle_s} * 1000;
  to.pin_min_digits = d.cfg.terminals.pin_login_min_digits;
  to.card_enrolment = d.cfg.terminals.card_enrolment;
  to.limits.max_user_failures = to.limits.max_address_failures = d.cfg.terminals.max_login_failures;
  to.limits.base_backoff_ms = to.limits.max_backoff_ms = int64_t{d.cfg.terminals.lockout_s} * 1000;
  to.now_ms = &wall_clock_ms;
  auto terminals = spawn_terminals(sys, std::move(to));
  watched.push_back(terminals);
  fleet_holders.push_back(terminals);
  d.terminals_api = make_terminal_service(terminals);
  d.accounting_api = make_accounting_service(sys, *d.st, accounts, d.users, terminals,
                                             {d.cfg.accounting.currency, d.cfg.accounting.minor_digits});
  d.printers_api = make_printer_service(sys, d.fleet, static_cast<int>(d.cfg.monitoring.low_percent));
  d.terminal_api_options.allow_plain_loopback = d.cfg.api.allow_plain_loopback;

  ipp_listener_config lc;
  lc.printers_and_queues = fl;
  lc.registry = registry;
  lc.releases = releases;
  lc.readers = spawn_job_readers(sys, d.st.get(), 2);
  for (auto& r : lc.readers) watched.push_back(caf::actor_cast<caf::actor>(r));
  lc.server_name = d.cfg.server.name;
  lc.server_uuid = d.st->server_uuid();
  notifier_config nc;
  nc.printers_and_queues = fl;
  nc.bus = bus;
  nc.reader = lc.readers.front();
  nc.now_ms = &wall_clock_ms;
  nc.mask_others = d.cfg.privacy.mask_other_users;
  nc.first_id = reserve_subscription_ids(*d.st);
  lc.notifier = spawn_ipp_notifier(sys, std::move(nc));
  lc.users = d.users;
  lc.tls = d.cfg.tls.enabled;
  lc.mask_others = d.cfg.privacy.mask_other_users;
  watched.push_back(lc.notifier);
  fleet_holders.push_back(lc.notifier);
  stream_listener_config sc;
  sc.printers_and_queues = fl;
  sc.registry = registry;
  sc.readers = lc.readers;
  sc.users = d.st.get();
  sc.intake = d.cfg.intake;
  sc.mask_others = d.cfg.privacy.mask_other_users;
  d.ipp_listener = spawn_ipp_listener(sys, std::move(lc));
  watched.push_back(d.ipp_listener);
  d.stream_listener = spawn_stream_listener(sys, std::move(sc));
  watched.push_back(d.stream_listener);
  fleet_holders.push_back(d.ipp_listener);
  fleet_holders.push_back(d.stream_listener);

  fleet_keeper_options fo;
  fo.st = d.st.get();
  fo.initial = fl;
  fo.data_dir = d.cfg.server.data_dir;
  fo.make_printer = make_printer;
  fo.make_queue = make_queue;
  fo.subscribers = std::move(fleet_holders);
  fo.cell = d.fleet;
  auto keeper = spawn_fleet_keeper(sys, std::move(fo));
  watched.push_back(keeper);
  d.fleet_api = make_fleet_service(keeper, d.fleet);
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
  if (auto e = bind_stream_listeners(*raw)) return e;
  // Configured key files are read before dropping privileges (they may be
  // readable by root alone); a generated pair is made once the data folder
  // is ours: after the drop (owned by the user that owns the folder) and
  // after storage has locked it.
  bool tls = cfg.ipp.enabled && cfg.tls.enabled;
  std::shared_ptr<const io::tls_context> tls_ctx;
  io::tls_files tls_files;
  if (tls && !cfg.tls.certificate.empty()) {
    auto ctx = load_tls(cfg, tls_files);
    if (!ctx.ok()) return ctx.err();
    tls_ctx = *ctx;
  }
  if (auto e = drop_privileges(cfg.server.user)) return e;

  store::options so;
  so.data_dir = cfg.server.data_dir;
  auto opened = store::open(so);
  if (!opened.ok()) return opened.err();
  raw->st = std::move(opened.value());
  if (auto e = apply_config(*raw->st, cfg)) return error{e.code, "cannot apply the configuration: " + e.message};
  raw->jobs = make_job_store(*raw->st);
  if (tls && !tls_ctx) {
    auto ctx = load_tls(cfg, tls_files);
    if (!ctx.ok()) return ctx.err();
    tls_ctx = *ctx;
  }

  raw->actor_cfg = std::make_unique<caf::actor_system_config>();
  configure_actor_system(*raw->actor_cfg);
  raw->actors = std::make_unique<caf::actor_system>(*raw->actor_cfg);
  if (cfg.directory.enabled) {
    auto pw = read_secret_line(cfg.directory.bind_password_file);
    if (!pw.ok()) return error{pw.err().code, "directory.bind_password_file: " + pw.err().message};
    raw->directory_password = std::move(*pw);
  }
  if (cfg.mail.enabled) {
    if (!cfg.mail.user.empty()) {
      auto pw = read_secret_line(cfg.mail.password_file);
      if (!pw.ok()) return error{pw.err().code, "mail.password_file: " + pw.err().message};
      raw->mail_password = std::move(*pw);
    }
    if (auto s = mail::check_options(mailer_options_of(cfg.mail, raw->mail_password).smtp))
      return error{s.code, "[mail]: " + s.message};
  }
  auto watched = spawn_actors(*raw);
  raw->supervisor = spawn_supervisor(*raw->actors, std::move(watched), std::move(on_fatal));

  start_stream_intake(*raw, tls_ctx);
  if (tls_ctx) {
    // Logged only now: a refusal to start stays one line.
    if (tls_files.generated) spdlog::info("tls: generated a self-signed certificate, {}", tls_files.certificate);
    spdlog::info("tls: ipps on the ipp listener; certificate {} (SHA-256 {})", tls_files.certificate,
                 tls_ctx->fingerprint());
    raw->http->set_tls(std::move(tls_ctx));
  }
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
    stop_stream_listeners(d);
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
    d.loop->stop([&] {
      d.http->close_all();
      close_stream_connections(d);
      if (d.snmp) d.snmp->close();
    });
    d.loop_running = false;
  } else {
    d.http->close_all();
    close_stream_connections(d);
  }
  // Actor handles must go before their actor system does.
  d.supervisor = nullptr;
  d.ipp_listener = nullptr;
  d.stream_listener = nullptr;
  d.users_api.reset();
  d.stream_options = {};
  d.jobs_api.reset();
  d.print_api.reset();
  d.tokens_api.reset();
  d.reports_api.reset();
  d.audit_api.reset();
  d.terminals_api.reset();
  d.accounting_api.reset();
  d.printers_api.reset();
  d.fleet_api.reset();
  d.directory_api.reset();
  d.users = nullptr;
  d.metrics = nullptr;
  d.fleet.reset();
  d.actors.reset();
  if (d.st) d.st->close();
  if (served) spdlog::info("stopped");
}

}  // namespace quire
