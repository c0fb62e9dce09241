#include "actors/terminal_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_map>

#include "actors/terminal_session.hpp"
#include "storage/credentials.hpp"
#include "storage/store.hpp"

namespace quire {

void terminal_call::fail(error e) {
  switch (what) {
    case op::authenticate: if (on_identity) on_identity(std::move(e)); return;
    case op::describe: if (on_info) on_info(std::move(e)); return;
    case op::open:
    case op::get: if (on_session) on_session(std::move(e)); return;
    case op::list: if (on_jobs) on_jobs(std::move(e)); return;
    case op::release: if (on_release) on_release(std::move(e)); return;
    case op::close:
    case op::revoke:
    case op::remove: if (on_status) on_status(std::move(e)); return;
    case op::enroll: if (on_enrolled) on_enrolled(std::move(e), {}); return;
  }
}

terminal_call::~terminal_call() {
  wipe(token);
  wipe(login.card);
  wipe(login.pin);
  wipe(login.password);
  for (auto& [id, pin] : release.pins) wipe(pin);
}

web::login_methods login_methods_of(const std::vector<std::string>& login) {
  auto has = [&](const char* m) { return std::find(login.begin(), login.end(), m) != login.end(); };
  web::login_methods m;
  m.card = has("card");
  m.pin = has("pin");
  m.password = has("password");
  m.card_pin = has("card+pin");
  m.card_requires_pin = m.card_pin && !m.card;
  return m;
}

namespace {

struct live_session {
  caf::actor actor;
  std::string terminal;
  std::string printer;
};

struct terminals_state {
  terminal_options_ptr opts;
  std::unordered_map<std::string, live_session> sessions;       // token -> session
  std::unordered_map<std::string, std::string> by_terminal;     // terminal -> its session's token
  std::unordered_map<caf::actor_addr, std::string> tokens;      // session actor -> token
  login_limiter token_limiter;   // wrong terminal tokens, per client address
  login_limiter login_limiter_;  // failed user logins, per terminal and per user
  static inline const char* name = "terminals";
};

using terminals_self = caf::stateful_actor<terminals_state>*;

const error unknown_login{errc::permission_denied, "not recognised: check your card, PIN or password"};

error locked_out(const login_verdict& v) {
  int64_t s = (v.retry_after_ms + 999) / 1000;
  return error{errc::limit_exceeded, "too many failed attempts; try again in " + std::to_string(s) + " s"};
}

void authenticate(terminals_self self, const terminal_call_ptr& call) {
  auto& st = self->state;
  int64_t now = st.opts->now_ms();
  auto verdict = st.token_limiter.check("", call->peer, now);
  if (!verdict.allowed) return call->fail(locked_out(verdict));
  const error refused{errc::permission_denied, "unknown or revoked terminal"};
  auto name = st.opts->st->find_terminal(call->token);
  if (!name.ok()) {
    st.token_limiter.failed("", call->peer, now);
    return call->fail(refused);
  }
  auto rec = st.opts->st->get_terminal(*name);
  if (!rec.ok() || !st.opts->fleet->printer(rec->printer)) {
    st.token_limiter.failed("", call->peer, now);
    return call->fail(refused);
  }
  call->on_identity(web::terminal_identity{rec->name, rec->printer});
}

void describe(terminals_self self, const terminal_call_ptr& call) {
  const auto& o = *self->state.opts;
  const auto* p = o.fleet->printer(call->terminal.printer);
  if (!p) return call->fail(error{errc::not_found, "printer " + call->terminal.printer + " no longer exists"});
  web::terminal_info info;
  info.id = call->terminal;
  info.location = p->record.location;
  info.money = o.money;
  if (auto it = o.printers.find(call->terminal.printer); it != o.printers.end()) info.methods = it->second.methods;
  info.methods.enrol_cards = o.card_enrolment && (info.methods.card || info.methods.card_pin);
  self->request(p->actor, caf::infinite, describe_atom::value)
      .then(
          [call, info](printer_status& s) mutable {
            info.printer_state = s.state == printer_state::idle         ? "idle"
                                 : s.state == printer_state::processing ? "processing"
                                                                        : "stopped";
            if (s.state == printer_state::stopped) info.printer_message = s.state_message;
            call->on_info(std::move(info));
          },
          [call](caf::error& e) { call->fail(error{errc::unavailable, message_of(e)}); });
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Who the card and/or PIN of `login` identify; "" when nobody (or not the
// same user for both), or an error for a method this printer does not take.
result<std::pair<std::string, std::string>> by_card_or_pin(const terminal_options& o, const web::login_methods& m,
                                                           const web::login_request& login) {
  bool card = !login.card.empty(), pin = !login.pin.empty();
  auto find = [&](credential_kind kind, const std::string& value) -> std::string {
    auto owner = o.st->find_credential(kind, value);
    return owner.ok() ? *owner : std::string();
  };
  if (card && pin) {
    if (!m.card_pin) return error{errc::permission_denied, "this printer does not take a card with a PIN"};
    std::string a = find(credential_kind::card, normalise_card(login.card));
    std::string b = find(credential_kind::pin, login.pin);
    return std::make_pair(a == b ? a : std::string(), std::string("card+pin"));
  }
  if (card) {
    if (m.card_requires_pin) return error{errc::permission_denied, "this printer needs your card and your PIN"};
    if (!m.card) return error{errc::permission_denied, "this printer does not take cards"};
    return std::make_pair(find(credential_kind::card, normalise_card(login.card)), std::string("card"));
  }
  if (!m.pin) return error{errc::permission_denied, "this printer does not take a PIN alone"};
  if (!all_digits(login.pin) || login.pin.size() < o.pin_min_digits)
    return std::make_pair(std::string(), std::string("pin"));  // too short to identify anyone: a failure
  return std::make_pair(find(credential_kind::pin, login.pin), std::string("pin"));
}

std::string new_token() {
  auto t = random_token();
  return t.ok() ? std::move(*t) : std::string();
}

void close_terminal_session(terminals_self self, const std::string& terminal) {
  auto& st = self->state;
  auto it = st.by_terminal.find(terminal);
  if (it == st.by_terminal.end()) return;
  auto s = st.sessions.find(it->second);
  if (s != st.sessions.end()) {
    auto call = std::make_shared<terminal_call>();
    call->what = terminal_call::op::close;
    call->on_status = [](status) {};
    self->send(s->second.actor, call);
    st.tokens.erase(s->second.actor.address());
    st.sessions.erase(s);
  }
  st.by_terminal.erase(it);
}

// A user identified: the session actor is spawned and answers the login.
void start_session(terminals_self self, const terminal_call_ptr& call, const std::string& name, std::string how) {
  auto& st = self->state;
  int64_t now = st.opts->now_ms();
  auto user = st.opts->st->get_user(name);
  if (!user.ok() || user_disabled(*user)) {
    st.login_limiter_.failed("", call->terminal.terminal, now);
    return call->fail(unknown_login);
  }
  st.login_limiter_.succeeded(how == "password" ? name : "", call->terminal.terminal, now);
  std::string token = new_token();
  if (token.empty()) return call->fail(error{errc::internal, "no randomness for a session token"});
  close_terminal_session(self, call->terminal.terminal);
  session_user su{user->name, user->display_name, user->groups, user->admin, std::move(how)};
  spdlog::info("terminal {}: {} logged in by {}", call->terminal.terminal, su.name, su.how);
  auto actor = spawn_terminal_session(self->system(), st.opts, call->terminal, std::move(su), token);
  self->link_to(actor);  // shut down with the terminals actor
  self->monitor(actor);
  st.tokens[actor.address()] = token;
  st.by_terminal[call->terminal.terminal] = token;
  st.sessions[token] = live_session{actor, call->terminal.terminal, call->terminal.printer};
  self->send(actor, call);
}

// An unknown card with a name and password: the card becomes the user's,
// and the session opens (issue: card enrolment at first tap). Only at a
// printer that takes cards, where enrolment is allowed, and for a card
// nobody has; the password is checked as any login's (the directory's bind
// for a directory user).
// The card of an enrolment, normalised; or why it cannot be enrolled here.
result<std::string> enrolable_card(terminals_self self, const terminal_call_ptr& call, const web::login_methods& m) {
  const auto& o = *self->state.opts;
  if (!o.card_enrolment || !(m.card || m.card_pin))
    return error{errc::permission_denied, "cards are not enrolled at this printer; ask the print desk"};
  std::string card = normalise_card(call->login.card);
  if (card.empty()) return unknown_login;
  if (o.st->find_credential(credential_kind::card, card).ok())
    return error{errc::already_exists, "this card is registered already"};
  return card;
}

void enrol_card(terminals_self self, const terminal_call_ptr& call, const web::login_methods& m) {
  auto& st = self->state;
  const auto& o = *st.opts;
  const std::string& where = call->terminal.terminal;
  auto enrolable = enrolable_card(self, call, m);
  if (!enrolable.ok()) return call->fail(enrolable.err());
  std::string card;
  card.swap(*enrolable);  // no copy of the card id is left behind in `enrolable`
  std::string user = call->login.user;
  self->request(o.users, caf::infinite, auth_atom::value, user, call->login.password, "terminal:" + where)
      .then(
          [self, call, card](requester& who) mutable {
            user_request r;
            r.op = user_op::enroll_card;
            r.by = requester{who.user, false};
            r.name = who.user;
            r.secret = std::move(card);
            r.has_secret = true;
            self->request(self->state.opts->users, caf::infinite, users_atom::value, std::move(r))
                .then(
                    [self, call, name = who.user](std::vector<user_info_msg>&) {
                      spdlog::info("terminal {}: a card was enrolled for {}", call->terminal.terminal, name);
                      start_session(self, call, name, "card enrolment");
                    },
                    [call](caf::error& e) { call->fail(error{code_of(e), message_of(e)}); });
          },
          [self, call, user, where](caf::error& e) {
            if (code_of(e) == errc::permission_denied)
              self->state.login_limiter_.failed(user, where, self->state.opts->now_ms());
            call->fail(code_of(e) == errc::permission_denied ? unknown_login : error{code_of(e), message_of(e)});
          });
  wipe(card);
  wipe(call->login.password);
}

// An unknown card with a one-time code from the portal: as above, the code
// standing in for the password. The user directory checks and spends the
// code and binds the card in one step.
void enrol_card_by_code(terminals_self self, const terminal_call_ptr& call, const web::login_methods& m) {
  auto enrolable = enrolable_card(self, call, m);
  if (!enrolable.ok()) return call->fail(enrolable.err());
  user_request r;
  r.op = user_op::enroll_card_by_code;
  r.secret.swap(*enrolable);
  r.has_secret = true;
  r.code = call->login.code;
  wipe(call->login.code);
  self->request(self->state.opts->users, caf::infinite, users_atom::value, std::move(r))
      .then(
          [self, call](std::vector<user_info_msg>& who) {
            if (who.empty()) return call->fail(error{errc::internal, "enrolment answered nobody"});
            spdlog::info("terminal {}: a card was enrolled for {} by code", call->terminal.terminal, who[0].record.name);
            start_session(self, call, who[0].record.name, "enrolment code");
          },
          [self, call](caf::error& e) {
            if (code_of(e) == errc::permission_denied)
              self->state.login_limiter_.failed("", call->terminal.terminal, self->state.opts->now_ms());
            call->fail(code_of(e) == errc::permission_denied ? unknown_login : error{code_of(e), message_of(e)});
          });
}

void open_session(terminals_self self, const terminal_call_ptr& call) {
  auto& st = self->state;
  const auto& o = *st.opts;
  int64_t now = o.now_ms();
  const std::string& where = call->terminal.terminal;
  bool by_password = !call->login.user.empty();
  auto verdict = st.login_limiter_.check(by_password ? call->login.user : "", where, now);
  if (!verdict.allowed) return call->fail(locked_out(verdict));
  web::login_methods m;
  if (auto it = o.printers.find(call->terminal.printer); it != o.printers.end()) m = it->second.methods;
  if (by_password && !call->login.card.empty()) return enrol_card(self, call, m);
  if (!call->login.code.empty()) return enrol_card_by_code(self, call, m);
  if (by_password) {
    if (!m.password) return call->fail(error{errc::permission_denied, "this printer does not take passwords"});
    std::string user = call->login.user;
    self->request(o.users, caf::infinite, auth_atom::value, user, call->login.password, "terminal:" + where)
        .then([self, call](requester& who) { start_session(self, call, who.user, "password"); },
              [self, call, user, where](caf::error& e) {
                // The directory keeps its own per-user limiter; this one
                // locks the terminal out after repeated failures too.
                if (code_of(e) == errc::permission_denied)
                  self->state.login_limiter_.failed(user, where, self->state.opts->now_ms());
                call->fail(code_of(e) == errc::permission_denied ? unknown_login : error{code_of(e), message_of(e)});
              });
    wipe(call->login.password);
    return;
  }
  auto found = by_card_or_pin(o, m, call->login);
  if (!found.ok()) return call->fail(found.err());
  if (found->first.empty()) {
    st.login_limiter_.failed("", where, now);
    return call->fail(unknown_login);
  }
  start_session(self, call, found->first, found->second);
}

// Registers a terminal for a printer: a new random token, stored only as
// its keyed digest; the answer shows it this once.
void enroll(terminals_self self, const terminal_call_ptr& call) {
  const auto& o = *self->state.opts;
  const auto& t = call->terminal;
  if (auto v = validate_user_name(t.terminal); v) return call->fail(error{errc::invalid_argument, v.message});
  if (!o.fleet->printer(t.printer)) return call->fail(error{errc::not_found, "there is no printer " + t.printer});
  if (o.st->get_terminal(t.terminal).ok())
    return call->fail(error{errc::already_exists, "terminal " + t.terminal + " exists already"});
  std::string token = new_token();
  if (token.empty()) return call->fail(error{errc::internal, "no randomness for a terminal token"});
  terminal_record rec;
  rec.name = t.terminal;
  rec.printer = t.printer;
  rec.token_key = o.st->credential_key(credential_kind::terminal, token);
  rec.created_by = call->by;
  rec.created_ms = o.now_ms();
  write_batch batch;
  batch.put_terminal(rec);
  spdlog::info("terminal {} registered for printer {} by {}", rec.name, rec.printer, rec.created_by);
  o.st->commit(std::move(batch), [call, token = std::move(token)](const status& s) mutable {
    if (s) return call->fail(s);
    call->on_enrolled(call->terminal, std::move(token));
    wipe(token);
  });
}

void revoke(terminals_self self, const terminal_call_ptr& call) {
  const auto& o = *self->state.opts;
  auto rec = o.st->get_terminal(call->terminal.terminal);
  if (!rec.ok()) return call->fail(error{errc::not_found, "there is no terminal " + call->terminal.terminal});
  close_terminal_session(self, rec->name);
  write_batch batch;
  batch.erase_terminal(*rec);
  spdlog::info("terminal {} revoked", rec->name);
  o.st->commit(std::move(batch), [call](const status& s) { call->on_status(s); });
}

// A printer removed from the fleet takes its terminals with it: the fleet
// actor erases their records in the removal's own commit, and their open
// sessions close here (a printer added again later under the same name gets
// terminals registered anew).
void close_orphans(terminals_self self, const fleet& next) {
  std::vector<std::string> names;
  for (const auto& [token, s] : self->state.sessions)
    if (!next.printer(s.printer)) names.push_back(s.terminal);
  for (const auto& n : names) {
    close_terminal_session(self, n);
    spdlog::info("terminal {} revoked: its printer was removed", n);
  }
}

void to_session(terminals_self self, const terminal_call_ptr& call) {
  auto& st = self->state;
  auto it = st.sessions.find(call->token);
  if (it == st.sessions.end() || it->second.terminal != call->terminal.terminal)
    return call->fail(error{errc::not_found, "no such session: log in again"});
  if (call->what == terminal_call::op::close) {
    st.by_terminal.erase(it->second.terminal);
    st.tokens.erase(it->second.actor.address());
    auto actor = it->second.actor;
    st.sessions.erase(it);
    self->send(actor, call);
    return;
  }
  self->send(it->second.actor, call);
}

}  // namespace

caf::actor spawn_terminals(caf::actor_system& sys, terminal_options opts) {
  auto ptr = std::make_shared<const terminal_options>(std::move(opts));
  return sys.spawn([ptr](terminals_self self) -> caf::behavior {
    auto& st = self->state;
    st.opts = ptr;
    login_limits token_limits = ptr->limits;
    token_limits.max_address_failures = std::max<uint32_t>(token_limits.max_address_failures, 10);
    st.token_limiter = login_limiter(token_limits);
    st.login_limiter_ = login_limiter(ptr->limits);
    self->set_down_handler([self](caf::down_msg& m) {
      auto& s = self->state;
      auto it = s.tokens.find(m.source);
      if (it == s.tokens.end()) return;
      auto session = s.sessions.find(it->second);
      if (session != s.sessions.end()) {
        auto t = s.by_terminal.find(session->second.terminal);
        if (t != s.by_terminal.end() && t->second == it->second) s.by_terminal.erase(t);
        s.sessions.erase(session);
      }
      s.tokens.erase(it);
    });
    return {
        [self](terminal_call_ptr& call) {
          using op = terminal_call::op;
          switch (call->what) {
            case op::authenticate: return authenticate(self, call);
            case op::describe: return describe(self, call);
            case op::open: return open_session(self, call);
            case op::enroll: return enroll(self, call);
            case op::revoke: return revoke(self, call);
            default: return to_session(self, call);
          }
        },
        [self](fleet_atom, fleet_ptr& fl) {
          close_orphans(self, *fl);
          // Sessions open from now on see the new fleet; open ones keep
          // theirs (they release through the release service, which has it).
          auto next = std::make_shared<terminal_options>(*self->state.opts);
          next->prices = fl->prices;
          next->fleet = std::move(fl);
          self->state.opts = std::move(next);
        },
    };
  });
}

namespace {

class actor_terminal_service final : public web::terminal_service {
 public:
  explicit actor_terminal_service(caf::actor terminals) : terminals_(std::move(terminals)) {}

  void authenticate_terminal(std::string token, std::string peer, web::terminal_identity_callback cb) override {
    auto c = call(terminal_call::op::authenticate, {});
    c->token = std::move(token);
    c->peer = std::move(peer);
    c->on_identity = std::move(cb);
    send(std::move(c));
  }
  void describe(const web::terminal_identity& t, web::terminal_info_callback cb) override {
    auto c = call(terminal_call::op::describe, t);
    c->on_info = std::move(cb);
    send(std::move(c));
  }
  void open_session(const web::terminal_identity& t, web::login_request login, web::session_callback cb) override {
    auto c = call(terminal_call::op::open, t);
    c->login = std::move(login);
    c->on_session = std::move(cb);
    send(std::move(c));
  }
  void get_session(const web::terminal_identity& t, std::string session, web::session_callback cb) override {
    auto c = call(terminal_call::op::get, t, std::move(session));
    c->on_session = std::move(cb);
    send(std::move(c));
  }
  void close_session(const web::terminal_identity& t, std::string session, web::terminal_status_callback cb) override {
    auto c = call(terminal_call::op::close, t, std::move(session));
    c->on_status = std::move(cb);
    send(std::move(c));
  }
  void list_jobs(const web::terminal_identity& t, std::string session, web::terminal_jobs_callback cb) override {
    auto c = call(terminal_call::op::list, t, std::move(session));
    c->on_jobs = std::move(cb);
    send(std::move(c));
  }
  void release(const web::terminal_identity& t, std::string session, web::release_request req,
               web::release_callback cb) override {
    auto c = call(terminal_call::op::release, t, std::move(session));
    c->release = std::move(req);
    c->on_release = std::move(cb);
    send(std::move(c));
  }
  void delete_job(const web::terminal_identity& t, std::string session, uint64_t job_id,
                  web::terminal_status_callback cb) override {
    auto c = call(terminal_call::op::remove, t, std::move(session));
    c->job_id = job_id;
    c->on_status = std::move(cb);
    send(std::move(c));
  }

 private:
  static terminal_call_ptr call(terminal_call::op what, const web::terminal_identity& t, std::string token = {}) {
    auto c = std::make_shared<terminal_call>();
    c->what = what;
    c->terminal = t;
    c->token = std::move(token);
    return c;
  }
  void send(terminal_call_ptr c) { caf::anon_send(terminals_, std::move(c)); }
  caf::actor terminals_;
};

}  // namespace

std::unique_ptr<web::terminal_service> make_terminal_service(caf::actor terminals) {
  return std::make_unique<actor_terminal_service>(std::move(terminals));
}

}  // namespace quire
