// An in-memory user_service for the admin API's tests and fuzz target.
//
// It keeps the rules the real one promises (user_service.hpp): one answer
// for unknown users, wrong passwords and disabled accounts; unique cards
// and PINs; never the last enabled administrator removed or demoted; a
// user read (get_user) by an administrator or themself only; an e-mail
// address kept as create's record and update's patch carry it. It keeps
// passwords, cards and PINs in clear, so that tests can check what
// arrived and that none of it comes back in a response.
//
// Answers, deferred answers and fail_next as fake_answers.hpp says: every
// call after authenticate consults fail_next.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fake_answers.hpp"
#include "web/user_service.hpp"

namespace quire::testing {

class fake_user_service final : public web::user_service, public fake_answers {
 public:
  struct account {
    user_record record;
    std::string password;  // clear text: a test double only
    std::set<std::string> cards;
    std::optional<std::string> pin;
  };

  std::map<std::string, account> accounts;
  std::set<std::string> blocked;       // authenticate answers limit_exceeded for these users
  std::vector<std::string> calls;      // "create_user bob by admin": names, never secrets
  std::string last_peer;
  size_t max_cards = 4;

  /// Adds a user directly (a test's starting state).
  account& add(const std::string& name, const std::string& password, bool admin = false) {
    account a;
    a.record.name = name;
    a.record.display_name = "User " + name;
    a.record.admin = admin;
    a.record.created_ms = a.record.updated_ms = 1000;
    a.password = password;
    return accounts[name] = std::move(a);
  }

  void authenticate(std::string user, std::string password, std::string peer, web::principal_callback cb) override {
    last_peer = peer;
    calls.push_back("authenticate " + user);
    answer([this, user, password, cb = std::move(cb)] {
      if (blocked.count(user)) return cb(error(errc::limit_exceeded, "blocked"));
      auto it = accounts.find(user);
      if (it == accounts.end() || it->second.password.empty() || it->second.password != password ||
          it->second.record.disabled)
        return cb(error(errc::permission_denied, "unknown user or wrong password"));
      cb(web::principal{user, it->second.record.admin});
    });
  }

  void list_users(const web::principal& by, std::string after, uint32_t limit, web::user_list_callback cb) override {
    calls.push_back("list_users after '" + after + "' limit " + std::to_string(limit) + " by " + by.name);
    answer([this, after, limit, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      std::vector<web::user_info> out;
      for (auto it = accounts.upper_bound(after); it != accounts.end() && out.size() < limit; ++it)
        out.push_back(info(it->second));
      cb(std::move(out));
    });
  }

  void get_user(const web::principal& by, std::string name, web::user_callback cb) override {
    calls.push_back("get_user " + name + " by " + by.name);
    answer([this, name, allowed = by.admin || by.name == name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      // As the server's: administrators read users, a user themself.
      if (!allowed) return cb(error(errc::permission_denied, "only administrators manage users"));
      auto it = accounts.find(name);
      if (it == accounts.end()) return cb(error(errc::not_found, "no user \"" + name + "\""));
      cb(info(it->second));
    });
  }

  void create_user(const web::principal& by, user_record user, std::optional<std::string> password,
                   web::user_callback cb) override {
    calls.push_back("create_user " + user.name + " by " + by.name);
    answer([this, user, password, cb = std::move(cb)]() mutable {
      if (auto e = take_failure()) return cb(*e);
      if (accounts.count(user.name)) return cb(error(errc::already_exists, "user \"" + user.name + "\" exists"));
      if (!user.password_hash.empty() || user.created_ms != 0) return cb(error(errc::internal, "API sent a hash"));
      account a;
      a.record = user;
      a.record.created_ms = a.record.updated_ms = 2000;
      a.password = password.value_or("");
      auto& stored = accounts[user.name] = std::move(a);
      cb(info(stored));
    });
  }

  void update_user(const web::principal& by, std::string name, web::user_patch patch, web::user_callback cb) override {
    calls.push_back("update_user " + name + " by " + by.name);
    answer([this, name, patch, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = accounts.find(name);
      if (it == accounts.end()) return cb(error(errc::not_found, "no user \"" + name + "\""));
      user_record r = it->second.record;
      if (patch.display_name) r.display_name = *patch.display_name;
      if (patch.groups) r.groups = *patch.groups;
      if (patch.admin) r.admin = *patch.admin;
      if (patch.disabled) r.disabled = *patch.disabled;
      if (patch.email) r.email = *patch.email;
      if (is_active_admin(it->second.record) && !is_active_admin(r) && active_admins() == 1)
        return cb(error(errc::not_possible, "the site needs an enabled administrator"));
      r.updated_ms += 1;
      it->second.record = r;
      cb(info(it->second));
    });
  }

  void set_password(const web::principal& by, std::string name, std::string password,
                    web::status_callback cb) override {
    calls.push_back("set_password " + name + " by " + by.name);
    with_account(name, std::move(cb), [password](account& a) -> status {
      a.password = password;
      return {};
    });
  }

  void add_card(const web::principal& by, std::string name, std::string card_id, web::status_callback cb) override {
    calls.push_back("add_card " + name + " by " + by.name);
    with_account(name, std::move(cb), [this, name, card_id](account& a) -> status {
      for (const auto& [other, acc] : accounts)
        if (other != name && acc.cards.count(card_id))
          return error(errc::already_exists, "that card belongs to another user");
      if (!a.cards.count(card_id) && a.cards.size() >= max_cards) return error(errc::limit_exceeded, "too many cards");
      a.cards.insert(card_id);
      return {};
    });
  }

  void remove_card(const web::principal& by, std::string name, std::string card_id, web::status_callback cb) override {
    calls.push_back("remove_card " + name + " by " + by.name);
    with_account(name, std::move(cb), [card_id](account& a) -> status {
      if (!a.cards.erase(card_id)) return error(errc::not_found, "the user has no such card");
      return {};
    });
  }

  void set_pin(const web::principal& by, std::string name, std::string pin, web::status_callback cb) override {
    calls.push_back("set_pin " + name + " by " + by.name);
    with_account(name, std::move(cb), [this, name, pin](account& a) -> status {
      for (const auto& [other, acc] : accounts)
        if (other != name && acc.pin == pin) return error(errc::already_exists, "that PIN is taken");
      a.pin = pin;
      return {};
    });
  }

  void clear_pin(const web::principal& by, std::string name, web::status_callback cb) override {
    calls.push_back("clear_pin " + name + " by " + by.name);
    with_account(name, std::move(cb), [](account& a) -> status {
      a.pin.reset();
      return {};
    });
  }

  // generate_pin "sends" the new PIN to sent_pins (address -> PIN) unless
  // the user has no address; new_enrolment_code makes "1234567N" codes.
  std::map<std::string, std::string> sent_pins;
  std::map<std::string, std::string> codes;  // user -> their live code

  void generate_pin(const web::principal& by, std::string name, web::address_callback cb) override {
    calls.push_back("generate_pin " + name + " by " + by.name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = accounts.find(name);
      if (it == accounts.end()) return cb(error(errc::not_found, "no user \"" + name + "\""));
      if (it->second.record.email.empty()) return cb(error(errc::not_possible, name + " has no e-mail address"));
      std::string pin = "90" + std::to_string(1000 + sent_pins.size());
      it->second.pin = pin;
      sent_pins[it->second.record.email] = pin;
      cb(it->second.record.email);
    });
  }

  void new_enrolment_code(const web::principal& by, std::string name, web::code_callback cb) override {
    calls.push_back("new_enrolment_code " + name + " by " + by.name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      if (!accounts.count(name)) return cb(error(errc::not_found, "no user \"" + name + "\""));
      std::string code = "1234567" + std::to_string(codes.size() % 10);
      codes[name] = code;
      cb(web::enrolment_code{code, 5000});
    });
  }

  void delete_user(const web::principal& by, std::string name, web::status_callback cb) override {
    calls.push_back("delete_user " + name + " by " + by.name);
    answer([this, name, cb = std::move(cb)] {
      if (auto e = take_failure()) return cb(*e);
      auto it = accounts.find(name);
      if (it == accounts.end()) return cb(error(errc::not_found, "no user \"" + name + "\""));
      if (is_active_admin(it->second.record) && active_admins() == 1)
        return cb(error(errc::not_possible, "the site needs an enabled administrator"));
      accounts.erase(it);
      cb(status{});
    });
  }

 private:
  template <class Change>
  void with_account(const std::string& name, web::status_callback cb, Change change) {
    answer([this, name, cb = std::move(cb), change] {
      if (auto e = take_failure()) return cb(*e);
      auto it = accounts.find(name);
      if (it == accounts.end()) return cb(error(errc::not_found, "no user \"" + name + "\""));
      cb(change(it->second));
    });
  }

  static bool is_active_admin(const user_record& r) { return r.admin && !r.disabled; }
  size_t active_admins() const {
    return static_cast<size_t>(std::count_if(accounts.begin(), accounts.end(),
                                             [](const auto& kv) { return is_active_admin(kv.second.record); }));
  }

  static web::user_info info(const account& a) {
    web::user_info i;
    i.record = a.record;
    i.record.password_hash.clear();
    i.has_password = !a.password.empty();
    i.cards = static_cast<uint32_t>(a.cards.size());
    i.pin = a.pin.has_value();
    return i;
  }
};

}  // namespace quire::testing
