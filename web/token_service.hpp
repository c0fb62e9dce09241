// API tokens for scripts: what the admin API needs from the server to make,
// list, revoke and check them (the same contract as user_service.hpp: every
// call answers once through its callback, from any thread; web/ knows
// neither CAF nor RocksDB).
//
// A token is "qt_" and 43 base64url characters (256 random bits). A script
// sends it as `Authorization: Bearer qt_...` and acts with its user's
// rights as they are at that moment (a user made administrator, disabled or
// deleted later: the token follows). The server keeps only its keyed
// digest (storage/users.hpp, api_token_record): the answer that makes a
// token is the only one that shows it. Tokens are listed and revoked by a
// public id (12 hex digits), never by their value.
//
// Who may: a user their own tokens; an administrator anyone's. The API
// checks that before calling (admin_api.hpp, is_self_service).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "protocols/result.hpp"
#include "web/user_service.hpp"

namespace quire::web {

/// "qt_": what tells an API token from other bearer tokens.
inline constexpr std::string_view api_token_prefix = "qt_";
/// Tokens one user may hold at once.
inline constexpr size_t max_api_tokens_per_user = 20;

/// An API token as the API shows it: never the token itself.
struct api_token_view {
  std::string id;  // 12 hex digits
  std::string user;
  std::string name;
  std::string created_by;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;  // 0: does not expire
};

/// A token just made: its view, and the token, shown this once.
struct new_api_token {
  api_token_view view;
  std::string token;
};

using token_list_callback = std::function<void(result<std::vector<api_token_view>>)>;
using new_token_callback = std::function<void(result<new_api_token>)>;

class token_service {
 public:
  virtual ~token_service() = default;
  /// Who `token` is: permission_denied when it is unknown, expired, or its
  /// user is disabled or gone (one answer for all, as for passwords).
  virtual void authenticate(std::string token, principal_callback cb) = 0;
  /// `user`'s tokens, by id. not_found when there is no such user.
  virtual void list_tokens(const principal& by, std::string user, token_list_callback cb) = 0;
  /// A new token for `user`, labelled `name` (validated by the API),
  /// expiring at `expires_ms` (0: never). not_found for no such user;
  /// limit_exceeded past max_api_tokens_per_user.
  virtual void create_token(const principal& by, std::string user, std::string name, int64_t expires_ms,
                            new_token_callback cb) = 0;
  /// Revokes `user`'s token `id`. not_found when the user has no such token.
  virtual void revoke_token(const principal& by, std::string user, std::string id, status_callback cb) = 0;
};

}  // namespace quire::web
