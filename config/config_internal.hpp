// The steps of load_config() and the helpers its translation units share:
//
//   parse_document      TOML text -> toml::table, syntax errors as
//                       "<source>:<line>:<col>: <description>"
//   apply_override      one --set KEY=VALUE (or --data-dir) into the document
//   validate            the merged document -> config, or the first error
//
// Every error is errc::invalid_argument with a message that names the key;
// load_config() makes it one line before returning it. toml++ is built with
// exceptions, so parse_document is the one place that catches parse_error.
//
// Internal to quire_config: the only header that includes toml++.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/config_schema.hpp"

namespace quire::detail {

// --- config_load.cpp ---------------------------------------------------------

/// Parses `text`; a syntax error names `source` and the position. Positions
/// on line 1 are moved `first_line_shift` columns left, for text the caller
/// prefixed (a --set VALUE is parsed as "x = VALUE").
result<toml::table> parse_document(std::string_view text, std::string_view source,
                                   int first_line_shift = 0);

// --- config_set.cpp ----------------------------------------------------------

/// Applies one --set argument, "KEY=VALUE", to `doc`.
status apply_override(toml::table& doc, std::string_view argument);

/// Applies --data-dir DIR to `doc` (server.data_dir, taken verbatim).
status apply_data_dir(toml::table& doc, std::string_view dir);

// --- config_validate.cpp -----------------------------------------------------

/// Turns the merged document into a config. `cwd` resolves relative paths;
/// empty when the working directory is unknown (then relative paths fail).
result<config> validate(const toml::table& doc, const std::string& cwd);

/// Checks that every key of `t` is in `schema_table` with the right type.
/// `prefix` is the table's dotted name in messages ("printers.demo").
status check_table(const toml::table& t, std::string_view schema_table, const std::string& prefix);

/// The string at `key`, or `fallback` when absent. REQUIRES: check_table().
std::string string_or(const toml::table& t, std::string_view key, std::string fallback);

/// The group names at `key` (absent: `out` is left as it is). Each is a
/// valid group name by storage's rule (1 to 64 characters, no control
/// character), listed once; "*" (every user) only when `allow_everyone`.
/// `full_key` names the key in messages. REQUIRES: check_table().
status read_groups(const toml::table& t, std::string_view key, const std::string& full_key,
                   bool allow_everyone, std::vector<std::string>& out,
                   const char* noun = "group");

/// An absolute, lexically normal path for `p` (relative ones against `cwd`).
result<std::string> absolute_path(const std::string& key, const std::string& p, const std::string& cwd);

// --- config_directory.cpp ----------------------------------------------------

/// Reads [directory]: checks every key, fills the schema's defaults, and
/// when enabled requires url, base_dn, bind_dn and bind_password_file.
status read_directory(const toml::table& t, const std::string& cwd, directory_config& out);

// --- config_mail.cpp ---------------------------------------------------------

/// Reads [mail]: when enabled requires url and from, and a password_file
/// with a user (who is refused over plain text).
status read_mail(const toml::table& t, const std::string& cwd, mail_config& out);
/// Reads [pins].
status read_pins(const toml::table& t, pins_config& out);

// --- config_entities.cpp -----------------------------------------------------

/// Reads [prices] (nullptr: none).
status read_prices(const toml::table* t, std::vector<pdl::price_list>& out);

/// Reads [printers] (nullptr: none) against the already-read price lists.
/// REQUIRES: data_dir absolute.
status read_printers(const toml::table* t, const std::string& data_dir,
                     const std::vector<pdl::price_list>& prices, std::vector<printer_config>& out);

/// Reads [queues] (nullptr: none) against the already-read printers.
status read_queues(const toml::table* t, const std::vector<printer_config>& printers,
                   std::vector<queue_config>& out);

/// Reads [raw] (nullptr: none) against the already-read queues.
status read_raw(const toml::table* t, const std::vector<queue_config>& queues,
                std::vector<raw_listener_config>& out);

/// Reads [quotas] (nullptr: none).
status read_quotas(const toml::table* t, std::vector<quota_config>& out);

/// Reads [projects] (nullptr: none).
status read_projects(const toml::table* t, std::vector<project_config>& out);

// --- monitoring.cpp ----------------------------------------------------------

/// An SNMP community: 1 to 255 printable ASCII characters. The message names
/// `key` but never echoes the value (a secret).
status check_snmp_community(const std::string& key, const std::string& value);

/// An SNMP version: "1" or "2c".
status check_snmp_version(const std::string& key, const std::string& value);

/// Reads a printer's snmp, snmp_address, snmp_community and snmp_version.
/// `key` is "printers.<name>". REQUIRES: check_table(), p.device_uri checked.
status read_printer_snmp(const toml::table& t, const std::string& key, printer_config& p);

// --- endpoint.cpp ------------------------------------------------------------

/// endpoint::parse(text), its error prefixed with `key` ("lpd.listen: ...").
result<endpoint> parse_listen(std::string_view key, const std::string& text);

// --- device_uri.cpp ----------------------------------------------------------

/// Expands ${data_dir} in `uri` and checks it for its scheme; returns the
/// URI to store (a file: URI with its path normalized). The error message is
/// "<problem>, got '<uri>'", for the caller to prefix with the key.
result<std::string> check_device_uri(std::string_view uri, const std::string& data_dir);

/// A peer's address: `host` without brackets, `port` 0 when none was given.
struct host_port {
  std::string host;
  uint16_t port = 0;
};

/// Parses "host[:port]": a DNS name, an IPv4 address or a bracketed IPv6
/// address, then a port in 1..65535. The error message is the problem alone
/// ("bad port"), for the caller to word.
result<host_port> parse_host_port(std::string_view text);

/// The host and port of a network device URI (ipp, ipps, lpd, socket), as
/// check_device_uri() accepts them; an error for file: URIs, which have no host.
result<host_port> device_host(std::string_view uri);

// --- config_text.cpp ---------------------------------------------------------

/// `s` as a TOML basic string, quotes included.
std::string quote(std::string_view s);

/// `names` as a TOML inline array of strings: ["a", "b"].
std::string array_text(const std::vector<std::string>& names);

/// True when `s` is well-formed UTF-8 (what TOML requires of a document).
bool is_valid_utf8(std::string_view s);

/// `value` as echoed in "got '...'": cut after ~120 bytes.
std::string shown(std::string_view value);

/// `s` with control characters escaped, so that a message stays one line.
std::string one_line(std::string_view s);

/// "string", "integer", "float", ... as in "got string".
const char* type_name(const toml::node& n);

/// errc::invalid_argument with `message`.
error invalid(std::string message);

/// "<key>: <problem>, got '<value>'" (long values are shortened).
error bad_value(std::string_view key, std::string_view problem, std::string_view value);

/// "<key>: expected <expected>, got <type of n>".
error wrong_type(std::string_view key, std::string_view expected, const toml::node& n);

}  // namespace quire::detail
