#include "actors/ipp/ipp_render.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <ctime>
#include <string_view>

#include "protocols/ipp/codec.hpp"

namespace quire {

namespace {

using ipp::attribute_group;

constexpr attribute_group jdesc = attribute_group::job_description;
constexpr attribute_group jtmpl = attribute_group::job_template;

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

// The job ticket as job template attributes (RFC 8011 §5.2): the values
// the job was accepted with, defaults included.
void add_job_template(ipp_t* r, const job_record& job, const ipp::attribute_filter& want) {
  ipp::job_ticket t = ticket_of(job);
  auto keyword = [&](const char* name, const std::string& v) {
    if (want.wants(name, jtmpl)) ippAddString(r, IPP_TAG_JOB, IPP_TAG_KEYWORD, name, nullptr, v.c_str());
  };
  auto integer = [&](const char* name, ipp_tag_t tag, int v) {
    if (want.wants(name, jtmpl)) ippAddInteger(r, IPP_TAG_JOB, tag, name, v);
  };
  integer("copies", IPP_TAG_INTEGER, static_cast<int>(t.copies));
  keyword("job-hold-until", job.state == job_state::held ? "indefinite" : "no-hold");
  integer("finishings", IPP_TAG_ENUM, IPP_FINISHINGS_NONE);
  integer("job-priority", IPP_TAG_INTEGER, t.job_priority);
  keyword("job-sheets", t.banner ? "standard" : "none");
  keyword("media", t.media);
  if (want.wants("media-col", jtmpl)) {
    ipp_t* col = ippNew();
    if (const ipp::media_size* s = ipp::find_media(t.media)) {
      ipp_t* size = ippNew();
      ippAddInteger(size, IPP_TAG_ZERO, IPP_TAG_INTEGER, "x-dimension", s->width);
      ippAddInteger(size, IPP_TAG_ZERO, IPP_TAG_INTEGER, "y-dimension", s->length);
      ippAddCollection(col, IPP_TAG_ZERO, "media-size", size);
      ippDelete(size);
    }
    ippAddString(col, IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-size-name", nullptr, t.media.c_str());
    ippAddString(col, IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-source", nullptr, t.media_source.c_str());
    ippAddString(col, IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-type", nullptr, t.media_type.c_str());
    ippAddCollection(r, IPP_TAG_JOB, "media-col", col);
    ippDelete(col);
  }
  keyword("multiple-document-handling",
          t.uncollated ? "separate-documents-uncollated-copies" : "separate-documents-collated-copies");
  integer("number-up", IPP_TAG_INTEGER, t.number_up);
  if (t.orientation) integer("orientation-requested", IPP_TAG_ENUM, t.orientation);
  keyword("output-bin", t.output_bin);
  if (!t.page_ranges.empty() && want.wants("page-ranges", jtmpl)) {
    std::vector<int> lower, upper;
    for (const auto& pr : t.page_ranges) {
      lower.push_back(pr.first);
      upper.push_back(pr.last);
    }
    ippAddRanges(r, IPP_TAG_JOB, "page-ranges", static_cast<int>(lower.size()), lower.data(), upper.data());
  }
  keyword("print-color-mode", t.color_mode);
  keyword("print-content-optimize", t.content_optimize);
  integer("print-quality", IPP_TAG_ENUM, t.print_quality);
  keyword("print-rendering-intent", t.rendering_intent);
  keyword("print-scaling", t.print_scaling);
  if (want.wants("printer-resolution", jtmpl))
    ippAddResolution(r, IPP_TAG_JOB, "printer-resolution", IPP_RES_PER_INCH, t.resolution_dpi, t.resolution_dpi);
  keyword("sides", t.sides);
}

// Read once, when quired loads.
const int64_t started_s = static_cast<int64_t>(std::time(nullptr));

}  // namespace

int64_t server_started_s() { return started_s; }

void store_ticket(const ipp::job_ticket& t, job_record& job) {
  job.copies = t.copies;
  job.media = t.media;
  job.media_source = t.media_source;
  job.media_type = t.media_type;
  job.sides = t.sides;
  job.color_mode = t.color_mode;
  job.print_quality = static_cast<uint8_t>(t.print_quality);
  job.orientation = static_cast<uint8_t>(t.orientation);
  job.resolution_dpi = static_cast<uint16_t>(t.resolution_dpi);
  job.number_up = static_cast<uint8_t>(t.number_up);
  job.job_priority = static_cast<uint8_t>(t.job_priority);
  job.banner = t.banner;
  job.uncollated = t.uncollated;
  job.page_ranges.clear();
  for (const auto& r : t.page_ranges) {
    job.page_ranges.push_back(static_cast<uint32_t>(r.first));
    job.page_ranges.push_back(static_cast<uint32_t>(r.last));
  }
  job.print_scaling = t.print_scaling;
  job.content_optimize = t.content_optimize;
  job.rendering_intent = t.rendering_intent;
}

ipp::job_ticket ticket_of(const job_record& job) {
  ipp::job_ticket t;  // the defaults, for whatever the record leaves empty
  auto text = [](std::string& field, const std::string& stored) {
    if (!stored.empty()) field = stored;
  };
  auto number = [](int& field, int stored) {
    if (stored != 0) field = stored;
  };
  t.copies = job.copies > 0 ? job.copies : 1;
  text(t.media, job.media);
  text(t.media_source, job.media_source);
  text(t.media_type, job.media_type);
  text(t.sides, job.sides);
  text(t.color_mode, job.color_mode);
  number(t.print_quality, job.print_quality);
  t.orientation = job.orientation;
  number(t.resolution_dpi, job.resolution_dpi);
  number(t.number_up, job.number_up);
  number(t.job_priority, job.job_priority);
  t.banner = job.banner;
  t.uncollated = job.uncollated;
  for (size_t i = 0; i + 1 < job.page_ranges.size(); i += 2)
    t.page_ranges.push_back({static_cast<int32_t>(job.page_ranges[i]), static_cast<int32_t>(job.page_ranges[i + 1])});
  text(t.print_scaling, job.print_scaling);
  text(t.content_optimize, job.content_optimize);
  text(t.rendering_intent, job.rendering_intent);
  return t;
}

ipp_job_state to_ipp_state(const job_record& job) {
  switch (job.state) {
    case job_state::receiving: return {IPP_JSTATE_HELD, {"job-incoming"}};
    case job_state::analysing: return {IPP_JSTATE_PROCESSING, {"job-transforming"}};
    case job_state::held:
      if (!job.pin_hash.empty()) return {IPP_JSTATE_HELD, {"job-password-wait"}};
      return {IPP_JSTATE_HELD, {"job-hold-until-specified"}};
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

int clamp_int(uint64_t v) { return static_cast<int>(std::min<uint64_t>(v, INT32_MAX)); }

// A PWG 5100.7 "-col" counter: full-color and monochrome members.
void add_colour_col(ipp_t* r, const char* name, uint64_t colour, uint64_t total) {
  ipp_t* col = ippNew();
  ippAddInteger(col, IPP_TAG_ZERO, IPP_TAG_INTEGER, "full-color", clamp_int(colour));
  ippAddInteger(col, IPP_TAG_ZERO, IPP_TAG_INTEGER, "monochrome", clamp_int(total - std::min(colour, total)));
  ippAddCollection(r, IPP_TAG_JOB, name, col);
  ippDelete(col);
}

}  // namespace

// What the job processor counted (PWG 5100.7 job-pages, job-impressions,
// job-media-sheets and their -col forms); absent until it has.
void add_job_counts(ipp_t* r, const job_record& job, const ipp::attribute_filter& want) {
  constexpr auto jdesc = ipp::attribute_group::job_description;
  const job_analysis& a = job.analysis;
  if (a.status != 1) return;
  if (want.wants("job-pages", jdesc)) ippAddInteger(r, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-pages", clamp_int(a.pages));
  if (want.wants("job-pages-col", jdesc)) add_colour_col(r, "job-pages-col", a.colour_pages, a.pages);
  if (want.wants("job-impressions", jdesc))
    ippAddInteger(r, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-impressions", clamp_int(a.impressions));
  if (want.wants("job-impressions-col", jdesc))
    add_colour_col(r, "job-impressions-col", a.colour_impressions, a.impressions);
  if (want.wants("job-media-sheets", jdesc))
    ippAddInteger(r, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-media-sheets", clamp_int(a.sheets));
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

std::string printer_uri(const std::string& authority, const std::string& queue, bool secure) {
  return (secure ? "ipps://" : "ipp://") + authority + "/ipp/print/" + queue;
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

void add_job_attributes(ipp_t* r, const job_record& job, const job_view& v, const ipp::attribute_filter& want) {
  bool full = !v.mask_others || v.admin || v.requester == job.owner;
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
  add_job_template(r, job, want);
  add_job_counts(r, job, want);
  if (want.wants("job-impressions-completed", jdesc))
    ippAddInteger(r, IPP_TAG_JOB, IPP_TAG_INTEGER, "job-impressions-completed",
                  job.state == job_state::done ? static_cast<int>(job.impressions) : 0);
}

}  // namespace quire
