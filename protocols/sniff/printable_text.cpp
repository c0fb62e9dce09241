#include "protocols/sniff/printable_text.hpp"

#include <cstdint>

namespace quire::sniff {

namespace {

enum class seq : uint8_t { valid, invalid, cut };

// Decodes the UTF-8 sequence at s[at] (RFC 3629 section 4: no overlong forms,
// no surrogates, nothing above U+10FFFF). `len` is its length when valid.
seq decode(std::string_view s, size_t at, size_t& len, uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[at]);
  if (b0 < 0x80) {
    len = 1;
    cp = b0;
    return seq::valid;
  }
  uint32_t min = 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    len = 2, cp = b0 & 0x1f, min = 0x80;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3, cp = b0 & 0x0f, min = 0x800;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return seq::invalid;
  }
  for (size_t i = 1; i < len; ++i) {
    if (at + i >= s.size()) return seq::cut;
    const auto b = static_cast<unsigned char>(s[at + i]);
    if ((b & 0xc0) != 0x80) return seq::invalid;
    cp = (cp << 6) | (b & 0x3f);
    // Reject overlong and out-of-range forms as soon as the second byte shows
    // them, so a cut sequence is only "cut" if it could still become valid.
    if (i == 1 && len == 3 && ((b0 == 0xe0 && b < 0xa0) || (b0 == 0xed && b > 0x9f)))
      return seq::invalid;
    if (i == 1 && len == 4 && ((b0 == 0xf0 && b < 0x90) || (b0 == 0xf4 && b > 0x8f)))
      return seq::invalid;
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return seq::invalid;
  return seq::valid;
}

bool is_space(char c) { return c == ' '; }

}  // namespace

bool valid_utf8(std::string_view s, bool allow_cut_tail) noexcept {
  for (size_t at = 0; at < s.size();) {
    size_t len = 0;
    uint32_t cp = 0;
    switch (decode(s, at, len, cp)) {
      case seq::valid: at += len; break;
      case seq::cut: return allow_cut_tail;
      case seq::invalid: return false;
    }
  }
  return true;
}

std::string printable_text(std::string_view raw, size_t max_bytes) {
  static constexpr std::string_view replacement = "\xef\xbf\xbd";  // U+FFFD
  std::string out;
  out.reserve(raw.size() < max_bytes ? raw.size() : max_bytes);
  for (size_t at = 0; at < raw.size();) {
    size_t len = 1;
    uint32_t cp = 0;
    std::string_view piece;
    if (decode(raw, at, len, cp) != seq::valid) {
      len = 1;
      piece = replacement;
    } else if (cp == '\t') {
      piece = " ";
    } else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
      piece = {};  // control characters carry nothing a person should see
    } else {
      piece = raw.substr(at, len);
    }
    at += len;
    if (piece.empty() || (out.empty() && is_space(piece[0]))) continue;
    if (out.size() + piece.size() > max_bytes) break;
    out.append(piece);
  }
  while (!out.empty() && is_space(out.back())) out.pop_back();
  return out;
}

}  // namespace quire::sniff
