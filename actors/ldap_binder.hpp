// The LDAP binder: checks a directory user's password by binding to the
// directory as their entry (RFC 4513 simple bind), one bind at a time on its
// own thread, since libldap blocks. The user directory keeps a few of them.
//
// One connection is kept and reused (a bind on it replaces the last one's
// identity). A kept connection the server dropped while idle (AD closes
// idle ones after 15 minutes) gets one fresh try; a fresh connection that
// fails is the directory's answer. The password is wiped once used and
// never logged.
#pragma once

#include "actors/messages.hpp"
#include "devices/directory/ldap_client.hpp"

namespace quire {

/// What a bind said: the password is right, wrong (or the bind failed for a
/// reason that is not the directory's absence), or the directory cannot be
/// reached (down, silent, TLS failing).
enum class bind_verdict : int { ok = 0, wrong = 1, unavailable = 2 };

/// bind(dn, password) -> bind_verdict as an int.
using binder_actor = caf::typed_actor<caf::replies_to<bind_atom, std::string, std::string>::with<int>>;

/// A detached actor: its binds block its own thread only.
binder_actor spawn_ldap_binder(caf::actor_system& sys, ldap::client_options opts);

}  // namespace quire
