#include "storage/users.hpp"

#include "storage/credentials.hpp"
#include "storage/records.hpp"

namespace quire {

const char* to_string(credential_kind k) noexcept {
  switch (k) {
    case credential_kind::card: return "card";
    case credential_kind::pin: return "pin";
    case credential_kind::terminal: return "terminal";
    case credential_kind::api_token: return "api_token";
  }
  return "?";
}

bool credential_kind_from_byte(uint8_t raw, credential_kind& out) noexcept {
  if (raw < static_cast<uint8_t>(credential_kind::card) || raw > static_cast<uint8_t>(credential_kind::api_token))
    return false;
  out = static_cast<credential_kind>(raw);
  return true;
}

namespace {

// Counts the code points of strict UTF-8 text (no overlong forms, no
// surrogates, nothing past U+10FFFF); false when `text` is not UTF-8 or holds
// a control character (C0, DEL or C1).
bool count_text(std::string_view text, size_t& chars) {
  chars = 0;
  for (size_t i = 0; i < text.size(); ++chars) {
    auto b = static_cast<uint8_t>(text[i]);
    uint32_t cp;
    size_t len;
    if (b < 0x80) {
      cp = b, len = 1;
    } else if ((b & 0xe0) == 0xc0) {
      cp = b & 0x1f, len = 2;
    } else if ((b & 0xf0) == 0xe0) {
      cp = b & 0x0f, len = 3;
    } else if ((b & 0xf8) == 0xf0) {
      cp = b & 0x07, len = 4;
    } else {
      return false;
    }
    if (i + len > text.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      auto c = static_cast<uint8_t>(text[i + k]);
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    static constexpr uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return false;
    i += len;
  }
  return true;
}

status check_text(std::string_view text, const char* what, size_t min_chars, size_t max_chars) {
  size_t chars = 0;
  if (!count_text(text, chars))
    return {errc::invalid_argument, std::string(what) + " is not UTF-8 text without control characters"};
  if (chars < min_chars || chars > max_chars)
    return {errc::invalid_argument, std::string(what) + " must be " + std::to_string(min_chars) + " to " +
                                        std::to_string(max_chars) + " characters"};
  return {};
}

}  // namespace

status validate_user_name(std::string_view name) { return check_text(name, "a user name", 1, max_user_name_chars); }

status validate_user(const user_record& user) {
  if (auto s = validate_user_name(user.name)) return s;
  if (auto s = check_text(user.display_name, "the display name", 0, max_display_name_chars)) return s;
  if (user.groups.size() > max_user_groups)
    return {errc::invalid_argument, "a user may be in at most " + std::to_string(max_user_groups) + " groups"};
  for (const auto& g : user.groups)
    if (auto s = check_text(g, "a group name", 1, max_user_name_chars)) return s;
  if (!user.password_hash.empty() && !is_password_hash(user.password_hash))
    return {errc::invalid_argument, "the password hash is not a scrypt hash string"};
  if (auto s = check_text(user.email, "the e-mail address", 0, max_email_chars)) return s;
  if (!user.source.empty() && user.source != "directory")
    return {errc::invalid_argument, "a user's source is \"\" or \"directory\""};
  if (auto s = check_text(user.dn, "the directory entry", 0, max_dn_chars)) return s;
  const auto& ds = user.directory_state;
  if (!ds.empty() && ds != "active" && ds != "disabled" && ds != "gone")
    return {errc::invalid_argument, "a directory state is active, disabled or gone"};
  if (user.directory_cards.size() > max_user_directory_cards)
    return {errc::invalid_argument, "too many directory cards"};
  for (const auto& k : user.directory_cards)
    if (k.size() != 32) return {errc::invalid_argument, "a directory card key is not 32 bytes"};
  return {};
}

bool user_disabled(const user_record& u) {
  return u.disabled || (u.source == "directory" && u.directory_state != "active");
}

std::string encode_user(const user_record& user) { return encode_record(user); }

status decode_user(std::string_view bytes, user_record& out) {
  out = user_record{};  // a field missing from the map keeps its default, not a previous value
  if (auto s = decode_record(bytes, out)) return s;
  if (auto s = validate_user(out)) return {errc::corruption, "stored user record is invalid: " + s.message};
  return {};
}

std::string api_token_id(std::string_view hmac) {
  static const char digits[] = "0123456789abcdef";
  std::string id;
  for (size_t i = 0; i < 6 && i < hmac.size(); ++i) {
    auto b = static_cast<uint8_t>(hmac[i]);
    id.push_back(digits[b >> 4]);
    id.push_back(digits[b & 15]);
  }
  return id;
}

std::string encode_api_token(const api_token_record& t) { return encode_record(t); }

status decode_api_token(std::string_view bytes, api_token_record& out) {
  out = api_token_record{};
  if (auto s = decode_record(bytes, out)) return s;
  if (validate_user_name(out.user)) return {errc::corruption, "an API token record names no valid user"};
  return {};
}

}  // namespace quire
