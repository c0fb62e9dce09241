#include "actors/ldap_binder.hpp"

#include <spdlog/spdlog.h>

#include <optional>

#include "storage/credentials.hpp"

namespace quire {

namespace {

struct binder_state {
  std::optional<ldap::connection> conn;
  static inline const char* name = "ldap_binder";
};

binder_actor::behavior_type binder(binder_actor::stateful_pointer<binder_state> self, ldap::client_options o) {
  return {
      [self, o](bind_atom, const std::string& dn, std::string& password) -> int {
        auto& conn = self->state.conn;
        status s;
        // A kept connection may have been dropped by the server while idle
        // (AD closes idle ones after 15 minutes): then one fresh try. A
        // fresh connection that fails is the directory's answer.
        if (conn) {
          s = conn->bind(dn, password);
          if (s.code == errc::unavailable || s.code == errc::timeout) conn.reset();
        }
        if (!conn) {
          auto c = ldap::connection::open(o);
          if (c.ok()) {
            conn.emplace(std::move(*c));
            s = conn->bind(dn, password);
          } else {
            s = c.err();
          }
        }
        wipe(password);
        if (!s) return static_cast<int>(bind_verdict::ok);
        if (s.code == errc::permission_denied) return static_cast<int>(bind_verdict::wrong);
        if (s.code != errc::unavailable && s.code != errc::timeout) {
          spdlog::warn("directory: a password check failed: {}", s.message);
          return static_cast<int>(bind_verdict::wrong);
        }
        conn.reset();
        spdlog::warn("directory: a password check could not reach the directory: {}", s.message);
        return static_cast<int>(bind_verdict::unavailable);
      },
  };
}

}  // namespace

binder_actor spawn_ldap_binder(caf::actor_system& sys, ldap::client_options opts) {
  return sys.spawn<caf::detached>(binder, std::move(opts));
}

}  // namespace quire
