// The HTTP routes of a site: IPP on POST, a landing page and /metrics on GET.
// The REST API and web UI join here with the web issue.
#pragma once

#include "actors/io/http_server.hpp"
#include "actors/site.hpp"

namespace quire {

/// The router of `site`'s HTTP server. It reads the site's state on the loop
/// thread, once the site runs.
io::router make_router(site::impl& s);

}  // namespace quire
