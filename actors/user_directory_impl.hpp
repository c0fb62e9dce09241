// The user directory's insides, shared by its translation units
// (user_directory.cpp: logins, users, the directory sync's plans;
// user_pins.cpp: generated PINs and enrolment codes). Nothing outside the
// actor includes it.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/ldap_binder.hpp"
#include "actors/user_directory.hpp"
#include "storage/write_batch.hpp"

namespace quire::user_dir {

// One scrypt at a time, on its own thread: verify a password, or hash a new
// one ("" when hashing failed).
using hasher_actor = caf::typed_actor<caf::replies_to<verify_atom, std::string, std::string>::with<bool>,
                                      caf::replies_to<hash_atom, std::string>::with<std::string>>;

// The directory's own messages besides its public interface.
using directory_impl = user_directory_actor::extend<caf::reacts_to<committed_atom, uint64_t, error>>;

struct directory_state {
  store* users = nullptr;
  user_directory_options opts;
  credential_cache cache;
  login_limiter limiter;
  std::vector<hasher_actor> hashers;
  size_t next_hasher = 0;
  std::vector<binder_actor> binders;  // empty: directory passwords are not checked by binding
  size_t next_binder = 0;
  // Until then the directory counts as unreachable: logins skip the bind
  // (each would wait out the timeout) and go to the offline hash at once.
  int64_t directory_down_until = 0;
  size_t pending = 0;
  uint64_t next_seq = 1;
  std::unordered_map<uint64_t, std::function<void(const error&)>> commits;
  std::set<std::string> changing;  // users with a change on its way: one at a time
  // Generated PINs: who asked when, and the look-up keys of PINs being
  // e-mailed (taken for nobody else until the mail server answers).
  pin_send_limiter pin_sends{0};
  std::set<std::string> reserved_pins;
  enrolment_codes codes{0};
  static inline const char* name = "user_directory";
};

using directory_self = directory_impl::stateful_pointer<directory_state>;

using users_result = caf::result<std::vector<user_info_msg>>;

caf::error fail_with(errc code, std::string message);
/// What the API may see of `rec` (no hash), with its credential counts and
/// what the PIN policy lets the user do.
user_info_msg info_of(directory_self self, user_record rec);
/// Makes `batch` durable, then runs `then` on the actor.
void commit(directory_self self, write_batch batch, std::function<void(const error&)> then);
/// Commits `batch` for the user `name` (whose change is in progress: in
/// `changing`) and answers `rp` with the user as stored, or the error.
void finish(directory_self self, caf::typed_response_promise<std::vector<user_info_msg>> rp, std::string name,
            write_batch batch);
/// A binding of a card that `r.secret` holds (add_card, enroll_card) and the like.
users_result credential_change(directory_self self, user_request& r, const user_record& user);

// --- user_pins.cpp ---

/// set_pin's policy: whether users choose PINs here, and not a trivial one.
status check_chosen_pin(directory_self self, const std::string& pin);
/// A new random PIN for `rec`, e-mailed; committed once the mail server took it.
users_result generate_pin(directory_self self, const user_record& rec);
/// A new one-time enrolment code for `rec`.
users_result new_enrolment_code(directory_self self, const user_record& rec);
/// r.secret (a card) bound to the owner of the code r.code, which is spent.
users_result enroll_by_code(directory_self self, user_request& r);

}  // namespace quire::user_dir
