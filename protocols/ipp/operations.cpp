#include "protocols/ipp/operations.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace quire::ipp {

namespace {

constexpr std::string_view print_prefix = "/ipp/print/";

bool is_name_tag(ipp_tag_t t) { return t == IPP_TAG_NAME || t == IPP_TAG_NAMELANG; }

ipp_attribute_t* find_op(ipp_t* req, const char* name) {
  ipp_attribute_t* a = ippFindAttribute(req, name, IPP_TAG_ZERO);
  return a && ippGetGroupTag(a) == IPP_TAG_OPERATION ? a : nullptr;
}

check bad(std::string msg) { return {IPP_STATUS_ERROR_BAD_REQUEST, std::move(msg)}; }

// A single-valued name attribute of the operation group, checked.
check read_name(ipp_t* req, const char* attr, std::string& out) {
  ipp_attribute_t* a = find_op(req, attr);
  if (!a) return {};
  if (!is_name_tag(ippGetValueTag(a)) || ippGetCount(a) != 1)
    return bad(std::string(attr) + " must be a single name");
  const char* v = ippGetString(a, 0, nullptr);
  if (!v || !is_clean_name(v)) return bad(std::string(attr) + " is not a valid name");
  out = v;
  return {};
}

bool parse_u64(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

// document-format and compression, shared by Print-Job and Send-Document.
check read_document_format(ipp_t* req, std::string& format, bool& given) {
  format = "application/octet-stream";
  if (ipp_attribute_t* a = find_op(req, "document-format")) {
    const char* v = ippGetString(a, 0, nullptr);
    if (ippGetValueTag(a) != IPP_TAG_MIMETYPE || ippGetCount(a) != 1 || !v)
      return bad("document-format must be a single mimeMediaType");
    format = v;
    given = true;
  }
  if (ipp_attribute_t* a = find_op(req, "compression")) {
    const char* v = ippGetString(a, 0, nullptr);
    if (ippGetValueTag(a) != IPP_TAG_KEYWORD || ippGetCount(a) != 1 || !v)
      return bad("compression must be a single keyword");
    // gzip and deflate are undone while the document streams in
    // (actors/ipp/ipp_request.cpp): what reaches an operation is plain.
    if (std::strcmp(v, "none") != 0 && std::strcmp(v, "gzip") != 0 && std::strcmp(v, "deflate") != 0)
      return {IPP_STATUS_ERROR_COMPRESSION_NOT_SUPPORTED, std::string("compression '") + v + "' is not supported"};
  }
  return {};
}

}  // namespace

bool is_clean_name(std::string_view s, size_t max) {
  if (s.size() > max) return false;
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<uint8_t>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<uint8_t>(s[i + k]) & 0xc0) != 0x80) return false;
    i += len;
  }
  return true;
}

bool uri_path(std::string_view uri, std::string& path) {
  size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return false;
  std::string_view scheme = uri.substr(0, scheme_end);
  if (scheme != "ipp" && scheme != "ipps" && scheme != "http" && scheme != "https") return false;
  size_t slash = uri.find('/', scheme_end + 3);
  path = slash == std::string_view::npos ? "/" : std::string(uri.substr(slash));
  return true;
}

bool parse_resource(std::string_view path, resource& out) {
  path = path.substr(0, path.find('?'));
  if (path.substr(0, print_prefix.size()) != print_prefix) return false;
  std::string_view rest = path.substr(print_prefix.size());
  size_t slash = rest.find('/');
  std::string_view queue = rest.substr(0, slash);
  if (queue.empty() || queue.size() > 64) return false;
  for (char c : queue)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
  out.queue = std::string(queue);
  out.job_id = 0;
  if (slash != std::string_view::npos) {
    std::string_view id = rest.substr(slash + 1);
    if (!parse_u64(id, out.job_id) || out.job_id == 0) return false;
  }
  return true;
}

ipp_op_t operation_of(ipp_t* req) {
  ipp_op_t op = ippGetOperation(req);
  static_assert(sizeof(ipp_op_t) == sizeof(int));
  int id = 0;
  std::memcpy(&id, &op, sizeof id);  // its bytes: the enum may not be read as such
  return id >= 0 && id <= 0x7fff ? static_cast<ipp_op_t>(id) : IPP_OP_CUPS_INVALID;
}

check parse_common(ipp_t* req, bool needs_job, operation_common& out) {
  out.op = operation_of(req);
  if (auto c = read_name(req, "requesting-user-name", out.requesting_user)) return c;

  ipp_attribute_t* job_uri = find_op(req, "job-uri");
  ipp_attribute_t* printer_uri = find_op(req, "printer-uri");
  ipp_attribute_t* uri = needs_job && job_uri ? job_uri : printer_uri;
  const char* name = uri == job_uri ? "job-uri" : "printer-uri";
  if (!uri) return bad(needs_job ? "job-uri or printer-uri is required" : "printer-uri is required");
  if (ippGetValueTag(uri) != IPP_TAG_URI || ippGetCount(uri) != 1)
    return bad(std::string(name) + " must be a single uri");
  std::string path;
  const char* text = ippGetString(uri, 0, nullptr);
  if (!text || !uri_path(text, path)) return bad(std::string(name) + " is not an ipp URI");
  if (!parse_resource(path, out.target))
    return {IPP_STATUS_ERROR_NOT_FOUND, std::string(name) + " names no queue of this server"};

  if (!needs_job) return {};
  if (uri == job_uri) {
    if (out.target.job_id == 0) return {IPP_STATUS_ERROR_NOT_FOUND, "job-uri names no job"};
    return {};
  }
  ipp_attribute_t* id = find_op(req, "job-id");
  if (!id) return bad("job-id is required with printer-uri");
  if (ippGetValueTag(id) != IPP_TAG_INTEGER || ippGetCount(id) != 1 || ippGetInteger(id, 0) < 1)
    return bad("job-id must be a single positive integer");
  out.target.job_id = static_cast<uint64_t>(ippGetInteger(id, 0));
  return {};
}

check parse_job_creation(ipp_t* req, job_creation& out) {
  if (auto c = read_name(req, "job-name", out.job_name)) return c;
  if (auto c = read_name(req, "document-name", out.document_name)) return c;

  if (ipp_attribute_t* a = find_op(req, "ipp-attribute-fidelity")) {
    if (ippGetValueTag(a) != IPP_TAG_BOOLEAN || ippGetCount(a) != 1)
      return bad("ipp-attribute-fidelity must be a boolean");
    out.fidelity = ippGetBoolean(a, 0) != 0;
  }
  if (auto c = read_document_format(req, out.document_format, out.format_given)) return c;
  // job-hold-until may come in the operation group (ipptool's tests) or the job group.
  if (auto c = parse_hold_until(req, out.hold_until, out.unsupported)) return c;
  if (!ippFindAttribute(req, "job-hold-until", IPP_TAG_ZERO)) out.hold_until = "no-hold";

  if (auto c = parse_job_template(req, out.ticket, out.unsupported)) return c;
  if (out.fidelity && !out.unsupported.empty())
    return {IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES, "unsupported attributes with ipp-attribute-fidelity"};
  return {};
}

check parse_send_document(ipp_t* req, send_document& out) {
  if (auto c = read_name(req, "document-name", out.document_name)) return c;
  if (auto c = read_document_format(req, out.document_format, out.format_given)) return c;
  out.last = true;  // Close-Job has no last-document: it is the end
  if (operation_of(req) != IPP_OP_SEND_DOCUMENT) return {};
  ipp_attribute_t* a = find_op(req, "last-document");
  if (!a) return bad("last-document is required");
  if (ippGetValueTag(a) != IPP_TAG_BOOLEAN || ippGetCount(a) != 1) return bad("last-document must be a boolean");
  out.last = ippGetBoolean(a, 0) != 0;
  return {};
}

check parse_job_ids(ipp_t* req, std::vector<uint64_t>& out) {
  out.clear();
  ipp_attribute_t* a = find_op(req, "job-ids");
  if (!a) return {};
  if (ippGetValueTag(a) != IPP_TAG_INTEGER) return bad("job-ids must be integers");
  for (int i = 0; i < ippGetCount(a); ++i) {
    int v = ippGetInteger(a, i);
    if (v < 1) return bad("job-ids must be positive");
    out.push_back(static_cast<uint64_t>(v));
  }
  return {};
}

check parse_hold_until(ipp_t* req, std::string& out, std::vector<std::string>& unsupported) {
  out = "indefinite";
  ipp_attribute_t* a = ippFindAttribute(req, "job-hold-until", IPP_TAG_ZERO);
  if (!a) return {};
  ipp_tag_t t = ippGetValueTag(a);
  const char* v = ippGetString(a, 0, nullptr);
  if ((t != IPP_TAG_KEYWORD && !is_name_tag(t)) || ippGetCount(a) != 1 || !v)
    return bad("job-hold-until must be a single keyword");
  if (std::strcmp(v, "no-hold") == 0 || std::strcmp(v, "indefinite") == 0) {
    out = v;
  } else {
    // Timed holds (night, weekend...) are not supported yet: hold the job
    // until its owner releases it rather than print it early.
    out = "indefinite";
    unsupported.emplace_back("job-hold-until");
  }
  return {};
}

check parse_requested(ipp_t* req, std::vector<std::string>& out) {
  out.clear();
  ipp_attribute_t* a = find_op(req, "requested-attributes");
  if (!a) return {};
  if (ippGetValueTag(a) != IPP_TAG_KEYWORD) return bad("requested-attributes must be keywords");
  for (int i = 0; i < ippGetCount(a); ++i) out.emplace_back(ippGetString(a, i, nullptr));
  return {};
}

check parse_get_jobs(ipp_t* req, job_list_request& out) {
  if (auto c = parse_requested(req, out.requested)) return c;
  if (ipp_attribute_t* a = find_op(req, "which-jobs")) {
    const char* v = ippGetString(a, 0, nullptr);
    if (ippGetValueTag(a) != IPP_TAG_KEYWORD || ippGetCount(a) != 1 || !v)
      return bad("which-jobs must be a single keyword");
    if (std::strcmp(v, "not-completed") == 0)
      out.which = which_jobs::not_completed;
    else if (std::strcmp(v, "completed") == 0)
      out.which = which_jobs::completed;
    else if (std::strcmp(v, "all") == 0)
      out.which = which_jobs::all;
    else
      return {IPP_STATUS_ERROR_ATTRIBUTES_OR_VALUES, std::string("which-jobs '") + v + "' is not supported"};
  }
  if (ipp_attribute_t* a = find_op(req, "my-jobs")) {
    if (ippGetValueTag(a) != IPP_TAG_BOOLEAN || ippGetCount(a) != 1) return bad("my-jobs must be a boolean");
    out.my_jobs = ippGetBoolean(a, 0) != 0;
  }
  if (ipp_attribute_t* a = find_op(req, "limit")) {
    if (ippGetValueTag(a) != IPP_TAG_INTEGER || ippGetCount(a) != 1 || ippGetInteger(a, 0) < 1)
      return bad("limit must be a positive integer");
    out.limit = static_cast<uint32_t>(ippGetInteger(a, 0));
  }
  if (ipp_attribute_t* a = find_op(req, "first-index")) {
    if (ippGetValueTag(a) != IPP_TAG_INTEGER || ippGetCount(a) != 1 || ippGetInteger(a, 0) < 1)
      return bad("first-index must be a positive integer");
    out.first_index = static_cast<uint32_t>(ippGetInteger(a, 0));
  }
  return {};
}

void copy_unsupported(ipp_t* req, ipp_t* resp, const std::vector<std::string>& names) {
  for (const auto& n : names) {
    ipp_attribute_t* a = ippFindAttribute(req, n.c_str(), IPP_TAG_ZERO);
    if (!a) continue;
    ipp_attribute_t* copy = ippCopyAttribute(resp, a, 0);
    if (copy) ippSetGroupTag(resp, &copy, IPP_TAG_UNSUPPORTED_GROUP);
  }
}

}  // namespace quire::ipp
