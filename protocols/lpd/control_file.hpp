// The LPD control file (RFC 1179 section 7): who sent a job, what it is
// called, and how each data file is to be printed.
//
// A control file is text, one command per line: a command character and an
// operand, ended by LF. Capital letters and digits carry information about
// the job (7.2); lower-case letters are print commands naming a data file
// and its format (7.3 - 7.4). The lines Quire reads:
//
//   H host      the host the job came from (required)          7.2 "H"
//   P user      the user who sent it (required)                 7.2 "P"
//   J name      the job name on the banner page                 7.2 "J"
//   C class     the class name on the banner page               7.2 "C"
//   L user      print a banner page for this user               7.2 "L"
//   T title     the title for pr ('p' files)                    7.2 "T"
//   M user      mail this user when the job is done             7.2 "M"
//   N name      the source file name of a data file             7.2 "N"
//   U file      unlink this data file when done                 7.2 "U"
//   f l o p v r t n d c g file   print `file` in that format     7.3/7.4
//   1 2 3 4 I W S  known (fonts, indent, width, symlink), ignored
//
// RFC 1179 fixes no order, and senders differ on where N goes: LPRng writes
// it before the print line it describes, BSD lpr and CUPS after it (and
// after U). So an N line names the last print entry if that one has no
// source name yet, otherwise the next print entry; in the end every entry
// of the same data file shares the name.
//
// Sanitising: a trailing CR is dropped (Windows senders), blank lines are
// skipped, a line with another control octet is an error, values become
// printable text (protocols/sniff/printable_text.hpp: invalid UTF-8 is
// replaced, values are cut to 255 octets). Other lines are counted in
// `unknown_lines` and otherwise ignored (section 7 asks daemons to ignore
// what they do not know). Another lower-case letter followed by a valid file
// name is kept as a print entry of format `unknown`; without one (such as
// 'k' Kerberos or 'z' Palladium data) it is an unknown line. H and P are
// required.
//
// Pure: text in, a typed value or an error out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"

namespace quire::lpd {

/// What a print command (RFC 1179 sections 7.3 - 7.4) says about its file.
enum class print_format : uint8_t {
  formatted_text,  // 'f': plain text, control characters filtered
  raw,             // 'l': passed to the printer as is, control characters too
  postscript,      // 'o'
  pr_text,         // 'p': text through pr(1), with the T title
  raster,          // 'v': Sun raster
  fortran,         // 'r': FORTRAN carriage control
  troff,           // 't': C/A/T phototypesetter (old troff) output
  ditroff,         // 'n': device-independent troff output
  dvi,             // 'd': TeX DVI
  cif,             // 'c': CalTech Intermediate Form
  plot,            // 'g': Berkeley Unix plot(3)
  unknown,         // another lower-case letter ('k', 'x' and the like)
};

/// The format a print command character stands for; unknown for others.
print_format print_format_hint(char command) noexcept;
/// A stable name for logs: "raw", "postscript", "formatted-text"...
const char* to_string(print_format f) noexcept;

/// One print line: print data file `file` in the format `command` names.
struct print_entry {
  char command = 'l';
  std::string file;         // the data file's name, e.g. "dfA123host"
  std::string source_name;  // from N: the file the data came from; may be empty
  print_format format() const noexcept { return print_format_hint(command); }
};

struct control_file {
  std::string host;  // H
  std::string user;  // P
  std::optional<std::string> job_name;     // J
  std::optional<std::string> class_name;   // C
  std::optional<std::string> banner_user;  // L
  std::optional<std::string> title;        // T
  std::optional<std::string> mail;         // M
  std::vector<std::string> unlink;         // U, in order
  std::vector<print_entry> entries;        // print lines, in order (copies repeat)
  size_t unknown_lines = 0;                // lines with an unknown command char

  /// J, else the first N, else the first print entry's file, else empty.
  std::string display_name() const;
  /// The data files the print entries name, each once, in order.
  std::vector<std::string> data_files() const;
  /// How many print entries name `file` (CUPS repeats a line per copy).
  size_t copies_of(std::string_view file) const;
};

struct control_limits {
  size_t max_lines = 1000;  // lines, blank ones included
  size_t max_line = 1024;   // octets per line, LF and CR not counted
};

/// Parses control file text. Missing H or P, a control octet in a line, a
/// print entry without a valid file name: errc::invalid_argument; too many or
/// too long lines: errc::limit_exceeded. Messages name the line number.
result<control_file> parse_control_file(std::string_view text, const control_limits& lim = {});

}  // namespace quire::lpd
