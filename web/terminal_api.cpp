#include "web/terminal_api.hpp"

#include <exception>
#include <optional>
#include <utility>

#include "storage/credentials.hpp"
#include "web/api_common.hpp"
#include "web/api_request.hpp"
#include "web/terminal_json.hpp"

namespace quire::web {

const char* to_string(terminal_endpoint e) noexcept {
  switch (e) {
    case terminal_endpoint::describe: return "GET /api/v1/terminal";
    case terminal_endpoint::open_session: return "POST /api/v1/terminal/sessions";
    case terminal_endpoint::get_session: return "GET /api/v1/terminal/session";
    case terminal_endpoint::close_session: return "DELETE /api/v1/terminal/session";
    case terminal_endpoint::list_jobs: return "GET /api/v1/terminal/session/jobs";
    case terminal_endpoint::release: return "POST /api/v1/terminal/session/release";
    case terminal_endpoint::delete_job: return "DELETE /api/v1/terminal/session/jobs/{id}";
  }
  return "?";
}

bool takes_body(terminal_endpoint e) noexcept {
  return e == terminal_endpoint::open_session || e == terminal_endpoint::release;
}

bool needs_session(terminal_endpoint e) noexcept {
  return e != terminal_endpoint::describe && e != terminal_endpoint::open_session;
}

bool is_terminal_api_path(std::string_view path) noexcept { return is_path_under(path, terminal_api_root); }

namespace {

terminal_route pick(std::string_view method, std::initializer_list<method_entry<terminal_endpoint>> methods) {
  return pick_method<terminal_route>(method, methods);
}

terminal_route not_found() { return route_error<terminal_route>(404, "no such terminal API resource"); }

}  // namespace

terminal_route match_terminal_route(std::string_view method, std::string_view path) {
  using e = terminal_endpoint;
  if (!is_terminal_api_path(path)) return not_found();
  std::string_view rest = path.substr(terminal_api_root.size());
  if (rest.empty()) return pick(method, {{"GET", e::describe}});
  if (rest == "/sessions") return pick(method, {{"POST", e::open_session}});
  if (rest == "/session") return pick(method, {{"GET", e::get_session}, {"DELETE", e::close_session}});
  if (rest == "/session/jobs") return pick(method, {{"GET", e::list_jobs}});
  if (rest == "/session/release") return pick(method, {{"POST", e::release}});
  static constexpr std::string_view jobs = "/session/jobs/";
  if (rest.substr(0, jobs.size()) != jobs) return not_found();
  rest.remove_prefix(jobs.size());
  if (rest.empty() || rest.find('/') != std::string_view::npos) return not_found();
  terminal_route m = pick(method, {{"DELETE", e::delete_job}});
  if (m.status != 0) return m;
  std::string id;
  if (!percent_decode(rest, false, id) || !parse_job_id(id, m.job)) {
    m.status = 400;
    m.message = "the job id in the path must be a positive decimal integer";
  }
  return m;
}

result<std::string> parse_bearer_token(std::string_view value) {
  auto bad = [](const char* why) { return error(errc::invalid_argument, why); };
  auto token = authorization_credentials(value, "bearer");
  if (!token) return bad("the Authorization header must use the Bearer scheme");
  bool printable = token->size() >= 16 && token->size() <= 256;
  for (char c : *token) printable = printable && c > 0x20 && c < 0x7f;
  if (!printable) return bad("the Bearer token must be 16 to 256 printable ASCII characters");
  return std::string(*token);
}

bool valid_session_token(std::string_view token) noexcept {
  if (token.empty() || token.size() > 128) return false;
  for (char c : token) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

namespace {

// RFC 6750 §3: the Bearer challenge, with the terminal API's realm.
const std::string bearer_challenge = "Bearer realm=\"" + std::string(terminal_realm) + "\"";

io::http_response unauthorized(std::string_view code, std::string_view message) {
  return unauthorized_response(code, message, bearer_challenge);
}

// The service gets its own copy of a secret; ours is wiped at once (a moved
// short string would leave its bytes behind in our buffer).
std::string hand_over(std::string& secret) {
  std::string out(secret);
  wipe(secret);
  return out;
}

login_request hand_over(login_request& l) {
  login_request out;
  out.card = hand_over(l.card);
  out.pin = hand_over(l.pin);
  out.user = hand_over(l.user);
  out.password = hand_over(l.password);
  out.code = hand_over(l.code);
  return out;
}

release_request hand_over(release_request& r) {
  release_request out;
  out.jobs = std::move(r.jobs);
  out.all = r.all;
  out.project = std::move(r.project);
  out.reprint = r.reprint;
  for (auto& [id, pin] : r.pins) out.pins.emplace(id, hand_over(pin));
  return out;
}

// What answering a request needs once its head has passed: shared by the
// handler and the service's callbacks, which may outlive the handler.
struct terminal_call : api_exchange {
  terminal_endpoint what = terminal_endpoint::describe;
  uint64_t job = 0;  // delete_job's {id}
  bool has_query = false;
  std::string token;    // the terminal's
  std::string session;  // the user's, from Quire-Session
  std::string peer;
  terminal_service* svc = nullptr;
  terminal_api_options options;
  terminal_identity terminal;

  ~terminal_call() {  // api_exchange wipes the body
    wipe(token);
    wipe(session);
  }
};
using call_ptr = std::shared_ptr<terminal_call>;

// An error of a call on a session: the service's not_found means the
// session is gone (closed, timed out, another terminal's).
io::http_response session_error(const error& e) {
  if (e.code == errc::not_found) return unauthorized("session_closed", "the session is closed: log in again");
  return service_error(e);
}

session_callback answer_session(const call_ptr& c) {
  return [c](result<session_info> r) {
    guarded(c, [&] {
      if (!r.ok()) return c->reply(session_error(r.err()));
      wipe(r->session);  // only open_session shows the token
      r->session.clear();
      c->reply(json_response(200, session_json(*r)));
    });
  };
}

terminal_status_callback answer_done(const call_ptr& c) {
  return [c](status s) { guarded(c, [&] { c->reply(s ? session_error(s) : no_content()); }); };
}

void describe(const call_ptr& c) {
  c->svc->describe(c->terminal, [c](result<terminal_info> r) {
    guarded(c, [&] {
      if (!r.ok()) return c->reply(service_error(r.err()));
      c->reply(json_response(200, terminal_info_json(*r)));
    });
  });
}

void open_session(const call_ptr& c) {
  auto login = parse_login(c->body, c->options.credentials);
  wipe(c->body);
  if (!login.ok()) return c->reply(invalid(login.err()));
  c->svc->open_session(c->terminal, hand_over(*login), [c](result<session_info> r) {
    guarded(c, [&] {
      if (!r.ok()) {
        // One answer for credentials that identify nobody (the service's
        // message says no more than that, or which method to use).
        switch (r.err().code) {
          case errc::permission_denied:
          case errc::not_found: return c->reply(unauthorized("login_failed", r.err().message));
          default: return c->reply(service_error(r.err()));
        }
      }
      auto resp = json_response(201, session_json(*r));
      wipe(r->session);
      c->reply(std::move(resp));
    });
  });
}

void list_jobs(const call_ptr& c) {
  c->svc->list_jobs(c->terminal, hand_over(c->session), [c](result<terminal_job_list> r) {
    guarded(c, [&] {
      if (!r.ok()) return c->reply(session_error(r.err()));
      c->reply(json_response(200, terminal_jobs_json(*r)));
    });
  });
}

void release(const call_ptr& c) {
  auto req = parse_release(c->body);
  wipe(c->body);
  if (!req.ok()) return c->reply(invalid(req.err()));
  c->svc->release(c->terminal, hand_over(c->session), hand_over(*req), [c](result<release_report> r) {
    guarded(c, [&] {
      if (!r.ok()) return c->reply(session_error(r.err()));
      c->reply(json_response(200, release_report_json(*r)));
    });
  });
}

void dispatch(const call_ptr& c) {
  if (!takes_body(c->what) && !c->body.empty())
    return c->reply(invalid(error(errc::invalid_argument, "this request takes no body")));
  if (c->has_query)
    return c->reply(invalid(error(errc::invalid_argument, "the terminal API takes no query parameters")));
  auto* svc = c->svc;
  switch (c->what) {
    case terminal_endpoint::describe: return describe(c);
    case terminal_endpoint::open_session: return open_session(c);
    case terminal_endpoint::get_session:
      return svc->get_session(c->terminal, hand_over(c->session), answer_session(c));
    case terminal_endpoint::close_session:
      return svc->close_session(c->terminal, hand_over(c->session), answer_done(c));
    case terminal_endpoint::list_jobs: return list_jobs(c);
    case terminal_endpoint::release: return release(c);
    case terminal_endpoint::delete_job:
      return svc->delete_job(c->terminal, hand_over(c->session), c->job, answer_done(c));
  }
}

void on_authenticated(const call_ptr& c, result<terminal_identity> r) {
  if (!r.ok()) {
    switch (r.err().code) {
      case errc::permission_denied:
      case errc::not_found:
      case errc::invalid_argument:
        return c->reply(unauthorized("unauthorized", "unknown or revoked terminal token"));
      case errc::limit_exceeded:
        // The service's message says for how long.
        return c->reply(error_response(429, "limit_exceeded", r.err().message));
      default:
        return c->reply(service_error(r.err()));
    }
  }
  c->terminal = std::move(*r);
  dispatch(c);
}

void start(const call_ptr& c) {
  c->svc->authenticate_terminal(hand_over(c->token), c->peer, [c](result<terminal_identity> r) {
    guarded(c, [&] { on_authenticated(c, std::move(r)); });
  });
}

// Checks 2 to 4 of the header comment: the refusal, or nothing when the
// head passes (and then `token` and `session` hold what it carried).
std::optional<io::http_response> check_head(const io::request_info& info, const terminal_route& m,
                                            const terminal_api_options& options, std::string& token,
                                            std::string& session) {
  const auto& head = info.head;
  if (auto r = check_transport(info, options.allow_plain_loopback, "terminal API")) return r;

  const std::string* authorization = head.find("Authorization");
  if (!authorization) return unauthorized("unauthorized", "a terminal token is required");
  auto bearer = parse_bearer_token(*authorization);
  if (!bearer.ok()) return unauthorized("unauthorized", bearer.err().message);
  token = std::move(*bearer);
  if (needs_session(m.what)) {
    const std::string* s = head.find(session_header);
    if (!s) return unauthorized("no_session", "no session: log in first");
    if (!valid_session_token(*s)) return unauthorized("no_session", "the Quire-Session header is malformed");
    session = *s;
  }
  return check_body_head(head, takes_body(m.what), options.max_body_bytes);
}

}  // namespace

std::unique_ptr<io::request_handler> route_terminal_api(const io::request_info& info, io::responder respond,
                                                        terminal_service& svc, const terminal_api_options& opts) {
  const auto& head = info.head;
  std::string_view path = head.path();
  if (!is_terminal_api_path(path)) return nullptr;
  std::string token, session;
  try {
    terminal_route m = match_terminal_route(head.method, path);
    if (auto r = route_refusal(m.status, m.message, m.allow)) return refuse(respond, std::move(*r));
    if (auto refusal = check_head(info, m, opts, token, session)) {
      wipe(token);
      wipe(session);
      return refuse(respond, std::move(*refusal));
    }

    auto call = std::make_shared<terminal_call>();
    call->respond = respond;  // a copy: `refuse` still needs one if allocation fails below
    call->takes_body = takes_body(m.what);
    call->max_body_bytes = opts.max_body_bytes;
    call->what = m.what;
    call->job = m.job;
    call->has_query = !query_of(head.target).empty();
    call->token = hand_over(token);
    call->session = hand_over(session);
    call->peer = info.peer_host;
    call->svc = &svc;
    call->options = opts;
    return std::make_unique<collecting_handler<terminal_call>>(std::move(call), start);
  } catch (const std::exception&) {
    wipe(token);
    wipe(session);
    return refuse(respond, internal_error());
  }
}

}  // namespace quire::web
