#include "devices/mail/mail_text.hpp"

#include <algorithm>
#include <cstdio>

#include "protocols/base64.hpp"
#include "protocols/civil.hpp"

namespace quire::mail {
namespace {

// RFC 5322 section 2.1.1: lines SHOULD stay within 78 characters.
constexpr size_t max_line = 78;
// RFC 2047 section 2: an encoded word is at most 75 characters.
constexpr size_t max_encoded_word = 75;
// "=?utf-8?B?" and "?=".
constexpr size_t encoded_word_overhead = 12;
// RFC 2045 section 6.8: encoded lines are at most 76 characters.
constexpr size_t base64_line = 76;

error invalid(std::string what) { return {errc::invalid_argument, std::move(what)}; }

// The length of the UTF-8 sequence at s[i], 0 when it is not a valid one
// (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF).
size_t utf8_sequence(std::string_view s, size_t i, char32_t& cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  size_t n = 0;
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3f);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

// C0, DEL and C1: none has a place in a header, and in a body only the line
// end and the tab do.
bool control(char32_t cp) { return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f); }

// Valid UTF-8 without control characters (but `allowed_controls`); the
// number of characters in `chars`.
bool clean_text(std::string_view s, std::string_view allowed_controls, size_t& chars) {
  chars = 0;
  for (size_t i = 0; i < s.size(); ++chars) {
    char32_t cp = 0;
    const size_t n = utf8_sequence(s, i, cp);
    if (n == 0) return false;
    if (control(cp) && (cp >= 0x80 || allowed_controls.find(static_cast<char>(cp)) ==
                                          std::string_view::npos))
      return false;
    i += n;
  }
  return true;
}

status check_value(std::string_view field, std::string_view value) {
  size_t chars = 0;
  if (!clean_text(value, {}, chars))
    return invalid(std::string(field) + ": invalid UTF-8 or a control character");
  return {};
}

// RFC 5322 section 3.2.3: atext, what a phrase may hold without quoting.
bool atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// Shown as it is: words of atext, single spaces between them, nothing a
// reader would take for an encoded word (RFC 2047 section 6.1).
bool plain_phrase(std::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  if (s.find("=?") != std::string_view::npos || s.find("  ") != std::string_view::npos)
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || atext(c); });
}

// Unstructured text (the subject) needs no quoting, only printable ASCII
// and no leading or trailing space, which unfolding would not keep.
bool plain_text(std::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  if (s.find("=?") != std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

// Builds one header field of space-separated tokens, folding before a token
// that would pass the line limit (even the first: "From:" CRLF SP is valid
// FWS). A token longer than a line (a 254-character address) cannot be
// split, as RFC 5322 allows no folding inside an addr-spec or msg-id: it
// gets a continuation line of its own, the one kind of line that passes 78
// characters (and stays far below the 998 that RFC 5322 requires).
class field {
 public:
  field(std::string& out, std::string_view name) : out_(out) {
    out_ += name;
    out_ += ':';
    col_ = name.size() + 1;
  }
  ~field() { out_ += "\r\n"; }
  field(const field&) = delete;
  field& operator=(const field&) = delete;

  /// Characters left on this line after a separating space.
  size_t room() const { return col_ + 1 >= max_line ? 0 : max_line - col_ - 1; }
  void fold() {
    out_ += "\r\n";
    col_ = 0;
  }
  void token(std::string_view t) {
    if (t.size() > room() && col_ > 0) fold();
    out_ += ' ';
    out_ += t;
    col_ += 1 + t.size();
  }

  // RFC 2047 encoded words, each a whole number of UTF-8 characters
  // (section 5) and as long as the line allows.
  void encoded_words(std::string_view utf8) {
    for (size_t i = 0; i < utf8.size();) {
      // 20 fits a 4-byte character; with less, a fresh line does better.
      if (room() < 20) fold();
      const size_t width = std::min(room(), max_encoded_word);
      const size_t max_bytes = (width - encoded_word_overhead) / 4 * 3;
      size_t n = 0;
      while (i + n < utf8.size()) {
        char32_t cp = 0;
        const size_t len = utf8_sequence(utf8, i + n, cp);
        if (n + len > max_bytes) break;
        n += len;
      }
      token("=?utf-8?B?" + base64_encode(utf8.substr(i, n), base64_padding::required) + "?=");
      i += n;
    }
  }

 private:
  std::string& out_;
  size_t col_ = 0;
};

void address_field(std::string& out, std::string_view name, const std::string& display,
                   const std::string& address) {
  field f(out, name);
  if (display.empty()) return f.token(address);
  if (plain_phrase(display) && display.size() <= f.room())
    f.token(display);
  else
    f.encoded_words(display);
  f.token("<" + address + ">");
}


// RFC 5322 section 3.3, in UTC: "Tue, 14 Nov 2023 22:13:20 +0000". The
// grammar has four-digit years from 1900 on.
bool rfc5322_date(int64_t ms, std::string& out) {
  constexpr int64_t min_ms = -2208988800000;  // 1900-01-01
  constexpr int64_t max_ms = 253402300799999;  // 9999-12-31 23:59:59.999
  if (ms < min_ms || ms > max_ms) return false;
  int64_t secs = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
  int64_t days = secs / 86400 - (secs % 86400 < 0 ? 1 : 0);
  const int64_t in_day = secs - days * 86400;
  const auto [y, m, d] = civil_from_days(days);
  static constexpr const char* weekdays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const int64_t wd = ((days % 7) + 7) % 7;  // 1970-01-01 was a Thursday
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04lld %02lld:%02lld:%02lld +0000", weekdays[wd], d,
                months[m - 1], static_cast<long long>(y), static_cast<long long>(in_day / 3600),
                static_cast<long long>(in_day / 60 % 60), static_cast<long long>(in_day % 60));
  out = buf;
  return true;
}

std::string crlf_lines(std::string_view body) {
  std::string out;
  out.reserve(body.size() + body.size() / 16);
  for (char c : body) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace

status check_address(std::string_view address) {
  if (address.size() < 3 || address.size() > max_address_chars)
    return invalid("address: not 3 to 254 characters");
  const size_t at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string_view::npos)
    return invalid("address: not one '@' between a local part and a domain");
  for (char c : address) {
    // Printable ASCII but space; the specials below would need quoting or
    // end the path in an SMTP command or a header.
    if (c <= 0x20 || c >= 0x7f || std::string_view("()<>[]\\,;:\"").find(c) != std::string_view::npos)
      return invalid("address: a space, a control, a non-ASCII or a special character");
  }
  return {};
}

result<std::string> compose(const message& m) {
  struct named {
    const char* field;
    const std::string& value;
  };
  for (const named& a : {named{"from", m.from}, named{"to", m.to}, named{"message_id", m.message_id}})
    if (status st = check_address(a.value); st)
      return invalid(std::string(a.field) + ": " + st.message);
  for (const named& t : {named{"from_name", m.from_name}, named{"to_name", m.to_name}})
    if (status st = check_value(t.field, t.value); st) return st;
  size_t chars = 0;
  if (!clean_text(m.subject, {}, chars))
    return invalid("subject: invalid UTF-8 or a control character");
  if (chars < 1 || chars > max_subject_chars) return invalid("subject: not 1 to 200 characters");
  if (m.body.size() > max_body_bytes) return invalid("body: over 64 KiB");
  if (!clean_text(m.body, "\n\t", chars))
    return invalid("body: invalid UTF-8 or a control character other than a line end or tab");
  std::string date;
  if (!rfc5322_date(m.date_ms, date)) return invalid("date: before 1900 or after 9999");

  std::string out;
  { field(out, "Date").token(date); }
  address_field(out, "From", m.from_name, m.from);
  address_field(out, "To", m.to_name, m.to);
  {
    field f(out, "Subject");
    if (plain_text(m.subject) && m.subject.size() <= f.room())
      f.token(m.subject);
    else
      f.encoded_words(m.subject);
  }
  { field(out, "Message-ID").token("<" + m.message_id + ">"); }
  out +=
      "MIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n";
  const std::string encoded = base64_encode(crlf_lines(m.body), base64_padding::required);
  for (size_t i = 0; i < encoded.size(); i += base64_line) {
    out.append(encoded, i, base64_line);
    out += "\r\n";
  }
  return out;
}

}  // namespace quire::mail
