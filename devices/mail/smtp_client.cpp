#include "devices/mail/smtp_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <utility>

#include "protocols/service_url.hpp"

namespace quire::mail {
namespace {

// Exactly "smtp[s]://host[:port][/]": libcurl would also take user-info (a
// password that ends up in logs), a path (it becomes the EHLO name) and
// other schemes.
bool parse_url(std::string_view url, bool& smtps) { return parse_service_url(url, "smtp", "smtps", smtps); }

void global_init() {
  // Not thread-safe in libcurl, and every handle needs it first.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct upload {
  std::string_view text;
  size_t at = 0;
};

size_t read_upload(char* buf, size_t size, size_t count, void* p) {
  auto* u = static_cast<upload*>(p);
  const size_t n = std::min(size * count, u->text.size() - u->at);
  u->text.copy(buf, n, u->at);
  u->at += n;
  return n;
}

// How far the exchange got, from libcurl's protocol trace: the last
// command's verb (never its arguments, and never the base64 lines of AUTH,
// which carry the credentials) and the last reply line. Frozen at QUIT, so
// the "221" of the goodbye after a failure does not hide the failing reply.
struct trace {
  std::string step = "connect";
  std::string reply;
  bool quitting = false;
};

std::string printable(std::string_view s, size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max) break;
    if (c >= 0x20 && c <= 0x7e) out += c;
  }
  return out;
}

int on_trace(CURL*, curl_infotype type, char* data, size_t size, void* p) {
  auto* t = static_cast<trace*>(p);
  if (t->quitting) return 0;
  const std::string_view line(data, size);
  if (type == CURLINFO_HEADER_OUT) {
    static constexpr std::pair<std::string_view, std::string_view> verbs[] = {
        {"EHLO ", "EHLO"},       {"HELO ", "HELO"},       {"STARTTLS", "STARTTLS"},
        {"AUTH ", "AUTH"},       {"MAIL FROM:", "MAIL FROM"}, {"RCPT TO:", "RCPT TO"},
        {"DATA", "DATA"},        {"QUIT", "QUIT"}};
    for (const auto& [prefix, step] : verbs) {
      if (!line.starts_with(prefix)) continue;
      if (step == "QUIT") {
        t->quitting = true;
      } else {
        t->step = step;
        t->reply.clear();
      }
      break;
    }
  } else if (type == CURLINFO_HEADER_IN) {
    // Multi-line replies come a line at a time; the last line ends them.
    if (std::string r = printable(line, 200); !r.empty()) t->reply = std::move(r);
  }
  return 0;
}

// The last reply's code as libcurl saw it (it keeps the failing one, not
// QUIT's), else as the trace has it.
int reply_code(const trace& t, CURL* h) {
  long code = 0;
  if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK && code > 0)
    return static_cast<int>(code);
  int parsed = 0;
  for (size_t i = 0; i < 3 && i < t.reply.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(t.reply[i]))) return 0;
    parsed = parsed * 10 + (t.reply[i] - '0');
  }
  return parsed;
}

void scrub(std::string& text, const std::string& secret) {
  if (secret.empty()) return;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
    text.replace(at, secret.size(), "***");
}

// Sorts libcurl's result into the contract's error codes. The reply code
// decides for the transaction's commands (RFC 5321 section 4.2.1: 4yz is
// transient, 5yz permanent); before them every failure is the server being
// unreachable or unusable, bar refused credentials.
error classify(CURLcode rc, const trace& t, int code, const smtp_options& o, const char* curl_text) {
  std::string text = o.url + ": " + t.step + ": " + curl_text;
  if (!t.reply.empty()) text += " (server: \"" + t.reply + "\")";
  scrub(text, o.password);
  const bool transaction = t.step == "MAIL FROM" || t.step == "RCPT TO" || t.step == "DATA";
  if (rc == CURLE_OPERATION_TIMEDOUT)
    return {errc::timeout, text + "; limit " + std::to_string(o.timeout_ms) + " ms"};
  if (rc == CURLE_LOGIN_DENIED) return {errc::permission_denied, std::move(text)};
  if (rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CRL_BADFILE)
    return {errc::invalid_argument, std::move(text)};
  if (transaction && code >= 500 && code <= 599) return {errc::not_possible, std::move(text)};
  return {errc::unavailable, std::move(text)};
}

using easy_ptr = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using slist_ptr = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

}  // namespace

status check_options(const smtp_options& o) {
  bool smtps = false;
  if (!parse_url(o.url, smtps))
    return {errc::invalid_argument,
            "SMTP URL must be smtp://host[:port] or smtps://host[:port], without user, path or "
            "query"};
  if (smtps && o.start_tls)
    return {errc::invalid_argument, o.url + ": start_tls with smtps:// (TLS is implied)"};
  if (!o.user.empty() && !smtps && !o.start_tls)
    return {errc::invalid_argument, o.url + ": a user and password are sent only over TLS"};
  if (o.timeout_ms <= 0) return {errc::invalid_argument, o.url + ": timeout must be positive"};
  return {};
}

status send(const smtp_options& o, const message& m) {
  if (status st = check_options(o); st) return st;
  result<std::string> text = compose(m);
  if (!text) return text.err();
  global_init();
  easy_ptr h(curl_easy_init(), &curl_easy_cleanup);
  if (!h) return {errc::internal, o.url + ": libcurl could not make a handle"};
  slist_ptr rcpt(curl_slist_append(nullptr, ("<" + m.to + ">").c_str()), &curl_slist_free_all);
  if (!rcpt) return {errc::internal, o.url + ": out of memory"};
  bool smtps = false;
  parse_url(o.url, smtps);

  upload body{*text};
  trace t;
  char curl_error[CURL_ERROR_SIZE] = "";
  CURLcode rc = CURLE_OK;
  const auto set = [&](CURLoption opt, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(h.get(), opt, value);
  };
  set(CURLOPT_URL, o.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  // Mail goes straight to the configured server, not through whatever
  // proxy the environment (all_proxy) names.
  set(CURLOPT_PROXY, "");
  set(CURLOPT_NOSIGNAL, 1L);  // a worker thread: no SIGALRM for DNS timeouts
  set(CURLOPT_ERRORBUFFER, curl_error);
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout_ms));
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.timeout_ms));
  set(CURLOPT_USE_SSL, static_cast<long>(smtps || o.start_tls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
  set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!o.ca_file.empty()) set(CURLOPT_CAINFO, o.ca_file.c_str());
  set(CURLOPT_SSL_VERIFYPEER, o.verify_server ? 1L : 0L);
  set(CURLOPT_SSL_VERIFYHOST, o.verify_server ? 2L : 0L);
  if (!o.user.empty()) {
    set(CURLOPT_USERNAME, o.user.c_str());
    set(CURLOPT_PASSWORD, o.password.c_str());
  }
  set(CURLOPT_MAIL_FROM, ("<" + m.from + ">").c_str());  // libcurl copies strings
  set(CURLOPT_MAIL_RCPT, rcpt.get());
  set(CURLOPT_UPLOAD, 1L);
  set(CURLOPT_READFUNCTION, &read_upload);
  set(CURLOPT_READDATA, &body);
  set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(text->size()));  // SIZE= (RFC 1870)
  // The trace is how a failure names its step and the server's reply;
  // with a debug function set, verbose mode prints nothing.
  set(CURLOPT_DEBUGFUNCTION, &on_trace);
  set(CURLOPT_DEBUGDATA, &t);
  set(CURLOPT_VERBOSE, 1L);
  if (rc != CURLE_OK)
    return {errc::internal, o.url + ": libcurl refused an option: " + curl_easy_strerror(rc)};

  rc = curl_easy_perform(h.get());
  if (rc == CURLE_OK) return {};
  return classify(rc, t, reply_code(t, h.get()), o,
                  curl_error[0] != '\0' ? curl_error : curl_easy_strerror(rc));
}

}  // namespace quire::mail
