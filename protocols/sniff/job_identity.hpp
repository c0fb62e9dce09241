// Who sent a job and what it is called, read from the document itself.
//
// An LPD control file (RFC 1179 section 7.2, lines P and J) or an IPP request
// (requesting-user-name, job-name) names a user and a job, but behind a
// Windows print server or a CUPS queue that forwards with LPD the P line is
// often the service account, not the person. The document usually knows
// better: Windows drivers write a PJL header (HP's Printer Job Language) with
// `@PJL SET USERNAME="..."` and `@PJL JOB NAME="..."`, and PostScript from
// Mac OS, Linux and Windows carries DSC header comments (Adobe's Document
// Structuring Conventions 3.0) `%%For:` and `%%Title:`.
//
// sniff() reads the first bytes of a document (at most `sniff_window`; any
// truncation is fine, a value cut off by the end is ignored) and returns
// what it finds, plus the document language: from `@PJL ENTER LANGUAGE` when
// there is one, otherwise from the magic bytes that open the data (after any
// PJL header). choose() is the policy: given the candidate values from each
// source, it picks by a configured order (quire.toml), e.g. "pjl, dsc,
// control". All values are printable text (printable_text.hpp).
//
// Pure: std only. The values are client-supplied and unauthenticated; use
// them for display and accounting attribution, never for authorisation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"

namespace quire::sniff {

/// How much of a document's start callers should pass to sniff().
inline constexpr size_t sniff_window = 64 * 1024;

enum class language : uint8_t {
  unknown,
  pdf,         // "%PDF-"
  postscript,  // "%!"
  pcl_xl,      // ") HP-PCL XL"
  pcl,         // PCL 5: ESC E, ESC &, ESC *
  pwg_raster,  // "RaS2" (PWG 5102.4)
  urf,         // "UNIRAST" (Apple raster)
  jpeg,        // FF D8 FF
  png,         // 89 "PNG" 0D 0A 1A 0A
  text,        // printable UTF-8 and white space only
};

/// A stable name for logs: "pdf", "pcl-xl"...
const char* to_string(language lang) noexcept;
/// The MIME media type (IPP document-format) of `lang`;
/// application/octet-stream for unknown.
const char* mime(language lang) noexcept;

struct identity {
  std::optional<std::string> pjl_user;      // SET USERNAME, else JOBATTR "@USNM="
  std::optional<std::string> pjl_job_name;  // JOB NAME, else SET JOBNAME, else "@JOBN="
  std::optional<std::string> dsc_for;       // %%For:
  std::optional<std::string> dsc_title;     // %%Title:
  language lang = language::unknown;
  bool has_pjl = false;   // the stream opens with a UEL or @PJL lines
  size_t data_offset = 0; // where the document data starts after the PJL header

  const char* mime() const noexcept { return sniff::mime(lang); }
};

/// Reads PJL, DSC and the language from the first bytes of a document.
/// Never fails: what cannot be read is simply absent.
identity sniff(std::string_view head);

/// The language by magic bytes alone, for data with no PJL header. Leading
/// Ctrl-D octets (sent before PostScript by some Windows drivers) are skipped.
language guess_language(std::string_view data) noexcept;

/// Where a user or job name came from.
enum class source : uint8_t {
  pjl,           // the PJL header
  dsc,           // PostScript DSC comments
  control_file,  // the LPD control file (P, J)
  ipp,           // the IPP request (requesting-user-name, job-name)
};

/// "pjl", "dsc", "control", "ipp": the words quire.toml uses.
const char* to_string(source s) noexcept;
/// The source a config word names ("control-file" is also accepted); nullopt
/// for anything else.
std::optional<source> parse_source(std::string_view word) noexcept;

/// The order in which sources are believed. The default prefers the document
/// to the LPD P line (often the Windows spooler's service account); a source
/// not listed is never used (so IPP values count only if configured).
struct rule {
  std::vector<source> order{source::pjl, source::dsc, source::control_file};
};

/// Parses a config list such as "pjl, dsc, control" (commas and/or spaces).
/// An unknown word, a repeated or an empty list: errc::invalid_argument.
result<rule> parse_rule(std::string_view list);

/// One candidate value per source; absent or empty means "no opinion".
struct candidates {
  std::optional<std::string> pjl;
  std::optional<std::string> dsc;
  std::optional<std::string> control_file;
  std::optional<std::string> ipp;

  const std::optional<std::string>& get(source s) const noexcept;
};

/// The first non-empty candidate in `r`'s order, or nullopt. Works the same
/// for user names and job names.
std::optional<std::string> choose(const rule& r, const candidates& c);

/// The user candidates a document offers (pjl, dsc); the caller adds the
/// control file's P or IPP's requesting-user-name.
candidates user_candidates(const identity& id);
/// The job-name candidates a document offers (pjl, dsc); the caller adds
/// control_file::display_name() or IPP's job-name.
candidates job_name_candidates(const identity& id);

}  // namespace quire::sniff
