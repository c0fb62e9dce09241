// Conversion for delivery: a printer takes one language (PDF, PostScript,
// PCL XL, PWG raster or Apple's URF), and the job processor turns the job's
// document into it with Ghostscript, in the box ghostscript.hpp describes.
//
// What can become what (plan_conversion):
//   - a document already in the target language, with no grey-only print
//     and no media fitting asked: nothing to do (passthrough), the original
//     is delivered as it is;
//   - PDF and PostScript, which gs reads, to any target; JPEG too, shown by
//     gs's viewjpeg.ps and fitted onto the page;
//   - anything else (PCL XL, PCL 5, PWG raster, URF, PNG, text) into
//     another language, or re-coloured or re-fitted: errc::unsupported, a
//     reason naming both languages.
// The source is found from the content (protocols/sniff, as protocols/pdl
// does), whatever the request's source_format says: gs goes by content too.
//
// Only quire-jobproc writes output_path: gs writes to a pipe, and what it
// writes is checked as it streams (the target's signature, PWG/URF page
// structure) so that a PostScript job switching gs to another device
// cannot hand the printer something else. On failure output_path is removed.
//
// Blocking (seconds): run from quire-jobproc's main thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "devices/jobproc/ghostscript.hpp"
#include "protocols/jobproc/wire.hpp"

namespace quire::jobproc {

/// What to do for one request, decided before anything runs.
struct conversion_plan {
  enum class kind : uint8_t { passthrough, ghostscript, unsupported };
  kind what = kind::unsupported;
  gs_input input = gs_input::document;
  std::vector<std::string> device_args;  // ghostscript: for convert_with_gs
  std::string reason;                    // unsupported: for the job's owner
};

/// The plan for a document whose content is `source_mime` (a MIME type as
/// sniff::mime names it). Pure. REQUIRES: validate(req) passed.
conversion_plan plan_conversion(std::string_view source_mime, const convert_request& req);

/// The language's name for people: "PCL XL", "PWG raster"...
std::string language_name(std::string_view mime);

/// Converts as `req` asks; the reply says what happened (ok=false with a
/// readable reason on any failure). `limits` bounds gs; its timeout_ms is
/// replaced by the request's (quired sizes it to the job).
convert_reply convert(const convert_request& req, const gs_limits& limits);

/// What one gs conversion wrote.
struct conversion_output {
  uint64_t bytes = 0;
  uint32_t pages = 0;  // counted for PWG raster and URF; 0 (unknown) otherwise
};

/// Runs `plan` on the document at `document_path` (absolute) and writes the
/// result into `output_path` (created or truncated, 0600, never through a
/// symbolic link), checked as it streams to be `target_format`. On failure
/// output_path is removed; the error is gs's (ghostscript.hpp), the
/// check's, or errc::io_error when output_path cannot be written (the
/// environment's fault, not the document's). `limits` is used as given.
/// REQUIRES: plan.what == kind::ghostscript.
result<conversion_output> run_conversion(const std::string& document_path, const conversion_plan& plan,
                                         std::string_view target_format, const std::string& output_path,
                                         const gs_limits& limits);

/// The PostScript document at `document_path` as PDF in `output_path`: the
/// very conversion convert() runs for a PDF target without grey or media
/// fitting (pdfwrite, the pages as the document made them). Analysis
/// normalises PostScript with it (analyse_job.hpp), so that the PDF it counts
/// is the PDF that prints. Errors and output_path as run_conversion.
result<conversion_output> postscript_to_pdf(const std::string& document_path, const std::string& output_path,
                                            const gs_limits& limits);

}  // namespace quire::jobproc
