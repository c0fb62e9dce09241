#include "devices/directory/ldap_client.hpp"

#include <ldap.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "protocols/service_url.hpp"

namespace quire::ldap {

struct connection::state {
  LDAP* ld = nullptr;
  std::string url;
  int timeout_ms = 0;
  // Set when the transport was lost or an answer did not come in time:
  // libldap would reconnect on the next call, without StartTLS and unbound,
  // and a bind that timed out may still complete on the server.
  bool broken = false;
  // A dup of the socket while a TLS handshake runs (see watchdog below).
  std::atomic<int> handshake_fd{-1};
  ldap_conncb callbacks{};  // libldap keeps a pointer: lives as long as `ld`

  state() = default;
  state(const state&) = delete;
  state& operator=(const state&) = delete;
  ~state() {
    if (ld) ldap_unbind_ext(ld, nullptr, nullptr);
    close_handshake_fd();
  }

  timeval wait() const { return {timeout_ms / 1000, (timeout_ms % 1000) * 1000}; }

  // An error for libldap's `rc`. `secret` is scrubbed from the server's
  // diagnostic (none known echoes a password, but the message is logged).
  error fail(int rc, const std::string& what, std::string diag = {}, std::string_view secret = {});
  status usable() const;
  std::string diagnostic() const;
  status configure(const client_options& o, bool ldaps);
  status connect(const client_options& o, bool ldaps);
  void close_handshake_fd() {
    if (const int fd = handshake_fd.exchange(-2); fd >= 0) ::close(fd);  // -2: no more dups
  }
};

namespace {

// Exactly one "ldap[s]://host[:port][/]": libldap would also take a
// space-separated list, ldapi:// and cldap://, DN and filter parts.
bool parse_url(std::string_view url, bool& ldaps) { return parse_service_url(url, "ldap", "ldaps", ldaps); }

// libldap 2.5 with GnuTLS busy-loops on EAGAIN in a TLS handshake that the
// server never answers (ldaps:// or StartTLS to a stopped or wedged server):
// no poll, no timeout, 100% CPU for ever. The watchdog bounds it: when the
// deadline passes it shuts the socket down, the handshake reads end of file
// and fails. It shuts down its own dup of the socket, so a descriptor
// number that libldap closed and the process reused is never touched.
class watchdog {
 public:
  watchdog(const std::atomic<int>& fd, int timeout_ms)
      : thread_([this, &fd, timeout_ms] {
          std::unique_lock<std::mutex> lock(mutex_);
          if (cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return done_; }))
            return;
          if (const int s = fd.load(); s >= 0) {
            ::shutdown(s, SHUT_RDWR);
            fired_ = true;
          }
        }) {}
  ~watchdog() { finish(); }
  watchdog(const watchdog&) = delete;
  watchdog& operator=(const watchdog&) = delete;

  /// Stops the watch; true if it had fired.
  bool finish() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
    return fired_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  bool fired_ = false;
  std::thread thread_;  // last: starts once the members above exist
};

// LDAP_OPT_CONNECT_CB: libldap calls this right after the TCP connect and
// before any TLS handshake.
int on_connect(LDAP*, Sockbuf* sb, LDAPURLDesc*, sockaddr*, ldap_conncb* cb) {
  auto* s = static_cast<std::atomic<int>*>(cb->lc_arg);
  int fd = -1;
  if (s->load() == -1 && ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) == 1 && fd >= 0)
    s->store(::dup(fd));
  return 0;
}
void on_disconnect(LDAP*, Sockbuf*, ldap_conncb*) {}

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

error moved_from() { return {errc::not_possible, "LDAP connection was moved from"}; }

// Owns what libldap allocates, so that every return path frees it.
struct message_ptr {
  LDAPMessage* m = nullptr;
  ~message_ptr() {
    if (m) ldap_msgfree(m);
  }
};
struct cookie_holder {
  berval bv{0, nullptr};
  ~cookie_holder() { ber_memfree(bv.bv_val); }
  void reset(berval next) {
    ber_memfree(bv.bv_val);
    bv = next;
  }
};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Copies one entry out of `msg`, applying the request's value limits.
void read_entry(LDAP* ld, LDAPMessage* msg, const search_request& req, entry& e) {
  if (char* dn = ldap_get_dn(ld, msg)) {
    e.dn = dn;
    ldap_memfree(dn);
  }
  BerElement* ber = nullptr;
  for (char* a = ldap_first_attribute(ld, msg, &ber); a; a = ldap_next_attribute(ld, msg, ber)) {
    std::string name = a;
    for (const auto& wanted : req.attributes)
      if (iequals(wanted, name)) name = wanted;
    std::vector<std::string> values;
    bool dropped = false;
    if (berval** vals = ldap_get_values_len(ld, msg, a)) {
      for (berval** v = vals; *v; ++v) {
        if ((*v)->bv_len > req.max_value_bytes || values.size() >= req.max_values) {
          dropped = true;
          continue;
        }
        values.emplace_back((*v)->bv_val, (*v)->bv_len);
      }
      ldap_value_free_len(vals);
    }
    ldap_memfree(a);
    if (dropped) e.oversized.push_back(name);
    e.attributes.emplace_back(std::move(name), std::move(values));
  }
  if (ber) ber_free(ber, 0);
}

}  // namespace

error connection::state::fail(int rc, const std::string& what, std::string diag,
                              std::string_view secret) {
  if (!secret.empty() && diag.find(secret) != std::string::npos) diag.clear();
  std::string text = what + ": " + ldap_err2string(rc);
  if (!diag.empty() && diag != "(unknown error code)") text += " (" + diag + ")";
  switch (rc) {
    case LDAP_SERVER_DOWN:
    case LDAP_TIMEOUT:
    case LDAP_CONNECT_ERROR:
      broken = true;
      return {errc::unavailable, url + ": " + text};
    case LDAP_INVALID_CREDENTIALS:
      return {errc::permission_denied, "wrong name or password"};
    case LDAP_INSUFFICIENT_ACCESS:
      return {errc::permission_denied, text};
    case LDAP_SIZELIMIT_EXCEEDED:
    case LDAP_ADMINLIMIT_EXCEEDED:
      return {errc::limit_exceeded, text};
    case LDAP_TIMELIMIT_EXCEEDED:
      return {errc::timeout, text};
    case LDAP_NO_SUCH_OBJECT:
      return {errc::not_found, text};
    case LDAP_FILTER_ERROR:
      return {errc::invalid_argument, text};
    default:
      return {errc::io_error, text};
  }
}

status connection::state::usable() const {
  if (broken) return {errc::unavailable, url + ": connection lost or timed out; open a new one"};
  return {};
}

std::string connection::state::diagnostic() const {
  char* msg = nullptr;
  ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg);
  std::string out = msg ? msg : "";
  ldap_memfree(msg);
  return out;
}

const std::vector<std::string>* entry::get(std::string_view name) const {
  for (const auto& [n, values] : attributes)
    if (iequals(n, name)) return &values;
  return nullptr;
}

connection::connection(std::unique_ptr<state> s) : s_(std::move(s)) {}
connection::connection(connection&&) noexcept = default;
connection& connection::operator=(connection&&) noexcept = default;
connection::~connection() = default;

result<connection> connection::open(const client_options& o) {
  bool ldaps = false;
  if (!parse_url(o.url, ldaps))
    return error(
        errc::invalid_argument,
        "LDAP URL must be one ldap://host[:port] or ldaps://host[:port], not \"" + o.url + "\"");
  if (o.start_tls && ldaps)
    return error(errc::invalid_argument, "StartTLS with an ldaps:// URL: " + o.url);
  if (o.timeout_ms <= 0) return error(errc::invalid_argument, "LDAP timeout_ms must be > 0");

  auto s = std::make_unique<state>();
  s->url = o.url;
  s->timeout_ms = o.timeout_ms;
  if (int rc = ldap_initialize(&s->ld, o.url.c_str()); rc != LDAP_SUCCESS)
    return error(errc::invalid_argument, o.url + ": " + ldap_err2string(rc));
  if (status st = s->configure(o, ldaps)) return st;
  // Connect now (and shake hands) so that open() reports an unreachable
  // server or a certificate that does not verify, not the first bind.
  status st = s->connect(o, ldaps);
  s->close_handshake_fd();
  if (st) return st;
  return connection(std::move(s));
}

status connection::state::configure(const client_options& o, bool ldaps) {
  // Options on the handle, never the process-wide defaults (ld == NULL).
  const int v3 = LDAP_VERSION3;
  const timeval tv = wait();
  bool ok = ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) == LDAP_OPT_SUCCESS &&
            ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) == LDAP_OPT_SUCCESS &&
            ldap_set_option(ld, LDAP_OPT_RESTART, LDAP_OPT_ON) == LDAP_OPT_SUCCESS &&
            ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) == LDAP_OPT_SUCCESS &&
            ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) == LDAP_OPT_SUCCESS;
  if (!ok) return {errc::internal, url + ": libldap refused an option"};
  if (!ldaps && !o.start_tls) return {};

  // The handle starts with a copy of the global TLS settings (ldap.conf);
  // these override them, and NEWCTX builds this handle's own TLS context
  // from them. Without NEWCTX the process-wide context, built once from
  // whatever was set first, would be used.
  const int require = o.verify_server ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER;
  const int is_server = 0;
  if (!o.ca_file.empty()) {
    ok = ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, o.ca_file.c_str()) == LDAP_OPT_SUCCESS &&
         // Trust this file only, not also a TLS_CACERTDIR from ldap.conf.
         ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTDIR, nullptr) == LDAP_OPT_SUCCESS;
  }
  ok = ok && ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &require) == LDAP_OPT_SUCCESS &&
       ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &is_server) == LDAP_OPT_SUCCESS;
  if (!ok)
    return {errc::invalid_argument, url + ": TLS settings refused (CA file \"" + o.ca_file + "\")"};
  callbacks = {on_connect, on_disconnect, &handshake_fd};
  if (ldap_set_option(ld, LDAP_OPT_CONNECT_CB, &callbacks) != LDAP_OPT_SUCCESS)
    return {errc::internal, url + ": libldap refused the connect callback"};
  return {};
}

status connection::state::connect(const client_options& o, bool ldaps) {
  // libldap reports a certificate that does not verify as a bare
  // LDAP_CONNECT_ERROR with "(unknown error code)": say what it likely is.
  const std::string tls_hint =
      "TLS failed (is the server's certificate from the CA file, for this host?)";
  const std::string late = "TLS handshake unfinished after " + std::to_string(timeout_ms) + " ms";
  int rc = LDAP_SUCCESS;
  bool fired = false;
  {
    std::optional<watchdog> dog;
    if (ldaps) dog.emplace(handshake_fd, timeout_ms);
    rc = ldap_connect(ld);
    fired = dog && dog->finish();
  }
  if (fired && rc != LDAP_SUCCESS) return {errc::unavailable, url + ": " + late};
  if (rc != LDAP_SUCCESS)
    return fail(rc, ldaps && rc == LDAP_CONNECT_ERROR ? "connect: " + tls_hint : "connect",
                diagnostic());
  if (!o.start_tls) return {};
  {
    watchdog dog(handshake_fd, timeout_ms);
    rc = ldap_start_tls_s(ld, nullptr, nullptr);
    fired = dog.finish();
  }
  if (fired && rc != LDAP_SUCCESS) return {errc::unavailable, url + ": StartTLS: " + late};
  if (rc == LDAP_SUCCESS) return {};
  error e = fail(rc, rc == LDAP_CONNECT_ERROR ? "StartTLS: " + tls_hint : "StartTLS", diagnostic());
  // A refused StartTLS is an answer, not an outage, but the connection must
  // not go on in plain text either way.
  e.code = errc::unavailable;
  return e;
}

status connection::bind(std::string_view dn, std::string_view password) {
  if (!s_) return moved_from();
  // RFC 4513 5.1.2: a name with an empty password is an unauthenticated
  // bind, which servers answer with success.
  if (dn.empty() || password.empty())
    return {errc::permission_denied, "an empty name or password is refused"};
  if (has_nul(dn)) return {errc::invalid_argument, "bind DN contains a NUL byte"};
  if (status st = s_->usable()) return st;
  const std::string dn_z(dn);
  berval cred{password.size(), const_cast<char*>(password.data())};
  const int rc =
      ldap_sasl_bind_s(s_->ld, dn_z.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
  if (rc == LDAP_SUCCESS) return {};
  return s_->fail(rc, "bind as \"" + dn_z + "\"", s_->diagnostic(), password);
}

status connection::search(const search_request& req,
                          const std::function<status(entry&&)>& on_entry) {
  if (!s_) return moved_from();
  if (req.filter.empty() || has_nul(req.filter) || has_nul(req.base) || req.page_size < 0)
    return {errc::invalid_argument, "bad search request (empty filter, NUL byte, page size)"};
  if (status st = s_->usable()) return st;
  LDAP* ld = s_->ld;
  std::vector<char*> attrs;
  for (const auto& a : req.attributes) attrs.push_back(const_cast<char*>(a.c_str()));
  attrs.push_back(nullptr);
  const int scope = req.scope == search_request::scope::base  ? LDAP_SCOPE_BASE
                    : req.scope == search_request::scope::one ? LDAP_SCOPE_ONELEVEL
                                                              : LDAP_SCOPE_SUBTREE;
  const std::string what = "search of \"" + req.base + "\"";
  cookie_holder cookie;
  for (;;) {  // one search request per page (RFC 2696 section 3)
    LDAPControl* page = nullptr;
    if (req.page_size > 0) {
      const int rc = ldap_create_page_control(ld, req.page_size,
                                              cookie.bv.bv_len ? &cookie.bv : nullptr, 1, &page);
      if (rc != LDAP_SUCCESS) return s_->fail(rc, what + ": paging control");
    }
    LDAPControl* server_controls[] = {page, nullptr};
    timeval limit = s_->wait();  // also sent as the server's time limit
    int msgid = 0;
    int rc =
        ldap_search_ext(ld, req.base.c_str(), scope, req.filter.c_str(),
                        req.attributes.empty() ? nullptr : attrs.data(), 0,
                        page ? server_controls : nullptr, nullptr, &limit, LDAP_NO_LIMIT, &msgid);
    if (page) ldap_control_free(page);
    if (rc != LDAP_SUCCESS) return s_->fail(rc, what, s_->diagnostic());

    for (;;) {  // the page's entries, then its result
      timeval wait = s_->wait();
      message_ptr msg;
      const int type = ldap_result(ld, msgid, LDAP_MSG_ONE, &wait, &msg.m);
      if (type == 0) {
        ldap_abandon_ext(ld, msgid, nullptr, nullptr);
        s_->broken = true;
        return {errc::unavailable, s_->url + ": " + what + ": no answer within " +
                                       std::to_string(s_->timeout_ms) + " ms"};
      }
      if (type < 0) {
        int code = LDAP_OTHER;
        ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &code);
        return s_->fail(code, what, s_->diagnostic());
      }
      if (type == LDAP_RES_SEARCH_ENTRY) {
        entry e;
        read_entry(ld, msg.m, req, e);
        if (status st = on_entry(std::move(e))) {
          ldap_abandon_ext(ld, msgid, nullptr, nullptr);
          return st;
        }
        continue;
      }
      if (type != LDAP_RES_SEARCH_RESULT) continue;  // references, intermediates
      int code = LDAP_OTHER;
      char* diag = nullptr;
      LDAPControl** controls = nullptr;
      rc = ldap_parse_result(ld, msg.m, &code, nullptr, &diag, nullptr, &controls, 0);
      std::string diag_text = diag ? diag : "";
      ldap_memfree(diag);
      if (rc != LDAP_SUCCESS) code = rc;
      bool more = false;
      if (code == LDAP_SUCCESS && page && controls) {
        if (LDAPControl* c = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, controls, nullptr)) {
          ber_int_t estimate = 0;
          berval next{0, nullptr};
          if (ldap_parse_pageresponse_control(ld, c, &estimate, &next) == LDAP_SUCCESS) {
            cookie.reset(next);
            more = next.bv_len > 0;
          }
        }
      }
      ldap_controls_free(controls);
      if (code != LDAP_SUCCESS) return s_->fail(code, what, diag_text);
      if (!more) return {};
      break;
    }
  }
}

status connection::ping() {
  search_request root;
  root.scope = search_request::scope::base;
  root.attributes = {"1.1"};  // RFC 4511 4.5.1.8: no attributes
  root.page_size = 0;
  return search(root, [](entry&&) { return status{}; });
}

}  // namespace quire::ldap
