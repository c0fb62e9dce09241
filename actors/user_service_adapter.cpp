#include "actors/user_service_adapter.hpp"

namespace quire {

namespace {

error to_error(const caf::error& e) { return error{code_of(e), message_of(e)}; }

web::user_info to_info(user_info_msg m) {
  web::user_info out;
  out.record = std::move(m.record);
  out.has_password = m.has_password;
  out.cards = m.cards;
  out.pin = m.pin;
  out.may_choose_pin = m.may_choose_pin;
  out.may_generate_pin = m.may_generate_pin;
  return out;
}

class actor_user_service final : public web::user_service {
 public:
  actor_user_service(caf::actor_system& sys, user_directory_actor dir) : sys_(sys), dir_(std::move(dir)) {}

  void authenticate(std::string user, std::string password, std::string peer, web::principal_callback cb) override {
    auto dir = dir_;
    sys_.spawn([dir, user = std::move(user), password = std::move(password), peer = std::move(peer),
                cb = std::move(cb)](caf::event_based_actor* self) mutable {
      self->request(dir, caf::infinite, auth_atom::value, user, password, peer)
          .then([cb](requester& r) { cb(web::principal{r.user, r.admin}); },
                [cb](caf::error& e) { cb(to_error(e)); });
      std::fill(password.begin(), password.end(), '\0');
    });
  }

  void list_users(const web::principal& by, std::string after, uint32_t limit, web::user_list_callback cb) override {
    auto r = base(user_op::list, by, "");
    r.after = std::move(after);
    r.limit = limit;
    ask(std::move(r), [cb](result<std::vector<user_info_msg>> got) {
      if (!got.ok()) return cb(got.err());
      std::vector<web::user_info> out;
      for (auto& m : *got) out.push_back(to_info(std::move(m)));
      cb(std::move(out));
    });
  }

  void get_user(const web::principal& by, std::string name, web::user_callback cb) override {
    ask(base(user_op::get, by, std::move(name)), one(std::move(cb)));
  }

  void create_user(const web::principal& by, user_record user, std::optional<std::string> password,
                   web::user_callback cb) override {
    auto r = base(user_op::create, by, user.name);
    r.record = std::move(user);
    if (password) {
      r.secret = std::move(*password);
      r.has_secret = true;
    }
    ask(std::move(r), one(std::move(cb)));
  }

  void update_user(const web::principal& by, std::string name, web::user_patch patch, web::user_callback cb) override {
    auto r = base(user_op::update, by, std::move(name));
    if (patch.display_name) {
      r.set_display_name = true;
      r.display_name = *patch.display_name;
    }
    if (patch.groups) {
      r.set_groups = true;
      r.groups = *patch.groups;
    }
    if (patch.admin) r.admin = *patch.admin ? 1 : 0;
    if (patch.disabled) r.disabled = *patch.disabled ? 1 : 0;
    if (patch.email) {
      r.set_email = true;
      r.email = *patch.email;
    }
    ask(std::move(r), one(std::move(cb)));
  }

  void set_password(const web::principal& by, std::string name, std::string password,
                    web::status_callback cb) override {
    secret_op(user_op::set_password, by, std::move(name), std::move(password), std::move(cb));
  }
  void add_card(const web::principal& by, std::string name, std::string card, web::status_callback cb) override {
    secret_op(user_op::add_card, by, std::move(name), std::move(card), std::move(cb));
  }
  void remove_card(const web::principal& by, std::string name, std::string card, web::status_callback cb) override {
    secret_op(user_op::remove_card, by, std::move(name), std::move(card), std::move(cb));
  }
  void set_pin(const web::principal& by, std::string name, std::string pin, web::status_callback cb) override {
    secret_op(user_op::set_pin, by, std::move(name), std::move(pin), std::move(cb));
  }
  void clear_pin(const web::principal& by, std::string name, web::status_callback cb) override {
    ask(base(user_op::clear_pin, by, std::move(name)), done(std::move(cb)));
  }
  void generate_pin(const web::principal& by, std::string name, web::address_callback cb) override {
    ask(base(user_op::generate_pin, by, std::move(name)), [cb](result<std::vector<user_info_msg>> got) {
      if (!got.ok()) return cb(got.err());
      if (got->empty()) return cb(error{errc::not_found, "the user is gone"});
      cb(got->front().record.email);
    });
  }
  void new_enrolment_code(const web::principal& by, std::string name, web::code_callback cb) override {
    ask(base(user_op::enrolment_code, by, std::move(name)), [cb](result<std::vector<user_info_msg>> got) {
      if (!got.ok()) return cb(got.err());
      if (got->empty() || got->front().code.empty()) return cb(error{errc::internal, "no code was made"});
      cb(web::enrolment_code{std::move(got->front().code), got->front().code_expires_ms});
    });
  }
  void delete_user(const web::principal& by, std::string name, web::status_callback cb) override {
    ask(base(user_op::remove, by, std::move(name)), done(std::move(cb)));
  }

 private:
  using answer = std::function<void(result<std::vector<user_info_msg>>)>;

  static user_request base(user_op op, const web::principal& by, std::string name) {
    user_request r;
    r.op = op;
    r.by = requester{by.name, by.admin};
    r.name = std::move(name);
    return r;
  }

  static answer one(web::user_callback cb) {
    return [cb](result<std::vector<user_info_msg>> got) {
      if (!got.ok()) return cb(got.err());
      if (got->empty()) return cb(error{errc::not_found, "the user is gone"});
      cb(to_info(std::move(got->front())));
    };
  }

  static answer done(web::status_callback cb) {
    return [cb](result<std::vector<user_info_msg>> got) { cb(got.ok() ? status{} : status(got.err())); };
  }

  void secret_op(user_op op, const web::principal& by, std::string name, std::string secret, web::status_callback cb) {
    auto r = base(op, by, std::move(name));
    r.secret = std::move(secret);
    r.has_secret = true;
    ask(std::move(r), done(std::move(cb)));
  }

  // One request from a short-lived actor: the admin API is not a hot path.
  void ask(user_request r, answer then) {
    auto dir = dir_;
    sys_.spawn([dir, r = std::move(r), then = std::move(then)](caf::event_based_actor* self) mutable {
      self->request(dir, caf::infinite, users_atom::value, std::move(r))
          .then([then](std::vector<user_info_msg>& got) { then(std::move(got)); },
                [then](caf::error& e) { then(to_error(e)); });
    });
  }

  caf::actor_system& sys_;
  user_directory_actor dir_;
};

}  // namespace

std::unique_ptr<web::user_service> make_user_service(caf::actor_system& sys, user_directory_actor directory) {
  return std::make_unique<actor_user_service>(sys, std::move(directory));
}

}  // namespace quire
