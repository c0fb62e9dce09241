// PostScript: a quote from the DSC comments (Adobe's Document Structuring
// Conventions 3.0). PostScript is a program: the comments may be missing or
// lie, so exact is always false and every page uncertain; the caller counts
// by interpreting. Read here:
//   %%Pages: N | (atend)      the header's value, else the trailer's (the
//                             last one after %%Trailer)
//   %%Page: label ordinal     counted outside %%BeginDocument/%%EndDocument,
//                             used when %%Pages: is missing, noted when they
//                             disagree
//   %%DocumentMedia: name w h the first medium: the page size
//   %%BoundingBox: a b c d    the page size when there is no medium (what
//                             ps2write and many drivers write; for EPS it is
//                             the drawing's extent, and a note says so)
//   %%Title:                  via protocols/sniff
#include <charconv>
#include <cmath>

#include "protocols/pdl/formats.hpp"
#include "protocols/sniff/job_identity.hpp"

namespace quire::pdl::detail {

namespace {

struct dsc {
  long long pages = -1;        // %%Pages: from the header or trailer; -1 absent
  bool pages_atend = false;
  long long page_comments = 0; // %%Page: lines at the top level
  double media_w = 0, media_h = 0;
  bool media = false;
  double box_w = 0, box_h = 0;
  bool box = false, box_atend = false;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// The next blank-separated word of `s`, consumed.
std::string_view word(std::string_view& s) {
  s = trim(s);
  size_t end = s.find_first_of(" \t");
  std::string_view w = s.substr(0, end);
  s = end == std::string_view::npos ? std::string_view() : s.substr(end);
  return w;
}

bool number(std::string_view w, double& out) {
  auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), out);
  return ec == std::errc() && p == w.data() + w.size() && std::isfinite(out);
}

void pages_comment(std::string_view v, dsc& d) {
  v = trim(v);
  if (v == "(atend)") {
    d.pages_atend = true;
    return;
  }
  double n = 0;
  if (number(word(v), n) && n >= 0) d.pages = static_cast<long long>(n);
}

// %%DocumentMedia: name width height weight colour type (the first medium;
// the name may be a bare word only).
void media_comment(std::string_view v, dsc& d) {
  if (d.media) return;
  (void)word(v);
  double w = 0, h = 0;
  if (number(word(v), w) && number(word(v), h) && w > 0 && h > 0) {
    d.media_w = w;
    d.media_h = h;
    d.media = true;
  }
}

void box_comment(std::string_view v, dsc& d) {
  if (trim(v) == "(atend)") {
    d.box_atend = true;
    return;
  }
  double b[4];
  for (double& x : b)
    if (!number(word(v), x)) return;
  if (b[2] > b[0] && b[3] > b[1]) {
    d.box_w = b[2] - b[0];
    d.box_h = b[3] - b[1];
    d.box = true;
  }
}

dsc read_comments(std::string_view s) {
  dsc d;
  bool in_header = true, in_trailer = false;
  int nested = 0;  // %%BeginDocument depth: embedded files have their own pages
  for (size_t at = 0; at < s.size();) {
    size_t end = s.find_first_of("\r\n", at);
    if (end == std::string_view::npos) end = s.size();
    std::string_view line = s.substr(at, end - at);
    at = end + 1;
    if (line.size() < 2 || line[0] != '%') {
      if (!line.empty() && line[0] != '%') in_header = false;
      continue;
    }
    if (starts(line, "%%EndComments")) in_header = false;
    else if (starts(line, "%%BeginDocument")) ++nested;
    else if (starts(line, "%%EndDocument")) nested = nested > 0 ? nested - 1 : 0;
    else if (nested > 0) continue;
    else if (starts(line, "%%Trailer")) in_trailer = true;
    else if (starts(line, "%%Page:")) ++d.page_comments;
    else if (starts(line, "%%Pages:") && (in_header || (in_trailer && d.pages_atend)))
      pages_comment(line.substr(8), d);
    else if (starts(line, "%%DocumentMedia:") && in_header) media_comment(line.substr(16), d);
    else if (starts(line, "%%BoundingBox:") && (in_header || (in_trailer && d.box_atend)))
      box_comment(line.substr(14), d);
  }
  return d;
}

}  // namespace

result<analysis> analyse_postscript(std::string_view data, const limits& lim) {
  analysis a;
  a.exact = false;
  dsc d = read_comments(data);
  long long pages = d.pages >= 0 ? d.pages : d.page_comments;
  if (d.pages >= 0 && d.page_comments != d.pages)
    a.notes.push_back("%%Pages: says " + std::to_string(d.pages) + ", the document has " +
                      std::to_string(d.page_comments) + " %%Page: comments");
  if (d.pages < 0)
    a.notes.push_back(d.page_comments ? "no %%Pages: comment; pages quoted from %%Page: comments"
                                      : "no DSC page comments; only interpreting can count the pages");
  if (status st = check_pages(static_cast<uint64_t>(pages), lim)) return st;
  page size{d.media_w, d.media_h, colour::uncertain};
  if (!d.media && d.box) {
    size = page{d.box_w, d.box_h, colour::uncertain};
    a.notes.push_back("page size from %%BoundingBox (the drawing's extent, maybe not the paper)");
  } else if (!d.media) {
    a.notes.push_back("no %%DocumentMedia: or %%BoundingBox: comment; the page size is unknown");
  }
  a.pages = static_cast<uint32_t>(pages);
  a.page_list.assign(a.pages, size);
  auto id = sniff::sniff(data.substr(0, sniff::sniff_window));
  if (id.dsc_title) a.title = *id.dsc_title;
  return a;
}

}  // namespace quire::pdl::detail
