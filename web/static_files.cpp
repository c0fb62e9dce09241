#include "web/static_files.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace quire::web {

namespace {

constexpr std::string_view static_prefix = "/static/";

// The pages and the table names behind them.
struct page_route {
  std::string_view path;
  std::string_view file;
};
constexpr page_route page_routes[] = {
    {"/", "index.html"},
    {"/admin", "admin.html"},
    {"/kiosk", "kiosk.html"},
};

bool is_html(const static_file& f) { return f.content_type.starts_with("text/html"); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

void add_security_headers(io::http_response& r) {
  r.headers.push_back({"X-Content-Type-Options", "nosniff"});
  r.headers.push_back({"Content-Security-Policy", std::string(content_security_policy)});
  r.headers.push_back({"Referrer-Policy", "no-referrer"});
}

io::http_response not_found() {
  io::http_response r;
  r.status = 404;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "not found\n";
  add_security_headers(r);
  return r;
}

// 200 with the file, or 304 when the client has it; HEAD sends the head
// only. The 304 keeps the 200's ETag and Cache-Control (RFC 9110 §15.4.5).
io::http_response file_response(const static_request& req, const static_file& f, bool vary_accept) {
  io::http_response r;
  bool fresh = req.if_none_match && etag_matches(*req.if_none_match, f.etag);
  r.status = fresh ? 304 : 200;
  if (!fresh) r.content_type = std::string(f.content_type);
  r.body = std::string(f.body);
  r.head_only = fresh || req.method == "HEAD";
  r.headers.push_back({"ETag", std::string(f.etag)});
  r.headers.push_back({"Cache-Control", is_html(f) ? "no-cache" : "public, max-age=3600"});
  if (vary_accept) r.headers.push_back({"Vary", "Accept"});
  add_security_headers(r);
  return r;
}

}  // namespace

const static_file* find_static_file(std::span<const static_file> files, std::string_view name) {
  for (const auto& f : files)
    if (f.name == name) return &f;
  return nullptr;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  auto strip_weak = [](std::string_view t) { return t.starts_with("W/") ? t.substr(2) : t; };
  std::string_view want = strip_weak(etag);
  std::string_view rest = if_none_match;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view one = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (one == "*") return true;
    if (!one.empty() && strip_weak(one) == want) return true;
  }
  return false;
}

bool accepts_html(std::string_view accept) {
  // Media ranges are case-insensitive (RFC 9110 §8.3.1); "text/html;q=0"
  // would refuse it, which no browser sends for a navigation.
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string_view range = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    range = trim(range.substr(0, range.find(';')));
    if (iequals(range, "text/html")) return true;
  }
  return false;
}

std::optional<io::http_response> serve_static(const static_request& r, std::span<const static_file> files) {
  if (r.method != "GET" && r.method != "HEAD") return std::nullopt;
  if (r.path.starts_with(static_prefix)) {
    // Exact table names only: no decoding, no normalisation, no file system.
    const static_file* f = find_static_file(files, r.path.substr(static_prefix.size()));
    if (!f) return not_found();
    return file_response(r, *f, false);
  }
  for (const auto& route : page_routes) {
    if (r.path != route.path) continue;
    bool root = route.path == "/";
    if (root && !(r.accept && accepts_html(*r.accept))) return std::nullopt;
    const static_file* f = find_static_file(files, route.file);
    if (!f) return not_found();
    return file_response(r, *f, root);
  }
  return std::nullopt;
}

std::optional<io::http_response> serve_static(const static_request& r) {
  return serve_static(r, embedded_static_files());
}

}  // namespace quire::web
