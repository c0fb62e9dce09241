// The web UI's static files: the user portal (/), the admin console
// (/admin), the release kiosk (/kiosk) and their assets (/static/<name>).
//
// The files of web/static/ are compiled into the binary
// (web/embed_static.cmake writes the table at build time, with each file's
// content type and a strong ETag from its SHA-256). Serving is a pure
// function of the request line and two headers: a name is looked up in that
// table, byte for byte, so nothing a client sends ever reaches the file
// system, and a path that is not exactly a table name (dot segments, percent
// escapes, backslashes, NUL, upper case...) is a 404.
//
// Every answer carries the UI's security headers: a Content-Security-Policy
// that allows only the server's own scripts, styles and connections (so the
// pages hold no inline script or style), X-Content-Type-Options: nosniff,
// Referrer-Policy: no-referrer. HTML is revalidated on each load
// (Cache-Control: no-cache: a new server shows its new UI at once); assets
// are cached for an hour. If-None-Match with the current ETag gets 304.
//
// "/" is the portal only for a browser (an Accept that names text/html);
// other clients (curl, scripts, the tests) keep the plain-text list of the
// queues' IPP URIs, which the server answers itself (serve_static says it
// is not its route).
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "actors/io/http_server.hpp"

namespace quire::web {

/// One embedded file. Every view points into static storage.
struct static_file {
  std::string_view name;          // "portal.js": a-z 0-9 . _ -, no leading dot
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view etag;          // a strong entity tag, quotes included
  std::string_view body;
};

/// The files of web/static/, sorted by name (generated at build time).
std::span<const static_file> embedded_static_files();

/// The Content-Security-Policy of every page.
inline constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'";

/// What serve_static looks at. Absent headers are nullptr.
struct static_request {
  std::string_view method;  // GET or HEAD; others are not its routes
  std::string_view path;    // the target without its query, as sent
  const std::string* accept = nullptr;
  const std::string* if_none_match = nullptr;
};

/// The file `name` of `files`, or nullptr.
const static_file* find_static_file(std::span<const static_file> files, std::string_view name);

/// True when an If-None-Match value (RFC 9110 §13.1.2: "*", or a list of
/// entity tags, weak or strong) matches `etag` by the weak comparison.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

/// True when an Accept value names text/html (a browser's navigation).
bool accepts_html(std::string_view accept);

/// The answer to `r` from `files`, or nullopt when `r` is none of the UI's
/// routes (another method, another path, "/" for a non-browser): the
/// caller routes it on. /static/<anything not in the table> is a 404 here.
std::optional<io::http_response> serve_static(const static_request& r, std::span<const static_file> files);

/// serve_static over the embedded files.
std::optional<io::http_response> serve_static(const static_request& r);

}  // namespace quire::web
