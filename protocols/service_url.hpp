// A service's URL as a configuration names one server: exactly
// "<scheme>://host[:port][/]", the host a name or a bracketed IPv6 literal.
// The client libraries behind it (libldap, libcurl) take much more (lists,
// user-info, paths that change what they do, other schemes), none of which
// a configuration should smuggle in.
#pragma once

#include <string_view>

namespace quire {

/// True when `url` is "<plain>://host[:port][/]" or "<tls>://..." (port 1
/// to 65535); `tls` then says which scheme it was.
bool parse_service_url(std::string_view url, std::string_view plain, std::string_view tls_scheme, bool& tls);

}  // namespace quire
