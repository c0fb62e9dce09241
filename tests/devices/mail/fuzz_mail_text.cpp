// Fuzz entry point for the e-mail text (mail_text.hpp). The input is the
// message's fields separated by 0xff bytes (a byte no UTF-8 text holds):
// from, from_name, to, to_name, subject, body, date_ms (decimal),
// message_id. Whatever compose() accepts must read back as exactly the
// eight expected headers with the input's values, lines ending CRLF and
// within 78 characters (bar a line holding nothing but an address too long
// for one), and a base64 body that decodes to the input with CRLF line
// ends. check_address must never pass what could end an SMTP path or a
// header.
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "devices/mail/mail_text.hpp"
#include "protocols/base64.hpp"

namespace {

using quire::base64_decode;
using quire::base64_padding;

void check_address(std::string_view a) {
  if (quire::mail::check_address(a)) return;
  if (a.find_first_of(std::string_view("\r\n <>\0", 6)) != std::string_view::npos)
    __builtin_trap();
  const size_t at = a.find('@');
  if (at == 0 || at == std::string_view::npos || a.find('@', at + 1) != std::string_view::npos ||
      at + 1 == a.size() || a.size() > quire::mail::max_address_chars)
    __builtin_trap();
}

// Decodes a run of RFC 2047 words or returns the plain text as it is.
std::string decode_words(std::string_view v) {
  if (!v.starts_with("=?utf-8?B?")) return std::string(v);
  std::string out;
  while (!v.empty()) {
    if (!v.starts_with("=?utf-8?B?")) __builtin_trap();
    const size_t end = v.find("?=", 10);
    if (end == std::string_view::npos || end + 2 > 75) __builtin_trap();
    std::string bytes;
    if (!base64_decode(v.substr(10, end - 10), bytes, base64_padding::required)) __builtin_trap();
    // Each word holds whole characters (RFC 2047 section 5): none starts
    // with a continuation byte.
    if (bytes.empty() || (static_cast<unsigned char>(bytes[0]) & 0xc0) == 0x80) __builtin_trap();
    out += bytes;
    v.remove_prefix(end + 2);
    if (!v.empty()) {
      if (v[0] != ' ') __builtin_trap();
      v.remove_prefix(1);
    }
  }
  return out;
}

void check_mailbox(std::string_view v, const std::string& name, const std::string& address) {
  if (name.empty()) {
    if (v != address) __builtin_trap();
    return;
  }
  const std::string tail = " <" + address + ">";
  if (!v.ends_with(tail)) __builtin_trap();
  const std::string_view phrase = v.substr(0, v.size() - tail.size());
  if (decode_words(phrase) != name) __builtin_trap();
  // Shown as it is only when it needs no quoting: atext and spaces.
  if (!phrase.starts_with("=?"))
    for (char c : phrase)
      if (c != ' ' && !std::isalnum(static_cast<unsigned char>(c)) &&
          std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) == std::string_view::npos)
        __builtin_trap();
}

// Strict UTF-8 (RFC 3629) without C0, DEL or C1 controls, but `allowed`.
// Written apart from mail_text.cpp's decoder, as the oracle for it.
bool clean_utf8(std::string_view s, std::string_view allowed) {
  for (size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    const size_t n = b0 < 0x80 ? 1 : b0 < 0xc2 ? 0 : b0 < 0xe0 ? 2 : b0 < 0xf0 ? 3 : b0 < 0xf5 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? b0 : b0 & (0x7f >> n);
    for (size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (b < 0x80 || b > 0xbf) return false;
      cp = cp << 6 | (b & 0x3f);
    }
    static constexpr uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    if ((cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) &&
        allowed.find(static_cast<char>(cp)) == std::string_view::npos)
      return false;
    i += n;
  }
  return true;
}

// What compose() accepted is clean text, bar the body's line ends and tabs.
void check_clean(const quire::mail::message& m) {
  if (!clean_utf8(m.from_name, {}) || !clean_utf8(m.to_name, {}) || !clean_utf8(m.subject, {}) ||
      !clean_utf8(m.body, "\n\t"))
    __builtin_trap();
}

// A line over 78 characters must be a continuation line holding nothing
// but one address or ID, too long for any line.
void check_long_line(std::string_view line, const quire::mail::message& m) {
  if (!line.starts_with(" ")) __builtin_trap();
  std::string_view token = line.substr(1);
  if (token.starts_with("<") && token.ends_with(">")) token = token.substr(1, token.size() - 2);
  if (token != m.from && token != m.to && token != m.message_id) __builtin_trap();
}

void check_message(const std::string& text, const quire::mail::message& m) {
  std::vector<std::string_view> lines;
  std::string_view rest(text);
  while (!rest.empty()) {
    const size_t lf = rest.find('\n');
    if (lf == std::string_view::npos || lf == 0 || rest[lf - 1] != '\r') __builtin_trap();
    const std::string_view line = rest.substr(0, lf - 1);
    if (line.find('\r') != std::string_view::npos) __builtin_trap();
    if (line.size() > 78) check_long_line(line, m);
    lines.push_back(line);
    rest.remove_prefix(lf + 1);
  }
  std::vector<std::pair<std::string, std::string>> fields;
  size_t i = 0;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    const std::string_view l = lines[i];
    if (l[0] == ' ') {
      if (fields.empty()) __builtin_trap();
      fields.back().second += l;
      continue;
    }
    const size_t colon = l.find(':');
    if (colon == std::string_view::npos) __builtin_trap();
    fields.emplace_back(l.substr(0, colon), l.substr(colon + 1));
  }
  // "Name: value" and "Name:" CRLF " value" unfold alike: one space, then the value.
  for (auto& f : fields) {
    if (!f.second.starts_with(" ")) __builtin_trap();
    f.second.erase(0, 1);
  }
  if (i == lines.size()) __builtin_trap();  // no empty line ends the header
  static const char* const names[] = {"Date",       "From",         "To",
                                      "Subject",    "Message-ID",   "MIME-Version",
                                      "Content-Type", "Content-Transfer-Encoding"};
  if (fields.size() != 8) __builtin_trap();
  for (size_t k = 0; k < 8; ++k)
    if (fields[k].first != names[k]) __builtin_trap();
  check_mailbox(fields[1].second, m.from_name, m.from);
  check_mailbox(fields[2].second, m.to_name, m.to);
  if (decode_words(fields[3].second) != m.subject) __builtin_trap();
  if (fields[4].second != "<" + m.message_id + ">") __builtin_trap();
  std::string b64, body, expected;
  for (++i; i < lines.size(); ++i) {
    if (lines[i].size() > 76) __builtin_trap();
    b64 += lines[i];
  }
  if (!base64_decode(b64, body, base64_padding::required)) __builtin_trap();
  for (char c : m.body) {
    if (c == '\n') expected += '\r';
    expected += c;
  }
  if (body != expected) __builtin_trap();
}

int64_t parse_date(std::string_view s) {
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return static_cast<int64_t>(negative ? 0 - v : v);  // modular, as C++20 defines it
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_address(text);
  std::vector<std::string> parts;
  size_t at = 0;
  while (parts.size() < 8) {
    const size_t sep = text.find('\xff', at);
    parts.emplace_back(text.substr(at, sep == std::string_view::npos ? text.size() - at : sep - at));
    if (sep == std::string_view::npos) break;
    at = sep + 1;
  }
  parts.resize(8);
  for (const std::string& p : parts) check_address(p);
  quire::mail::message m;
  m.from = parts[0];
  m.from_name = parts[1];
  m.to = parts[2];
  m.to_name = parts[3];
  m.subject = parts[4];
  m.body = parts[5];
  m.date_ms = parse_date(parts[6]);
  m.message_id = parts[7];
  const auto r = quire::mail::compose(m);
  if (r.ok()) {
    check_clean(m);
    check_message(*r, m);
  }
  return 0;
}
