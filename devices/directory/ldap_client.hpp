// A blocking LDAP client over OpenLDAP's libldap, for directory sync (users
// and groups from OpenLDAP or Active Directory) and LDAP bind authentication.
//
// One `connection` is one TCP connection to one server URL, owned by one
// thread: it is used from a dedicated worker thread, never from the event
// loop. Every call blocks, and every wait is bounded by
// `client_options::timeout_ms`: libldap bounds the TCP connect and each wait
// for an answer; the TLS handshake it does not (libldap 2.5 with GnuTLS
// spins on EAGAIN for ever when the peer goes silent), so open() keeps a
// watchdog thread during the handshake that shuts the socket down at the
// deadline. The process should ignore SIGPIPE (quired's main does).
//
// Security contract:
// - TLS is never downgraded: StartTLS that fails makes open() fail, and a
//   connection whose transport was lost, or that waited out its timeout,
//   refuses every later call (errc::unavailable) instead of letting libldap
//   reconnect it silently in plain text and unbound (or use a bind that may
//   yet complete). Open a new connection to retry.
// - bind() refuses an empty DN or password locally: RFC 4513 section 5.1.2
//   makes such a bind an unauthenticated one that servers answer with
//   success, the classic LDAP authentication bypass.
// - Error messages never contain the password; an invalid-credentials
//   answer says only "wrong name or password" (no hint whether the name
//   exists, or the account is locked).
// - Values from users go into filters through escape_filter_value()
//   (ldap_text.hpp); search() does not escape anything itself.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/result.hpp"

namespace quire::ldap {

/// How to reach one directory server. Checked by connection::open().
struct client_options {
  /// "ldap://host[:port]" or "ldaps://host[:port]" (a trailing "/" is
  /// allowed). One URL: no list, no DN or filter part, no other scheme.
  std::string url;
  /// Upgrade an ldap:// connection with StartTLS (RFC 4511 section 4.14);
  /// invalid with ldaps://.
  bool start_tls = false;
  /// PEM file of the CA certificates to trust, for this connection only;
  /// empty: the system's (ldap.conf TLS_CACERT).
  std::string ca_file;
  /// Demand a valid certificate for the URL's host name; false accepts any
  /// certificate (testing only: it allows a man in the middle).
  bool verify_server = true;
  /// Bound on connect, on the TLS handshake and on each wait for an answer,
  /// and the time limit sent with each search. Must be > 0.
  int timeout_ms = 10000;
};

/// One search: which entries and which of their attributes.
struct search_request {
  std::string base;  // empty: the root DSE (with scope::base)
  enum class scope { base, one, sub } scope = scope::sub;
  std::string filter = "(objectClass=*)";
  /// Attributes to return; empty: all user attributes. "1.1": none.
  std::vector<std::string> attributes;
  /// Entries per page (RFC 2696 Simple Paged Results); 0: one unpaged
  /// search, which the server's size limit may cut (errc::limit_exceeded).
  int page_size = 500;
  /// A value longer than this is dropped and its attribute named in
  /// entry::oversized.
  size_t max_value_bytes = 4096;
  /// Values kept per attribute; the rest are dropped and the attribute named
  /// in entry::oversized.
  size_t max_values = 1024;
};

/// One entry of a search result. Values are bytes (binary values such as
/// objectGUID or jpegPhoto included), not necessarily text.
struct entry {
  std::string dn;
  /// In the server's order. A name is spelled as in search_request::
  /// attributes when it matches one case-insensitively, else as the server
  /// sent it (an alias such as "commonName" for "cn" is not mapped, and AD's
  /// ranged "member;range=0-1499" keeps its option).
  std::vector<std::pair<std::string, std::vector<std::string>>> attributes;
  /// Attributes that lost values to the request's limits, each named once.
  /// The caller decides whether that is an error and reports it.
  std::vector<std::string> oversized;

  /// The values of attribute `name` (ASCII case-insensitive), or nullptr.
  const std::vector<std::string>* get(std::string_view name) const;
};

/// A connection to one LDAP server. Movable, not copyable; a moved-from
/// connection fails every call with errc::not_possible. The destructor
/// unbinds (RFC 4511 section 4.3) and closes the socket.
class connection {
 public:
  /// Checks `opts`, connects (and for ldaps:// completes the TLS handshake)
  /// and, with start_tls, performs StartTLS. Fails with invalid_argument
  /// for bad options, unavailable when the server cannot be reached or TLS
  /// cannot be set up (a certificate that does not verify included).
  static result<connection> open(const client_options& opts);

  connection(connection&&) noexcept;
  connection& operator=(connection&&) noexcept;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection();

  /// Simple bind (RFC 4513 section 5.1.3) as `dn`. An empty `dn` or
  /// `password`, or a wrong one, gives permission_denied; a server that is
  /// down or silent gives unavailable (and ends the connection); any other
  /// failure io_error.
  status bind(std::string_view dn, std::string_view password);

  /// Searches with `req`, paging until the server's cookie is empty, and
  /// hands each entry to `on_entry` as it is read (search references are
  /// skipped). If `on_entry` returns an error, the search is abandoned and
  /// that error returned. Entries handed before a failure are not taken
  /// back: a caller that syncs must treat the whole search as failed.
  /// Errors as for bind(), and limit_exceeded (size or admin limit),
  /// timeout (the server's time limit), not_found (no such base),
  /// invalid_argument (a malformed filter), permission_denied (no access).
  status search(const search_request& req, const std::function<status(entry&&)>& on_entry);

  /// Reads the root DSE: "is the directory up and answering".
  status ping();

 private:
  struct state;  // the LDAP handle and options (ldap_client.cpp)
  explicit connection(std::unique_ptr<state> s);
  std::unique_ptr<state> s_;
};

}  // namespace quire::ldap
