// quirectl: the administrator's command line over Quire's REST API
// (web/admin_api.hpp). Arguments and output are pure functions
// (quirectl_cli.hpp, quirectl_output.hpp); this file gathers the secrets
// (a file, the environment, the terminal, stdin; never argv) and does the
// exchange (quirectl_http.hpp).
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "storage/credentials.hpp"
#include "web/quirectl_cli.hpp"
#include "web/quirectl_http.hpp"
#include "web/quirectl_output.hpp"

using namespace quire;
using namespace quire::quirectl;

namespace {

constexpr size_t max_secret_bytes = 4096;

// The terminal's settings while a prompt hides what is typed, so that an
// interrupt gives the echo back.
termios saved_tty;
volatile sig_atomic_t tty_fd = -1;

void restore_tty(int) {
  if (tty_fd >= 0) ::tcsetattr(tty_fd, TCSAFLUSH, &saved_tty);
  ::_exit(130);
}

// One line from `fd` (without its end of line), at most max_secret_bytes.
bool read_line(int fd, std::string& out) {
  out.clear();
  char c;
  for (;;) {
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return !out.empty();
    if (c == '\n') break;
    if (out.size() >= max_secret_bytes) return false;
    out.push_back(c);
  }
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return true;
}

// Asks on the terminal `fd` with echo off.
bool prompt_hidden(int fd, const std::string& prompt, std::string& out) {
  if (::tcgetattr(fd, &saved_tty) != 0) return false;
  termios quiet = saved_tty;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tty_fd = fd;
  struct sigaction sa {};
  sa.sa_handler = restore_tty;
  struct sigaction old_int {}, old_term {};
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);
  (void)!::write(fd, prompt.data(), prompt.size());
  ::tcsetattr(fd, TCSAFLUSH, &quiet);
  bool ok = read_line(fd, out);
  ::tcsetattr(fd, TCSAFLUSH, &saved_tty);
  tty_fd = -1;
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  (void)!::write(fd, "\n", 1);
  return ok;
}

int usage_error(const std::string& message) {
  std::cerr << "quirectl: " << message << "\n(quirectl --help for usage)\n";
  return exit_usage;
}

std::string login_name() {
  if (const char* u = std::getenv("QUIRE_USER"); u && *u) return u;
  if (passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name) return pw->pw_name;
  return {};
}

// An API token instead of a password: --token-file, else QUIRE_TOKEN.
// False with `why` when the file cannot be read or holds no token; true
// with `out` empty when neither is given.
bool api_token(const invocation& inv, std::string& out, std::string& why) {
  if (!inv.token_file.empty()) {
    int fd = ::open(inv.token_file.c_str(), O_RDONLY | O_CLOEXEC);
    bool ok = fd >= 0 && read_line(fd, out) && out.rfind("qt_", 0) == 0;
    if (fd >= 0) ::close(fd);
    if (!ok) why = "no API token (qt_...) in " + inv.token_file;
    return ok;
  }
  if (const char* t = std::getenv("QUIRE_TOKEN"); t && *t) out = t;
  return true;
}

// The administrator's password: --password-file, QUIRE_PASSWORD, or a prompt.
bool admin_password(const invocation& inv, const std::string& user, std::string& out, std::string& why) {
  if (!inv.password_file.empty()) {
    int fd = ::open(inv.password_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || !read_line(fd, out) || out.empty()) {
      if (fd >= 0) ::close(fd);
      why = "cannot read a password from " + inv.password_file;
      return false;
    }
    ::close(fd);
    return true;
  }
  if (const char* p = std::getenv("QUIRE_PASSWORD"); p && *p) {
    out = p;
    return true;
  }
  int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty >= 0) {
    bool ok = prompt_hidden(tty, "Password for " + printable(user) + ": ", out);
    ::close(tty);
    if (ok && !out.empty()) return true;
  }
  why = "no password: use --password-file FILE or QUIRE_PASSWORD";
  return false;
}

// A new password, card id or PIN from stdin: prompted (twice for a
// password) when stdin is a terminal, else its first line.
bool stdin_value(stdin_secret kind, std::string& out, std::string& why) {
  const char* what = kind == stdin_secret::password  ? "new password"
                     : kind == stdin_secret::card_id ? "card id"
                                                     : "PIN";
  if (::isatty(0)) {
    std::string first = std::string(1, static_cast<char>(std::toupper(what[0]))) + (what + 1) + ": ";
    if (!prompt_hidden(0, first, out) || out.empty()) {
      why = std::string("no ") + what + " given";
      return false;
    }
    if (kind == stdin_secret::password) {
      std::string again;
      bool same = prompt_hidden(0, "Again: ", again) && again == out;
      wipe(again);
      if (!same) {
        why = "the two passwords differ";
        return false;
      }
    }
    return true;
  }
  if (!read_line(0, out) || out.empty()) {
    why = std::string("no ") + what + " on standard input";
    return false;
  }
  return true;
}

// One request; prints a refusal. 0 with the reply, or the exit code.
int call(const server_url& server, const client_options& client, const invocation& inv, const std::string& user,
         const std::string& password, const api_request& req, http_reply& reply) {
  std::string bytes = format_request(server, req, user, password);
  auto r = exchange(server, client, bytes);
  wipe(bytes);
  if (!r.ok()) {
    std::cerr << "quirectl: " << r.err().message << "\n";
    return exit_refused;
  }
  reply = std::move(*r);
  if (reply.status >= 200 && reply.status < 300) return exit_ok;
  std::cerr << "quirectl: " << describe_refusal(reply) << "\n";
  if (inv.json && !reply.body.empty()) std::cout << printable(reply.body) << "\n";
  return exit_refused;
}

// credit, once `reply` holds the account: AMOUNT in the currency's minor
// units, then the credit itself (whose answer replaces `reply`).
int credit(const server_url& server, const client_options& client, const invocation& inv, const std::string& user,
           const std::string& password, http_reply& reply) {
  auto digits = minor_digits_of(reply.body);
  if (!digits) {
    std::cerr << "quirectl: the server's account shows no currency digits (an older server?)\n";
    return exit_refused;
  }
  auto minor = parse_amount(inv.amount, *digits);
  if (!minor.ok()) return usage_error(minor.err().message);
  return call(server, client, inv, user, password, credit_request(inv, *minor), reply);
}

// directory sync --wait, once `reply` holds the POST's answer (sent at
// `asked_ms`): polls GET /api/v1/directory every second until the sync is
// done; `reply` then holds the last answer. The exit code.
int wait_for_directory_sync(const server_url& server, const client_options& client, const invocation& inv,
                            const std::string& user, const std::string& password, int64_t asked_ms,
                            http_reply& reply) {
  auto started = sync_started(reply.body);
  if (!started) {
    std::cerr << "quirectl: the server's answer to the sync says nothing of it starting\n";
    return exit_refused;
  }
  invocation status = inv;
  status.what = action::directory_status;
  const api_request get = build_request(status, {});
  int rc = exit_ok;
  auto fetch = [&]() -> result<std::string> {
    rc = call(server, client, inv, user, password, get, reply);
    if (rc != exit_ok) return error(errc::unavailable, "");  // call() said why
    return reply.body;
  };
  auto done = wait_for_sync(fetch, [] { ::sleep(1); }, sync_wait_since(inv.full, *started, asked_ms));
  if (rc != exit_ok) return rc;
  if (!done.ok()) {
    std::cerr << "quirectl: " << done.err().message << "\n";
    return exit_refused;
  }
  return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parse_command_line(args);
  if (!parsed.ok()) return usage_error(parsed.err().message);
  invocation inv = std::move(*parsed);
  if (inv.what == action::help) {
    std::cout << usage_text;
    return exit_ok;
  }

  std::string server_text = inv.server;
  if (server_text.empty())
    if (const char* s = std::getenv("QUIRE_SERVER"); s && *s) server_text = s;
  if (server_text.empty()) server_text = std::string(default_server);
  auto server = parse_server_url(server_text);
  if (!server.ok()) return usage_error(server.err().message);
  client_options client;
  client.insecure = inv.insecure;
  client.cacert = inv.cacert;

  // With an API token there is no user to name: the empty user makes
  // format_request send the token (as `password`) as a Bearer credential.
  std::string user, password, why;
  if (!api_token(inv, password, why)) return usage_error(why);
  if (password.empty()) {
    user = inv.user.empty() ? login_name() : inv.user;
    if (user.empty()) return usage_error("no user name: use --user NAME");
    if (!admin_password(inv, user, password, why)) return usage_error(why);
  }

  std::string secret;
  stdin_secret kind = secret_of(inv);
  if (kind != stdin_secret::none && !stdin_value(kind, secret, why)) {
    wipe(password);
    return usage_error(why);
  }

  api_request req = build_request(inv, secret);
  wipe(secret);
  http_reply reply;
  using namespace std::chrono;
  const int64_t asked_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  int rc = call(*server, client, inv, user, password, req, reply);
  wipe(req.body);
  if (rc == exit_ok && inv.what == action::credit) rc = credit(*server, client, inv, user, password, reply);
  if (rc == exit_ok && inv.what == action::directory_sync && inv.wait)
    rc = wait_for_directory_sync(*server, client, inv, user, password, asked_ms, reply);

  std::vector<std::string> pages;
  bool listing = inv.what == action::user_list || inv.what == action::jobs_list;
  if (rc == exit_ok && listing) {
    pages.push_back(reply.body);
    // Without --limit, follow the pages to the end.
    for (auto next = next_page(reply.body); rc == exit_ok && next && !inv.limit; next = next_page(reply.body)) {
      rc = call(*server, client, inv, user, password, build_request(inv, {}, &*next), reply);
      if (rc == exit_ok) pages.push_back(reply.body);
    }
  }
  wipe(password);
  if (rc != exit_ok) return rc;

  switch (inv.what) {
    case action::user_list:
      std::cout << (inv.json ? (inv.limit ? printable(reply.body) + "\n" : merge_pages(pages)) : user_table(pages));
      break;
    case action::whoami:
      std::cout << (inv.json ? printable(reply.body) + "\n" : whoami_line(reply.body));
      break;
    case action::user_show:
    case action::user_add:
    case action::user_set:
      std::cout << (inv.json ? printable(reply.body) + "\n" : user_details(reply.body));
      break;
    case action::jobs_list:
      std::cout << (inv.json ? (inv.limit ? printable(reply.body) + "\n" : merge_pages(pages, "jobs"))
                             : job_table(pages));
      break;
    case action::jobs_show:
      std::cout << (inv.json ? printable(reply.body) + "\n" : job_details(reply.body));
      break;
    case action::printers_list:
      std::cout << (inv.json ? printable(reply.body) + "\n" : printer_table(reply.body));
      break;
    case action::printers_show:
      std::cout << (inv.json ? printable(reply.body) + "\n" : printer_details(reply.body));
      break;
    case action::printers_counters:
      std::cout << (inv.json ? printable(reply.body) + "\n" : counters_table(reply.body));
      break;
    case action::printers_add:
    case action::printers_set:
      std::cout << (inv.json ? printable(reply.body) + "\n" : printer_record_details(reply.body));
      break;
    case action::queues_list:
      std::cout << (inv.json ? printable(reply.body) + "\n" : queue_table(reply.body));
      break;
    case action::queues_show:
    case action::queues_add:
    case action::queues_set:
      std::cout << (inv.json ? printable(reply.body) + "\n" : queue_details(reply.body));
      break;
    case action::prices_list:
      std::cout << (inv.json ? printable(reply.body) + "\n" : price_table(reply.body));
      break;
    case action::prices_show:
    case action::prices_add:
    case action::prices_set:
      std::cout << (inv.json ? printable(reply.body) + "\n" : price_details(reply.body));
      break;
    case action::projects_list:
      std::cout << (inv.json ? printable(reply.body) + "\n" : project_table(reply.body));
      break;
    case action::projects_show:
    case action::projects_add:
    case action::projects_set:
      std::cout << (inv.json ? printable(reply.body) + "\n" : project_details(reply.body));
      break;
    case action::quotas_list:
      std::cout << (inv.json ? printable(reply.body) + "\n" : quota_table(reply.body));
      break;
    case action::quotas_show:
    case action::quotas_add:
    case action::quotas_set:
      std::cout << (inv.json ? printable(reply.body) + "\n" : quota_details(reply.body));
      break;
    case action::jobs_reprint:
      std::cout << (inv.json ? printable(reply.body) + "\n" : job_details(reply.body));
      break;
    case action::directory_status:
    case action::directory_sync: {
      std::string out, err;
      int code = directory_output(inv, reply.body, out, err);
      std::cout << out;
      std::cerr << err;
      return code;
    }
    case action::account:
    case action::credit:
      std::cout << (inv.json ? printable(reply.body) + "\n" : account_details(reply.body));
      break;
    case action::ledger:
      std::cout << (inv.json ? printable(reply.body) + "\n" : ledger_table(reply.body));
      break;
    case action::delegates_show:
    case action::delegates_set:
      std::cout << (inv.json ? printable(reply.body) + "\n" : delegates_line(inv, reply.body));
      break;
    case action::terminals_list:
      std::cout << (inv.json ? printable(reply.body) + "\n" : terminal_table(reply.body));
      break;
    case action::report:
      std::cout << (inv.json || inv.csv ? std::string(reply.body) + (inv.csv ? "" : "\n") : report_table(reply.body));
      break;
    case action::tokens_list:
      std::cout << (inv.json ? printable(reply.body) + "\n" : token_table(reply.body));
      break;
    case action::user_pin_mail:
      std::cout << (inv.json ? printable(reply.body) + "\n" : pin_mailed_line(inv, reply.body));
      break;
    case action::tokens_add:
      // As for terminals: the token is printed once, to stdout only.
      std::cout << (inv.json ? printable(reply.body) + "\n" : token_added(reply.body));
      break;
    case action::terminals_add:
      // With --json the token is in the JSON; either way it is printed once, to stdout only.
      std::cout << (inv.json ? printable(reply.body) + "\n" : terminal_added(reply.body));
      break;
    default:
      if (!inv.json) std::cout << done_line(inv);
      break;
  }
  return exit_ok;
}
