// The web UI's static routes: exact table names only (traversal attempts
// are 404s, never a file read), ETag revalidation (304), HEAD, the cache
// and security headers, and "/" for browsers versus other clients.
#include <doctest/doctest.h>

#include <array>
#include <string>

#include "web/static_files.hpp"

using namespace quire;
using namespace quire::web;

namespace {

constexpr std::array<static_file, 3> fake_files{{
    {"admin.html", "text/html; charset=utf-8", "\"a1\"", "<p>admin</p>"},
    {"index.html", "text/html; charset=utf-8", "\"i1\"", "<p>portal</p>"},
    {"portal.js", "text/javascript; charset=utf-8", "\"p1\"", "export {};"},
}};

std::optional<io::http_response> get(std::string_view path, const std::string* accept = nullptr,
                                     const std::string* inm = nullptr, std::string_view method = "GET") {
  return serve_static({method, path, accept, inm}, fake_files);
}

std::string header(const io::http_response& r, std::string_view name) {
  for (const auto& h : r.headers)
    if (h.name == name) return h.value;
  return "<absent>";
}

// An inline event handler attribute (" onclick=" and friends).
bool has_event_attribute(std::string_view html) {
  for (size_t at = html.find(" on"); at != std::string_view::npos; at = html.find(" on", at + 1)) {
    size_t i = at + 3;
    while (i < html.size() && html[i] >= 'a' && html[i] <= 'z') ++i;
    if (i > at + 3 && i < html.size() && html[i] == '=') return true;
  }
  return false;
}

}  // namespace

TEST_CASE("static files: an asset is served by its exact name with its type, ETag and cache headers") {
  auto r = get("/static/portal.js");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->content_type == "text/javascript; charset=utf-8");
  CHECK(r->body == "export {};");
  CHECK_FALSE(r->head_only);
  CHECK(header(*r, "ETag") == "\"p1\"");
  CHECK(header(*r, "Cache-Control") == "public, max-age=3600");
  CHECK(header(*r, "X-Content-Type-Options") == "nosniff");
  CHECK(header(*r, "Referrer-Policy") == "no-referrer");
  CHECK(header(*r, "Content-Security-Policy") == std::string(content_security_policy));
}

TEST_CASE("static files: pages are revalidated on each load") {
  auto r = get("/admin");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "<p>admin</p>");
  CHECK(header(*r, "Cache-Control") == "no-cache");
  CHECK(header(*r, "Content-Security-Policy").find("frame-ancestors 'none'") != std::string::npos);
  auto missing = get("/kiosk");  // a route whose file the table lacks
  REQUIRE(missing);
  CHECK(missing->status == 404);
}

TEST_CASE("static files: traversal and encoding tricks are 404s") {
  for (std::string_view path :
       {"/static/../index.html", "/static/%2e%2e/index.html", "/static/..%2findex.html", "/static/portal.js/",
        "/static/./portal.js", "/static/Portal.js", "/static/portal.js%00", "/static/portal%2ejs",
        "/static/..\\index.html", "/static/", "/static//portal.js", "/static/sub/portal.js"}) {
    INFO(path);
    auto r = get(path);
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->body == "not found\n");
    CHECK(header(*r, "X-Content-Type-Options") == "nosniff");
  }
  std::string with_nul = "/static/portal.js";
  with_nul.push_back('\0');
  auto r = get(with_nul);
  REQUIRE(r);
  CHECK(r->status == 404);
}

TEST_CASE("static files: other paths and methods are not its routes") {
  CHECK_FALSE(get("/metrics"));
  CHECK_FALSE(get("/admin/"));
  CHECK_FALSE(get("/index.html"));
  CHECK_FALSE(get("/static/portal.js", nullptr, nullptr, "POST"));
  CHECK_FALSE(get("/admin", nullptr, nullptr, "DELETE"));
}

TEST_CASE("static files: If-None-Match with the current ETag gets 304 with the head only") {
  std::string same = "\"p1\"", weak = "W/\"p1\"", listed = "\"x\", \"p1\"", star = "*", other = "\"p0\"";
  for (const std::string* inm : {&same, &weak, &listed, &star}) {
    INFO(*inm);
    auto r = get("/static/portal.js", nullptr, inm);
    REQUIRE(r);
    CHECK(r->status == 304);
    CHECK(r->head_only);
    CHECK(r->content_type.empty());
    CHECK(header(*r, "ETag") == "\"p1\"");
    CHECK(header(*r, "Cache-Control") == "public, max-age=3600");
  }
  auto r = get("/static/portal.js", nullptr, &other);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK_FALSE(r->head_only);
}

TEST_CASE("static files: HEAD answers the head of the GET") {
  auto r = get("/static/portal.js", nullptr, nullptr, "HEAD");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->head_only);
  CHECK(r->body.size() == std::string_view("export {};").size());  // Content-Length as for GET
}

TEST_CASE("static files: the root is the portal for browsers only") {
  std::string browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
  std::string upper = "TEXT/HTML";
  std::string curl = "*/*";
  std::string json = "application/json";
  auto r = get("/", &browser);
  REQUIRE(r);
  CHECK(r->body == "<p>portal</p>");
  CHECK(header(*r, "Vary") == "Accept");
  CHECK(get("/", &upper));
  CHECK_FALSE(get("/"));
  CHECK_FALSE(get("/", &curl));
  CHECK_FALSE(get("/", &json));
}

TEST_CASE("static files: etag_matches and accepts_html parse their lists") {
  CHECK(etag_matches("\"a\"", "\"a\""));
  CHECK(etag_matches(" \"b\" ,\t\"a\" ", "\"a\""));
  CHECK_FALSE(etag_matches("\"ab\"", "\"a\""));
  CHECK_FALSE(etag_matches("", "\"a\""));
  CHECK_FALSE(etag_matches(",,", "\"a\""));
  CHECK(accepts_html("text/plain, text/html;q=0.5"));
  CHECK_FALSE(accepts_html("text/htmlx"));
  CHECK_FALSE(accepts_html("application/xhtml+xml"));
}

TEST_CASE("static files: the embedded table holds the three pages and their scripts") {
  auto files = embedded_static_files();
  for (std::string_view name : {"index.html", "admin.html", "kiosk.html", "portal.js", "admin.js", "kiosk.js",
                                "common.js", "style.css"}) {
    INFO(name);
    const static_file* f = find_static_file(files, name);
    REQUIRE(f);
    CHECK_FALSE(f->body.empty());
    CHECK(f->etag.size() == 34);  // 128 bits in hex, quoted
    CHECK(f->etag.front() == '"');
  }
  for (size_t i = 1; i < files.size(); ++i) CHECK(files[i - 1].name < files[i].name);
  // No page may need an inline script or style: the CSP would block it.
  for (const auto& f : files) {
    if (!f.content_type.starts_with("text/html")) continue;
    INFO(f.name);
    CHECK(f.body.find("<script>") == std::string_view::npos);
    CHECK(f.body.find("style=") == std::string_view::npos);
    CHECK(f.body.find("<style") == std::string_view::npos);
    CHECK_FALSE(has_event_attribute(f.body));
  }
  auto r = serve_static({"GET", "/static/style.css", nullptr, nullptr});
  REQUIRE(r);
  CHECK(r->content_type == "text/css; charset=utf-8");
}
