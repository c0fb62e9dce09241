// The parts of an admin API request that are not JSON: which endpoint a
// method and path name, the {name} in a path, the query string, HTTP Basic
// credentials (RFC 7617) and whether a peer is on the loopback interface.
//
// Pure functions: strings in, typed values out. No message they return
// quotes a password or any other secret the request carried.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"

namespace quire::web {

/// The API root; every admin endpoint lives under it.
inline constexpr std::string_view api_root = "/api/v1";

enum class endpoint : uint8_t {
  whoami,        // GET    /api/v1/whoami
  list_users,    // GET    /api/v1/users
  create_user,   // POST   /api/v1/users
  get_user,      // GET    /api/v1/users/{name}
  update_user,   // PATCH  /api/v1/users/{name}
  delete_user,   // DELETE /api/v1/users/{name}
  set_password,  // PUT    /api/v1/users/{name}/password
  add_card,      // POST   /api/v1/users/{name}/cards
  remove_card,   // DELETE /api/v1/users/{name}/cards   (the card id in the body: URLs get logged)
  set_pin,       // PUT    /api/v1/users/{name}/pin
  clear_pin,     // DELETE /api/v1/users/{name}/pin
};

/// "GET /api/v1/users/{name}": for messages and tests.
const char* to_string(endpoint e) noexcept;
/// True when the endpoint takes a JSON body (and only then may a request
/// carry one).
bool takes_body(endpoint e) noexcept;
/// True for every endpoint but whoami.
bool needs_admin(endpoint e) noexcept;

/// True for "/api/v1" and every path under "/api/v1/".
bool is_admin_api_path(std::string_view path) noexcept;

/// What a method and a path name.
struct route_match {
  int status = 0;     // 0: found; 404: no such resource; 405: wrong method; 400: bad {name}
  std::string allow;  // for 405: the methods the resource has, "GET, PATCH, DELETE"
  std::string message;
  endpoint what = endpoint::whoami;
  std::string user;   // the {name} segment, percent-decoded and valid (validate_user_name)
};

/// Matches `path` (no query string) against the endpoints above.
route_match match_route(std::string_view method, std::string_view path);

/// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in
/// query strings). False for a malformed escape or an escaped 0 byte.
bool percent_decode(std::string_view in, bool plus_is_space, std::string& out);
/// Escapes every byte but RFC 3986's unreserved ones; a segment that is
/// "." or ".." is escaped whole, so that no client folds it away.
std::string percent_encode_segment(std::string_view in);

struct query_param {
  std::string name;
  std::string value;
};

/// Splits "a=1&b=2" (without the '?') into decoded pairs. invalid_argument
/// for a malformed escape or a name given twice.
result<std::vector<query_param>> parse_query(std::string_view query);

/// A user name and password from an Authorization header. Wiped on
/// destruction.
struct basic_credentials {
  std::string user;
  std::string password;

  basic_credentials() = default;
  basic_credentials(basic_credentials&&) = default;
  basic_credentials& operator=(basic_credentials&&) = default;
  ~basic_credentials();
};

/// Parses `Basic <base64(user:password)>` (RFC 7617; the scheme is
/// case-insensitive, the base64 strict). invalid_argument when it is another
/// scheme, malformed, the user name fails validate_user_name, or the
/// password is empty, longer than max_password_bytes or holds a 0 byte. The
/// messages never quote the header.
result<basic_credentials> parse_basic_authorization(std::string_view value);

/// RFC 4648 base64 with padding (for clients; the tests use it too).
std::string base64_encode(std::string_view bytes);

/// True for 127.0.0.0/8, ::1 and IPv4-mapped 127.0.0.0/8 (::ffff:127.x.y.z).
/// Anything that does not parse as an address is false.
bool is_loopback_address(std::string_view host);

}  // namespace quire::web
