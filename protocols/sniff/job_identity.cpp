#include "protocols/sniff/job_identity.hpp"

#include <strings.h>

#include "protocols/sniff/printable_text.hpp"

namespace quire::sniff {

namespace {

// PJL Technical Reference, "Universal Exit Language": ends any job and
// puts the printer in PJL mode.
constexpr std::string_view uel = "\x1b%-12345X";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::optional<std::string> non_empty(std::string_view raw) {
  std::string v = printable_text(raw);
  if (v.empty()) return std::nullopt;
  return v;
}

// ---- PJL ------------------------------------------------------------------

struct pjl_pair {
  std::string_view key;
  std::string_view value;
  bool has_value = false;
};

// Splits the operands of a PJL command into words and `KEY = VALUE` pairs.
// Values are quoted strings (no escapes in PJL) or single words.
std::vector<pjl_pair> pjl_pairs(std::string_view s) {
  std::vector<pjl_pair> out;
  size_t at = 0;
  auto skip = [&] {
    while (at < s.size() && is_blank(s[at])) ++at;
  };
  for (;;) {
    skip();
    if (at >= s.size()) return out;
    size_t start = at;
    while (at < s.size() && !is_blank(s[at]) && s[at] != '=') ++at;
    pjl_pair p{s.substr(start, at - start), {}, false};
    skip();
    if (at < s.size() && s[at] == '=') {
      ++at;
      skip();
      p.has_value = true;
      if (at < s.size() && s[at] == '"') {
        size_t close = s.find('"', at + 1);
        size_t end = close == std::string_view::npos ? s.size() : close;
        p.value = s.substr(at + 1, end - at - 1);
        at = close == std::string_view::npos ? s.size() : close + 1;
      } else {
        size_t vstart = at;
        while (at < s.size() && !is_blank(s[at])) ++at;
        p.value = s.substr(vstart, at - vstart);
      }
    }
    if (p.key.empty() && !p.has_value) ++at;  // a stray '='-less octet; move on
    out.push_back(p);
  }
}

language pjl_language(std::string_view name) {
  if (iequals(name, "PDF")) return language::pdf;
  if (iequals(name, "POSTSCRIPT") || iequals(name, "PS")) return language::postscript;
  if (iequals(name, "PCLXL") || iequals(name, "PCL6")) return language::pcl_xl;
  if (iequals(name, "PCL") || istarts_with(name, "PCL5")) return language::pcl;
  return language::unknown;
}

// What the PJL header said, before priorities are applied.
struct pjl_findings {
  std::optional<std::string> set_username, jobattr_user;
  std::optional<std::string> job_name, set_jobname, jobattr_name;
  bool entered = false;  // ENTER LANGUAGE seen: the data starts after it
  language lang = language::unknown;
};

void set_first(std::optional<std::string>& field, std::string_view raw) {
  if (!field) field = non_empty(raw);
}

// `@PJL SET JOBATTR="@USNM=alice"`: HP's job attributes, "@KEY=value".
void pjl_jobattr(std::string_view attr, pjl_findings& f) {
  if (istarts_with(attr, "@USNM=")) set_first(f.jobattr_user, attr.substr(6));
  if (istarts_with(attr, "@JOBN=")) set_first(f.jobattr_name, attr.substr(6));
}

// One "@PJL ..." line, the "@PJL" and line end removed.
void pjl_line(std::string_view line, pjl_findings& f) {
  auto pairs = pjl_pairs(line);
  if (pairs.empty() || pairs[0].has_value) return;
  std::string_view verb = pairs[0].key;
  for (size_t i = 1; i < pairs.size(); ++i) {
    const auto& p = pairs[i];
    if (!p.has_value) continue;
    if (iequals(verb, "SET") && iequals(p.key, "USERNAME")) set_first(f.set_username, p.value);
    if (iequals(verb, "SET") && iequals(p.key, "JOBNAME")) set_first(f.set_jobname, p.value);
    if (iequals(verb, "SET") && iequals(p.key, "JOBATTR")) pjl_jobattr(p.value, f);
    if (iequals(verb, "JOB") && iequals(p.key, "NAME")) set_first(f.job_name, p.value);
    if (iequals(verb, "ENTER") && iequals(p.key, "LANGUAGE")) {
      f.entered = true;
      f.lang = pjl_language(p.value);
    }
  }
}

// Reads UELs and complete @PJL lines from the start of `s`; returns the
// offset where the document data begins (all of `s` if the header is cut).
size_t read_pjl(std::string_view s, pjl_findings& f, bool& seen) {
  size_t at = 0;
  while (at < s.size()) {
    std::string_view rest = s.substr(at);
    if (starts_with(rest, uel)) {
      seen = true;
      at += uel.size();
      continue;
    }
    if (seen && (rest[0] == '\r' || rest[0] == '\n')) {
      ++at;
      continue;
    }
    if (!istarts_with(rest, "@PJL")) return at;
    seen = true;
    size_t lf = rest.find('\n');
    if (lf == std::string_view::npos) return s.size();  // cut mid-line
    std::string_view line = rest.substr(4, lf - 4);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pjl_line(line, f);
    at += lf + 1;
    if (f.entered) return at;
  }
  return at;
}

// ---- PostScript DSC ---------------------------------------------------------

// A PostScript string body after its '(' (PLRM 3.2.2): balanced parentheses,
// backslash escapes, octal codes. An unclosed string yields what was read.
std::string ps_string(std::string_view s) {
  std::string out;
  int depth = 1;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth == 0) break;
    } else if (c == '\\' && i + 1 < s.size()) {
      char e = s[++i];
      switch (e) {
        case 'n': out += '\n'; continue;
        case 'r': out += '\r'; continue;
        case 't': out += '\t'; continue;
        case 'b': out += '\b'; continue;
        case 'f': out += '\f'; continue;
        default: break;
      }
      if (e >= '0' && e <= '7') {
        unsigned v = static_cast<unsigned>(e - '0');
        for (int k = 0; k < 2 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7'; ++k)
          v = v * 8 + static_cast<unsigned>(s[++i] - '0');
        out += static_cast<char>(v & 0xff);
        continue;
      }
      out += e;  // \( \) \\ and unknown escapes stand for the character
      continue;
    }
    out += c;
  }
  return out;
}

std::optional<std::string> dsc_value(std::string_view v) {
  while (!v.empty() && is_blank(v.front())) v.remove_prefix(1);
  if (v == "(atend)") return std::nullopt;  // DSC 3.0: given in the trailer
  if (!v.empty() && v.front() == '(') return non_empty(ps_string(v.substr(1)));
  return non_empty(v);
}

// Reads the DSC header comments of a PostScript program starting at `s`:
// lines end in CR, LF or CRLF; the header ends at %%EndComments or at the
// first line that is not a comment. A line cut by the window is not read.
void read_dsc(std::string_view s, identity& id) {
  size_t at = 0;
  for (bool first = true; at < s.size(); first = false) {
    size_t end = s.find_first_of("\r\n", at);
    if (end == std::string_view::npos) return;
    std::string_view line = s.substr(at, end - at);
    at = end + 1;
    if (s[end] == '\r' && at < s.size() && s[at] == '\n') ++at;
    if (first) continue;  // "%!PS-Adobe-3.0"
    if (line.size() < 2 || line[0] != '%' || line[1] == ' ' || line[1] == '\t') return;
    if (starts_with(line, "%%EndComments")) return;
    if (!id.dsc_for && starts_with(line, "%%For:")) id.dsc_for = dsc_value(line.substr(6));
    if (!id.dsc_title && starts_with(line, "%%Title:")) id.dsc_title = dsc_value(line.substr(8));
  }
}

// ---- magic ------------------------------------------------------------------

bool looks_like_text(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    bool space = c == '\t' || c == '\n' || c == '\r' || c == '\f';
    if ((u < 0x20 && !space) || u == 0x7f) return false;
  }
  return valid_utf8(s, /*allow_cut_tail=*/true);
}

std::string_view skip_ctrl_d(std::string_view s) {
  while (!s.empty() && s.front() == '\x04') s.remove_prefix(1);
  return s;
}

}  // namespace

const char* to_string(language lang) noexcept {
  switch (lang) {
    case language::unknown: return "unknown";
    case language::pdf: return "pdf";
    case language::postscript: return "postscript";
    case language::pcl_xl: return "pcl-xl";
    case language::pcl: return "pcl";
    case language::pwg_raster: return "pwg-raster";
    case language::urf: return "urf";
    case language::jpeg: return "jpeg";
    case language::png: return "png";
    case language::text: return "text";
  }
  return "unknown";
}

const char* mime(language lang) noexcept {
  switch (lang) {
    case language::pdf: return "application/pdf";
    case language::postscript: return "application/postscript";
    case language::pcl_xl: return "application/vnd.hp-pclxl";
    case language::pcl: return "application/vnd.hp-pcl";
    case language::pwg_raster: return "image/pwg-raster";
    case language::urf: return "image/urf";
    case language::jpeg: return "image/jpeg";
    case language::png: return "image/png";
    case language::text: return "text/plain";
    case language::unknown: break;
  }
  return "application/octet-stream";
}

language guess_language(std::string_view data) noexcept {
  std::string_view s = skip_ctrl_d(data);
  if (starts_with(s, "%PDF-")) return language::pdf;
  if (starts_with(s, "%!")) return language::postscript;
  if (starts_with(s, ") HP-PCL XL")) return language::pcl_xl;
  if (starts_with(s, "\x1b" "E") || starts_with(s, "\x1b&") || starts_with(s, "\x1b*"))
    return language::pcl;
  if (starts_with(s, "RaS2")) return language::pwg_raster;
  if (starts_with(s, "UNIRAST")) return language::urf;
  if (starts_with(s, "\xff\xd8\xff")) return language::jpeg;
  if (starts_with(s, "\x89PNG\r\n\x1a\n")) return language::png;
  if (looks_like_text(data)) return language::text;
  return language::unknown;
}

identity sniff(std::string_view head) {
  identity id;
  pjl_findings f;
  id.data_offset = read_pjl(head, f, id.has_pjl);
  id.pjl_user = f.set_username ? f.set_username : f.jobattr_user;
  id.pjl_job_name = f.job_name ? f.job_name : f.set_jobname ? f.set_jobname : f.jobattr_name;
  std::string_view data = head.substr(id.data_offset);
  // PJL ENTER LANGUAGE names the interpreter the printer switches to; trust
  // it over magic, which only sees the data's first bytes.
  id.lang = f.lang != language::unknown ? f.lang : guess_language(data);
  if (id.lang == language::postscript) {
    std::string_view ps = skip_ctrl_d(data);
    while (!ps.empty() && (ps.front() == '\r' || ps.front() == '\n')) ps.remove_prefix(1);
    if (starts_with(ps, "%!")) read_dsc(ps, id);
  }
  return id;
}

}  // namespace quire::sniff
