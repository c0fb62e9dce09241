#include "actors/user_directory.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <unordered_map>

#include "storage/credentials.hpp"
#include "storage/store.hpp"

namespace quire {

namespace {

// One scrypt at a time, on its own thread: verify a password, or hash a new
// one ("" when hashing failed).
using hasher_actor = caf::typed_actor<caf::replies_to<verify_atom, std::string, std::string>::with<bool>,
                                      caf::replies_to<hash_atom, std::string>::with<std::string>>;

hasher_actor::behavior_type hasher() {
  return {
      [](verify_atom, std::string& password, const std::string& stored) {
        bool ok = verify_password(password, stored);
        wipe(password);
        return ok;
      },
      [](hash_atom, std::string& password) {
        auto h = hash_password(password);
        wipe(password);
        return h.ok() ? *h : std::string();
      },
  };
}

// The directory's own messages besides its public interface.
using directory_impl = user_directory_actor::extend<caf::reacts_to<committed_atom, uint64_t, error>>;

struct directory_state {
  store* users = nullptr;
  user_directory_options opts;
  credential_cache cache;
  login_limiter limiter;
  std::vector<hasher_actor> hashers;
  size_t next_hasher = 0;
  size_t pending = 0;
  uint64_t next_seq = 1;
  std::unordered_map<uint64_t, std::function<void(const error&)>> commits;
  std::set<std::string> changing;  // users with a change on its way: one at a time
  static inline const char* name = "user_directory";
};

using directory_self = directory_impl::stateful_pointer<directory_state>;

caf::error refused() { return make_caf_error(errc::permission_denied, "wrong user name or password"); }

caf::result<requester> authenticate(directory_self self, const std::string& user, const std::string& password,
                                    const std::string& peer) {
  auto& st = self->state;
  int64_t now = st.opts.now_ms();
  auto verdict = st.limiter.check(user, peer, now);
  if (!verdict.allowed)
    return make_caf_error(errc::limit_exceeded, "too many failed logins; try again in " +
                                                    std::to_string((verdict.retry_after_ms + 999) / 1000) + " s");
  auto rec = st.users->get_user(user);
  auto fail = [self, user, peer] {
    self->state.limiter.failed(user, peer, self->state.opts.now_ms());
    spdlog::info("login refused for '{}' from {}", user, peer);
    return refused();
  };
  if (!rec.ok() || rec->disabled || rec->password_hash.empty()) return fail();
  requester who{rec->name, rec->admin};
  if (st.cache.lookup(user, password, rec->password_hash, now)) {
    st.limiter.succeeded(user, peer, now);
    return who;
  }
  if (st.pending >= st.opts.max_pending) return make_caf_error(errc::busy, "too many logins at once; try again");
  st.pending += 1;
  if (st.opts.on_scrypt) st.opts.on_scrypt();
  auto rp = self->make_response_promise<requester>();
  auto& h = st.hashers[st.next_hasher++ % st.hashers.size()];
  std::string stored = rec->password_hash;
  self->request(h, caf::infinite, verify_atom::value, password, stored)
      .then(
          [self, rp, who, user, password, stored, peer](bool ok) mutable {
            auto& s = self->state;
            s.pending -= 1;
            int64_t t = s.opts.now_ms();
            if (!ok) {
              s.limiter.failed(user, peer, t);
              spdlog::info("login refused for '{}' from {}", user, peer);
              rp.deliver(refused());
              return;
            }
            s.cache.remember(user, password, stored, t);
            s.limiter.succeeded(user, peer, t);
            rp.deliver(who);
          },
          [self, rp](caf::error& e) mutable {
            self->state.pending -= 1;
            rp.deliver(make_caf_error(errc::internal, "password check failed: " + message_of(e)));
          });
  return rp;
}

// --- administration -----------------------------------------------------------

using users_result = caf::result<std::vector<user_info_msg>>;

caf::error fail_with(errc code, std::string message) { return make_caf_error(code, std::move(message)); }

user_info_msg info_of(directory_self self, user_record rec) {
  user_info_msg out;
  out.has_password = !rec.password_hash.empty();
  rec.password_hash.clear();
  for (const auto& c : self->state.users->user_credentials(rec.name)) {
    if (c.kind == credential_kind::card) out.cards += 1;
    if (c.kind == credential_kind::pin) out.pin = true;
  }
  out.record = std::move(rec);
  return out;
}

// Makes `batch` durable, then runs `then` on the actor.
void commit(directory_self self, write_batch batch, std::function<void(const error&)> then) {
  auto& st = self->state;
  uint64_t seq = st.next_seq++;
  st.commits.emplace(seq, std::move(then));
  auto me = caf::actor_cast<directory_impl>(self);
  st.users->commit(std::move(batch), [me, seq](const status& s) {
    caf::anon_send(me, committed_atom::value, seq, s);
  });
}

// Commits `batch` for the user `name` (whose change is in progress) and
// answers `rp` with the user as stored, or the error.
void finish(directory_self self, caf::typed_response_promise<std::vector<user_info_msg>> rp, std::string name,
            write_batch batch) {
  commit(self, std::move(batch), [self, rp, name](const error& e) mutable {
    self->state.changing.erase(name);
    if (e) {
      rp.deliver(make_caf_error(e));
      return;
    }
    auto rec = self->state.users->get_user(name);
    if (rec.ok())
      rp.deliver(std::vector<user_info_msg>{info_of(self, std::move(*rec))});
    else
      rp.deliver(std::vector<user_info_msg>{});  // deleted
  });
}

// Hashes `password` on a hasher, then continues with the hash.
void hash_then(directory_self self, std::string password, std::function<void(const std::string&)> then,
               std::function<void(caf::error)> fail) {
  auto& st = self->state;
  auto& h = st.hashers[st.next_hasher++ % st.hashers.size()];
  self->request(h, caf::infinite, hash_atom::value, std::move(password))
      .then(
          [then, fail](std::string& hash) {
            if (hash.empty())
              fail(make_caf_error(errc::invalid_argument, "the password cannot be used (empty or too long)"));
            else
              then(hash);
          },
          [fail](caf::error& e) { fail(make_caf_error(errc::internal, "hashing failed: " + message_of(e))); });
}

size_t enabled_admins(directory_self self) {
  size_t n = 0;
  for (const auto& u : self->state.users->list_users())
    if (u.admin && !u.disabled) n += 1;
  return n;
}

constexpr uint32_t max_cards_per_user = 16;

users_result credential_change(directory_self self, user_request& r, const user_record& user) {
  auto& st = self->state;
  write_batch batch;
  auto creds = st.users->user_credentials(user.name);
  switch (r.op) {
    case user_op::add_card:
    case user_op::remove_card: {
      std::string card = normalise_card(r.secret);
      wipe(r.secret);
      if (card.empty()) return fail_with(errc::invalid_argument, "the card id is empty");
      std::string key = st.users->credential_key(credential_kind::card, card);
      auto owner = st.users->find_credential(credential_kind::card, card);
      wipe(card);
      if (r.op == user_op::add_card) {
        if (owner.ok() && *owner != user.name) return fail_with(errc::already_exists, "that card belongs to another user");
        if (owner.ok()) return std::vector<user_info_msg>{info_of(self, user)};
        uint32_t cards = 0;
        for (const auto& c : creds) cards += c.kind == credential_kind::card;
        if (cards >= max_cards_per_user)
          return fail_with(errc::limit_exceeded, "a user has at most " + std::to_string(max_cards_per_user) + " cards");
        batch.put_credential(credential_kind::card, key, user.name);
      } else {
        if (!owner.ok() || *owner != user.name) return fail_with(errc::not_found, user.name + " has no such card");
        batch.erase_credential(credential_kind::card, key, user.name);
      }
      break;
    }
    case user_op::set_pin: {
      auto owner = st.users->find_credential(credential_kind::pin, r.secret);
      if (owner.ok() && *owner != user.name) {
        wipe(r.secret);
        return fail_with(errc::already_exists, "that PIN identifies another user; choose another");
      }
      std::string key = st.users->credential_key(credential_kind::pin, r.secret);
      wipe(r.secret);
      for (const auto& c : creds)
        if (c.kind == credential_kind::pin && c.key != key) batch.erase_credential(c.kind, c.key, user.name);
      batch.put_credential(credential_kind::pin, key, user.name);
      break;
    }
    case user_op::clear_pin:
      for (const auto& c : creds)
        if (c.kind == credential_kind::pin) batch.erase_credential(c.kind, c.key, user.name);
      break;
    default: return fail_with(errc::internal, "not a credential change");
  }
  st.changing.insert(user.name);
  auto rp = self->make_response_promise<std::vector<user_info_msg>>();
  finish(self, rp, user.name, std::move(batch));
  return rp;
}

// Who may release `r.name`'s jobs: existing users other than the owner, at
// most max_delegates. The owner sets them, or an administrator.
constexpr size_t max_delegates = 32;

users_result set_delegates(directory_self self, user_request& r) {
  auto& st = self->state;
  if (!r.by.admin && r.by.user != r.name)
    return fail_with(errc::permission_denied, "only the user or an administrator names delegates");
  if (!st.users->get_user(r.name).ok()) return fail_with(errc::not_found, "there is no user " + r.name);
  std::vector<std::string> after = r.delegates;
  std::sort(after.begin(), after.end());
  after.erase(std::unique(after.begin(), after.end()), after.end());
  if (after.size() > max_delegates)
    return fail_with(errc::invalid_argument, "at most " + std::to_string(max_delegates) + " delegates");
  for (const auto& d : after) {
    if (d == r.name) return fail_with(errc::invalid_argument, "a user cannot be their own delegate");
    if (!st.users->get_user(d).ok()) return fail_with(errc::not_found, "there is no user " + d);
  }
  if (st.changing.count(r.name)) return fail_with(errc::busy, "another change to " + r.name + " is in progress");
  write_batch b;
  b.set_delegates(r.name, st.users->delegates_of(r.name), after);
  st.changing.insert(r.name);
  auto rp = self->make_response_promise<std::vector<user_info_msg>>();
  finish(self, rp, r.name, std::move(b));
  return rp;
}

// A deleted user is nobody's delegate any more, and names none.
void drop_delegations(const store& users, const std::string& name, write_batch& b) {
  b.set_delegates(name, users.delegates_of(name), {});
  for (const auto& owner : users.delegators_of(name)) {
    auto before = users.delegates_of(owner);
    auto after = before;
    after.erase(std::remove(after.begin(), after.end(), name), after.end());
    b.set_delegates(owner, before, after);
  }
}

users_result manage(directory_self self, user_request& r) {
  auto& st = self->state;
  if (r.op == user_op::set_delegates) return set_delegates(self, r);
  bool own_record = r.op == user_op::get && r.by.user == r.name;  // a user may read themself
  if (!r.by.admin && !own_record) return fail_with(errc::permission_denied, "only administrators manage users");
  int64_t now = st.opts.now_ms();
  if (r.op == user_op::list) {
    std::vector<user_info_msg> out;
    for (auto& u : st.users->list_users(r.after, r.limit)) out.push_back(info_of(self, std::move(u)));
    return out;
  }
  if (st.changing.count(r.name)) return fail_with(errc::busy, "another change to " + r.name + " is in progress");
  auto existing = st.users->get_user(r.name);
  if (r.op == user_op::create) {
    if (existing.ok()) return fail_with(errc::already_exists, "user " + r.name + " already exists");
    user_record rec = std::move(r.record);
    rec.name = r.name;
    rec.password_hash.clear();
    rec.created_ms = rec.updated_ms = now;
    if (auto v = validate_user(rec)) return fail_with(errc::invalid_argument, v.message);
    if (rec.name.rfind(project_account_prefix, 0) == 0)  // the accounts of projects are named so
      return fail_with(errc::invalid_argument, "a user name may not begin with \"project:\"");
    st.changing.insert(rec.name);
    auto rp = self->make_response_promise<std::vector<user_info_msg>>();
    auto store_it = [self, rp, rec](const std::string& hash) mutable {
      rec.password_hash = hash;
      write_batch b;
      b.put_user(rec);
      finish(self, rp, rec.name, std::move(b));
    };
    if (!r.has_secret) {
      store_it("");
    } else {
      hash_then(self, std::move(r.secret), store_it, [self, rp, name = rec.name](caf::error e) mutable {
        self->state.changing.erase(name);
        rp.deliver(std::move(e));
      });
    }
    return rp;
  }
  if (!existing.ok()) return fail_with(errc::not_found, "there is no user " + r.name);
  user_record rec = std::move(*existing);
  switch (r.op) {
    case user_op::get: return std::vector<user_info_msg>{info_of(self, std::move(rec))};
    case user_op::update: {
      bool was_admin = rec.admin && !rec.disabled;
      if (r.set_display_name) rec.display_name = r.display_name;
      if (r.set_groups) rec.groups = r.groups;
      if (r.admin >= 0) rec.admin = r.admin == 1;
      if (r.disabled >= 0) rec.disabled = r.disabled == 1;
      if (was_admin && !(rec.admin && !rec.disabled) && enabled_admins(self) <= 1)
        return fail_with(errc::not_possible, "the site would be left without an administrator");
      if (auto v = validate_user(rec)) return fail_with(errc::invalid_argument, v.message);
      rec.updated_ms = now;
      write_batch b;
      b.put_user(rec);
      st.changing.insert(rec.name);
      auto rp = self->make_response_promise<std::vector<user_info_msg>>();
      finish(self, rp, rec.name, std::move(b));
      return rp;
    }
    case user_op::set_password: {
      st.changing.insert(rec.name);
      auto rp = self->make_response_promise<std::vector<user_info_msg>>();
      hash_then(
          self, std::move(r.secret),
          [self, rp, rec](const std::string& hash) mutable {
            rec.password_hash = hash;
            rec.updated_ms = self->state.opts.now_ms();
            write_batch b;
            b.put_user(rec);
            finish(self, rp, rec.name, std::move(b));
          },
          [self, rp, name = rec.name](caf::error e) mutable {
            self->state.changing.erase(name);
            rp.deliver(std::move(e));
          });
      return rp;
    }
    case user_op::add_card:
    case user_op::remove_card:
    case user_op::set_pin:
    case user_op::clear_pin: return credential_change(self, r, rec);
    case user_op::remove: {
      if (rec.admin && !rec.disabled && enabled_admins(self) <= 1)
        return fail_with(errc::not_possible, "the last administrator cannot be deleted");
      write_batch b;
      b.erase_user(rec.name, st.users->user_credentials(rec.name));
      drop_delegations(*st.users, rec.name, b);
      st.changing.insert(rec.name);
      auto rp = self->make_response_promise<std::vector<user_info_msg>>();
      finish(self, rp, rec.name, std::move(b));
      return rp;
    }
    default: break;
  }
  return fail_with(errc::invalid_argument, "unknown user operation");
}

directory_impl::behavior_type directory_behavior(directory_self self, store* users,
                                                 user_directory_options opts) {
  auto& st = self->state;
  st.users = users;
  st.opts = std::move(opts);
  st.cache = credential_cache(st.opts.cache);
  st.limiter = login_limiter(st.opts.limits);
  for (size_t i = 0; i < std::max<size_t>(1, st.opts.hashers); ++i) {
    auto h = self->system().spawn<caf::detached>(hasher);
    self->link_to(h);
    st.hashers.push_back(h);
  }
  return {
      [self](auth_atom, const std::string& user, const std::string& password, const std::string& peer) {
        return authenticate(self, user, password, peer);
      },
      [self](users_atom, user_request& r) { return manage(self, r); },
      [self](committed_atom, uint64_t seq, error& e) {
        auto it = self->state.commits.find(seq);
        if (it == self->state.commits.end()) return;
        auto then = std::move(it->second);
        self->state.commits.erase(it);
        then(e);
      },
  };
}

}  // namespace

user_directory_actor spawn_user_directory(caf::actor_system& sys, store& users, user_directory_options opts) {
  return caf::actor_cast<user_directory_actor>(sys.spawn(directory_behavior, &users, std::move(opts)));
}

}  // namespace quire
