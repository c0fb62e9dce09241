// Base64 (RFC 4648 §4, the standard alphabet), strict both ways.
//
// Two users in Quire: HTTP Basic credentials (RFC 7617: padded) and PHC
// password-hash strings (unpadded). Decoding is strict so every value has
// one encoding: no stray characters or whitespace, padding only where and
// as much as the length needs (padded form), and the unused low bits of the
// last symbol zero.
#pragma once

#include <string>
#include <string_view>

namespace quire {

enum class base64_padding : bool { none = false, required = true };

std::string base64_encode(std::string_view bytes, base64_padding padding);
/// False (and `out` unspecified) for anything but a strict encoding.
bool base64_decode(std::string_view text, std::string& out, base64_padding padding);

}  // namespace quire
