// The served API description: valid JSON of an OpenAPI 3 document that
// names the endpoints the server has (the build already checked its $refs).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "web/openapi.hpp"

TEST_CASE("openapi: the embedded description is OpenAPI 3 JSON with every endpoint family") {
  auto doc = nlohmann::json::parse(quire::web::openapi_json());
  REQUIRE(doc.is_object());
  CHECK(doc["openapi"].get<std::string>().rfind("3.", 0) == 0);
  const auto& paths = doc["paths"];
  for (const char* p : {"/login", "/events", "/users", "/users/{name}/tokens", "/users/{name}/tokens/{id}", "/jobs",
                        "/jobs/{id}", "/printers", "/terminals", "/terminal/session", "/users/{name}/ledger"}) {
    CAPTURE(p);
    CHECK(paths.contains(p));
  }
  CHECK(doc["components"]["securitySchemes"].contains("apiToken"));
  auto etag = quire::web::openapi_etag();
  CHECK(etag.size() == 34);
  CHECK(etag.front() == '"');
  CHECK(etag.back() == '"');
}
