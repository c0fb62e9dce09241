#include "actors/ipp/ipp_request.hpp"

#include "web/api_request.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "protocols/compression/inflater.hpp"

namespace quire {

namespace {

// The Host header when it looks like an authority, so URIs we return point
// where the client reached us; otherwise the local address.
std::string authority_of(const io::request_info& info) {
  if (const std::string* h = info.head.find("Host")) {
    bool ok = !h->empty() && h->size() < 256;
    for (char c : *h)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' ||
            c == ']'))
        ok = false;
    if (ok) return *h;
  }
  return info.local;
}

class ipp_request_handler final : public io::request_handler {
 public:
  ipp_request_handler(const io::request_info& info, io::responder respond, const ipp_limits& limits,
                      spool& uploads, std::function<void(ipp_call_ptr)> dispatch)
      : respond_(std::move(respond)),
        limits_(limits),
        uploads_(uploads),
        dispatch_(std::move(dispatch)),
        peer_host_(info.peer_host),
        authority_(authority_of(info)),
        secure_(info.secure),
        declared_length_(info.head.has_content_length ? info.head.content_length : 0) {
    // Basic credentials are taken over TLS only: over plain HTTP they would
    // have crossed the network in clear, and are ignored.
    if (const std::string* a = info.head.find("Authorization"); a && secure_) {
      auto creds = web::parse_basic_authorization(*a);
      if (creds.ok()) {
        has_credentials_ = true;
        auth_user_ = std::move(creds->user);
        auth_password_ = std::move(creds->password);
      }
    }
  }

  ~ipp_request_handler() override { discard_upload(); }

  void on_body(std::string_view bytes) override {
    switch (stage_) {
      case stage::attributes: collect_attributes(bytes); break;
      case stage::document: take_document(bytes); break;
      case stage::failed: break;
    }
  }

  void on_end() override {
    if (stage_ == stage::failed) return;
    if (stage_ == stage::attributes) {
      fail(IPP_STATUS_ERROR_BAD_REQUEST, "the request ends inside its attribute section");
      return;
    }
    if (inflater_ && raw_size_ > 0) {
      if (status st = inflater_->finish(); st) {
        compression_failed(st);
        return;
      }
    }
    if (upload_.fd >= 0) {
      ::close(upload_.fd);
      upload_.fd = -1;
    }
    auto call = std::make_shared<ipp_call>(std::move(request_), respond_);
    call->document = std::move(document_);
    call->upload_path = upload_.path;
    call->document_size = size_;
    call->has_document = size_ > 0;
    call->peer_host = peer_host_;
    call->authority = authority_;
    call->secure = secure_;
    call->has_credentials = has_credentials_;
    call->auth_user = std::move(auth_user_);
    call->auth_password = std::move(auth_password_);
    if (inflater_) call->compression = compression::keyword(inflater_->fmt());
    upload_.path.clear();  // the call owns it now
    stage_ = stage::failed; // nothing more to do here
    dispatch_(std::move(call));
  }

 private:
  enum class stage : uint8_t { attributes, document, failed };

  void collect_attributes(std::string_view bytes) {
    attributes_.append(bytes);
    auto scan = ipp::scan_attributes(attributes_, limits_.max_attributes_bytes);
    switch (scan.state) {
      case ipp::scan_state::need_more: return;
      case ipp::scan_state::too_large:
        fail(IPP_STATUS_ERROR_REQUEST_ENTITY, "the attribute section is larger than " +
                                                   std::to_string(limits_.max_attributes_bytes) + " bytes");
        return;
      case ipp::scan_state::malformed:
        fail(IPP_STATUS_ERROR_BAD_REQUEST, "the request is not IPP");
        return;
      case ipp::scan_state::complete: break;
    }
    std::string err;
    request_ = ipp::decode(std::string_view(attributes_).substr(0, scan.size), err);
    if (!request_) {
      fail(IPP_STATUS_ERROR_BAD_REQUEST, err);
      return;
    }
    if (auto c = ipp::validate_request(request_.get())) {
      fail(c.status, c.message);
      return;
    }
    // A declared length already tells whether the document is too large.
    if (declared_length_ > scan.size && declared_length_ - scan.size > limits_.max_document_bytes) {
      fail(IPP_STATUS_ERROR_REQUEST_ENTITY, too_large_message());
      return;
    }
    if (!start_decompression()) return;
    stage_ = stage::document;
    std::string rest = attributes_.substr(scan.size);
    attributes_.clear();
    attributes_.shrink_to_fit();
    if (!rest.empty()) take_document(rest);
  }

  // Print-Job and Send-Document may send their document compressed; a
  // compression attribute of the wrong syntax is left for the operation to
  // refuse as a bad request.
  bool start_decompression() {
    ipp_op_t op = ipp::operation_of(request_.get());
    if (op != IPP_OP_PRINT_JOB && op != IPP_OP_SEND_DOCUMENT) return true;
    ipp_attribute_t* a = ippFindAttribute(request_.get(), "compression", IPP_TAG_ZERO);
    if (!a || ippGetGroupTag(a) != IPP_TAG_OPERATION || ippGetValueTag(a) != IPP_TAG_KEYWORD ||
        ippGetCount(a) != 1)
      return true;
    const char* v = ippGetString(a, 0, nullptr);
    if (!v || std::strcmp(v, "none") == 0) return true;
    auto fmt = compression::format_from_keyword(v);
    if (!fmt) {
      fail(IPP_STATUS_ERROR_COMPRESSION_NOT_SUPPORTED, std::string("compression '") + v + "' is not supported");
      return false;
    }
    compression::inflater::options o;
    o.fmt = *fmt;
    o.max_output_bytes = std::max<uint64_t>(limits_.max_document_bytes, 1);
    inflater_ = std::make_unique<compression::inflater>(o);
    return true;
  }

  // Document bytes as they arrive: decompressed first when they came so.
  void take_document(std::string_view bytes) {
    if (!inflater_) {
      add_document(bytes);
      return;
    }
    // Compressed bytes count too: a stream of empty blocks yields nothing
    // but must not go on for ever.
    raw_size_ += bytes.size();
    if (raw_size_ > limits_.max_document_bytes) {
      fail(IPP_STATUS_ERROR_REQUEST_ENTITY, too_large_message());
      return;
    }
    status st = inflater_->feed(bytes, [this](std::string_view chunk) {
      add_document(chunk);
      return stage_ == stage::failed ? status(errc::internal, "the document was refused") : status{};
    });
    if (st && stage_ != stage::failed) compression_failed(st);
  }

  void compression_failed(const status& st) {
    const char* kw = compression::keyword(inflater_->fmt());
    if (st.code == errc::limit_exceeded)
      fail(IPP_STATUS_ERROR_REQUEST_ENTITY, "the " + std::string(kw) + " document decompresses to more than " +
                                                std::to_string(limits_.max_document_bytes) + " bytes");
    else if (st.code == errc::corruption)
      fail(IPP_STATUS_ERROR_COMPRESSION_ERROR, "the document does not decompress: " + st.message);
    else
      fail(IPP_STATUS_ERROR_INTERNAL, "cannot decompress the document: " + st.message);
  }

  void add_document(std::string_view bytes) {
    size_ += bytes.size();
    if (size_ > limits_.max_document_bytes) {
      fail(IPP_STATUS_ERROR_REQUEST_ENTITY, too_large_message());
      return;
    }
    if (upload_.fd < 0 && document_.size() + bytes.size() <= limits_.inline_document_bytes) {
      document_.append(bytes);
      return;
    }
    if (upload_.fd < 0) {
      auto up = uploads_.create_upload();
      if (!up.ok()) {
        fail(IPP_STATUS_ERROR_INTERNAL, "cannot spool the document: " + up.err().message);
        return;
      }
      upload_ = *up;
      std::string head = std::move(document_);
      document_.clear();
      if (!write_upload(head)) return;
    }
    write_upload(bytes);
  }

  bool write_upload(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(upload_.fd, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        fail(IPP_STATUS_ERROR_INTERNAL, std::string("cannot spool the document: ") + std::strerror(errno));
        return false;
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  std::string too_large_message() const {
    return "the document is larger than " + std::to_string(limits_.max_document_bytes) + " bytes";
  }

  void fail(ipp_status_t status, const std::string& message) {
    if (stage_ == stage::failed) return;
    stage_ = stage::failed;
    // One line per refused request, so an operator can tell what clients send.
    spdlog::info("ipp: {} from {} refused, {}: {}",
                 request_ ? ippOpString(ipp::operation_of(request_.get())) : "a request", peer_host_,
                 ippErrorString(status), message);
    discard_upload();
    document_.clear();
    std::string bytes = request_ ? ipp::encode(ipp::make_response(request_.get(), status, message).get())
                                 : ipp::encode_error(std::string_view(attributes_).substr(0, 8), status, message);
    respond_(ipp_http_response(std::move(bytes)));
  }

  void discard_upload() {
    if (upload_.fd >= 0) ::close(upload_.fd);
    upload_.fd = -1;
    if (!upload_.path.empty()) ::unlink(upload_.path.c_str());
    upload_.path.clear();
  }

  io::responder respond_;
  ipp_limits limits_;
  spool& uploads_;
  std::function<void(ipp_call_ptr)> dispatch_;
  std::string peer_host_;
  std::string authority_;
  bool secure_ = false;
  bool has_credentials_ = false;
  std::string auth_user_;
  std::string auth_password_;
  uint64_t declared_length_;
  stage stage_ = stage::attributes;
  std::string attributes_;
  ipp::message request_;
  std::string document_;
  spool::upload upload_;
  uint64_t size_ = 0;                                    // document bytes kept (decompressed)
  std::unique_ptr<compression::inflater> inflater_;     // when the document comes compressed
  uint64_t raw_size_ = 0;                                // bytes received while compressed
};

}  // namespace

ipp_call::ipp_call(ipp::message request, io::responder respond)
    : request_(std::move(request)), respond_(std::move(respond)) {}

ipp_call::~ipp_call() {
  std::fill(auth_password.begin(), auth_password.end(), '\0');
  if (!upload_path.empty()) ::unlink(upload_path.c_str());
  if (!replied_) reply_status(IPP_STATUS_ERROR_INTERNAL, "the server dropped the request");
}

void ipp_call::reply(ipp_t* response) {
  if (!replied_) reply_encoded(ipp::encode(response));
}

void ipp_call::reply_encoded(std::string ipp_bytes) {
  if (replied_) return;
  replied_ = true;
  respond_(ipp_http_response(std::move(ipp_bytes)));
}

void ipp_call::reply_challenge(const std::string& message) {
  if (replied_) return;
  replied_ = true;
  auto r = ipp_http_response(ipp::encode(ipp::make_response(request_.get(), IPP_STATUS_ERROR_NOT_AUTHENTICATED, message).get()));
  r.status = 401;
  r.headers.push_back({"WWW-Authenticate", "Basic realm=\"Quire\", charset=\"UTF-8\""});
  respond_(std::move(r));
}

void ipp_call::reply_status(ipp_status_t status, const std::string& message) {
  reply(ipp::make_response(request_.get(), status, message).get());
}

std::unique_ptr<io::request_handler> make_ipp_handler(const io::request_info& info, io::responder respond,
                                                      const ipp_limits& limits, spool& uploads,
                                                      std::function<void(ipp_call_ptr)> dispatch) {
  return std::make_unique<ipp_request_handler>(info, std::move(respond), limits, uploads, std::move(dispatch));
}

io::http_response ipp_http_response(std::string ipp_bytes) {
  io::http_response r;
  r.status = 200;
  r.content_type = "application/ipp";
  r.body = std::move(ipp_bytes);
  return r;
}

}  // namespace quire
