// The HTTP plumbing the two REST front-ends share: the admin API
// (admin_api.hpp) and the terminal API (terminal_api.hpp). Both answer in
// JSON with the same headers, refuse a request head by the same transport
// and body rules, and collect a bounded body before they call their
// service. Where the two differ (which API a message names, which
// WWW-Authenticate challenge a 401 carries), the difference is a parameter
// here, never a variation hidden inside.
//
// Lifetimes: the handler a route function returns may be destroyed before
// its service answers. A request's state therefore lives in a struct that
// derives from api_exchange, held by a shared_ptr that the handler
// (collecting_handler) and the service's callbacks share; the last owner
// frees it, and the body it collected is wiped then.
//
// Nothing here logs, and no response built here quotes a request's bytes.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "actors/io/http_server.hpp"
#include "protocols/result.hpp"

namespace quire::web {

/// The HTTP status of a service error's code (user_service.hpp lists them).
int http_status_for(errc code) noexcept;

// ---- Responses ----

/// `body` as application/json, with Cache-Control: no-store (answers name
/// users, accounts, jobs or a session token: no cache keeps them) and
/// X-Content-Type-Options: nosniff.
io::http_response json_response(int status, std::string body);
/// {"error": code, "message": message} as a json_response.
io::http_response error_response(int status, std::string_view code, std::string_view message);
/// 401 with the error `code` and a WWW-Authenticate `challenge` (RFC 7235
/// §3.1: every 401 carries one). Each API passes its own scheme and realm.
io::http_response unauthorized_response(std::string_view code, std::string_view message, std::string_view challenge);
/// The answer to a failed password check (user_service::authenticate):
/// one 401 for unknown users, wrong passwords and disabled accounts (so
/// names cannot be probed), carrying `unauthorized` (the caller's 401 with
/// its challenge); 429 while blocked; the service's error otherwise.
io::http_response login_failure(const error& e, const std::function<io::http_response(std::string_view)>& unauthorized);
/// 204: no body, Cache-Control: no-store.
io::http_response no_content();
/// A service's error: its code's name, the status http_status_for gives.
io::http_response service_error(const error& e);
/// 400 invalid_argument with `e`'s message.
io::http_response invalid(const error& e);
/// 413 payload_too_large naming `limit`.
io::http_response too_large(size_t limit);
/// 500 internal: what an exception inside a handler becomes.
io::http_response internal_error();

/// The answer to a route that did not match: 404 not_found, 405
/// method_not_allowed with an Allow header of `allow`, any other status
/// invalid_argument (a bad {name} or {id}); nullopt for status 0 (matched).
std::optional<io::http_response> route_refusal(int status, std::string_view message, std::string_view allow);

// ---- Checks of a request head ----

/// True for a Content-Type of application/json, parameters and case aside.
bool is_json_type(const std::string* value);

/// Nothing when the connection is TLS, or from a loopback peer while
/// `allow_plain_loopback`; else 403 https_required, saying that `api`
/// ("admin API", "terminal API") is served over HTTPS only.
std::optional<io::http_response> check_transport(const io::request_info& info, bool allow_plain_loopback,
                                                 std::string_view api);

/// The body rules of a head: a Content-Length within `max_body_bytes`
/// (413); a JSON Content-Type when the endpoint `takes_body` (415); no
/// declared body when it does not (400; a chunked one is refused by
/// collect_body as it arrives). Nothing when the head passes.
std::optional<io::http_response> check_body_head(const http::request_head& head, bool takes_body,
                                                 size_t max_body_bytes);

/// What follows the '?' of a request target; "" without one.
std::string_view query_of(std::string_view target);

/// Answers through `respond` and hands the server no handler: a route
/// function's refusal at the head.
std::unique_ptr<io::request_handler> refuse(const io::responder& respond, io::http_response r);

// ---- The request once its head has passed ----

/// What every request carries from its head to its answer. An API's call
/// state derives from it and adds its own fields.
struct api_exchange {
  io::responder respond;
  std::string body;           // wiped on destruction: it may hold a secret
  bool takes_body = false;    // the endpoint's, as the head named it
  size_t max_body_bytes = 0;  // the API's option

  api_exchange() = default;
  api_exchange(const api_exchange&) = delete;
  api_exchange& operator=(const api_exchange&) = delete;
  ~api_exchange();

  void reply(io::http_response r) const { respond(std::move(r)); }
};

/// Appends `bytes` to x.body, or answers: 400 when the endpoint takes no
/// body, 413 once the body would pass max_body_bytes. False once answered.
bool collect_body(api_exchange& x, std::string_view bytes);

/// Runs `fn`; no exception crosses a handler: a throw (allocation, a bug)
/// answers 500 through `call` (a pointer to an api_exchange).
template <class CallPtr, class Fn>
void guarded(const CallPtr& call, Fn&& fn) {
  try {
    fn();
  } catch (const std::exception&) {
    call->reply(internal_error());
  }
}

/// The request_handler of both APIs: collects the body (collect_body), and
/// at the end hands the call to `start`, which asks the service. Once the
/// request is answered or handed on, the handler holds nothing: destroying
/// it early is safe.
template <class Call>
class collecting_handler final : public io::request_handler {
 public:
  using start_fn = void (*)(const std::shared_ptr<Call>&);

  collecting_handler(std::shared_ptr<Call> call, start_fn start) : call_(std::move(call)), start_(start) {}

  void on_body(std::string_view bytes) override {
    if (call_ && !bytes.empty() && !collect_body(*call_, bytes)) call_.reset();
  }

  void on_end() override {
    if (!call_) return;
    std::shared_ptr<Call> c = std::move(call_);
    guarded(c, [&] { start_(c); });
  }

 private:
  std::shared_ptr<Call> call_;  // null once the request is answered or handed on
  start_fn start_;
};

}  // namespace quire::web
