// What the admin API needs from the server to manage users: a narrow,
// asynchronous interface, so that web/ knows neither CAF nor RocksDB.
//
// The server implements it on the actor side (a users actor over the store
// and actors/auth_rules.hpp); the tests use an in-memory fake
// (tests/web/fake_user_service.hpp). Every call returns at once and answers
// exactly once through its callback, from any thread, possibly before the
// call returns. The implementation copies what it keeps of the arguments;
// the API keeps nothing of the implementation.
//
// Secrets (passwords, card ids, PINs) arrive by value so that the
// implementation can wipe them once hashed; it must never log them or put
// them in an error message. Error messages are shown to the administrator
// as they are (JSON "message"), so they name users, never secrets.
//
// Errors are quire::error values; the API maps their codes to HTTP
// (admin_api.hpp, http_status_for): invalid_argument 400, permission_denied
// 403, not_found 404, already_exists and not_possible 409, limit_exceeded
// 429, busy/unavailable/timeout/shutting_down 503, anything else 500.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "protocols/result.hpp"
#include "storage/users.hpp"

namespace quire::web {

/// Who is calling: an authenticated user.
struct principal {
  std::string name;
  bool admin = false;  // user_record::admin of an enabled user
};

/// What the API may show of a user: the record and how many credentials it
/// has, never the credentials themselves.
struct user_info {
  user_record record;         // password_hash is always empty: the service clears it
  bool has_password = false;  // record had a password hash
  uint32_t cards = 0;         // card ids registered to the user
  bool pin = false;           // the user has a login PIN
  bool may_choose_pin = false;    // [pins] policy lets them set their own PIN (set_pin)
  bool may_generate_pin = false;  // they may have one generated and e-mailed (generate_pin)
};

/// A one-time code that enrols a card at a terminal in place of the
/// password (new_enrolment_code).
struct enrolment_code {
  std::string code;        // 8 digits, shown once
  int64_t expires_ms = 0;  // wall-clock milliseconds
};

/// The fields of a user that PATCH may change; absent ones stay as they are.
/// The API validates the values it passes (validate_user's rules).
struct user_patch {
  std::optional<std::string> display_name;
  std::optional<std::vector<std::string>> groups;
  std::optional<bool> admin;
  std::optional<bool> disabled;
  std::optional<std::string> email;  // "" clears it; else checked by check_email (api_json.hpp)

  bool empty() const { return !display_name && !groups && !admin && !disabled && !email; }
};

using principal_callback = std::function<void(result<principal>)>;
using user_callback = std::function<void(result<user_info>)>;
using user_list_callback = std::function<void(result<std::vector<user_info>>)>;
using status_callback = std::function<void(status)>;
using address_callback = std::function<void(result<std::string>)>;
using code_callback = std::function<void(result<enrolment_code>)>;

class user_service {
 public:
  virtual ~user_service() = default;

  /// Checks `password` for `user`, as a login from `peer` (the client's IP
  /// address, for the failed-login limiter). Answers the principal, or:
  /// permission_denied for an unknown user, a wrong password or a disabled
  /// user (one answer for all three, so names cannot be probed);
  /// limit_exceeded while the user or the address is blocked. The API has
  /// already checked that `user` passes validate_user_name and that the
  /// password is 1 to max_password_bytes bytes.
  virtual void authenticate(std::string user, std::string password, std::string peer, principal_callback cb) = 0;

  /// Users in name (byte) order after `after` ("" = from the first), at
  /// most `limit` (1 or more; the API bounds it).
  virtual void list_users(const principal& by, std::string after, uint32_t limit, user_list_callback cb) = 0;
  /// not_found when there is no such user; permission_denied unless `by`
  /// is an administrator or the user themself.
  virtual void get_user(const principal& by, std::string name, user_callback cb) = 0;

  /// Creates `user` (password_hash empty, created/updated times 0: the
  /// service sets them) with `password` when given (the service hashes it).
  /// already_exists when the name is taken. Answers the stored user.
  virtual void create_user(const principal& by, user_record user, std::optional<std::string> password,
                           user_callback cb) = 0;
  /// Applies `patch` (never empty). not_found; not_possible when it would
  /// leave the site without an enabled administrator. Answers the stored user.
  virtual void update_user(const principal& by, std::string name, user_patch patch, user_callback cb) = 0;
  /// Replaces the password. not_found.
  virtual void set_password(const principal& by, std::string name, std::string password, status_callback cb) = 0;

  /// Registers a card id (the service normalises it as the card readers
  /// send it). not_found; already_exists when another user has that card
  /// (the user's own card again is ok); limit_exceeded past a per-user cap.
  virtual void add_card(const principal& by, std::string name, std::string card_id, status_callback cb) = 0;
  /// Removes one card id. not_found when the user, or that card of the
  /// user, does not exist.
  virtual void remove_card(const principal& by, std::string name, std::string card_id, status_callback cb) = 0;
  /// Sets or replaces the login PIN. not_found; already_exists when the PIN
  /// identifies another user (a PIN alone finds its user, so it is unique).
  virtual void set_pin(const principal& by, std::string name, std::string pin, status_callback cb) = 0;
  /// Removes the login PIN; ok when there was none. not_found.
  virtual void clear_pin(const principal& by, std::string name, status_callback cb) = 0;
  /// Makes a new random PIN for the user and e-mails it to them; the old
  /// one is replaced only once the mail server has taken the message.
  /// Answers the address it went to; nobody else ever sees the PIN.
  /// not_found; permission_denied when the PIN policy is "chosen";
  /// not_possible when the user has no e-mail address or the site sends no
  /// mail; limit_exceeded within [pins] resend_s of the last one;
  /// unavailable when the mail server could not be reached or refused.
  virtual void generate_pin(const principal& by, std::string name, address_callback cb) = 0;
  /// A new one-time code for enrolling a card at a terminal instead of the
  /// password, valid [terminals] enrolment_code_s; it replaces the user's
  /// previous code. not_found; permission_denied when card enrolment is off.
  virtual void new_enrolment_code(const principal& by, std::string name, code_callback cb) = 0;

  /// Deletes the user, its cards and PIN. not_found; not_possible for the
  /// last enabled administrator.
  virtual void delete_user(const principal& by, std::string name, status_callback cb) = 0;
};

}  // namespace quire::web
