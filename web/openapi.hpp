// The REST API's description, served at GET /api/v1/openapi.json: the
// OpenAPI 3 document web/openapi.yaml, turned into JSON and checked (every
// $ref resolves) at build time by web/openapi_embed.py.
#pragma once

#include <string_view>

namespace quire::web {

/// The document as compact JSON (UTF-8).
std::string_view openapi_json();
/// Its strong ETag, quotes included.
std::string_view openapi_etag();

}  // namespace quire::web
