#include "protocols/lpd/control_file.hpp"

#include <cstdio>

#include "protocols/lpd/receive.hpp"
#include "protocols/sniff/printable_text.hpp"

namespace quire::lpd {

namespace {

bool is_print_command(char c) {
  return print_format_hint(c) != print_format::unknown;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::string at_line(size_t n) { return "control file line " + std::to_string(n) + ": "; }

// Returns the first control octet in `line` (HT excepted), or -1.
int control_octet(std::string_view line) {
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7f) return u;
  }
  return -1;
}

// The state that spans lines: which information lines were seen, and an N
// waiting for the print entry it describes.
struct reader {
  control_file cf;
  bool have_host = false;
  bool have_user = false;
  std::optional<std::string> pending_source;

  void set_once(std::optional<std::string>& field, std::string_view value) {
    if (!field) field = sniff::printable_text(value);
  }

  // The first non-empty H (or P) counts; an empty one counts as missing.
  static void set_required(std::string& field, bool& have, std::string_view value) {
    if (have) return;
    field = sniff::printable_text(value);
    have = !field.empty();
  }

  void source_name(std::string name) {
    if (name.empty()) return;
    if (!cf.entries.empty() && cf.entries.back().source_name.empty() && !pending_source)
      cf.entries.back().source_name = std::move(name);  // BSD lpr / CUPS order
    else
      pending_source = std::move(name);  // LPRng order
  }

  status print(char command, std::string_view file, size_t line_no) {
    file = trim(file);
    if (!valid_file_name(file)) {
      if (is_print_command(command))
        return status(errc::invalid_argument,
                      at_line(line_no) + "print command '" + command + "' without a valid file name");
      ++cf.unknown_lines;  // e.g. 'k' (Kerberos) or 'z' (Palladium): not a file
      return {};
    }
    print_entry e;
    e.command = command;
    e.file.assign(file);
    if (pending_source) {
      e.source_name = std::move(*pending_source);
      pending_source.reset();
    }
    cf.entries.push_back(std::move(e));
    return {};
  }

  status line(std::string_view text, size_t line_no) {
    const char c = text[0];
    std::string_view value = text.substr(1);
    switch (c) {
      case 'H': set_required(cf.host, have_host, value); return {};
      case 'P': set_required(cf.user, have_user, value); return {};
      case 'J': set_once(cf.job_name, value); return {};
      case 'C': set_once(cf.class_name, value); return {};
      case 'L': set_once(cf.banner_user, value); return {};
      case 'T': set_once(cf.title, value); return {};
      case 'M': set_once(cf.mail, value); return {};
      case 'N': source_name(sniff::printable_text(value)); return {};
      case 'U':
        value = trim(value);
        if (!valid_file_name(value))
          return status(errc::invalid_argument, at_line(line_no) + "'U' without a valid file name");
        cf.unlink.emplace_back(value);
        return {};
      case '1': case '2': case '3': case '4':  // troff fonts (7.2)
      case 'I': case 'W': case 'S':            // indent, width, symlink data (7.2)
        return {};
      default:
        if (c >= 'a' && c <= 'z') return print(c, value, line_no);
        ++cf.unknown_lines;
        return {};
    }
  }

  // Copies of a data file get the source name any of them has.
  void share_source_names() {
    for (auto& e : cf.entries) {
      if (!e.source_name.empty()) continue;
      for (const auto& other : cf.entries)
        if (other.file == e.file && !other.source_name.empty()) {
          e.source_name = other.source_name;
          break;
        }
    }
  }
};

}  // namespace

print_format print_format_hint(char command) noexcept {
  switch (command) {
    case 'f': return print_format::formatted_text;
    case 'l': return print_format::raw;
    case 'o': return print_format::postscript;
    case 'p': return print_format::pr_text;
    case 'v': return print_format::raster;
    case 'r': return print_format::fortran;
    case 't': return print_format::troff;
    case 'n': return print_format::ditroff;
    case 'd': return print_format::dvi;
    case 'c': return print_format::cif;
    case 'g': return print_format::plot;
    default: return print_format::unknown;
  }
}

const char* to_string(print_format f) noexcept {
  switch (f) {
    case print_format::formatted_text: return "formatted-text";
    case print_format::raw: return "raw";
    case print_format::postscript: return "postscript";
    case print_format::pr_text: return "pr-text";
    case print_format::raster: return "raster";
    case print_format::fortran: return "fortran";
    case print_format::troff: return "troff";
    case print_format::ditroff: return "ditroff";
    case print_format::dvi: return "dvi";
    case print_format::cif: return "cif";
    case print_format::plot: return "plot";
    case print_format::unknown: return "unknown";
  }
  return "unknown";
}

std::string control_file::display_name() const {
  if (job_name && !job_name->empty()) return *job_name;
  for (const auto& e : entries)
    if (!e.source_name.empty()) return e.source_name;
  return entries.empty() ? std::string() : entries.front().file;
}

std::vector<std::string> control_file::data_files() const {
  std::vector<std::string> out;
  for (const auto& e : entries) {
    bool seen = false;
    for (const auto& f : out) seen = seen || f == e.file;
    if (!seen) out.push_back(e.file);
  }
  return out;
}

size_t control_file::copies_of(std::string_view file) const {
  size_t n = 0;
  for (const auto& e : entries) n += e.file == file ? 1 : 0;
  return n;
}

result<control_file> parse_control_file(std::string_view text, const control_limits& lim) {
  reader r;
  size_t line_no = 0;
  for (size_t at = 0; at < text.size();) {
    size_t lf = text.find('\n', at);
    size_t end = lf == std::string_view::npos ? text.size() : lf;
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (++line_no > lim.max_lines)
      return error(errc::limit_exceeded,
                   "control file has more than " + std::to_string(lim.max_lines) + " lines");
    while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > lim.max_line)
      return error(errc::limit_exceeded, at_line(line_no) + "longer than " +
                                             std::to_string(lim.max_line) + " octets");
    if (line.empty()) continue;
    if (int c = control_octet(line); c >= 0) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", c);
      return error(errc::invalid_argument, at_line(line_no) + "control octet " + hex);
    }
    if (auto st = r.line(line, line_no)) return st;
  }
  if (!r.have_host) return error(errc::invalid_argument, "control file has no host ('H') line");
  if (!r.have_user) return error(errc::invalid_argument, "control file has no user ('P') line");
  r.share_source_names();
  return std::move(r.cf);
}

}  // namespace quire::lpd
