// A blocking SMTP client over libcurl (RFC 5321, STARTTLS RFC 3207, SMTPS
// RFC 8314, AUTH PLAIN/LOGIN), for the few messages Quire sends: a user's
// new PIN. Used from a detached actor (actors/mailer.hpp), never from an
// event loop.
//
// Security contract:
// - With start_tls, an smtp:// connection is upgraded by STARTTLS or the
//   send fails: there is no fall-back to plain text (CURLUSESSL_ALL).
//   smtps:// is TLS from the first byte.
// - The server's certificate is verified (host name and chain, against
//   ca_file when set) unless verify_server is false.
// - A user and password are sent only over TLS: with neither smtps:// nor
//   start_tls, options that carry a user are refused (invalid_argument).
// - Error messages never contain the password or the message's text; they
//   may quote the server's reply line (its code and text).
#pragma once

#include <string>

#include "devices/mail/mail_text.hpp"
#include "protocols/result.hpp"

namespace quire::mail {

struct smtp_options {
  /// "smtp://host[:port]" or "smtps://host[:port]" (port 25 and 465 by
  /// default; IPv6 hosts in brackets). No user-info, path or query.
  std::string url;
  bool start_tls = true;      // smtp:// only: STARTTLS, required
  std::string ca_file;        // PEM CA certificates to trust; "" = the system's
  bool verify_server = true;  // false accepts any certificate (testing only)
  std::string user;           // "" = no AUTH
  std::string password;       // a secret
  int timeout_ms = 10000;     // bounds connecting and the whole exchange; > 0
};

/// ok when `o` could be used: a valid URL as above, start_tls not set with
/// smtps:// (it is implied), a user only with TLS, timeout > 0.
/// errc::invalid_argument otherwise.
status check_options(const smtp_options& o);

/// Sends `m` (compose()d here) to m.to from m.from. Blocks until the server
/// has accepted the message (250 after DATA) or it failed:
/// - invalid_argument: options or message invalid (nothing was sent);
/// - unavailable: could not connect, TLS failed (including a server that
///   offers no STARTTLS), the connection broke, or a 4xx (temporary) reply;
/// - timeout: the exchange took longer than timeout_ms;
/// - permission_denied: authentication refused;
/// - not_possible: a 5xx (permanent) reply to MAIL FROM, RCPT TO or DATA,
///   e.g. an unknown recipient.
/// The message names the step and quotes the server's reply when there is one.
status send(const smtp_options& o, const message& m);

}  // namespace quire::mail
