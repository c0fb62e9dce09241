#include "protocols/ipp/job_template.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace quire::ipp {

namespace {

template_offer make_offer() {
  template_offer o;
  // PWG 5101.1 names; dimensions in hundredths of a millimetre.
  o.media = {{"iso_a4_210x297mm", 21000, 29700},
             {"na_letter_8.5x11in", 21590, 27940},
             {"iso_a3_297x420mm", 29700, 42000},
             {"na_index-4x6_4x6in", 10160, 15240}};
  o.media_ready = {"iso_a4_210x297mm", "na_letter_8.5x11in"};
  o.media_sources = {"auto", "main", "manual"};
  o.media_types = {"stationery", "cardstock", "labels"};
  o.margin = 423;  // 1/6 inch: what office laser printers leave blank
  o.sides = {"one-sided", "two-sided-long-edge", "two-sided-short-edge"};
  o.color_modes = {"auto", "color", "monochrome"};
  o.print_qualities = {IPP_QUALITY_DRAFT, IPP_QUALITY_NORMAL, IPP_QUALITY_HIGH};
  o.orientations = {IPP_ORIENT_PORTRAIT, IPP_ORIENT_LANDSCAPE, IPP_ORIENT_REVERSE_LANDSCAPE,
                    IPP_ORIENT_REVERSE_PORTRAIT, IPP_ORIENT_NONE};
  o.resolutions_dpi = {300, 600};
  o.number_up = {1, 2, 4};
  o.finishings = {IPP_FINISHINGS_NONE};
  o.output_bins = {"face-down"};
  o.job_sheets = {"none", "standard"};
  o.document_handling = {"separate-documents-collated-copies", "separate-documents-uncollated-copies"};
  o.print_scaling = {"auto", "auto-fit", "fill", "fit", "none"};
  o.content_optimize = {"auto", "graphic", "photo", "text", "text-and-graphic"};
  o.rendering_intents = {"auto", "perceptual", "relative", "relative-bpc", "saturation"};
  o.copies_max = 999;
  o.priority_levels = 100;
  o.max_page_ranges = 64;
  o.creation_attributes = {"copies",          "finishings",         "ipp-attribute-fidelity",
                           "job-hold-until",  "job-name",           "job-password",
                           "job-password-encryption",               "job-priority",
                           "job-sheets",      "media",              "media-col",
                           "multiple-document-handling",            "number-up",
                           "orientation-requested",                 "output-bin",
                           "page-ranges",     "print-color-mode",   "print-content-optimize",
                           "print-quality",   "print-rendering-intent",
                           "print-scaling",   "printer-resolution", "sides"};
  return o;
}

bool in(const std::vector<const char*>& set, std::string_view v) {
  return std::any_of(set.begin(), set.end(), [&](const char* s) { return v == s; });
}

bool in(const std::vector<int>& set, int v) { return std::find(set.begin(), set.end(), v) != set.end(); }

bool is_keyword_or_name(ipp_tag_t t) {
  return t == IPP_TAG_KEYWORD || t == IPP_TAG_NAME || t == IPP_TAG_NAMELANG;
}

// The single keyword value of `a` when it is one of `set`.
bool one_keyword(ipp_attribute_t* a, const std::vector<const char*>& set, std::string& out, bool names_too = false) {
  ipp_tag_t t = ippGetValueTag(a);
  if (ippGetCount(a) != 1 || !(t == IPP_TAG_KEYWORD || (names_too && is_keyword_or_name(t)))) return false;
  const char* v = ippGetString(a, 0, nullptr);
  if (!v || !in(set, v)) return false;
  out = v;
  return true;
}

// The single integer (or enum, per `tag`) value of `a` when `ok` accepts it.
template <class Pred>
bool one_integer(ipp_attribute_t* a, ipp_tag_t tag, int& out, Pred ok) {
  if (ippGetCount(a) != 1 || ippGetValueTag(a) != tag) return false;
  int v = ippGetInteger(a, 0);
  if (!ok(v)) return false;
  out = v;
  return true;
}

bool read_resolution(ipp_attribute_t* a, int& dpi) {
  if (ippGetCount(a) != 1 || ippGetValueTag(a) != IPP_TAG_RESOLUTION) return false;
  int yres = 0;
  ipp_res_t units = IPP_RES_PER_INCH;
  int xres = ippGetResolution(a, 0, &yres, &units);
  // The units byte comes from the client as it was sent (libcups checks
  // nothing), and an ipp_res_t holding anything but 3 or 4 may not even be
  // read as one (UBSan: "not a valid value"): its bytes are compared.
  static_assert(sizeof(ipp_res_t) == sizeof(int));
  int unit_code = 0;
  std::memcpy(&unit_code, &units, sizeof unit_code);
  if (unit_code != IPP_RES_PER_INCH || xres != yres || !in(offer().resolutions_dpi, xres)) return false;
  dpi = xres;
  return true;
}

// RFC 8011 §5.2.7: ranges ascending, not overlapping, from page 1 on.
bool read_page_ranges(ipp_attribute_t* a, std::vector<page_range>& out) {
  int n = ippGetCount(a);
  if (ippGetValueTag(a) != IPP_TAG_RANGE || n < 1 || n > offer().max_page_ranges) return false;
  std::vector<page_range> ranges;
  int32_t previous = 0;
  for (int i = 0; i < n; ++i) {
    int upper = 0;
    int lower = ippGetRange(a, i, &upper);
    if (lower < 1 || upper < lower || lower <= previous) return false;
    ranges.push_back({lower, upper});
    previous = upper;
  }
  out = std::move(ranges);
  return true;
}

bool read_finishings(ipp_attribute_t* a) {
  if (ippGetValueTag(a) != IPP_TAG_ENUM || ippGetCount(a) < 1) return false;
  for (int i = 0; i < ippGetCount(a); ++i)
    if (!in(offer().finishings, ippGetInteger(a, i))) return false;
  return true;
}

bool read_job_sheets(ipp_attribute_t* a, bool& banner) {
  std::string v;
  if (!one_keyword(a, offer().job_sheets, v, true)) return false;
  banner = v == "standard";
  return true;
}

bool read_document_handling(ipp_attribute_t* a, bool& uncollated) {
  std::string v;
  if (!one_keyword(a, offer().document_handling, v)) return false;
  uncollated = v == "separate-documents-uncollated-copies";
  return true;
}

// media-col (PWG 5100.7): every member the queue knows is applied; the
// answer is false when any member was unknown or had an unsupported value,
// so that media-col is reported as substituted.
bool read_media_col(ipp_attribute_t* a, job_ticket& t) {
  if (ippGetValueTag(a) != IPP_TAG_BEGIN_COLLECTION || ippGetCount(a) != 1) return false;
  ipp_t* col = ippGetCollection(a, 0);
  bool all_ok = true;
  const media_size* by_name = nullptr;
  const media_size* by_size = nullptr;
  for (ipp_attribute_t* m = ippFirstAttribute(col); m; m = ippNextAttribute(col)) {
    const char* name = ippGetName(m);
    if (!name) {
      all_ok = false;
      continue;
    }
    std::string_view n = name;
    if (n == "media-size") {
      ipp_t* size = ippGetValueTag(m) == IPP_TAG_BEGIN_COLLECTION ? ippGetCollection(m, 0) : nullptr;
      ipp_attribute_t* x = size ? ippFindAttribute(size, "x-dimension", IPP_TAG_INTEGER) : nullptr;
      ipp_attribute_t* y = size ? ippFindAttribute(size, "y-dimension", IPP_TAG_INTEGER) : nullptr;
      if (x && y) {
        // Clients compute hundredths of mm from inches or points: allow
        // half a millimetre of rounding.
        // 64-bit: a client's dimension may be any 32-bit value (INT_MIN too).
        int64_t w = ippGetInteger(x, 0), l = ippGetInteger(y, 0);
        for (const auto& s : offer().media)
          if (std::abs(s.width - w) <= 50 && std::abs(s.length - l) <= 50) by_size = &s;
      }
      if (!by_size) all_ok = false;
    } else if (n == "media-size-name") {
      const char* v = is_keyword_or_name(ippGetValueTag(m)) ? ippGetString(m, 0, nullptr) : nullptr;
      by_name = v ? find_media(v) : nullptr;
      if (!by_name) all_ok = false;
    } else if (n == "media-source") {
      all_ok &= one_keyword(m, offer().media_sources, t.media_source, true);
    } else if (n == "media-type") {
      all_ok &= one_keyword(m, offer().media_types, t.media_type, true);
    } else if (n == "media-bottom-margin" || n == "media-left-margin" || n == "media-right-margin" ||
               n == "media-top-margin") {
      int v = 0;
      all_ok &= one_integer(m, IPP_TAG_INTEGER, v, [](int v) { return v == offer().margin; });
    } else {
      all_ok = false;  // media-color, media-weight-metric...: not offered
    }
  }
  if (by_name && by_size && by_name != by_size) return false;  // contradicts itself: keep the default
  if (const media_size* s = by_size ? by_size : by_name) t.media = s->name;
  return all_ok;
}

// One job template attribute; false when it, or its value, is unsupported.
bool read_one(std::string_view n, ipp_attribute_t* a, job_ticket& t) {
  const template_offer& o = offer();
  if (n == "copies") {
    int v = 0;
    if (!one_integer(a, IPP_TAG_INTEGER, v, [&](int v) { return v >= 1 && v <= o.copies_max; })) return false;
    t.copies = static_cast<uint32_t>(v);
    return true;
  }
  if (n == "media") {
    if (ippGetCount(a) != 1 || !is_keyword_or_name(ippGetValueTag(a))) return false;
    const char* s = ippGetString(a, 0, nullptr);
    if (!s || !find_media(s)) return false;
    t.media = s;
    return true;
  }
  if (n == "media-col") return read_media_col(a, t);
  if (n == "sides") return one_keyword(a, o.sides, t.sides);
  if (n == "print-color-mode") return one_keyword(a, o.color_modes, t.color_mode);
  if (n == "print-quality")
    return one_integer(a, IPP_TAG_ENUM, t.print_quality, [&](int v) { return in(o.print_qualities, v); });
  if (n == "orientation-requested") {
    int v = 0;
    if (!one_integer(a, IPP_TAG_ENUM, v, [&](int v) { return in(o.orientations, v); })) return false;
    t.orientation = v == IPP_ORIENT_NONE ? 0 : v;
    return true;
  }
  if (n == "printer-resolution") return read_resolution(a, t.resolution_dpi);
  if (n == "output-bin") return one_keyword(a, o.output_bins, t.output_bin, true);
  if (n == "finishings") return read_finishings(a);
  if (n == "page-ranges") return read_page_ranges(a, t.page_ranges);
  if (n == "print-scaling") return one_keyword(a, o.print_scaling, t.print_scaling);
  if (n == "job-sheets") return read_job_sheets(a, t.banner);
  if (n == "number-up")
    return one_integer(a, IPP_TAG_INTEGER, t.number_up, [&](int v) { return in(o.number_up, v); });
  if (n == "job-priority")
    return one_integer(a, IPP_TAG_INTEGER, t.job_priority, [&](int v) { return v >= 1 && v <= o.priority_levels; });
  if (n == "print-content-optimize") return one_keyword(a, o.content_optimize, t.content_optimize);
  if (n == "print-rendering-intent") return one_keyword(a, o.rendering_intents, t.rendering_intent);
  if (n == "multiple-document-handling") return read_document_handling(a, t.uncollated);
  // Anything else: an attribute the queues do not offer. "overrides" (PWG
  // 5100.6) is among them: the members are known (overrides-supported) but
  // nothing downstream applies per-page values yet, so the client is told.
  return false;
}

}  // namespace

const template_offer& offer() {
  static const template_offer o = make_offer();
  return o;
}

const media_size* find_media(std::string_view name) {
  for (const auto& s : offer().media)
    if (name == s.name) return &s;
  return nullptr;
}

check parse_job_template(ipp_t* req, job_ticket& out, std::vector<std::string>& unsupported) {
  auto note = [&](const char* name) {
    if (std::find(unsupported.begin(), unsupported.end(), name) == unsupported.end()) unsupported.emplace_back(name);
  };
  bool media = false, media_col = false;
  std::vector<std::string_view> seen;
  for (ipp_attribute_t* a = ippFirstAttribute(req); a; a = ippNextAttribute(req)) {
    if (ippGetGroupTag(a) != IPP_TAG_JOB) continue;
    const char* name = ippGetName(a);
    if (!name || std::strcmp(name, "job-hold-until") == 0) continue;
    media |= std::strcmp(name, "media") == 0;
    media_col |= std::strcmp(name, "media-col") == 0;
    // An attribute given twice (a client must not) counts as an
    // unsupported value: the first one stays.
    bool repeated = std::find(seen.begin(), seen.end(), name) != seen.end();
    seen.emplace_back(name);
    if (repeated || !read_one(name, a, out)) note(name);
  }
  // PWG 5100.7: a client sends media or media-col, never both.
  if (media && media_col)
    return {IPP_STATUS_ERROR_CONFLICTING, "media and media-col cannot be given together"};
  return {};
}

}  // namespace quire::ipp
