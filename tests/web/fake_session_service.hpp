// An in-memory session_service for the API tests: a session_table behind
// synchronous calls, with a settable clock and predictable tokens.
#pragma once

#include <string>

#include "storage/credentials.hpp"
#include "web/session_service.hpp"
#include "web/session_table.hpp"

namespace quire::testing {

class fake_session_service final : public web::session_service {
 public:
  web::session_table table;
  int64_t now_ms = 1'000'000;
  int made = 0;

  void create(web::principal who, web::new_session_callback cb) override {
    ++made;
    web::new_session s;
    s.token = "token-" + std::to_string(made);
    s.csrf_token = "csrf-" + std::to_string(made);
    web::web_session w;
    w.user = who.name;
    w.admin = who.admin;
    w.csrf_token = s.csrf_token;
    table.create(sha256(s.token), w, now_ms);
    s.expires_ms = table.expires_ms(*table.verify(sha256(s.token), now_ms));
    cb(std::move(s));
  }
  void verify(std::string token, web::web_session_callback cb) override {
    const auto* s = table.verify(sha256(token), now_ms);
    if (!s) return cb(error(errc::permission_denied, "no such session"));
    web::session_view v;
    v.who = web::principal{s->user, s->admin};
    v.csrf_token = s->csrf_token;
    cb(std::move(v));
  }
  void end(std::string token, web::status_callback cb) override {
    table.end(sha256(token));
    cb(status{});
  }
};

}  // namespace quire::testing
