#include "actors/accounting_service_adapter.hpp"

#include "actors/terminal_service.hpp"

namespace quire {

namespace {

error to_error(const caf::error& e) { return error{code_of(e), message_of(e)}; }

class actor_accounting_service final : public web::accounting_service {
 public:
  actor_accounting_service(caf::actor_system& sys, const store& st, accounts_actor accounts,
                           user_directory_actor users, caf::actor terminals, web::money_format money)
      : sys_(sys), st_(&st), accounts_(std::move(accounts)), users_(std::move(users)),
        terminals_(std::move(terminals)), money_(std::move(money)) {}

  void get_account(const web::principal& by, std::string name, web::account_callback cb) override {
    if (!self_or_admin(by, name, cb)) return;
    if (!st_->get_user(name).ok()) return cb(error{errc::not_found, "there is no user " + name});
    ask_account(describe_atom::value, std::move(cb), name);
  }

  void credit(const web::principal& by, std::string name, web::credit_request req, web::account_callback cb) override {
    if (!by.admin) return cb(error{errc::permission_denied, "only administrators change credit"});
    if (!st_->get_user(name).ok()) return cb(error{errc::not_found, "there is no user " + name});
    account_credit c;
    c.account = name;
    c.by = requester{by.name, true};
    c.kind = static_cast<uint8_t>(req.kind);
    c.amount = req.amount;
    c.note = std::move(req.note);
    ask_account(credit_atom::value, std::move(cb), std::move(c));
  }

  void ledger(const web::principal& by, std::string name, uint32_t limit, web::ledger_callback cb) override {
    if (!self_or_admin(by, name, cb)) return;
    const store* st = st_;
    sys_.spawn<caf::detached>([st, name = std::move(name), limit, cb = std::move(cb)]() {
      if (!st->get_user(name).ok()) return cb(error{errc::not_found, "there is no user " + name});
      cb(st->ledger_of(name, limit));
    });
  }

  void get_delegates(const web::principal& by, std::string name, web::names_callback cb) override {
    if (!self_or_admin(by, name, cb)) return;
    if (!st_->get_user(name).ok()) return cb(error{errc::not_found, "there is no user " + name});
    cb(st_->delegates_of(name));
  }

  void set_delegates(const web::principal& by, std::string name, std::vector<std::string> delegates,
                     web::names_callback cb) override {
    user_request r;
    r.op = user_op::set_delegates;
    r.by = requester{by.name, by.admin};
    r.name = name;
    r.delegates = std::move(delegates);
    auto users = users_;
    const store* st = st_;
    sys_.spawn([users, st, r = std::move(r), cb = std::move(cb)](caf::event_based_actor* self) mutable {
      std::string name = r.name;
      self->request(users, caf::infinite, users_atom::value, std::move(r))
          .then([cb, st, name](std::vector<user_info_msg>&) { cb(st->delegates_of(name)); },
                [cb](caf::error& e) { cb(to_error(e)); });
    });
  }

  void register_terminal(const web::principal& by, std::string name, std::string printer,
                         web::terminal_callback cb) override {
    if (!by.admin) return cb(error{errc::permission_denied, "only administrators register terminals"});
    auto c = std::make_shared<terminal_call>();
    c->what = terminal_call::op::enroll;
    c->terminal = web::terminal_identity{std::move(name), std::move(printer)};
    c->by = by.name;
    const store* st = st_;
    c->on_enrolled = [cb, st](result<web::terminal_identity> t, std::string token) {
      if (!t.ok()) return cb(t.err());
      auto rec = st->get_terminal(t->terminal);
      web::terminal_view v;
      v.name = t->terminal;
      v.printer = t->printer;
      if (rec.ok()) {
        v.created_by = rec->created_by;
        v.created_ms = rec->created_ms;
      }
      v.token = std::move(token);
      cb(std::move(v));
    };
    caf::anon_send(terminals_, std::move(c));
  }

  void list_terminals(const web::principal& by, web::terminal_list_callback cb) override {
    if (!by.admin) return cb(error{errc::permission_denied, "only administrators see terminals"});
    std::vector<web::terminal_view> out;
    for (const auto& t : st_->list_terminals()) out.push_back({t.name, t.printer, t.created_by, t.created_ms, {}});
    cb(std::move(out));
  }

  void revoke_terminal(const web::principal& by, std::string name, web::status_callback cb) override {
    if (!by.admin) return cb(error{errc::permission_denied, "only administrators revoke terminals"});
    auto c = std::make_shared<terminal_call>();
    c->what = terminal_call::op::revoke;
    c->terminal.terminal = std::move(name);
    c->on_status = std::move(cb);
    caf::anon_send(terminals_, std::move(c));
  }

 private:
  template <class Cb>
  static bool self_or_admin(const web::principal& by, const std::string& name, Cb& cb) {
    if (by.admin || by.name == name) return true;
    cb(error{errc::permission_denied, "only the user or an administrator sees this"});
    return false;
  }

  static web::account_info info_of(const account_view& v, const web::money_format& money) {
    web::account_info a;
    a.name = v.name;
    a.balance = v.balance;
    a.reserved = v.reserved;
    a.available = v.available;
    a.unlimited = v.unlimited;
    a.has_quota = v.has_quota;
    a.quota_sheets_left = v.quota_sheets_left;
    a.quota_period_end_ms = v.period_end_ms;
    a.money = money;
    return a;
  }

  template <class Atom, class Arg>
  void ask_account(Atom atom, web::account_callback cb, Arg arg) {
    auto accounts = accounts_;
    auto render = [money = money_](const account_view& v) { return info_of(v, money); };
    auto ask = [accounts, atom, arg = std::move(arg), cb = std::move(cb),
                render](caf::event_based_actor* self) mutable {
      self->request(accounts, caf::infinite, atom, std::move(arg))
          .then([cb, render](account_view& v) { cb(render(v)); }, [cb](caf::error& e) { cb(to_error(e)); });
    };
    sys_.spawn(std::move(ask));
  }

  caf::actor_system& sys_;
  const store* st_;
  accounts_actor accounts_;
  user_directory_actor users_;
  caf::actor terminals_;
  web::money_format money_;
};

}  // namespace

std::unique_ptr<web::accounting_service> make_accounting_service(caf::actor_system& sys, const store& st,
                                                                 accounts_actor accounts,
                                                                 user_directory_actor users, caf::actor terminals,
                                                                 web::money_format money) {
  return std::make_unique<actor_accounting_service>(sys, st, std::move(accounts), std::move(users),
                                                    std::move(terminals), std::move(money));
}

}  // namespace quire
