// The printer attributes of a queue: RFC 8011 §5.4, PWG 5100.12 (IPP/2.x),
// PWG 5100.13 (job and printer extensions) and PWG 5100.14 (IPP Everywhere).
//
// A queue is a virtual printer in front of a fleet's real ones, so nothing
// here describes one device: the job template values come from
// ipp::offer() (protocols/ipp/job_template.hpp), the same table that
// validates jobs; device-only facts (supplies, location on a map, speed)
// get honest placeholders.
#include <ctime>
#include <string_view>

#include "actors/ipp/ipp_render.hpp"

namespace quire {

namespace {

using ipp::attribute_group;
constexpr attribute_group desc = attribute_group::printer_description;
constexpr attribute_group jtmpl = attribute_group::job_template;

// multiple-operation-time-out (RFC 8011): how long a Create-Job job waits
// for its document before it is aborted.
constexpr int multiple_operation_time_out_s = 300;
// A fleet's office printers; the speed of the one a job is released to.
constexpr int pages_per_minute = 20;

const char* const operations_names[] = {
    "Print-Job",     "Validate-Job",   "Create-Job", "Send-Document",    "Cancel-Job",     "Get-Job-Attributes",
    "Get-Jobs",      "Get-Printer-Attributes",      "Hold-Job",         "Release-Job",    "Close-Job",
    "Cancel-My-Jobs", "Cancel-Jobs",   "Identify-Printer", "Create-Printer-Subscriptions",
    "Create-Job-Subscriptions", "Get-Subscription-Attributes", "Get-Subscriptions", "Renew-Subscription",
    "Cancel-Subscription", "Get-Notifications"};

// Adds attributes to the printer group of one response, each only when the
// filter wants it.
class printer_group {
 public:
  printer_group(ipp_t* r, const ipp::attribute_filter& want) : r_(r), want_(want) {}

  /// From now on, attributes are the -default/-supported/-ready values of
  /// job template attributes (media-col-database among them): RFC 8011
  /// §4.2.5.1 puts them in the "job-template" group, not in
  /// "printer-description".
  void job_template_values() { template_ = true; }

  bool wants(const char* name) const { return want_.wants(name, template_ ? jtmpl : desc); }

  void string(const char* name, ipp_tag_t tag, std::string_view value) {
    if (wants(name)) ippAddString(r_, IPP_TAG_PRINTER, tag, name, nullptr, std::string(value).c_str());
  }
  void strings(const char* name, ipp_tag_t tag, const std::vector<const char*>& values) {
    if (wants(name))
      ippAddStrings(r_, IPP_TAG_PRINTER, tag, name, static_cast<int>(values.size()), nullptr, values.data());
  }
  void strings_of(const char* name, ipp_tag_t tag, const std::vector<std::string>& values) {
    std::vector<const char*> p;
    for (const auto& v : values) p.push_back(v.c_str());
    strings(name, tag, p);
  }
  void integer(const char* name, ipp_tag_t tag, int value) {
    if (wants(name)) ippAddInteger(r_, IPP_TAG_PRINTER, tag, name, value);
  }
  void integers(const char* name, ipp_tag_t tag, const std::vector<int>& values) {
    if (wants(name)) ippAddIntegers(r_, IPP_TAG_PRINTER, tag, name, static_cast<int>(values.size()), values.data());
  }
  void boolean(const char* name, bool value) {
    if (wants(name)) ippAddBoolean(r_, IPP_TAG_PRINTER, name, value ? 1 : 0);
  }
  void range(const char* name, int lower, int upper) {
    if (wants(name)) ippAddRange(r_, IPP_TAG_PRINTER, name, lower, upper);
  }
  void date(const char* name, int64_t s) {
    if (wants(name)) ippAddDate(r_, IPP_TAG_PRINTER, name, ippTimeToDate(static_cast<time_t>(s)));
  }
  void out_of_band(const char* name, ipp_tag_t tag) {
    if (wants(name)) ippAddOutOfBand(r_, IPP_TAG_PRINTER, tag, name);
  }
  void resolutions(const char* name, const std::vector<int>& dpi) {
    if (!wants(name)) return;
    ippAddResolutions(r_, IPP_TAG_PRINTER, name, static_cast<int>(dpi.size()), IPP_RES_PER_INCH, dpi.data(),
                      dpi.data());
  }
  // Takes the collections and deletes them.
  void collections(const char* name, std::vector<ipp_t*> cols) {
    if (wants(name) && !cols.empty())
      ippAddCollections(r_, IPP_TAG_PRINTER, name, static_cast<int>(cols.size()),
                        const_cast<const ipp_t**>(cols.data()));
    for (ipp_t* c : cols) ippDelete(c);
  }
  template <class Make>
  void collections_of(const char* name, Make make) {
    if (wants(name)) collections(name, make());
  }
  void octets(const char* name, std::string_view value) {
    if (wants(name))
      ippAddOctetString(r_, IPP_TAG_PRINTER, name, value.data(), static_cast<int>(value.size()));
  }
  // REQUIRES: values not empty.
  void octets_of(const char* name, const std::vector<std::string>& values) {
    if (!wants(name)) return;
    ipp_attribute_t* a = ippAddOctetString(r_, IPP_TAG_PRINTER, name, values[0].data(),
                                           static_cast<int>(values[0].size()));
    for (size_t i = 1; i < values.size(); ++i)
      ippSetOctetString(r_, &a, static_cast<int>(i), values[i].data(), static_cast<int>(values[i].size()));
  }

 private:
  ipp_t* r_;
  const ipp::attribute_filter& want_;
  bool template_ = false;
};

ipp_t* media_size_col(const ipp::media_size& s) {
  ipp_t* size = ippNew();
  ippAddInteger(size, IPP_TAG_ZERO, IPP_TAG_INTEGER, "x-dimension", s.width);
  ippAddInteger(size, IPP_TAG_ZERO, IPP_TAG_INTEGER, "y-dimension", s.length);
  return size;
}

// One media-col-database / media-col-ready entry (PWG 5100.7 media-col).
ipp_t* media_col(const ipp::media_size& s, const char* source = nullptr) {
  ipp_t* col = ippNew();
  ipp_t* size = media_size_col(s);
  ippAddCollection(col, IPP_TAG_ZERO, "media-size", size);
  ippDelete(size);
  ippAddString(col, IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-size-name", nullptr, s.name);
  int m = ipp::offer().margin;
  for (const char* margin : {"media-bottom-margin", "media-left-margin", "media-right-margin", "media-top-margin"})
    ippAddInteger(col, IPP_TAG_ZERO, IPP_TAG_INTEGER, margin, m);
  if (source) ippAddString(col, IPP_TAG_ZERO, IPP_TAG_KEYWORD, "media-source", nullptr, source);
  return col;
}

void add_identity(printer_group& g, const queue_view& v) {
  const queue_record& q = *v.queue;
  // RFC 8011 §5.4.1-3: one URI per scheme, the security
  // and authentication lists parallel to it. Requests over TLS get ipps first.
  std::string ipp = printer_uri(v.authority, q.name, false);
  std::string ipps = printer_uri(v.authority, q.name, true);
  std::vector<std::string> uris{ipp}, security{"none"}, auth{"requesting-user-name"};
  if (v.tls_available && q.auth_required) {
    // A queue that requires a login is offered over TLS only, with Basic:
    // a password never crosses the network in clear.
    uris = {ipps};
    security = {"tls"};
    auth = {"basic"};
  } else if (v.tls_available) {
    uris.insert(v.secure ? uris.begin() : uris.end(), ipps);
    security.insert(v.secure ? security.begin() : security.end(), "tls");
    auth.emplace_back("requesting-user-name");
  }
  g.strings_of("printer-uri-supported", IPP_TAG_URI, uris);
  g.strings_of("uri-security-supported", IPP_TAG_KEYWORD, security);
  g.strings_of("uri-authentication-supported", IPP_TAG_KEYWORD, auth);
  g.string("printer-name", IPP_TAG_NAME, q.name);
  g.string("printer-info", IPP_TAG_TEXT, q.info.empty() ? q.name : q.info);
  g.string("printer-location", IPP_TAG_TEXT, q.location);
  std::string model = v.server_name + (q.type == queue_type::pull    ? " secure print queue"
                                       : q.type == queue_type::group ? " printer group"
                                                                     : " direct queue");
  g.string("printer-make-and-model", IPP_TAG_TEXT, model);
  // IEEE 1284 device ID: the command sets mirror document-format-supported.
  g.string("printer-device-id", IPP_TAG_TEXT,
           "MFG:Quire;MDL:" + model + ";CMD:PDF,POSTSCRIPT,PCL,PCLXL,PWGRaster,URF,JPEG,PNG;");
  std::string web = std::string(v.secure ? "https://" : "http://") + v.authority;
  g.string("printer-more-info", IPP_TAG_URI, web + "/");
  g.strings_of("printer-icons", IPP_TAG_URI, std::vector<std::string>{web + queue_icon_path});
  g.string("printer-uuid", IPP_TAG_URI, queue_uuid(v.server_uuid, q.name));
  g.strings("printer-kind", IPP_TAG_KEYWORD, {"document"});
  g.string("printer-organization", IPP_TAG_TEXT, "");
  g.string("printer-organizational-unit", IPP_TAG_TEXT, "");
  // A queue is not a place: printer-geo-location (PWG 5100.13) is unknown.
  g.out_of_band("printer-geo-location", IPP_TAG_UNKNOWN);
  g.string("printer-supply-info-uri", IPP_TAG_URI, web + "/");
}

// printer-supply (PWG 5100.13, RFC 3805 values): a queue of one monitored
// printer shows that device's supplies; any other queue's supplies are those
// of whichever printer a job goes to: one entry saying so, level -2
// ("unknown").
void add_supplies(printer_group& g, const queue_view& v) {
  const auto& supplies = v.status.device.status.supplies;
  std::vector<std::string> values, names;
  for (size_t i = 0; i < supplies.size(); ++i) {
    const auto& s = supplies[i];
    bool receptacle = s.supply_class == 4;
    int p = s.percent();
    values.push_back("index=" + std::to_string(i + 1) + ";class=" +
                     (receptacle ? "receptacleThatIsFilled" : "supplyThatIsConsumed") + ";type=" +
                     (s.type == 3 ? "toner" : s.type == 4 ? "wasteToner" : s.type == 5 ? "ink" : "other") +
                     ";unit=percent;maxcapacity=100;level=" + std::to_string(p >= 0 ? p : s.level) + ";");
    names.push_back(s.description);
  }
  if (values.empty()) {
    values.emplace_back(
        "index=1;class=supplyThatIsConsumed;type=other;unit=percent;maxcapacity=100;level=-2;colorantname=unknown;");
    names.emplace_back("Supplies of the printer the job is released to");
  }
  g.octets_of("printer-supply", values);
  g.strings_of("printer-supply-description", IPP_TAG_TEXT, names);
}

void add_state(printer_group& g, const queue_view& v) {
  add_supplies(g, v);
  g.integer("printer-state", IPP_TAG_ENUM, static_cast<int>(v.status.state));
  std::vector<std::string> reasons = v.status.reasons;  // the devices' conditions
  if (v.status.state == printer_state::stopped && reasons.empty()) reasons.emplace_back("stopped-partly");
  if (!v.status.accepting && !v.status.not_accepting_reason.empty())
    reasons.push_back(v.status.not_accepting_reason);
  if (reasons.empty()) reasons.emplace_back("none");
  g.strings_of("printer-state-reasons", IPP_TAG_KEYWORD, reasons);
  g.string("printer-state-message", IPP_TAG_TEXT, v.status.state_message);
  g.boolean("printer-is-accepting-jobs", v.status.accepting);
  g.integer("queued-job-count", IPP_TAG_INTEGER, static_cast<int>(v.status.queued));
  g.integer("printer-up-time", IPP_TAG_INTEGER, static_cast<int>(v.now_s));
  g.date("printer-current-time", v.now_s);
  int64_t changed = v.changed_s > 0 ? v.changed_s : server_started_s();
  g.integer("printer-state-change-time", IPP_TAG_INTEGER, static_cast<int>(changed));
  g.date("printer-state-change-date-time", changed);
  g.integer("printer-config-change-time", IPP_TAG_INTEGER, static_cast<int>(changed));
  g.date("printer-config-change-date-time", changed);
}

void add_service(printer_group& g) {
  g.strings("ipp-versions-supported", IPP_TAG_KEYWORD, {"1.0", "1.1", "2.0"});
  g.strings("ipp-features-supported", IPP_TAG_KEYWORD, {"ipp-everywhere", "subscription-object"});
  if (g.wants("operations-supported")) {
    std::vector<int> ops;
    for (const char* name : operations_names) ops.push_back(ippOpValue(name));
    g.integers("operations-supported", IPP_TAG_ENUM, ops);
  }
  g.string("charset-configured", IPP_TAG_CHARSET, "utf-8");
  g.strings("charset-supported", IPP_TAG_CHARSET, {"utf-8", "us-ascii"});
  g.string("natural-language-configured", IPP_TAG_LANGUAGE, "en");
  g.strings("generated-natural-language-supported", IPP_TAG_LANGUAGE, {"en"});
  g.string("document-format-default", IPP_TAG_MIMETYPE, "application/octet-stream");
  g.strings_of("document-format-supported", IPP_TAG_MIMETYPE, supported_document_formats());
  g.strings("compression-supported", IPP_TAG_KEYWORD, {"none", "deflate", "gzip"});
  g.string("pdl-override-supported", IPP_TAG_KEYWORD, "attempted");
  g.boolean("multiple-document-jobs-supported", false);
  g.integer("multiple-operation-time-out", IPP_TAG_INTEGER, multiple_operation_time_out_s);
  g.string("multiple-operation-time-out-action", IPP_TAG_KEYWORD, "abort-job");
  g.strings("which-jobs-supported", IPP_TAG_KEYWORD, {"completed", "not-completed", "all"});
  g.boolean("job-ids-supported", true);
  g.boolean("preferred-attributes-supported", false);
  g.strings("printer-get-attributes-supported", IPP_TAG_KEYWORD, {"document-format"});
  g.strings("job-settable-attributes-supported", IPP_TAG_KEYWORD, {"none"});
  g.strings("printer-settable-attributes-supported", IPP_TAG_KEYWORD, {"none"});
  g.strings("identify-actions-default", IPP_TAG_KEYWORD, {"display"});
  g.strings("identify-actions-supported", IPP_TAG_KEYWORD, {"display"});
  g.boolean("color-supported", true);
  g.integer("pages-per-minute", IPP_TAG_INTEGER, pages_per_minute);
  g.integer("pages-per-minute-color", IPP_TAG_INTEGER, pages_per_minute);
  // What the job processor takes in (Ghostscript reads all of these).
  g.strings("pdf-versions-supported", IPP_TAG_KEYWORD,
            {"adobe-1.3", "adobe-1.4", "adobe-1.5", "adobe-1.6", "adobe-1.7", "iso-32000-1_2008",
             "iso-32000-2_2017"});
}

void add_media(printer_group& g, const ipp::template_offer& o, const ipp::job_ticket& d) {
  const ipp::media_size* def = ipp::find_media(d.media);
  g.string("media-default", IPP_TAG_KEYWORD, d.media);
  std::vector<const char*> names;
  for (const auto& s : o.media) names.push_back(s.name);
  g.strings("media-supported", IPP_TAG_KEYWORD, names);
  g.strings("media-ready", IPP_TAG_KEYWORD, o.media_ready);
  g.collections_of("media-col-default", [&] { return std::vector<ipp_t*>{media_col(*def, "auto")}; });
  g.collections_of("media-col-database", [&] {
    std::vector<ipp_t*> cols;
    for (const auto& s : o.media) cols.push_back(media_col(s));
    return cols;
  });
  g.collections_of("media-col-ready", [&] {
    std::vector<ipp_t*> cols;
    for (const char* n : o.media_ready) cols.push_back(media_col(*ipp::find_media(n), "auto"));
    return cols;
  });
  g.collections_of("media-size-supported", [&] {
    std::vector<ipp_t*> cols;
    for (const auto& s : o.media) cols.push_back(media_size_col(s));
    return cols;
  });
  g.strings("media-col-supported", IPP_TAG_KEYWORD,
            {"media-bottom-margin", "media-left-margin", "media-right-margin", "media-size", "media-size-name",
             "media-source", "media-top-margin", "media-type"});
  for (const char* margin : {"media-bottom-margin-supported", "media-left-margin-supported",
                             "media-right-margin-supported", "media-top-margin-supported"})
    g.integer(margin, IPP_TAG_INTEGER, o.margin);
  g.string("media-source-default", IPP_TAG_KEYWORD, d.media_source);
  g.strings("media-source-supported", IPP_TAG_KEYWORD, o.media_sources);
  g.string("media-type-default", IPP_TAG_KEYWORD, d.media_type);
  g.strings("media-type-supported", IPP_TAG_KEYWORD, o.media_types);
}

void add_job_template(printer_group& g, const queue_view& v) {
  const ipp::template_offer& o = ipp::offer();
  const ipp::job_ticket d;  // the defaults
  g.strings("job-creation-attributes-supported", IPP_TAG_KEYWORD, o.creation_attributes);
  g.job_template_values();
  g.integer("copies-default", IPP_TAG_INTEGER, static_cast<int>(d.copies));
  g.range("copies-supported", 1, o.copies_max);
  g.string("job-hold-until-default", IPP_TAG_KEYWORD,
           v.queue->type == queue_type::pull ? "indefinite" : "no-hold");
  g.strings("job-hold-until-supported", IPP_TAG_KEYWORD, {"no-hold", "indefinite"});
  // PIN printing (PWG 5100.11): a clear PIN of 4-8 digits, or its SHA-256.
  g.integer("job-password-supported", IPP_TAG_INTEGER, 8);
  g.strings("job-password-encryption-supported", IPP_TAG_KEYWORD, {"none", "sha2-256"});
  g.string("job-password-repertoire-configured", IPP_TAG_KEYWORD, "iana_us-ascii_digits");
  g.strings("job-password-repertoire-supported", IPP_TAG_KEYWORD, {"iana_us-ascii_digits"});
  g.integer("job-priority-default", IPP_TAG_INTEGER, d.job_priority);
  g.integer("job-priority-supported", IPP_TAG_INTEGER, o.priority_levels);
  g.strings("job-sheets-default", IPP_TAG_KEYWORD, {d.banner ? "standard" : "none"});
  g.strings("job-sheets-supported", IPP_TAG_KEYWORD, o.job_sheets);
  add_media(g, o, d);
  g.integers("finishings-default", IPP_TAG_ENUM, {IPP_FINISHINGS_NONE});
  g.integers("finishings-supported", IPP_TAG_ENUM, o.finishings);
  g.string("multiple-document-handling-default", IPP_TAG_KEYWORD,
           d.uncollated ? "separate-documents-uncollated-copies" : "separate-documents-collated-copies");
  g.strings("multiple-document-handling-supported", IPP_TAG_KEYWORD, o.document_handling);
  g.integer("number-up-default", IPP_TAG_INTEGER, d.number_up);
  g.integers("number-up-supported", IPP_TAG_INTEGER, o.number_up);
  // no-value: no orientation is imposed, the document's own is kept (a
  // job may still ask for "none", 7, PWG 5100.13).
  g.out_of_band("orientation-requested-default", IPP_TAG_NOVALUE);
  g.integers("orientation-requested-supported", IPP_TAG_ENUM, o.orientations);
  g.string("output-bin-default", IPP_TAG_KEYWORD, d.output_bin);
  g.strings("output-bin-supported", IPP_TAG_KEYWORD, o.output_bins);
  g.boolean("page-ranges-supported", true);
  g.strings("overrides-supported", IPP_TAG_KEYWORD, {"document-number", "pages"});
  g.string("print-color-mode-default", IPP_TAG_KEYWORD, d.color_mode);
  g.strings("print-color-mode-supported", IPP_TAG_KEYWORD, o.color_modes);
  g.string("print-content-optimize-default", IPP_TAG_KEYWORD, d.content_optimize);
  g.strings("print-content-optimize-supported", IPP_TAG_KEYWORD, o.content_optimize);
  g.integer("print-quality-default", IPP_TAG_ENUM, d.print_quality);
  g.integers("print-quality-supported", IPP_TAG_ENUM, o.print_qualities);
  g.string("print-rendering-intent-default", IPP_TAG_KEYWORD, d.rendering_intent);
  g.strings("print-rendering-intent-supported", IPP_TAG_KEYWORD, o.rendering_intents);
  g.string("print-scaling-default", IPP_TAG_KEYWORD, d.print_scaling);
  g.strings("print-scaling-supported", IPP_TAG_KEYWORD, o.print_scaling);
  g.resolutions("printer-resolution-default", {d.resolution_dpi});
  g.resolutions("printer-resolution-supported", o.resolutions_dpi);
  g.string("sides-default", IPP_TAG_KEYWORD, d.sides);
  g.strings("sides-supported", IPP_TAG_KEYWORD, o.sides);
}

// The raster formats IPP Everywhere requires (PWG 5102.4) and Apple's URF,
// at the resolutions the queues offer; 8-bit grey and sRGB only.
void add_raster(printer_group& g) {
  const ipp::template_offer& o = ipp::offer();
  g.resolutions("pwg-raster-document-resolution-supported", o.resolutions_dpi);
  g.string("pwg-raster-document-sheet-back", IPP_TAG_KEYWORD, "normal");
  g.strings("pwg-raster-document-type-supported", IPP_TAG_KEYWORD, {"sgray_8", "srgb_8"});
  g.strings("urf-supported", IPP_TAG_KEYWORD,
            {"V1.4", "W8", "SRGB24", "CP1", "IS1-20", "MT1-2-3-4-5-8-10-11-12", "OB10", "PQ3-4-5", "RS300-600",
             "DM1"});
}

}  // namespace

void add_printer_description(ipp_t* r, const queue_view& v, const ipp::attribute_filter& want) {
  printer_group g(r, want);
  add_identity(g, v);
  add_service(g);
  add_raster(g);
  add_job_template(g, v);  // last: it turns on job_template_values()
}

void add_printer_state(ipp_t* r, const queue_view& v, const ipp::attribute_filter& want) {
  printer_group g(r, want);
  add_state(g, v);
}

void add_printer_attributes(ipp_t* r, const queue_view& v, const ipp::attribute_filter& want) {
  add_printer_state(r, v, want);
  add_printer_description(r, v, want);
}

}  // namespace quire
