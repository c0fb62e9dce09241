#include "actors/web_sessions.hpp"

#include <algorithm>
#include <utility>

#include "storage/credentials.hpp"

namespace quire {

namespace {

struct web_sessions_state {
  web::session_table table;
  int64_t (*now_ms)() = nullptr;
  static inline const char* name = "web_sessions";
};

web_sessions_actor::behavior_type web_sessions(web_sessions_actor::stateful_pointer<web_sessions_state> self,
                                               web_sessions_options opts) {
  self->state.table = web::session_table(opts.limits);
  self->state.now_ms = opts.now_ms;
  return {
      [self](login_atom, std::string& user, bool admin) -> caf::result<std::string, std::string, int64_t> {
        auto token = random_token();
        auto csrf = random_token();
        if (!token.ok() || !csrf.ok()) return make_caf_error(errc::internal, "no random bytes for a session");
        web::web_session s;
        s.user = std::move(user);
        s.admin = admin;
        s.csrf_token = *csrf;
        int64_t now = self->state.now_ms();
        self->state.table.create(sha256(*token), std::move(s), now);
        auto* made = self->state.table.verify(sha256(*token), now);
        int64_t expires = made ? self->state.table.expires_ms(*made) : now;
        return {std::move(*token), std::move(*csrf), expires};
      },
      [self](verify_atom, std::string& token) -> caf::result<std::string, bool, std::string> {
        std::string key = sha256(token);
        wipe(token);
        const web::web_session* s = self->state.table.verify(key, self->state.now_ms());
        if (!s) return make_caf_error(errc::permission_denied, "no such session");
        return {s->user, s->admin, s->csrf_token};
      },
      [self](logout_atom, std::string& token) -> bool {
        std::string key = sha256(token);
        wipe(token);
        return self->state.table.end(key);
      },
  };
}

error to_error(const caf::error& e) { return error{code_of(e), message_of(e)}; }

class actor_session_service final : public web::session_service {
 public:
  actor_session_service(caf::actor_system& sys, web_sessions_actor a) : sys_(sys), a_(std::move(a)) {}

  void create(web::principal who, web::new_session_callback cb) override {
    auto a = a_;
    sys_.spawn([a, who = std::move(who), cb = std::move(cb)](caf::event_based_actor* self) {
      self->request(a, caf::infinite, login_atom::value, who.name, who.admin)
          .then(
              [cb](std::string& token, std::string& csrf, int64_t expires) {
                web::new_session s;
                s.token = std::move(token);
                s.csrf_token = std::move(csrf);
                s.expires_ms = expires;
                cb(std::move(s));
              },
              [cb](caf::error& e) { cb(to_error(e)); });
    });
  }

  void verify(std::string token, web::web_session_callback cb) override {
    auto a = a_;
    sys_.spawn([a, token = std::move(token), cb = std::move(cb)](caf::event_based_actor* self) mutable {
      self->request(a, caf::infinite, verify_atom::value, token)
          .then(
              [cb](std::string& user, bool admin, std::string& csrf) {
                web::session_view v;
                v.who = web::principal{std::move(user), admin};
                v.csrf_token = std::move(csrf);
                cb(std::move(v));
              },
              [cb](caf::error& e) { cb(to_error(e)); });
      wipe(token);
    });
  }

  void end(std::string token, web::status_callback cb) override {
    auto a = a_;
    sys_.spawn([a, token = std::move(token), cb = std::move(cb)](caf::event_based_actor* self) mutable {
      self->request(a, caf::infinite, logout_atom::value, token)
          .then([cb](bool) { cb(status{}); }, [cb](caf::error& e) { cb(to_error(e)); });
      wipe(token);
    });
  }

 private:
  caf::actor_system& sys_;
  web_sessions_actor a_;
};

}  // namespace

web_sessions_actor spawn_web_sessions(caf::actor_system& sys, web_sessions_options opts) {
  QUIRE_ASSERT(opts.now_ms != nullptr, "spawn_web_sessions: no clock");
  return sys.spawn(web_sessions, opts);
}

std::unique_ptr<web::session_service> make_session_service(caf::actor_system& sys, web_sessions_actor sessions) {
  return std::make_unique<actor_session_service>(sys, std::move(sessions));
}

}  // namespace quire
