// Drives route_admin_api() as the HTTP server would: a request head, the
// body in pieces, the end; the response captured from the responder.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

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

struct api_reply {
  int answers = 0;  // how many times the responder was called (must be 1)
  bool handler = false;
  io::http_response response;

  int status() const { return response.status; }
  nlohmann::json json() const { return nlohmann::json::parse(response.body, nullptr, false); }
  std::string error() const {
    auto j = json();
    return j.is_object() && j.contains("error") && j["error"].is_string() ? j["error"].get<std::string>() : "";
  }
  std::string message() const {
    auto j = json();
    return j.is_object() && j.contains("message") && j["message"].is_string() ? j["message"].get<std::string>() : "";
  }
  std::string header(const std::string& name) const {
    for (const auto& h : response.headers)
      if (h.name == name) return h.value;
    return "";
  }
};

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
    http::request_head head;
    head.method = r.method;
    head.target = r.target;
    if (!r.no_authorization)
      head.headers.push_back({"Authorization", r.authorization.value_or(basic("root", "root-password-1"))});
    if (r.content_type)
      head.headers.push_back({"Content-Type", *r.content_type});
    else if (!r.body.empty())
      head.headers.push_back({"Content-Type", "application/json"});
    if (r.chunked) {
      head.chunked = true;
    } else {
      head.has_content_length = true;
      head.content_length = r.body.size();
    }
    io::request_info info{head, peer, "127.0.0.1:8631", secure};
    io::responder respond = [box](io::http_response resp) {
      box->answers += 1;
      if (box->answers == 1) box->response = std::move(resp);
    };
    auto handler = web::route_admin_api(info, respond, service, jobs, options);
    box->handler = handler != nullptr;
    if (handler) {
      size_t step = r.piece ? r.piece : std::max<size_t>(r.body.size(), 1);
      for (size_t at = 0; at < r.body.size() && box->answers == 0; at += step)
        handler->on_body(std::string_view(r.body).substr(at, step));
      if (box->answers == 0) handler->on_end();
    }
    handler.reset();
    return box;
  }

  api_reply send(const api_request& r) { return *start(r); }

  api_reply get(const std::string& target) {
    api_request r;
    r.target = target;
    return send(r);
  }
  api_reply call(const std::string& method, const std::string& target, const std::string& body = "") {
    api_request r;
    r.method = method;
    r.target = target;
    r.body = body;
    return send(r);
  }
};

}  // namespace quire::testing
