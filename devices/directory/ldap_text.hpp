// The pure text rules of LDAP that Quire's directory sync needs, kept apart
// from the client so that they are unit-tested and fuzzed without a server.
//
// escape_filter_value() is the one defence against filter injection: every
// value that comes from a user (a login name, a group name) and goes into a
// search filter passes through it. The time helpers convert LDAP's
// GeneralizedTime (RFC 4517 section 3.3.13) in the UTC form that Active
// Directory (whenChanged) and slapd (modifyTimestamp) both send. lower_dn()
// makes a map key from a DN; it is a normalisation, not a DN parser.
//
// Everything here is pure (no libldap, no clock, no locale) and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace quire::ldap {

/// Escapes `value` for use as an assertion value inside a search filter
/// (RFC 4515 section 3): `*` `(` `)` `\` and NUL become \2a \28 \29 \5c \00.
/// Every other byte, UTF-8 sequences included, is kept as is: bytes that are
/// not valid UTF-8 pass through too (the server may then reject the filter,
/// but they cannot change its structure).
std::string escape_filter_value(std::string_view value);

/// `unix_seconds` as GeneralizedTime in UTC, "YYYYMMDDHHMMSSZ". Times before
/// 0000-01-01 or after 9999-12-31 23:59:59 are clamped to those bounds.
std::string generalized_time(int64_t unix_seconds);

/// Parses "YYYYMMDDHHMMSS[.fraction]Z" (the fraction may use '.' or ',' and
/// is dropped, as AD's whenChanged has one and slapd's modifyTimestamp not)
/// into `unix_seconds`. Returns false, leaving `unix_seconds` unchanged, for
/// anything else: a time-zone offset, missing minutes or seconds, a leap
/// second, an impossible date such as February 30.
bool parse_generalized_time(std::string_view text, int64_t& unix_seconds);

/// A DN as a map key: ASCII letters lower-cased and spaces around the
/// unescaped separators `,` `+` `=` (and at both ends) removed; an escaped
/// character (`\,`, `\ `, the two digits of `\2C`) is never a separator and
/// is kept. Limits: hex escapes are not decoded ("\41" and "A" stay
/// different keys), quoted RFC 1779 values are not interpreted, attribute
/// types are not mapped ("2.5.4.3=x" is not "cn=x"), non-ASCII letters are
/// not case-folded, and values whose matching rule is case-sensitive are
/// still lower-cased.
std::string lower_dn(std::string_view dn);

}  // namespace quire::ldap
