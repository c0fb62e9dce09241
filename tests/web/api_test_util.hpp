// Drives the REST APIs' route functions as the HTTP server would: a
// request head, the body in pieces, the end; the response captured from the
// responder. The pieces any API's tests and fuzz targets use come first
// (api_reply, make_head, drive, reply_is_sound); api_harness drives
// route_admin_api() over the fake services. terminal_api_test.cpp builds
// its harness from the same pieces.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake_job_service.hpp"
#include "fake_user_service.hpp"
#include "web/admin_api.hpp"

namespace quire::testing {

inline std::string basic(const std::string& user, const std::string& password) {
  return "Basic " + web::base64_encode(user + ":" + password);
}

struct api_request {
  std::string method = "GET";
  std::string target = "/api/v1/whoami";
  std::string body;
  std::optional<std::string> authorization;  // default: the harness's administrator
  std::optional<std::string> content_type;   // default: application/json when there is a body
  bool chunked = false;                       // no Content-Length; the body as chunks
  size_t piece = 0;                           // feed the body in pieces of this size (0: at once)
  bool no_authorization = false;
};

/// A request of type Request (api_request, or an API's own with the same
/// fields) with the harness's defaults but these three.
template <class Request>
Request make_request(std::string method, std::string target, std::string body = "") {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  return r;
}

/// What the responder of one request received.
struct api_reply {
  int answers = 0;  // how many times the responder was called (must be 1)
  bool handler = false;
  io::http_response response;

  int status() const { return response.status; }
  nlohmann::json json() const { return nlohmann::json::parse(response.body, nullptr, false); }
  std::string error() const { return string_field("error"); }
  std::string message() const { return string_field("message"); }
  std::string header(const std::string& name) const {
    for (const auto& h : response.headers)
      if (h.name == name) return h.value;
    return "";
  }

 private:
  std::string string_field(const char* name) const {
    auto j = json();
    return j.is_object() && j.contains(name) && j[name].is_string() ? j[name].get<std::string>() : "";
  }
};

/// A responder that keeps the first response in `box` and counts them all.
inline io::responder capture(const std::shared_ptr<api_reply>& box) {
  return [box](io::http_response resp) {
    if (++box->answers == 1) box->response = std::move(resp);
  };
}

/// A head as a client sends it: `headers` (Authorization, ...), then a
/// Content-Type (`content_type`, or application/json when there is a
/// body), and a Content-Length, or chunked.
inline http::request_head make_head(const std::string& method, const std::string& target, const std::string& body,
                                    const std::optional<std::string>& content_type, bool chunked,
                                    std::vector<http::header> headers) {
  http::request_head head;
  head.method = method;
  head.target = target;
  head.headers = std::move(headers);
  if (content_type)
    head.headers.push_back({"Content-Type", *content_type});
  else if (!body.empty())
    head.headers.push_back({"Content-Type", "application/json"});
  if (chunked) {
    head.chunked = true;
  } else {
    head.has_content_length = true;
    head.content_length = body.size();
  }
  return head;
}

/// Feeds `body` to `handler` in pieces of `piece` bytes (0: at once) until
/// the request is answered, ends it unless answered, and destroys it (as the
/// server may): deferred answers arrive without it.
inline void drive(std::unique_ptr<io::request_handler> handler, api_reply& box, std::string_view body,
                  size_t piece = 0) {
  box.handler = handler != nullptr;
  if (!handler) return;
  size_t step = piece ? piece : std::max<size_t>(body.size(), 1);
  for (size_t at = 0; at < body.size() && box.answers == 0; at += step) handler->on_body(body.substr(at, step));
  if (box.answers == 0) handler->on_end();
}

/// One request line a fuzz target aims its input at.
struct fuzz_target {
  const char* method;
  const char* path;
};

/// A fuzz input as the API fuzz targets read it: byte 0 picks one of
/// `choices` targets ('0' for the first, modulo), byte 1 the size of the
/// pieces a body arrives in (1 to 64), the rest is the payload.
struct fuzz_case {
  size_t which = 0;
  size_t step = 1;
  std::string rest;
};

/// The fuzz_case of `data`; nullopt for fewer than two bytes.
inline std::optional<fuzz_case> read_fuzz_case(const uint8_t* data, size_t size, size_t choices) {
  if (size < 2) return std::nullopt;
  fuzz_case c;
  c.which = static_cast<uint8_t>(data[0] - '0') % choices;
  c.step = 1 + data[1] % 64;
  c.rest.assign(reinterpret_cast<const char*>(data) + 2, size - 2);
  return c;
}

/// What a fuzz target asks of every reply: exactly one answer, a status from
/// 200 to 599, a JSON body whenever there is one, and none of `secrets` in
/// it unless `input` held that secret itself.
inline bool reply_is_sound(const api_reply& r, std::string_view input, std::initializer_list<const char*> secrets) {
  if (r.answers != 1 || r.status() < 200 || r.status() > 599) return false;
  const std::string& body = r.response.body;
  if (body.empty()) return true;
  if (nlohmann::json::parse(body, nullptr, false).is_discarded()) return false;
  for (const char* secret : secrets)
    if (body.find(secret) != std::string::npos && input.find(secret) == std::string_view::npos) return false;
  return true;
}

class api_harness {
 public:
  fake_user_service service;
  fake_job_service jobs;
  web::api_options options;
  std::string peer = "192.0.2.7";
  bool secure = true;

  api_harness() {
    service.add("root", "root-password-1", true);
    service.add("alice", "alice-password-1", false);
  }

  /// Sends `r`; the handler is destroyed right after on_end() (as the
  /// server may), so deferred answers arrive without it. The reply fills
  /// in when the service answers.
  std::shared_ptr<api_reply> start(const api_request& r) {
    auto box = std::make_shared<api_reply>();
    std::vector<http::header> headers;
    if (!r.no_authorization)
      headers.push_back({"Authorization", r.authorization.value_or(basic("root", "root-password-1"))});
    http::request_head head = make_head(r.method, r.target, r.body, r.content_type, r.chunked, std::move(headers));
    io::request_info info{head, peer, "127.0.0.1:8631", secure};
    drive(web::route_admin_api(info, capture(box), service, jobs, options), *box, r.body, r.piece);
    return box;
  }

  api_reply send(const api_request& r) { return *start(r); }

  api_reply get(const std::string& target) { return send(make_request<api_request>("GET", target)); }
  api_reply call(const std::string& method, const std::string& target, const std::string& body = "") {
    return send(make_request<api_request>(method, target, body));
  }
};

}  // namespace quire::testing
