// quired: the Quire print server.
//
//   quired [--config FILE] [--data-dir DIR] [--set KEY=VALUE]... [--print-config]
//   quired [--config FILE] [--data-dir DIR] --add-admin NAME   (password on stdin)
//
// Prints one line per bound listener ("quired: ipp listening on ADDR") and
// "quired: ready" on standard output once it serves; logs go to standard
// error (or log.file). SIGTERM and SIGINT stop it cleanly with exit 0; a
// failure to start prints one line and exits 1; bad usage exits 2.
#include <signal.h>
#include <unistd.h>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "actors/admin_bootstrap.hpp"
#include "actors/site.hpp"
#include "config/config.hpp"

namespace {

const char* usage =
    "usage: quired [--config FILE] [--data-dir DIR] [--set KEY=VALUE]... [--print-config]\n"
    "  --config FILE    read settings from FILE (defaults: config/quire.example.toml)\n"
    "  --data-dir DIR   same as --set server.data_dir=DIR\n"
    "  --set KEY=VALUE  override one setting, e.g. --set ipp.listen=127.0.0.1:8631\n"
    "  --print-config   print the effective configuration and exit\n"
    "  --add-admin NAME create (or reset) administrator NAME with the password read\n"
    "                   from standard input, then exit; quired must not be running\n";

std::atomic<int> exit_code{0};

std::string add_admin;  // --add-admin NAME

bool parse_args(int argc, char** argv, quire::config_sources& src, bool& print_config) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--config" && value(v)) {
      src.file = v;
    } else if (a == "--data-dir" && value(v)) {
      src.data_dir = v;
    } else if (a == "--set" && value(v)) {
      src.overrides.push_back(v);
    } else if (a == "--add-admin" && value(v)) {
      add_admin = v;
    } else if (a == "--print-config") {
      print_config = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(usage, stdout);
      std::exit(0);
    } else {
      std::fprintf(stderr, "quired: unexpected argument '%s'\n%s", a.c_str(), usage);
      return false;
    }
  }
  return true;
}

void setup_logging(const quire::log_config& lc) {
  std::shared_ptr<spdlog::logger> logger;
  if (lc.file.empty())
    logger = spdlog::stderr_logger_mt("quired");
  else
    logger = spdlog::basic_logger_mt("quired", lc.file);
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(lc.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
  quire::config_sources src;
  bool print_config = false;
  if (!parse_args(argc, argv, src, print_config)) return 2;
  auto cfg = quire::load_config(src);
  if (!cfg.ok()) {
    std::fprintf(stderr, "quired: %s\n", cfg.err().message.c_str());
    return 1;
  }
  if (print_config) {
    std::fputs(quire::to_toml(*cfg).c_str(), stdout);
    return 0;
  }
  if (!add_admin.empty()) {
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.empty()) {
      std::fprintf(stderr, "quired: --add-admin reads the password from standard input; it was empty\n");
      return 1;
    }
    if (auto s = quire::add_administrator(*cfg, add_admin, std::move(password))) {
      std::fprintf(stderr, "quired: %s\n", s.message.c_str());
      return 1;
    }
    std::printf("quired: administrator %s saved\n", add_admin.c_str());
    return 0;
  }
  setup_logging(cfg->log);

  // Signals are taken by this thread alone (sigwait); every thread started
  // from here on inherits the mask. Writes to a closed socket must not kill us.
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto site = quire::site::start(*cfg, [](const std::string&) {
    exit_code.store(1);
    ::kill(::getpid(), SIGTERM);
  });
  if (!site.ok()) {
    std::fprintf(stderr, "quired: %s\n", site.err().message.c_str());
    return 1;
  }
  for (const auto& [name, address] : (*site)->listeners())
    std::printf("quired: %s listening on %s\n", name.c_str(), address.c_str());
  std::printf("quired: ready (pid %d, data %s)\n", static_cast<int>(::getpid()), cfg->server.data_dir.c_str());
  std::fflush(stdout);
  spdlog::info("ready; data in {}", cfg->server.data_dir);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("{} received", sig == SIGINT ? "SIGINT" : "SIGTERM");
  (*site)->stop();
  site.value().reset();
  return exit_code.load();
}
