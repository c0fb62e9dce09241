#include "web/print_api.hpp"

#include <strings.h>

#include <algorithm>
#include <charconv>
#include <exception>
#include <utility>

#include "storage/credentials.hpp"
#include "web/api_common.hpp"
#include "web/api_json.hpp"
#include "web/api_request.hpp"

namespace quire::web {

namespace {

// RFC 7617 §2 and §2.1, as the admin API's.
constexpr std::string_view basic_challenge = "Basic realm=\"Quire\", charset=\"UTF-8\"";

io::http_response unauthorized(std::string_view message) {
  return unauthorized_response("unauthorized", message, basic_challenge);
}

bool no_control(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

result<print_ticket> parse_print_query(std::string_view query) {
  auto bad = [](std::string message) { return error(errc::invalid_argument, std::move(message)); };
  auto q = parse_query(query);
  if (!q.ok()) return q.err();
  print_ticket t;
  for (auto& p : *q) {
    if (p.name == "queue") {
      if (!valid_queue_name(p.value)) return bad("queue must be 1 to 64 of A-Z a-z 0-9 _ . -");
      t.queue = std::move(p.value);
    } else if (p.name == "name") {
      if (p.value.empty() || p.value.size() > max_print_name_bytes || !no_control(p.value))
        return bad(std::string("name must be 1 to ")
                       .append(std::to_string(max_print_name_bytes))
                       .append(" bytes without control characters"));
      t.name = std::move(p.value);
    } else if (p.name == "copies") {
      uint32_t n = 0;
      auto [end, ec] = std::from_chars(p.value.data(), p.value.data() + p.value.size(), n);
      if (ec != std::errc() || end != p.value.data() + p.value.size() || n < 1 || n > max_print_copies)
        return bad(std::string("copies must be 1 to ").append(std::to_string(max_print_copies)));
      t.copies = n;
    } else if (p.name == "sides") {
      if (p.value != "one-sided" && p.value != "two-sided-long-edge" && p.value != "two-sided-short-edge")
        return bad("sides must be one-sided, two-sided-long-edge or two-sided-short-edge");
      t.sides = std::move(p.value);
    } else if (p.name == "color") {
      if (p.value == "true") t.color_mode = "color";
      else if (p.value == "false") t.color_mode = "monochrome";
      else return bad("color must be true or false");
    } else {
      return bad("unknown query parameter (use queue, name, copies, sides, color)");
    }
  }
  if (t.queue.empty()) return bad("queue is required: the queue to print to");
  return t;
}

std::optional<std::string> print_format_of(const std::string* content_type) {
  if (!content_type) return std::nullopt;
  std::string_view v(*content_type);
  v = v.substr(0, v.find(';'));
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  static constexpr std::string_view formats[] = {
      "application/pdf", "application/postscript", "image/jpeg", "image/png", "text/plain", "application/octet-stream"};
  for (std::string_view f : formats)
    if (v.size() == f.size() && ::strncasecmp(v.data(), f.data(), f.size()) == 0) return std::string(f);
  return std::nullopt;
}

namespace {

// One upload from its head to its answer: shared by the handler and the
// services' callbacks, which may outlive the handler.
struct print_call : api_exchange {
  print_ticket ticket;
  basic_credentials credentials;
  std::string session_token;  // the cookie's, when it authenticates (no Authorization)
  std::string csrf;           // X-CSRF-Token as sent
  std::string peer;
  user_service* users = nullptr;
  session_service* sessions = nullptr;
  print_service* printing = nullptr;
  std::unique_ptr<print_upload> upload;  // deleted (with its file) unless submitted
  size_t max_document_bytes = 0;

  ~print_call() { wipe(session_token); }
};
using call_ptr = std::shared_ptr<print_call>;

void submit(const call_ptr& c, principal who) {
  std::unique_ptr<print_upload> doc = std::move(c->upload);
  c->printing->submit(who, std::move(c->ticket), c->peer, std::move(doc), [c](result<job_view> r) {
    guarded(c, [&] {
      if (!r.ok()) return c->reply(service_error(r.err()));
      auto resp = json_response(201, job_json(r->record, r->money));
      resp.headers.push_back({"Location", std::string(api_root) + "/jobs/" + std::to_string(r->record.id)});
      c->reply(std::move(resp));
    });
  });
}

void on_login(const call_ptr& c, result<principal> r) {
  if (!r.ok()) {
    return c->reply(login_failure(r.err(), [](std::string_view m) { return unauthorized(m); }));
  }
  submit(c, std::move(*r));
}

// The whole document is in: who sends it, then the job.
void start(const call_ptr& c) {
  if (c->upload->size() == 0) return c->reply(invalid(error(errc::invalid_argument, "the document is empty")));
  if (!c->session_token.empty()) {
    std::string token = std::move(c->session_token);
    return c->sessions->verify(std::move(token), [c](result<session_view> r) {
      guarded(c, [&] {
        if (!r.ok()) {
          if (r.err().code == errc::permission_denied || r.err().code == errc::not_found)
            return c->reply(unauthorized("session expired or unknown: log in again"));
          return c->reply(service_error(r.err()));
        }
        if (!same_secret(c->csrf, r->csrf_token))
          return c->reply(error_response(403, "csrf_required", "a request with the session cookie that changes "
                                                               "something needs the X-CSRF-Token header of the login"));
        submit(c, std::move(r->who));
      });
    });
  }
  std::string user = std::move(c->credentials.user);
  std::string password = std::move(c->credentials.password);
  c->users->authenticate(std::move(user), std::move(password), c->peer,
                         [c](result<principal> r) { guarded(c, [&] { on_login(c, std::move(r)); }); });
}

// Streams the body into the upload; the call is handed on at the end.
class print_handler final : public io::request_handler {
 public:
  explicit print_handler(call_ptr call) : call_(std::move(call)) {}

  void on_body(std::string_view bytes) override {
    if (!call_ || bytes.empty()) return;
    if (status s = call_->upload->append(bytes)) {
      call_->reply(s.code == errc::limit_exceeded
                       ? too_large(call_->max_document_bytes)
                       : error_response(503, "unavailable", "the server cannot spool the document now"));
      call_.reset();  // the upload, and its file, go with the call
    }
  }

  void on_end() override {
    if (!call_) return;
    call_ptr c = std::move(call_);
    guarded(c, [&] { start(c); });
  }

 private:
  call_ptr call_;  // null once the request is answered or handed on
};

}  // namespace

std::unique_ptr<io::request_handler> route_print_api(const io::request_info& info, io::responder respond,
                                                     user_service& users, session_service* sessions,
                                                     print_service& printing, const api_options& options) {
  const auto& head = info.head;
  try {
    if (head.method != "POST") {
      auto r = error_response(405, "method_not_allowed", "this resource accepts POST");
      r.headers.push_back({"Allow", "POST"});
      return refuse(respond, std::move(r));
    }
    if (auto r = check_transport(info, options.allow_plain_loopback, "admin API"))
      return refuse(respond, std::move(*r));

    request_credentials who;  // (API tokens: not here yet)
    if (status s = read_credentials(head, sessions != nullptr, false, who))
      return refuse(respond, unauthorized(s.message));
    const std::string* csrf = head.find("X-CSRF-Token");
    // Refused before the document is read; the token's value is checked
    // against the session once the session is known.
    if (!who.session_token.empty() && !csrf) {
      return refuse(respond, error_response(403, "csrf_required",
                                            "a request with the session cookie that changes "
                                            "something needs the X-CSRF-Token header of the login"));
    }

    auto ticket = parse_print_query(query_of(head.target));
    if (!ticket.ok()) return refuse(respond, invalid(ticket.err()));
    if (!printing.has_queue(ticket->queue))
      return refuse(respond, error_response(404, "not_found", "there is no queue " + ticket->queue));
    auto format = print_format_of(head.find("Content-Type"));
    if (!format)
      return refuse(respond, error_response(415, "unsupported_media_type",
                                            "send the document as application/pdf, application/postscript, "
                                            "image/jpeg, image/png, text/plain or application/octet-stream"));
    ticket->format = std::move(*format);
    size_t limit = static_cast<size_t>(options.max_document_bytes);
    if (head.has_content_length && head.content_length > limit) return refuse(respond, too_large(limit));
    if (!head.chunked && (!head.has_content_length || head.content_length == 0))
      return refuse(respond, invalid(error(errc::invalid_argument, "the document is empty")));

    auto upload = printing.open_upload(options.max_document_bytes);
    if (!upload.ok())
      return refuse(respond, error_response(503, "unavailable", "the server cannot spool the document now"));

    auto call = std::make_shared<print_call>();
    call->respond = respond;
    call->ticket = std::move(*ticket);
    call->credentials = std::move(who.basic);
    call->session_token = std::move(who.session_token);
    if (csrf) call->csrf = *csrf;
    call->peer = info.peer_host;
    call->users = &users;
    call->sessions = sessions;
    call->printing = &printing;
    call->upload = std::move(*upload);
    call->max_document_bytes = limit;
    return std::make_unique<print_handler>(std::move(call));
  } catch (const std::exception&) {
    return refuse(respond, internal_error());
  }
}

}  // namespace quire::web
