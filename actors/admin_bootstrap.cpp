#include "actors/admin_bootstrap.hpp"

#include <future>

#include "actors/job_env.hpp"
#include "storage/credentials.hpp"
#include "storage/store.hpp"

namespace quire {

status add_administrator(const config& cfg, const std::string& name, std::string password) {
  if (auto v = validate_user_name(name)) return v;
  store::options o;
  o.data_dir = cfg.server.data_dir;
  auto st = store::open(o);
  if (!st.ok()) return st.err();
  auto hash = hash_password(password);
  wipe(password);
  if (!hash.ok()) return hash.err();
  auto existing = (*st)->get_user(name);
  user_record u = existing.ok() ? *existing : user_record{};
  int64_t now = wall_clock_ms();
  if (!existing.ok()) {
    u.name = name;
    u.created_ms = now;
  }
  u.admin = true;
  u.disabled = false;
  u.password_hash = *hash;
  u.updated_ms = now;
  write_batch b;
  b.put_user(u);
  std::promise<status> done;
  (*st)->commit(std::move(b), [&done](const status& s) { done.set_value(s); });
  status s = done.get_future().get();
  (*st)->close();
  return s;
}

}  // namespace quire
