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

}  // namespace quire::jobproc
