#include "web/login_api.hpp"

#include <exception>
#include <utility>

#include "storage/credentials.hpp"
#include "web/api_json_detail.hpp"
#include "web/terminal_json.hpp"

namespace quire::web {

namespace {

using json_detail::ordered_json;

struct login_call : api_exchange {
  bool logout = false;
  bool secure = false;
  std::string peer;
  std::string cookie;  // the session token of a logout, wiped with the call
  user_service* users = nullptr;
  session_service* sessions = nullptr;
  credential_limits limits;

  ~login_call() { wipe(cookie); }
};
using login_ptr = std::shared_ptr<login_call>;

io::http_response bad_login() {
  // No WWW-Authenticate Basic here: a browser must not pop its own dialog.
  return unauthorized_response("unauthorized", "unknown user or wrong password", "Cookie realm=\"Quire\"");
}

void on_session(const login_ptr& c, const principal& who, result<new_session> s) {
  if (!s.ok()) return c->reply(service_error(s.err()));
  ordered_json j;
  j["user"] = who.name;
  j["admin"] = who.admin;
  j["csrf_token"] = s->csrf_token;
  j["expires_ms"] = s->expires_ms;
  auto resp = json_response(200, j.dump());
  resp.headers.push_back({"Set-Cookie", session_set_cookie(s->token, c->secure)});
  wipe(s->token);
  c->reply(std::move(resp));
}

void start_login(const login_ptr& c) {
  if (c->logout) {
    std::string token = std::move(c->cookie);
    auto done = [c](status) {
      guarded(c, [&] {
        auto resp = no_content();
        resp.headers.push_back({"Set-Cookie", session_set_cookie("", c->secure, true)});
        c->reply(std::move(resp));
      });
    };
    if (token.empty()) return done(status{});
    return c->sessions->end(std::move(token), std::move(done));
  }
  auto req = parse_login(c->body, c->limits);
  if (!req.ok()) return c->reply(invalid(req.err()));
  if (req->user.empty() || req->password.empty() || !req->card.empty() || !req->pin.empty()) {
    wipe(req->password);
    wipe(req->pin);
    return c->reply(invalid(error(errc::invalid_argument, "give \"user\" and \"password\"")));
  }
  std::string user = std::move(req->user);
  std::string password = std::move(req->password);
  c->users->authenticate(std::move(user), std::move(password), c->peer, [c](result<principal> r) {
    guarded(c, [&] {
      if (!r.ok()) {
        switch (r.err().code) {
          case errc::permission_denied:
          case errc::not_found:
          case errc::invalid_argument: return c->reply(bad_login());
          case errc::limit_exceeded:
            return c->reply(error_response(429, "limit_exceeded", "too many failed logins: try again later"));
          default: return c->reply(service_error(r.err()));
        }
      }
      principal who = std::move(*r);
      c->sessions->create(who, [c, who](result<new_session> s) {
        guarded(c, [&] { on_session(c, who, std::move(s)); });
      });
    });
  });
}

}  // namespace

bool is_login_path(std::string_view path) { return path == login_path || path == logout_path; }

std::string session_set_cookie(std::string_view token, bool secure, bool clear) {
  std::string v(session_cookie_name);
  v += '=';
  v += token;
  v += "; Path=/; HttpOnly; SameSite=Strict";
  if (secure) v += "; Secure";
  if (clear) v += "; Max-Age=0";
  return v;
}

std::string session_cookie_of(std::string_view header) {
  // RFC 6265 §4.2.1: cookie-pair *( "; " cookie-pair ); be lenient on spaces.
  while (!header.empty()) {
    size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == session_cookie_name) {
      std::string_view value = pair.substr(eq + 1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return {};
}

bool same_secret(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::unique_ptr<io::request_handler> route_login(const io::request_info& info, io::responder respond,
                                                 user_service& users, session_service& sessions,
                                                 const api_options& options) {
  const auto& head = info.head;
  std::string_view path = head.path();
  try {
    if (head.method != "POST") {
      auto r = error_response(405, "method_not_allowed", "use POST");
      r.headers.push_back({"Allow", "POST"});
      return refuse(respond, std::move(r));
    }
    if (!query_of(head.target).empty())
      return refuse(respond, invalid(error(errc::invalid_argument, "this request takes no query parameters")));
    if (auto r = check_transport(info, options.allow_plain_loopback, "admin API")) return refuse(respond, std::move(*r));
    auto call = std::make_shared<login_call>();
    call->logout = path == logout_path;
    if (auto r = check_body_head(head, !call->logout, options.max_body_bytes)) return refuse(respond, std::move(*r));
    call->respond = respond;
    call->takes_body = !call->logout;
    call->max_body_bytes = options.max_body_bytes;
    call->secure = info.secure;
    call->peer = info.peer_host;
    call->users = &users;
    call->sessions = &sessions;
    call->limits = options.credentials;
    if (call->logout)
      if (const std::string* cookie = head.find("Cookie")) call->cookie = session_cookie_of(*cookie);
    return std::make_unique<collecting_handler<login_call>>(std::move(call), start_login);
  } catch (const std::exception&) {
    return refuse(respond, internal_error());
  }
}

}  // namespace quire::web
