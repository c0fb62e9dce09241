#include "protocols/http/request_parser.hpp"

#include <http_parser.h>

#include <strings.h>

namespace quire::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

int status_for(http_errno e) {
  switch (e) {
    case HPE_HEADER_OVERFLOW: return 431;
    case HPE_INVALID_VERSION: return 505;
    case HPE_INVALID_METHOD: return 501;
    default: return 400;
  }
}

}  // namespace

const std::string* request_head::find(std::string_view name) const {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return &h.value;
  return nullptr;
}

std::string_view request_head::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

// Per-request scratch state, reached from http-parser's C callbacks through
// parser.data.
struct request_parser::state {
  http_parser parser;
  http_parser_settings settings;
  request_parser* owner = nullptr;
  std::vector<event>* out = nullptr;
  std::string field;           // header name being assembled
  std::string value;           // header value being assembled
  bool in_value = false;
  size_t head_bytes = 0;
  bool message_done = false;
};

struct request_parser::callbacks {
  static state& st(http_parser* p) { return *static_cast<state*>(p->data); }

  // Counts head bytes against the limit; false (and a failed parser) when over.
  static bool count(state& s, size_t n) {
    s.head_bytes += n;
    if (s.head_bytes <= s.owner->limits_.max_head_bytes) return true;
    s.owner->fail(431, "request head larger than " + std::to_string(s.owner->limits_.max_head_bytes) + " bytes");
    return false;
  }

  static bool flush_header(state& s) {
    if (!s.in_value) return true;
    if (s.owner->head_.headers.size() >= s.owner->limits_.max_headers) {
      s.owner->fail(431, "more than " + std::to_string(s.owner->limits_.max_headers) + " headers");
      return false;
    }
    s.owner->head_.headers.push_back({std::move(s.field), std::move(s.value)});
    s.field.clear();
    s.value.clear();
    s.in_value = false;
    return true;
  }

  static int on_message_begin(http_parser* p) {
    auto& s = st(p);
    s.owner->head_ = request_head{};
    s.field.clear();
    s.value.clear();
    s.in_value = false;
    s.head_bytes = 0;
    return 0;
  }
  static int on_url(http_parser* p, const char* at, size_t n) {
    auto& s = st(p);
    if (!count(s, n)) return 1;
    s.owner->head_.target.append(at, n);
    return 0;
  }
  static int on_header_field(http_parser* p, const char* at, size_t n) {
    auto& s = st(p);
    if (!count(s, n) || !flush_header(s)) return 1;
    s.field.append(at, n);
    return 0;
  }
  static int on_header_value(http_parser* p, const char* at, size_t n) {
    auto& s = st(p);
    if (!count(s, n)) return 1;
    s.in_value = true;
    s.value.append(at, n);
    return 0;
  }
  static int on_headers_complete(http_parser* p) {
    auto& s = st(p);
    if (!flush_header(s)) return 1;
    auto& h = s.owner->head_;
    h.method = http_method_str(static_cast<http_method>(p->method));
    h.version_major = p->http_major;
    h.version_minor = p->http_minor;
    h.chunked = (p->flags & F_CHUNKED) != 0;
    h.has_content_length = (p->flags & F_CONTENTLENGTH) != 0;
    h.content_length = h.has_content_length ? p->content_length : 0;
    h.keep_alive = http_should_keep_alive(p) != 0;
    h.upgrade = p->upgrade != 0;
    if (const std::string* e = h.find("Expect")) {
      if (iequals(*e, "100-continue"))
        h.expect_continue = true;
      else {
        s.owner->fail(417, "unsupported expectation '" + *e + "'");
        return 1;
      }
    }
    s.out->push_back({event_kind::head, {}});
    return 0;
  }
  static int on_body(http_parser* p, const char* at, size_t n) {
    st(p).out->push_back({event_kind::body, std::string_view(at, n)});
    return 0;
  }
  static int on_message_complete(http_parser* p) {
    auto& s = st(p);
    s.out->push_back({event_kind::end, {}});
    s.message_done = true;
    http_parser_pause(p, 1);  // one request at a time
    return 0;
  }
};

request_parser::request_parser() : request_parser(limits{}) {}

request_parser::request_parser(limits lim) : limits_(lim), s_(std::make_unique<state>()) {
  http_parser_init(&s_->parser, HTTP_REQUEST);
  s_->parser.data = s_.get();
  s_->owner = this;
  http_parser_settings_init(&s_->settings);
  s_->settings.on_message_begin = &callbacks::on_message_begin;
  s_->settings.on_url = &callbacks::on_url;
  s_->settings.on_header_field = &callbacks::on_header_field;
  s_->settings.on_header_value = &callbacks::on_header_value;
  s_->settings.on_headers_complete = &callbacks::on_headers_complete;
  s_->settings.on_body = &callbacks::on_body;
  s_->settings.on_message_complete = &callbacks::on_message_complete;
}

request_parser::~request_parser() = default;

void request_parser::fail(int status, std::string message) {
  if (status_ != 0) return;
  status_ = status;
  message_ = std::move(message);
}

size_t request_parser::feed(std::string_view data, std::vector<event>& out) {
  if (failed()) return 0;
  if (s_->message_done) {
    http_parser_pause(&s_->parser, 0);
    s_->message_done = false;
  }
  s_->out = &out;
  size_t n = http_parser_execute(&s_->parser, &s_->settings, data.data(), data.size());
  s_->out = nullptr;
  auto err = HTTP_PARSER_ERRNO(&s_->parser);
  if (err == HPE_PAUSED) return n;  // stopped after a complete request
  if (err != HPE_OK) {
    fail(status_for(err), std::string("malformed request: ") + http_errno_description(err));
    return n;
  }
  return n;
}

}  // namespace quire::http
