#include "actors/token_service_adapter.hpp"

#include <spdlog/spdlog.h>

#include <utility>

#include "storage/credentials.hpp"

namespace quire {

namespace {

web::api_token_view view_of(const std::string& hmac, const api_token_record& t) {
  return {api_token_id(hmac), t.user, t.name, t.created_by, t.created_ms, t.expires_ms};
}

class token_service_impl final : public web::token_service {
 public:
  token_service_impl(store& st, std::function<int64_t()> now_ms) : st_(st), now_ms_(std::move(now_ms)) {}

  void authenticate(std::string token, web::principal_callback cb) override {
    auto denied = [] { return error{errc::permission_denied, "unknown or expired API token"}; };
    auto t = st_.find_api_token(token);
    wipe(token);
    if (!t.ok()) return cb(t.err().code == errc::not_found ? denied() : t.err());
    if (t->expires_ms != 0 && now_ms_() >= t->expires_ms) return cb(denied());
    auto u = st_.get_user(t->user);
    if (!u.ok()) return cb(u.err().code == errc::not_found ? denied() : u.err());
    if (user_disabled(*u)) return cb(denied());
    cb(web::principal{u->name, u->admin});
  }

  void list_tokens(const web::principal&, std::string user, web::token_list_callback cb) override {
    if (auto u = st_.get_user(user); !u.ok()) return cb(u.err());
    std::vector<web::api_token_view> out;
    for (const auto& [hmac, t] : st_.api_tokens(user)) out.push_back(view_of(hmac, t));
    cb(std::move(out));
  }

  void create_token(const web::principal& by, std::string user, std::string name, int64_t expires_ms,
                    web::new_token_callback cb) override {
    if (auto u = st_.get_user(user); !u.ok()) return cb(u.err());
    if (st_.api_tokens(user).size() >= web::max_api_tokens_per_user)
      return cb(error{errc::limit_exceeded, user + " has " + std::to_string(web::max_api_tokens_per_user) +
                                                " API tokens already: revoke one first"});
    auto random = random_token();
    if (!random.ok()) return cb(random.err());
    web::new_api_token made;
    made.token = std::string(web::api_token_prefix) + *random;
    wipe(*random);
    api_token_record t{user, std::move(name), by.name, now_ms_(), expires_ms};
    std::string hmac = st_.credential_key(credential_kind::api_token, made.token);
    made.view = view_of(hmac, t);
    write_batch batch;
    batch.put_api_token(hmac, t);
    spdlog::info("API token {} ({}) made for {} by {}", made.view.id, made.view.name, user, by.name);
    st_.commit(std::move(batch), [cb = std::move(cb), made = std::move(made)](const status& s) mutable {
      if (s) {
        wipe(made.token);
        return cb(s);
      }
      cb(std::move(made));
    });
  }

  void revoke_token(const web::principal& by, std::string user, std::string id, web::status_callback cb) override {
    for (const auto& [hmac, t] : st_.api_tokens(user)) {
      if (api_token_id(hmac) != id) continue;
      write_batch batch;
      batch.erase_credential(credential_kind::api_token, hmac, user);
      spdlog::info("API token {} ({}) of {} revoked by {}", id, t.name, user, by.name);
      return st_.commit(std::move(batch), [cb = std::move(cb)](const status& s) { cb(s); });
    }
    cb(error{errc::not_found, user + " has no API token " + id});
  }

 private:
  store& st_;
  std::function<int64_t()> now_ms_;
};

}  // namespace

std::unique_ptr<web::token_service> make_token_service(store& st, std::function<int64_t()> now_ms) {
  return std::make_unique<token_service_impl>(st, std::move(now_ms));
}

}  // namespace quire
