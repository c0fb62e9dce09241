#include "actors/ipp/ipp_render.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <string_view>

#include "protocols/ipp/codec.hpp"

namespace quire {

namespace {

using ipp::attribute_group;

constexpr attribute_group desc = attribute_group::printer_description;
constexpr attribute_group jdesc = attribute_group::job_description;
constexpr attribute_group jtmpl = attribute_group::job_template;

const char* const operations_names[] = {
    "Print-Job",     "Validate-Job",   "Create-Job", "Send-Document",    "Cancel-Job",     "Get-Job-Attributes",
    "Get-Jobs",      "Get-Printer-Attributes",      "Hold-Job",         "Release-Job",    "Close-Job",
    "Cancel-My-Jobs", "Cancel-Jobs",   "Identify-Printer", "Create-Printer-Subscriptions",
    "Create-Job-Subscriptions", "Get-Subscription-Attributes", "Get-Subscriptions", "Renew-Subscription",
    "Cancel-Subscription", "Get-Notifications"};

void add_strings(ipp_t* r, ipp_tag_t group, ipp_tag_t tag, const char* name, const std::vector<std::string>& v) {
  std::vector<const char*> p;
  p.reserve(v.size());
  for (const auto& s : v) p.push_back(s.c_str());
  ippAddStrings(r, group, tag, name, static_cast<int>(p.size()), nullptr, p.data());
}

ipp_t* media_col(const char* name, int x, int y) {
  ipp_t* size = ippNew();
  ippAddInteger(size, IPP_TAG_ZERO, IPP_TAG_INTEGER, "x-dimension", x);
  ippAddInteger(size, IPP_TAG_ZERO, IPP_TAG_INTEGER, "y-dimension", y);
  ipp_t* col = ippNew();
  ippAddCollection(col, IPP_TAG_ZERO, "media-size", size);
  ippDelete(size);
  ippAddString(col, IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-size-name", nullptr, name);
  for (const char* margin : {"media-bottom-margin", "media-left-margin", "media-right-margin", "media-top-margin"})
    ippAddInteger(col, IPP_TAG_ZERO, IPP_TAG_INTEGER, margin, 423);
  return col;
}

void add_printer_state(ipp_t* r, const queue_view& v, const ipp::attribute_filter& want) {
  if (want.wants("printer-state", desc))
    ippAddInteger(r, IPP_TAG_PRINTER, IPP_TAG_ENUM, "printer-state", static_cast<int>(v.status.state));
  if (want.wants("printer-state-reasons", desc))
    ippAddString(r, IPP_TAG_PRINTER, IPP_TAG_KEYWORD, "printer-state-reasons", nullptr,
                 v.status.state == printer_state::stopped ? "stopped-partly" : "none");
  if (want.wants("printer-state-message", desc))
    ippAddString(r, IPP_TAG_PRINTER, IPP_TAG_TEXT, "printer-state-message", nullptr,
                 v.status.state_message.c_str());
  if (want.wants("printer-is-accepting-jobs", desc))
    ippAddBoolean(r, IPP_TAG_PRINTER, "printer-is-accepting-jobs", 1);
  if (want.wants("queued-job-count", desc))
    ippAddInteger(r, IPP_TAG_PRINTER, IPP_TAG_INTEGER, "queued-job-count", static_cast<int>(v.status.queued));
  if (want.wants("printer-up-time", desc))
    ippAddInteger(r, IPP_TAG_PRINTER, IPP_TAG_INTEGER, "printer-up-time", static_cast<int>(v.now_s));
  if (want.wants("printer-current-time", desc))
    ippAddDate(r, IPP_TAG_PRINTER, "printer-current-time", ippTimeToDate(static_cast<time_t>(v.now_s)));
}

void add_job_state(ipp_t* r, const job_record& job, const ipp::attribute_filter& want) {
  auto st = to_ipp_state(job);
  if (want.wants("job-state", jdesc)) ippAddInteger(r, IPP_TAG_JOB, IPP_TAG_ENUM, "job-state", st.state);
  if (want.wants("job-state-reasons", jdesc))
    ippAddStrings(r, IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-state-reasons", static_cast<int>(st.reasons.size()),
                  nullptr, st.reasons.data());
  if (want.wants("job-state-message", jdesc) && !job.state_message.empty())
    ippAddString(r, IPP_TAG_JOB, IPP_TAG_TEXT, "job-state-message", nullptr, job.state_message.c_str());
}

void add_time(ipp_t* r, const ipp::attribute_filter& want, const char* time_name, const char* date_name,
              int64_t ms) {
  if (want.wants(time_name, jdesc)) {
    if (ms > 0)
      ippAddInteger(r, IPP_TAG_JOB, IPP_TAG_INTEGER, time_name, static_cast<int>(ms / 1000));
    else
      ippAddOutOfBand(r, IPP_TAG_JOB, IPP_TAG_NOVALUE, time_name);
  }
  if (want.wants(date_name, jdesc)) {
    if (ms > 0)
      ippAddDate(r, IPP_TAG_JOB, date_name, ippTimeToDate(static_cast<time_t>(ms / 1000)));
    else
      ippAddOutOfBand(r, IPP_TAG_JOB, IPP_TAG_NOVALUE, date_name);
  }
}

}  // namespace

ipp_job_state to_ipp_state(const job_record& job) {
  switch (job.state) {
    case job_state::receiving: return {IPP_JSTATE_HELD, {"job-incoming"}};
    case job_state::analysing: return {IPP_JSTATE_PROCESSING, {"job-transforming"}};
    case job_state::held: return {IPP_JSTATE_HELD, {"job-hold-until-specified"}};
    case job_state::queued: return {IPP_JSTATE_PENDING, {"none"}};
    case job_state::delivering: return {IPP_JSTATE_PROCESSING, {"job-printing"}};
    case job_state::done: return {IPP_JSTATE_COMPLETED, {"job-completed-successfully"}};
    case job_state::failed: return {IPP_JSTATE_ABORTED, {"aborted-by-system", "job-completed-with-errors"}};
    case job_state::canceled: return {IPP_JSTATE_CANCELED, {"job-canceled-by-user"}};
    case job_state::expired: return {IPP_JSTATE_CANCELED, {"job-canceled-by-operator"}};
  }
  return {IPP_JSTATE_ABORTED, {"none"}};
}

const std::vector<std::string>& supported_document_formats() {
  static const std::vector<std::string> formats = {
      "application/octet-stream", "application/pdf",  "application/postscript",
      "application/vnd.hp-pcl",   "application/vnd.hp-pclxl", "image/jpeg",
      "image/png",                "image/pwg-raster", "image/urf",
      "text/plain"};
  return formats;
}

namespace {

void put16(std::string& out, size_t v) {
  out.push_back(static_cast<char>((v >> 8) & 0xff));
  out.push_back(static_cast<char>(v & 0xff));
}

void put_attribute(std::string& out, uint8_t tag, std::string_view name, std::string_view value) {
  out.push_back(static_cast<char>(tag));
  put16(out, name.size());
  out.append(name);
  put16(out, value.size());
  out.append(value);
}

}  // namespace

std::string encode_job_id_listing(ipp_t* request, const std::vector<uint64_t>& ids, size_t first,
                                  const std::string& job_uri_prefix, bool with_id, bool with_uri) {
  std::string out = ipp::encode(ipp::make_response(request, IPP_STATUS_OK).get());
  QUIRE_ASSERT(!out.empty() && out.back() == IPP_TAG_END, "an encoded response ends with its end tag");
  out.pop_back();
  size_t per_job = 1 + (with_id ? 15 : 0) + (with_uri ? 12 + job_uri_prefix.size() + 20 : 0);
  out.reserve(out.size() + (ids.size() > first ? ids.size() - first : 0) * per_job + 1);
  char num[24];
  for (size_t i = first; i < ids.size(); ++i) {
    out.push_back(static_cast<char>(IPP_TAG_JOB));
    auto id = static_cast<uint32_t>(ids[i]);
    if (with_id) {
      char be[4] = {static_cast<char>(id >> 24), static_cast<char>(id >> 16), static_cast<char>(id >> 8),
                    static_cast<char>(id)};
      put_attribute(out, IPP_TAG_INTEGER, "job-id", std::string_view(be, 4));
    }
    if (with_uri) {
      int n = std::snprintf(num, sizeof num, "%llu", static_cast<unsigned long long>(ids[i]));
      std::string uri = job_uri_prefix;
      uri.append(num, static_cast<size_t>(n));
      put_attribute(out, IPP_TAG_URI, "job-uri", uri);
    }
  }
  out.push_back(static_cast<char>(IPP_TAG_END));
  return out;
}

std::string printer_uri(const std::string& authority, const std::string& queue) {
  return "ipp://" + authority + "/ipp/print/" + queue;
}

std::string job_uri(const std::string& authority, const std::string& queue, uint64_t id) {
  return printer_uri(authority, queue) + "/" + std::to_string(id);
}

std::string queue_uuid(const std::string& server_uuid, const std::string& queue) {
  std::string input = server_uuid + "/" + queue;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), md, &len, EVP_sha1(), nullptr);
  md[6] = (md[6] & 0x0f) | 0x50;  // name-based, SHA-1 (RFC 4122 version 5)
  md[8] = (md[8] & 0x3f) | 0x80;
  char out[64];
  std::snprintf(out, sizeof out,
                "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", md[0],
                md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11], md[12],
                md[13], md[14], md[15]);
  return out;
}

void add_printer_attributes(ipp_t* r, const queue_view& v, const ipp::attribute_filter& want) {
  const queue_record& q = *v.queue;
  auto str = [&](const char* name, ipp_tag_t tag, const std::string& value) {
    if (want.wants(name, desc)) ippAddString(r, IPP_TAG_PRINTER, tag, name, nullptr, value.c_str());
  };
  auto strs = [&](const char* name, ipp_tag_t tag, const std::vector<std::string>& values) {
    if (want.wants(name, desc)) add_strings(r, IPP_TAG_PRINTER, tag, name, values);
  };
  std::string uri = printer_uri(v.authority, q.name);
  strs("printer-uri-supported", IPP_TAG_URI, {uri});
  strs("uri-authentication-supported", IPP_TAG_KEYWORD, {"requesting-user-name"});
  strs("uri-security-supported", IPP_TAG_KEYWORD, {"none"});
  str("printer-name", IPP_TAG_NAME, q.name);
  str("printer-info", IPP_TAG_TEXT, q.info.empty() ? q.name : q.info);
  str("printer-location", IPP_TAG_TEXT, q.location);
  str("printer-make-and-model", IPP_TAG_TEXT,
      v.server_name + (q.type == queue_type::pull ? " secure print queue" : " direct queue"));
  str("printer-more-info", IPP_TAG_URI, "http://" + v.authority + "/");
  str("printer-uuid", IPP_TAG_URI, queue_uuid(v.server_uuid, q.name));
  add_printer_state(r, v, want);
  strs("ipp-versions-supported", IPP_TAG_KEYWORD, {"1.0", "1.1", "2.0"});
  strs("ipp-features-supported", IPP_TAG_KEYWORD, {"none"});
  if (want.wants("operations-supported", desc)) {
    std::vector<int> ops;
    for (const char* name : operations_names) ops.push_back(ippOpValue(name));
    ippAddIntegers(r, IPP_TAG_PRINTER, IPP_TAG_ENUM, "operations-supported", static_cast<int>(ops.size()),
                   ops.data());
  }
  str("charset-configured", IPP_TAG_CHARSET, "utf-8");
  strs("charset-supported", IPP_TAG_CHARSET, {"utf-8", "us-ascii"});
  str("natural-language-configured", IPP_TAG_LANGUAGE, "en");
  strs("generated-natural-language-supported", IPP_TAG_LANGUAGE, {"en"});
  str("document-format-default", IPP_TAG_MIMETYPE, "application/octet-stream");
  strs("document-format-supported", IPP_TAG_MIMETYPE, supported_document_formats());
  strs("compression-supported", IPP_TAG_KEYWORD, {"none"});
  str("pdl-override-supported", IPP_TAG_KEYWORD, "attempted");
  if (want.wants("multiple-document-jobs-supported", desc))
    ippAddBoolean(r, IPP_TAG_PRINTER, "multiple-document-jobs-supported", 0);
  strs("which-jobs-supported", IPP_TAG_KEYWORD, {"completed", "not-completed", "all"});
  strs("job-creation-attributes-supported", IPP_TAG_KEYWORD, {"copies", "job-hold-until"});
  if (want.wants("copies-default", desc)) ippAddInteger(r, IPP_TAG_PRINTER, IPP_TAG_INTEGER, "copies-default", 1);
  if (want.wants("copies-supported", desc)) ippAddRange(r, IPP_TAG_PRINTER, "copies-supported", 1, 999);
  str("job-hold-until-default", IPP_TAG_KEYWORD, q.type == queue_type::pull ? "indefinite" : "no-hold");
  strs("job-hold-until-supported", IPP_TAG_KEYWORD, {"no-hold", "indefinite"});
  str("media-default", IPP_TAG_KEYWORD, "iso_a4_210x297mm");
  strs("media-supported", IPP_TAG_KEYWORD, {"iso_a4_210x297mm", "na_letter_8.5x11in", "iso_a3_297x420mm"});
  if (want.wants("media-col-default", desc)) {
    ipp_t* col = media_col("iso_a4_210x297mm", 21000, 29700);
    ippAddCollection(r, IPP_TAG_PRINTER, "media-col-default", col);
    ippDelete(col);
  }
  if (want.wants("media-col-database", desc)) {
    ipp_t* a4 = media_col("iso_a4_210x297mm", 21000, 29700);
    ipp_t* letter = media_col("na_letter_8.5x11in", 21590, 27940);
    ipp_t* a3 = media_col("iso_a3_297x420mm", 29700, 42000);
    const ipp_t* cols[] = {a4, letter, a3};
    ippAddCollections(r, IPP_TAG_PRINTER, "media-col-database", 3, cols);
    ippDelete(a4);
    ippDelete(letter);
    ippDelete(a3);
  }
}

void add_job_attributes(ipp_t* r, const job_record& job, const job_view& v, const ipp::attribute_filter& want) {
  bool full = v.admin || v.requester == job.owner;
  if (want.wants("job-id", jdesc))
    ippAddInteger(r, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-id", static_cast<int>(job.id));
  if (want.wants("job-uri", jdesc))
    ippAddString(r, IPP_TAG_JOB, IPP_TAG_URI, "job-uri", nullptr, job_uri(v.authority, job.queue, job.id).c_str());
  if (want.wants("job-printer-uri", jdesc))
    ippAddString(r, IPP_TAG_JOB, IPP_TAG_URI, "job-printer-uri", nullptr,
                 printer_uri(v.authority, job.queue).c_str());
  if (want.wants("job-uuid", jdesc) && !job.uuid.empty())
    ippAddString(r, IPP_TAG_JOB, IPP_TAG_URI, "job-uuid", nullptr, job.uuid.c_str());
  add_job_state(r, job, want);
  if (full) {
    if (want.wants("job-name", jdesc))
      ippAddString(r, IPP_TAG_JOB, IPP_TAG_NAME, "job-name", nullptr, job.name.c_str());
    if (want.wants("job-originating-user-name", jdesc))
      ippAddString(r, IPP_TAG_JOB, IPP_TAG_NAME, "job-originating-user-name", nullptr, job.owner.c_str());
    if (want.wants("job-originating-host-name", jdesc) && !job.origin_host.empty())
      ippAddString(r, IPP_TAG_JOB, IPP_TAG_NAME, "job-originating-host-name", nullptr, job.origin_host.c_str());
    if (want.wants("document-name-supplied", jdesc) && !job.document_name.empty())
      ippAddString(r, IPP_TAG_JOB, IPP_TAG_NAME, "document-name-supplied", nullptr, job.document_name.c_str());
  }
  if (want.wants("document-format-supplied", jdesc) && !job.document_format.empty())
    ippAddString(r, IPP_TAG_JOB, IPP_TAG_MIMETYPE, "document-format-supplied", nullptr,
                 job.document_format.c_str());
  if (want.wants("job-k-octets", jdesc))
    ippAddInteger(r, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-k-octets",
                  static_cast<int>((job.document_size + 1023) / 1024));
  if (want.wants("number-of-documents", jdesc))
    ippAddInteger(r, IPP_TAG_JOB, IPP_TAG_INTEGER, "number-of-documents", job.document_format.empty() ? 0 : 1);
  if (want.wants("job-printer-up-time", jdesc))
    ippAddInteger(r, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-printer-up-time", static_cast<int>(v.now_s));
  add_time(r, want, "time-at-creation", "date-time-at-creation", job.created_ms);
  add_time(r, want, "time-at-processing", "date-time-at-processing", job.processing_ms);
  add_time(r, want, "time-at-completed", "date-time-at-completed", job.completed_ms);
  if (want.wants("copies", jtmpl))
    ippAddInteger(r, IPP_TAG_JOB, IPP_TAG_INTEGER, "copies", static_cast<int>(job.copies));
  if (want.wants("job-hold-until", jtmpl))
    ippAddString(r, IPP_TAG_JOB, IPP_TAG_KEYWORD, "job-hold-until", nullptr,
                 job.state == job_state::held ? "indefinite" : "no-hold");
  if (want.wants("job-impressions", jdesc) && job.impressions > 0)
    ippAddInteger(r, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-impressions", static_cast<int>(job.impressions));
  if (want.wants("job-impressions-completed", jdesc))
    ippAddInteger(r, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-impressions-completed",
                  job.state == job_state::done ? static_cast<int>(job.impressions) : 0);
}

}  // namespace quire
