#include "actors/user_directory.hpp"
#include "actors/user_directory_impl.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "actors/directory_rules.hpp"
#include "actors/ldap_binder.hpp"
#include "devices/mail/mail_text.hpp"
#include "storage/credentials.hpp"
#include "storage/store.hpp"

namespace quire {

using namespace user_dir;

namespace {

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

caf::error refused() { return make_caf_error(errc::permission_denied, "wrong user name or password"); }

// The user a login names: exactly, else in lower case (directory logins
// are kept in lower case; people type them in any case).
result<user_record> login_user(const store& users, const std::string& name) {
  auto rec = users.get_user(name);
  if (rec.ok() || rec.err().code != errc::not_found) return rec;
  std::string lower = name;
  for (auto& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  if (lower == name) return rec;
  return users.get_user(lower);
}

// Checks `password` against the scrypt hash `stored` on a hasher; answers rp.
void verify_by_hash(directory_self self, caf::typed_response_promise<requester> rp, requester who,
                    const std::string& password, const std::string& stored, const std::string& peer) {
  auto& st = self->state;
  if (st.opts.on_scrypt) st.opts.on_scrypt();
  auto& h = st.hashers[st.next_hasher++ % st.hashers.size()];
  self->request(h, caf::infinite, verify_atom::value, password, stored)
      .then(
          [self, rp, who, password, stored, peer](bool ok) mutable {
            auto& s = self->state;
            s.pending -= 1;
            int64_t t = s.opts.now_ms();
            if (!ok) {
              s.limiter.failed(who.user, peer, t);
              spdlog::info("login refused for '{}' from {}", who.user, peer);
              rp.deliver(refused());
              return;
            }
            s.cache.remember(who.user, password, stored, t);
            s.limiter.succeeded(who.user, peer, t);
            rp.deliver(who);
          },
          [self, rp](caf::error& e) mutable {
            self->state.pending -= 1;
            rp.deliver(make_caf_error(errc::internal, "password check failed: " + message_of(e)));
          });
}

void keep_offline_hash(directory_self self, const std::string& name, const std::string& password);

constexpr int64_t directory_retry_ms = 30 * 1000;  // after an unreachable directory, binds pause this long

// A directory user's password: a bind as their entry. When the directory
// cannot be reached, the last password that bound (its scrypt hash) lets
// them in if offline_logins is "cached".
caf::result<requester> authenticate_by_directory(directory_self self, const user_record& rec, requester who,
                                                 const std::string& password, const std::string& peer) {
  auto& st = self->state;
  int64_t now = st.opts.now_ms();
  const std::string cache_key = "ldap:" + rec.dn;
  if (st.cache.lookup(who.user, password, cache_key, now)) {
    st.limiter.succeeded(who.user, peer, now);
    return who;
  }
  if (st.pending >= st.opts.max_pending) return make_caf_error(errc::busy, "too many logins at once; try again");
  bool down = now < st.directory_down_until;
  if (down && !(st.opts.offline_cached && !rec.password_hash.empty()))
    return make_caf_error(errc::unavailable, "the directory cannot be reached; try again later");
  st.pending += 1;
  auto rp = self->make_response_promise<requester>();
  if (down) {
    verify_by_hash(self, rp, who, password, rec.password_hash, peer);
    return rp;
  }
  auto& b = st.binders[st.next_binder++ % st.binders.size()];
  std::string stored = rec.password_hash;
  self->request(b, caf::infinite, bind_atom::value, rec.dn, password)
      .then(
          [self, rp, who, password, stored, peer, cache_key](int verdict) mutable {
            auto& s = self->state;
            int64_t t = s.opts.now_ms();
            if (verdict == static_cast<int>(bind_verdict::ok)) {
              s.pending -= 1;
              s.cache.remember(who.user, password, cache_key, t);
              s.limiter.succeeded(who.user, peer, t);
              if (s.opts.offline_cached) keep_offline_hash(self, who.user, password);
              rp.deliver(who);
              return;
            }
            if (verdict == static_cast<int>(bind_verdict::unavailable)) s.directory_down_until = t + directory_retry_ms;
            if (verdict == static_cast<int>(bind_verdict::unavailable) && s.opts.offline_cached && !stored.empty()) {
              verify_by_hash(self, rp, who, password, stored, peer);
              return;
            }
            s.pending -= 1;
            if (verdict == static_cast<int>(bind_verdict::unavailable)) {
              rp.deliver(make_caf_error(errc::unavailable, "the directory cannot be reached; try again later"));
              return;
            }
            s.limiter.failed(who.user, peer, t);
            spdlog::info("login refused for '{}' from {}", who.user, peer);
            rp.deliver(refused());
          },
          [self, rp](caf::error& e) mutable {
            self->state.pending -= 1;
            rp.deliver(make_caf_error(errc::internal, "password check failed: " + message_of(e)));
          });
  return rp;
}

caf::result<requester> authenticate(directory_self self, const std::string& user, const std::string& password,
                                    const std::string& peer) {
  auto& st = self->state;
  int64_t now = st.opts.now_ms();
  auto verdict = st.limiter.check(user, peer, now);
  if (!verdict.allowed)
    return make_caf_error(errc::limit_exceeded, "too many failed logins; try again in " +
                                                    std::to_string((verdict.retry_after_ms + 999) / 1000) + " s");
  auto rec = login_user(*st.users, user);
  auto fail = [self, user, peer] {
    self->state.limiter.failed(user, peer, self->state.opts.now_ms());
    spdlog::info("login refused for '{}' from {}", user, peer);
    return refused();
  };
  if (!rec.ok() || user_disabled(*rec)) return fail();
  requester who{rec->name, rec->admin};
  if (rec->source == "directory" && !st.binders.empty() && !rec->dn.empty())
    return authenticate_by_directory(self, *rec, who, password, peer);
  if (rec->password_hash.empty()) return fail();
  if (st.cache.lookup(rec->name, password, rec->password_hash, now)) {
    st.limiter.succeeded(rec->name, peer, now);
    return who;
  }
  if (st.pending >= st.opts.max_pending) return make_caf_error(errc::busy, "too many logins at once; try again");
  st.pending += 1;
  auto rp = self->make_response_promise<requester>();
  verify_by_hash(self, rp, who, password, rec->password_hash, peer);
  return rp;
}

// --- administration -----------------------------------------------------------

}  // namespace

namespace user_dir {

caf::error fail_with(errc code, std::string message) { return make_caf_error(code, std::move(message)); }

user_info_msg info_of(directory_self self, user_record rec) {
  user_info_msg out;
  out.has_password = !rec.password_hash.empty();
  rec.password_hash.clear();
  for (const auto& c : self->state.users->user_credentials(rec.name)) {
    if (c.kind == credential_kind::card) out.cards += 1;
    if (c.kind == credential_kind::pin) out.pin = true;
  }
  const auto& o = self->state.opts;
  out.may_choose_pin = o.pins.choose;
  out.may_generate_pin = o.pins.generate && o.mailer && !rec.email.empty() && !mail::check_address(rec.email);
  out.record = std::move(rec);
  return out;
}

void commit(directory_self self, write_batch batch, std::function<void(const error&)> then) {
  auto& st = self->state;
  uint64_t seq = st.next_seq++;
  st.commits.emplace(seq, std::move(then));
  auto me = caf::actor_cast<directory_impl>(self);
  st.users->commit(std::move(batch), [me, seq](const status& s) {
    caf::anon_send(me, committed_atom::value, seq, s);
  });
}

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

}  // namespace user_dir

namespace {

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

// After a directory login: keeps the password's scrypt hash for logins while
// the directory is unreachable (offline_logins = "cached"), unless the kept
// one already matches. Best effort: a failure only means no offline login.
void keep_offline_hash(directory_self self, const std::string& name, const std::string& password) {
  auto& st = self->state;
  auto rec = st.users->get_user(name);
  if (!rec.ok() || st.changing.count(name)) return;
  auto store_new = [self, name, password] {
    hash_then(
        self, password,
        [self, name](const std::string& hash) {
          auto& s = self->state;
          auto cur = s.users->get_user(name);
          if (!cur.ok() || s.changing.count(name)) return;
          cur->password_hash = hash;
          cur->updated_ms = std::max(s.opts.now_ms(), cur->updated_ms + 1);
          write_batch b;
          b.put_user(*cur);
          s.changing.insert(name);
          commit(self, std::move(b), [self, name](const error& e) {
            self->state.changing.erase(name);
            if (e) spdlog::warn("directory: keeping {}'s offline login failed: {}", name, e.describe());
          });
        },
        [](caf::error) {});
  };
  if (rec->password_hash.empty()) return store_new();
  auto& h = st.hashers[st.next_hasher++ % st.hashers.size()];
  self->request(h, caf::infinite, verify_atom::value, password, rec->password_hash)
      .then([store_new](bool same) { if (!same) store_new(); }, [](caf::error&) {});
}

// --- directory sync ------------------------------------------------------------

// Applies a directory sync's plan (actors/directory_sync.hpp) as one batch,
// or not at all: busy when a user in it changed since it was planned (the
// sync plans again), or while a change to one of them is on its way.
caf::result<bool> apply_plan(directory_self self, const directory_plan_ptr& plan) {
  auto& st = self->state;
  auto changed = [](const std::string& name) {
    return make_caf_error(errc::busy, "user " + name + " changed while the directory sync ran");
  };
  std::unordered_set<std::string> taken;  // card keys the plan takes off their holder
  for (const auto& c : plan->cards) {
    if (c.add) continue;
    auto owner = st.users->credential_owner(credential_kind::card, c.key);
    if (!owner.ok() || *owner != c.user) return changed(c.user);
    taken.insert(c.key);
  }
  for (const auto& c : plan->cards) {
    if (!c.add) continue;
    auto owner = st.users->credential_owner(credential_kind::card, c.key);
    if (owner.ok() && !taken.count(c.key)) return changed(c.user);
  }
  for (const auto& u : plan->users) {
    const auto& name = u.after.name;
    if (st.changing.count(name)) return changed(name);
    auto cur = st.users->get_user(name);
    bool same = u.before_ms < 0 ? !cur.ok() : cur.ok() && cur->updated_ms == u.before_ms;
    if (!same) return changed(name);
    if (auto v = validate_user(u.after))
      return make_caf_error(errc::internal, "the directory sync planned an invalid user " + name + ": " + v.message);
  }
  write_batch b;
  for (const auto& u : plan->users) b.put_user(u.after);
  for (const auto& c : plan->cards)
    if (!c.add) b.erase_credential(credential_kind::card, c.key, c.user);
  for (const auto& c : plan->cards)
    if (c.add) b.put_credential(credential_kind::card, c.key, c.user);
  for (const auto& [key, value] : plan->meta) b.put(cf::meta, key, value);
  std::vector<std::string> names;
  names.reserve(plan->users.size());
  for (const auto& u : plan->users)
    if (st.changing.insert(u.after.name).second) names.push_back(u.after.name);
  auto rp = self->make_response_promise<bool>();
  commit(self, std::move(b), [self, rp, names = std::move(names)](const error& e) mutable {
    for (const auto& n : names) self->state.changing.erase(n);
    if (e)
      rp.deliver(make_caf_error(e));
    else
      rp.deliver(true);
  });
  return rp;
}

size_t enabled_admins(directory_self self) {
  size_t n = 0;
  for (const auto& u : self->state.users->list_users())
    if (u.admin && !user_disabled(u)) n += 1;
  return n;
}

constexpr uint32_t max_cards_per_user = 16;

}  // namespace

users_result user_dir::credential_change(directory_self self, user_request& r, const user_record& user) {
  auto& st = self->state;
  write_batch batch;
  auto creds = st.users->user_credentials(user.name);
  switch (r.op) {
    case user_op::add_card:
    case user_op::enroll_card:
    case user_op::remove_card: {
      std::string card = normalise_card(r.secret);
      wipe(r.secret);
      if (card.empty()) return fail_with(errc::invalid_argument, "the card id is empty");
      std::string key = st.users->credential_key(credential_kind::card, card);
      auto owner = st.users->find_credential(credential_kind::card, card);
      wipe(card);
      if (r.op != user_op::remove_card) {
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
      if (auto bad = check_chosen_pin(self, r.secret)) {
        wipe(r.secret);
        return fail_with(bad.code, bad.message);
      }
      std::string key = st.users->credential_key(credential_kind::pin, r.secret);
      wipe(r.secret);
      auto owner = st.users->credential_owner(credential_kind::pin, key);
      if ((owner.ok() && *owner != user.name) || st.reserved_pins.count(key))  // reserved: being e-mailed
        return fail_with(errc::already_exists, "that PIN identifies another user; choose another");
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

namespace {

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
  if (r.op == user_op::enroll_card_by_code) return enroll_by_code(self, r);  // the code is the authority
  // A user may read themself, enrol a card just authenticated, and look
  // after their own PIN and enrolment codes.
  bool self_service = r.op == user_op::get || r.op == user_op::enroll_card || r.op == user_op::set_pin ||
                      r.op == user_op::clear_pin || r.op == user_op::generate_pin || r.op == user_op::enrolment_code;
  bool own_record = self_service && r.by.user == r.name;
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
      if (rec.source == "directory" && ((r.set_display_name && r.display_name != rec.display_name) ||
                                        (r.set_groups && r.groups != rec.groups)))
        return fail_with(errc::not_possible, rec.name + "'s name and groups come from the directory");
      bool was_admin = rec.admin && !rec.disabled;
      if (r.set_display_name) rec.display_name = r.display_name;
      if (r.set_groups) rec.groups = r.groups;
      if (r.set_email) {
        if (rec.source == "directory" && r.email != rec.email)
          return fail_with(errc::not_possible, rec.name + "'s e-mail address comes from the directory");
        rec.email = r.email;
      }
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
      if (rec.source == "directory")
        return fail_with(errc::not_possible, rec.name + "'s password is the directory's; change it there");
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
    case user_op::enroll_card:
    case user_op::remove_card:
    case user_op::set_pin:
    case user_op::clear_pin: return credential_change(self, r, rec);
    case user_op::generate_pin: return generate_pin(self, rec);
    case user_op::enrolment_code: return new_enrolment_code(self, rec);
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
  st.pin_sends = pin_send_limiter(st.opts.pins.resend_ms);
  st.codes = enrolment_codes(st.opts.enrolment_code_ms);
  for (size_t i = 0; i < std::max<size_t>(1, st.opts.hashers); ++i) {
    auto h = self->system().spawn<caf::detached>(hasher);
    self->link_to(h);
    st.hashers.push_back(h);
  }
  if (st.opts.directory)
    for (size_t i = 0; i < std::max<size_t>(1, st.opts.binders); ++i) {
      auto b = spawn_ldap_binder(self->system(), *st.opts.directory);
      self->link_to(b);
      st.binders.push_back(b);
    }
  return {
      [self](auth_atom, const std::string& user, const std::string& password, const std::string& peer) {
        return authenticate(self, user, password, peer);
      },
      [self](users_atom, user_request& r) { return manage(self, r); },
      [self](apply_atom, const directory_plan_ptr& plan) { return apply_plan(self, plan); },
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
