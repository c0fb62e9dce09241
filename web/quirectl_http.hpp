// quirectl's one HTTP exchange: connect, TLS (OpenSSL) unless the URL is
// plain http, send one request, read the response until it is complete.
//
// Certificates are verified by default: the system's trust store, plus
// --cacert's file (a server's self-signed certificate is its own anchor),
// and the host name or IP address of the URL must match the certificate.
// --insecure skips both checks (the connection is still encrypted, but
// anyone on the path can read the credentials).
//
// Blocking, one connection per call, bounded by a timeout per socket
// operation. Part of the quirectl executable only.
#pragma once

#include <string>

#include "protocols/result.hpp"
#include "web/quirectl_cli.hpp"
#include "web/quirectl_output.hpp"

namespace quire::quirectl {

struct client_options {
  bool insecure = false;
  std::string cacert;  // PEM file of extra trusted certificates; empty: none
  int timeout_ms = 30000;
};

/// Sends `request` (format_request's bytes) and returns the response.
/// unavailable when the server cannot be reached, io_error when the
/// connection fails midway, permission_denied when the certificate does
/// not verify; the message says what happened.
result<http_reply> exchange(const server_url& server, const client_options& options, const std::string& request);

}  // namespace quire::quirectl
