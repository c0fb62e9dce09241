#include <algorithm>

#include "storage/credentials.hpp"
#include "storage/store_impl.hpp"

namespace quire {

result<user_record> store::get_user(const std::string& name) const {
  if (validate_user_name(name)) return error{errc::not_found, "no such user"};
  auto raw = impl_->get(cf::users, keys::user(name));
  if (!raw.ok()) {
    if (raw.err().code == errc::not_found) return error{errc::not_found, "user " + name + " does not exist"};
    return raw.err();
  }
  user_record rec;
  if (auto s = decode_user(*raw, rec)) return s;
  if (rec.name != name) return error{errc::corruption, "the record stored as user " + name + " names another user"};
  return rec;
}

std::vector<user_record> store::list_users(const std::string& after, uint32_t limit) const {
  std::vector<user_record> out;
  // Keys after `after`'s whole range ("after" 1), so neither its record nor
  // its back-references come again.
  std::string from = after.empty() ? std::string() : keys::user_range_end(after);
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->h(cf::users)));
  for (it->Seek(from); it->Valid(); it->Next()) {
    std::string_view k(it->key().data(), it->key().size());
    if (!keys::is_user_record_key(k)) continue;
    user_record r;
    if (decode_user(std::string_view(it->value().data(), it->value().size()), r)) continue;
    if (k.size() != r.name.size() + 1 || k.compare(0, r.name.size(), r.name) != 0) continue;
    out.push_back(std::move(r));
    if (limit != 0 && out.size() >= limit) break;
  }
  return out;
}

std::string store::credential_key(credential_kind kind, std::string_view value) const {
  return quire::credential_key(server_secret_, to_string(kind), value);
}

result<std::string> store::find_credential(credential_kind kind, std::string_view value) const {
  // A terminal's token names a terminal: never let it pass for a user.
  if (kind == credential_kind::terminal) return error{errc::not_found, "a terminal token names no user"};
  auto user = impl_->get(cf::credentials, keys::credential(kind, credential_key(kind, value)));
  if (!user.ok()) {
    if (user.err().code == errc::not_found)
      return error{errc::not_found, std::string("no user has this ") + to_string(kind)};
    return user.err();
  }
  return user;
}

result<std::string> store::credential_owner(credential_kind kind, std::string_view hmac) const {
  if (kind == credential_kind::terminal || hmac.size() != 32)
    return error{errc::not_found, std::string("no user has this ") + to_string(kind)};
  auto user = impl_->get(cf::credentials, keys::credential(kind, hmac));
  if (!user.ok() && user.err().code == errc::not_found)
    return error{errc::not_found, std::string("no user has this ") + to_string(kind)};
  return user;
}

result<std::string> store::get_meta(const std::string& key) const { return impl_->get(cf::meta, key); }

std::vector<credential_ref> store::user_credentials(const std::string& name) const {
  std::vector<credential_ref> out;
  if (validate_user_name(name)) return out;
  std::string prefix = keys::user_credentials_prefix(name);
  impl_->scan(cf::users, prefix, false, [&](std::string_view k, std::string_view) {
    credential_ref c;
    if (keys::parse_credential(k.substr(prefix.size()), c)) out.push_back(std::move(c));
    return true;
  });
  // Keep only those whose look-up entry still names this user (keys.hpp).
  std::erase_if(out, [&](const credential_ref& c) {
    auto owner = impl_->get(cf::credentials, keys::credential(c.kind, c.key));
    return !owner.ok() || *owner != name;
  });
  return out;
}

std::vector<std::pair<std::string, api_token_record>> store::api_tokens(const std::string& name) const {
  std::vector<std::pair<std::string, api_token_record>> out;
  if (validate_user_name(name)) return out;
  std::string prefix = keys::user_credentials_prefix(name);
  prefix.push_back(static_cast<char>(credential_kind::api_token));
  impl_->scan(cf::users, prefix, false, [&](std::string_view k, std::string_view v) {
    api_token_record t;
    if (k.size() == prefix.size() + 32 && !decode_api_token(v, t) && t.user == name)
      out.emplace_back(std::string(k.substr(prefix.size())), std::move(t));
    return true;
  });
  return out;
}

result<api_token_record> store::find_api_token(std::string_view token) const {
  std::string key = credential_key(credential_kind::api_token, token);
  auto user = impl_->get(cf::credentials, keys::credential(credential_kind::api_token, key));
  if (!user.ok()) {
    if (user.err().code == errc::not_found) return error{errc::not_found, "no such API token"};
    return user.err();
  }
  auto raw = impl_->get(cf::users, keys::user_credential(*user, credential_kind::api_token, key));
  if (!raw.ok()) {
    if (raw.err().code == errc::not_found) return error{errc::not_found, "no such API token"};
    return raw.err();
  }
  api_token_record t;
  if (decode_api_token(*raw, t) || t.user != *user) return error{errc::not_found, "no such API token"};
  return t;
}

result<account_record> store::get_account(const std::string& name) const {
  if (validate_account_name(name)) return error{errc::not_found, "no such account"};
  auto raw = impl_->get(cf::accounts, keys::account(name));
  if (!raw.ok()) {
    if (raw.err().code == errc::not_found) return error{errc::not_found, "account " + name + " does not exist"};
    return raw.err();
  }
  account_record rec;
  if (auto s = decode_account(*raw, rec)) return s;
  if (rec.name != name)
    return error{errc::corruption, "the record stored as account " + name + " names another account"};
  return rec;
}

std::vector<std::string> store::accounts_holding() const {
  std::vector<std::string> out;
  std::string name;
  impl_->scan(cf::account_holds, "", false, [&](std::string_view k, std::string_view) {
    if (keys::parse_account_hold(k, name) && (out.empty() || out.back() != name)) out.push_back(name);
    return true;
  });
  return out;
}

result<ledger_entry> store::get_ledger_entry(const std::string& account, uint64_t job_id, uint64_t attempt) const {
  if (validate_account_name(account)) return error{errc::not_found, "no such account"};
  auto raw = impl_->get(cf::ledger, keys::ledger(account, job_id, attempt));
  if (!raw.ok()) {
    if (raw.err().code == errc::not_found)
      return error{errc::not_found, "account " + account + " has no ledger entry " + std::to_string(job_id) + "/" +
                                        std::to_string(attempt)};
    return raw.err();
  }
  ledger_entry e;
  if (auto s = decode_ledger_entry(*raw, e)) return s;
  return e;
}

std::vector<ledger_entry> store::ledger_of(const std::string& account, uint32_t limit) const {
  std::vector<ledger_entry> out;
  if (validate_account_name(account)) return out;
  // With a limit, read backwards from the newest keys and turn the result round.
  bool backwards = limit != 0;
  impl_->scan(cf::ledger, keys::ledger_prefix(account), backwards, [&](std::string_view, std::string_view v) {
    ledger_entry e;
    if (!decode_ledger_entry(v, e)) out.push_back(std::move(e));
    return limit == 0 || out.size() < limit;
  });
  if (backwards) std::reverse(out.begin(), out.end());
  return out;
}

void store::for_each_ledger_entry(int64_t from_ms, int64_t to_ms,
                                  const std::function<bool(const ledger_entry&)>& fn) const {
  impl_->scan(cf::ledger, "", false, [&](std::string_view, std::string_view v) {
    ledger_entry e;
    if (decode_ledger_entry(v, e) || e.time_ms < from_ms || e.time_ms >= to_ms) return true;
    return fn(e);
  });
}

std::vector<audit_record> store::audit_log(int64_t from_ms, int64_t to_ms, const std::string& actor,
                                           uint32_t limit) const {
  std::vector<audit_record> out;
  if (to_ms <= from_ms || limit == 0) return out;
  impl_->scan(cf::events, "", true, [&](std::string_view, std::string_view v) {
    audit_record a;
    if (decode_record(v, a)) return true;
    if (a.time_ms >= to_ms) return true;
    if (a.time_ms < from_ms) return false;  // newest first: nothing older matters
    if (actor.empty() || a.actor == actor) out.push_back(std::move(a));
    return out.size() < limit;
  });
  return out;
}

std::vector<device_counter_record> store::device_counters(const std::string& printer, int64_t from_ms,
                                                          int64_t to_ms, uint32_t limit) const {
  std::vector<device_counter_record> out;
  if (printer.empty() || printer.find('\0') != std::string::npos || to_ms <= from_ms) return out;
  bool backwards = limit != 0;
  impl_->scan(cf::device_counters, keys::device_counters_prefix(printer), backwards,
              [&](std::string_view, std::string_view v) {
                device_counter_record r;
                if (decode_record(v, r)) return true;  // an undecodable one is skipped
                if (r.time_ms >= from_ms && r.time_ms < to_ms) out.push_back(std::move(r));
                return limit == 0 || out.size() < limit;
              });
  if (backwards) std::reverse(out.begin(), out.end());
  return out;
}

std::vector<ledger_entry> store::ledger_of_job(const std::string& account, uint64_t job_id) const {
  std::vector<ledger_entry> out;
  if (validate_account_name(account)) return out;
  impl_->scan(cf::ledger, keys::ledger_job_prefix(account, job_id), false, [&](std::string_view, std::string_view v) {
    ledger_entry e;
    if (!decode_ledger_entry(v, e)) out.push_back(std::move(e));
    return true;
  });
  return out;
}

result<terminal_record> store::get_terminal(const std::string& name) const {
  if (validate_user_name(name)) return error{errc::not_found, "no such terminal"};
  auto raw = impl_->get(cf::terminals, keys::terminal(name));
  if (!raw.ok()) {
    if (raw.err().code == errc::not_found) return error{errc::not_found, "terminal " + name + " does not exist"};
    return raw.err();
  }
  terminal_record rec;
  if (auto s = decode_terminal(*raw, rec)) return s;
  if (rec.name != name)
    return error{errc::corruption, "the record stored as terminal " + name + " names another terminal"};
  return rec;
}

std::vector<terminal_record> store::list_terminals() const {
  std::vector<terminal_record> out;
  impl_->scan(cf::terminals, "", false, [&](std::string_view k, std::string_view v) {
    terminal_record r;
    if (!decode_terminal(v, r) && k == keys::terminal(r.name)) out.push_back(std::move(r));
    return true;
  });
  return out;
}

result<std::string> store::find_terminal(std::string_view token) const {
  auto kind = credential_kind::terminal;
  auto name = impl_->get(cf::credentials, keys::credential(kind, credential_key(kind, token)));
  if (!name.ok()) {
    if (name.err().code == errc::not_found) return error{errc::not_found, "no terminal has this token"};
    return name.err();
  }
  return name;
}

std::vector<std::string> store::delegates_of(const std::string& owner) const {
  if (validate_user_name(owner)) return {};
  return impl_->key_suffixes(cf::delegates, keys::delegates_prefix(owner));
}

std::vector<std::string> store::delegators_of(const std::string& delegate) const {
  if (validate_user_name(delegate)) return {};
  return impl_->key_suffixes(cf::delegates, keys::delegators_prefix(delegate));
}

}  // namespace quire
