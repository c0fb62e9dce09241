// E-mail messages as text (RFC 5322 with MIME, RFC 2045-2047): what Quire
// sends (a user's new PIN) composed so that no value can add a header or
// end the message early.
//
// Pure functions, no I/O: the SMTP client (smtp_client.hpp) sends what
// compose() makes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocols/result.hpp"

namespace quire::mail {

inline constexpr size_t max_address_chars = 254;  // RFC 5321's path limit, less the brackets
inline constexpr size_t max_subject_chars = 200;
inline constexpr size_t max_body_bytes = 64 * 1024;

/// ok when `address` is a plain addr-spec "local@domain": 3 to 254
/// printable ASCII characters, exactly one '@' with text on both sides, no
/// space, no control character and none of ()<>[]\,;:" (no quoted local
/// parts, no comments, no display name, no SMTPUTF8). errc::invalid_argument
/// otherwise, with a message that quotes nothing of the address.
status check_address(std::string_view address);

struct message {
  std::string from;       // an address (check_address)
  std::string from_name;  // display name, UTF-8 or ""; encoded (RFC 2047) when not plain ASCII
  std::string to;         // an address
  std::string to_name;    // display name, UTF-8 or ""
  std::string subject;    // UTF-8, 1..200 characters, no control character
  std::string body;       // UTF-8 text with "\n" line ends, at most 64 KiB
  int64_t date_ms = 0;    // the Date header (Unix milliseconds, shown in UTC)
  std::string message_id; // the Message-ID without brackets, "local@domain" (check_address's rules)
};

/// The message as SMTP DATA expects it, before dot-stuffing: header lines,
/// an empty line, the body; every line ending CRLF and at most 78
/// characters, except a continuation line holding only an address or
/// Message-ID too long for one (they cannot be folded; such a line stays
/// far under RFC 5322's 998). Headers: Date, From, To, Subject, Message-ID, MIME-Version,
/// Content-Type text/plain; charset=utf-8, Content-Transfer-Encoding base64
/// (so no body line can begin with "." or be too long). Display names and
/// the subject are encoded words (RFC 2047, "=?utf-8?B?...?=") unless they
/// are printable ASCII without any of the specials that would need quoting.
/// errc::invalid_argument (message quoting no value) for an invalid
/// address, a value with a control character or invalid UTF-8 (the body
/// may hold "\n" and tabs), a size over the limits above, or a date outside
/// the years 1900 to 9999.
result<std::string> compose(const message& m);

}  // namespace quire::mail
