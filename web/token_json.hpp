// The JSON of the API-token endpoints (admin_api.hpp):
//   POST   /api/v1/users/{name}/tokens      {"name": "backup", "expires_days": 90}
//          -> 201 {"id", "user", "name", "created_by", "created", "expires", "token"}
//   GET    /api/v1/users/{name}/tokens      -> {"tokens": [{... without "token"}]}
//   DELETE /api/v1/users/{name}/tokens/{id} -> 204
// Times are RFC 3339 (UTC), "expires" null for a token that does not
// expire. The body rules are api_json.hpp's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"
#include "web/token_service.hpp"

namespace quire::web {

/// Longest token label, in characters.
inline constexpr size_t max_token_name_chars = 64;
/// Longest lifetime a token may be given.
inline constexpr int64_t max_token_days = 3650;

struct token_request {
  std::string name;
  int64_t expires_days = 0;  // 0: never
};

/// {"name": 1..64 characters of text, "expires_days": 1..3650 (optional)}.
result<token_request> parse_token_request(std::string_view body);
/// True for a token id as api_token_id makes them: 12 lower-case hex digits.
bool valid_token_id(std::string_view id) noexcept;

std::string token_json(const api_token_view& t);
std::string new_token_json(const new_api_token& t);
std::string token_list_json(const std::vector<api_token_view>& tokens);

}  // namespace quire::web
