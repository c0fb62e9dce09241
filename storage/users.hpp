// The users store's records: who a user is, and the kinds of credential
// (besides a password) that identify one at a printer's terminal.
//
// A user_record is a plain value stored as a msgpack map, like the records
// of records.hpp (fields may be added later; a missing one keeps its
// default). It never holds a password, only its scrypt hash
// (storage/credentials.hpp); card ids and PINs are not in it at all: they
// live in the `credentials` family under an HMAC of their value (keys.hpp).
//
// Names are keys: validate_user_name() is what keeps them safe to use as
// one (no 0 byte, no control characters, bounded length). Decoding a stored
// record validates it again, so a corrupt record is refused, not served.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <msgpack.hpp>

#include "protocols/result.hpp"

namespace quire {

/// What a terminal may identify a user by, besides name and password, and
/// the token a terminal itself is identified by. Stable values: they are the
/// first byte of `credentials` keys.
enum class credential_kind : uint8_t {
  card = 1,      // a badge's id as the card reader sends it (normalise first)
  pin = 2,       // a login PIN; unique per site, since the PIN alone finds the user
  terminal = 3,  // a terminal's token: its look-up entry names a terminal, not a user
                 // (write_batch::put_terminal; it has no back-reference in `users`)
  api_token = 4,  // a script's API token ("qt_..."): the look-up entry names its user; the
                  // back-reference holds its api_token_record (write_batch::put_api_token)
};

/// "card", "pin", "terminal", "api_token": the name credential_key() mixes into the HMAC.
const char* to_string(credential_kind k) noexcept;
/// False for any byte that is not a credential_kind.
bool credential_kind_from_byte(uint8_t raw, credential_kind& out) noexcept;

/// One credential of a user, as the store keeps it.
struct credential_ref {
  credential_kind kind = credential_kind::card;
  std::string key;  // HMAC-SHA256 of the value (32 raw bytes): store::credential_key()
};

inline constexpr size_t max_user_name_chars = 64;
inline constexpr size_t max_display_name_chars = 256;
inline constexpr size_t max_user_groups = 256;
inline constexpr size_t max_email_chars = 254;
inline constexpr size_t max_dn_chars = 1024;
inline constexpr size_t max_user_directory_cards = 16;

struct user_record {
  std::string name;                 // the login name and key; see validate_user_name
  std::string display_name;
  std::vector<std::string> groups;  // group names; each one valid as a user name
  bool admin = false;               // may administer the site
  std::string password_hash;        // hash_password()'s string; empty: no password login
  bool disabled = false;            // may not log in by any means
  int64_t created_ms = 0;           // wall-clock milliseconds since the Unix epoch
  int64_t updated_ms = 0;
  std::string email;                // "" or an address (PINs and notices are sent there)
  // Users from the directory (actors/directory_rules.hpp): source
  // "directory", their entry's DN, the directory's word on them ("active",
  // "disabled" there, or "gone" from it: either one keeps them from logging
  // in), and the look-up keys of the cards the directory gave them.
  std::string source;               // "" = made in Quire
  std::string dn;
  std::string directory_state;
  std::vector<std::string> directory_cards;

  MSGPACK_DEFINE_MAP(name, display_name, groups, admin, password_hash, disabled, created_ms, updated_ms, email,
                     source, dn, directory_state, directory_cards)
};

/// ok when `name` is 1 to 64 characters of valid UTF-8 with no control
/// character (C0, DEL, C1; so no 0 byte); errc::invalid_argument otherwise,
/// with a message that says why (and quotes no byte of the name).
status validate_user_name(std::string_view name);

/// validate_user_name for the name and every group; display name at most
/// 256 characters of UTF-8 without control characters; at most 256 groups;
/// password_hash empty or a hash verify_password() can check (so a password
/// in clear is refused).
status validate_user(const user_record& user);

/// An API token of a user, for scripts (Authorization: Bearer qt_...). The
/// token itself is stored nowhere: its HMAC keys the look-up entry and the
/// user's back-reference, whose value is this record.
struct api_token_record {
  std::string user;        // whose rights it carries
  std::string name;        // the label its user gave it ("backup script")
  std::string created_by;  // the user themself, or the administrator who made it
  int64_t created_ms = 0;
  int64_t expires_ms = 0;  // 0: does not expire

  bool operator==(const api_token_record&) const = default;

  MSGPACK_DEFINE_MAP(user, name, created_by, created_ms, expires_ms)
};

/// The public id of an API token: 12 hex digits of its HMAC (a name to
/// list and revoke it by, which tells nothing of the token).
std::string api_token_id(std::string_view hmac);
std::string encode_api_token(const api_token_record& t);
/// errc::corruption when `bytes` does not decode or the user name is invalid.
status decode_api_token(std::string_view bytes, api_token_record& out);

/// True when `u` may not log in by any means: disabled by an administrator,
/// or, for a directory user, disabled in or gone from the directory.
bool user_disabled(const user_record& u);

/// The stored bytes of a user.
std::string encode_user(const user_record& user);
/// errc::corruption when `bytes` does not decode or the record is not valid.
status decode_user(std::string_view bytes, user_record& out);

}  // namespace quire
