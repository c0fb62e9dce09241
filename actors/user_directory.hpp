// The user directory: who may use the site, and proof that they are who
// they say.
//
// One actor owns the authentication state of the site: the cache of
// verified passwords and the failed-login limiter (actors/auth_rules.hpp).
// `auth(user, password, peer address)` answers the requester (name and
// administrator flag) or an error: permission_denied for a wrong name or
// password (the same answer for both, so names cannot be probed),
// limit_exceeded while the user or the address is blocked after repeated
// failures, busy when too many verifications are already running.
//
// scrypt costs ~40 ms of CPU per check: it runs on a small pool of detached
// hasher actors, never on this actor's thread; a password verified recently
// is answered from the cache without scrypt. User records are read from the
// store (any thread may read it).
#pragma once

#include <functional>
#include <optional>

#include "actors/auth_rules.hpp"
#include "actors/messages.hpp"
#include "actors/pin_rules.hpp"
#include "devices/directory/ldap_client.hpp"

namespace quire {

class store;

struct user_directory_options {
  credential_cache_limits cache;
  login_limits limits;
  size_t hashers = 2;              // detached actors running scrypt
  size_t max_pending = 64;         // verifications queued at most; more answer busy
  std::function<int64_t()> now_ms;
  std::function<void()> on_scrypt;  // called for each verification sent to a hasher (tests count them)
  // Directory users' passwords are checked by an LDAP bind as their entry,
  // on `binders` detached actors (libldap blocks); none when not set.
  std::optional<ldap::client_options> directory;
  size_t binders = 2;
  bool offline_cached = true;  // the directory unreachable: the last password that bound logs in
  // PINs ([pins]) and the mailer that sends generated ones (none: [mail]
  // is off, and no PIN can be generated).
  pin_policy pins;
  std::optional<mailer_actor> mailer;
  uint32_t mail_timeout_ms = 10000;        // [mail] timeout_ms; the mailer is given a little more
  std::string site_name = "the printers";  // [mail] site_name, in the message's words
  // Card enrolment by a one-time code from the portal ([terminals]).
  bool card_enrolment = true;
  int64_t enrolment_code_ms = 900 * 1000;
};

user_directory_actor spawn_user_directory(caf::actor_system& sys, store& users, user_directory_options opts);

}  // namespace quire
