// The client side of quired's live event stream for ws_load: the
// WebSocket handshake's accept key and the few JSON reads its messages need.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace bench::ws {

std::string base64(const unsigned char* p, size_t n);
/// base64(SHA-1(key + the RFC 6455 GUID)): what Sec-WebSocket-Accept must say.
std::string accept_key(const std::string& key);
/// `s` as a JSON string literal (quotes and backslashes escaped).
std::string json_string(const std::string& s);
/// Where the value of "key": starts in a JSON text, searching from `from`
/// (npos if absent). Good enough for quired's messages: a key's quotes cannot
/// appear unescaped inside a string value.
size_t value_at(std::string_view text, std::string_view key, size_t from = 0);
/// The string starting at `at` (a quote), unescaped; "" if none.
std::string string_value(std::string_view text, size_t at);
/// The integer starting at `at`; -1 if none.
int64_t int_value(std::string_view text, size_t at);

}  // namespace bench::ws
