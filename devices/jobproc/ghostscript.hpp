// Ghostscript, run safely, for what the structure scan of protocols/pdl/
// cannot decide: the colour of "uncertain" pages, and the pages of a
// PostScript document (which must be interpreted to be counted); and to
// convert a document into a printer's language (convert_job.hpp).
//
// Every call starts a fresh `gs` process (STACK-NOTES: an interpreter reused
// across jobs leaks state from one job into the next) in a box:
//   - -dSAFER (never -dNOSAFER), -sstdout=%stderr so that nothing the
//     document prints can pass for raster output, -dFIXEDRESOLUTION so it
//     cannot lower the resolution, band lists in memory;
//   - no job attribute reaches gs as PostScript: only validated numbers go
//     into -r and -sPageList, and the document goes in as an absolute path
//     after -f (so it cannot be read as an option or an @response file);
//   - a fresh work folder per call (mkdtemp under work_base, removed
//     afterwards whatever happens) as cwd and HOME; TMPDIR/TEMP/TMP name a
//     folder inside it that does not exist, so SAFER, which lets a job write
//     only in the temp folder, leaves it nowhere to write (no disk filling,
//     no planted files) and nothing of other jobs to read;
//   - an environment of our own (nothing inherited: no GS_OPTIONS, no
//     GS_LIB), stdin /dev/null, rlimits on CPU, memory, file size and
//     descriptors, its own process group killed at the wall-clock deadline,
//     SIGKILL if quire-jobproc dies;
//   - conversions alone get a scratch folder: pdfwrite and ps2write keep
//     their parts in temp files, so there TMPDIR is a fresh folder inside
//     the work folder. SAFER lets the document read and write in it too
//     (nothing there but its own scratch); each file is bounded by
//     RLIMIT_FSIZE and all of them together by scratch_bytes (the sandbox
//     watches the folder), and it goes with the work folder. The device
//     writes to stdout (-sOutputFile=-), never to a file gs opens;
//   - when quire-jobproc runs as root and run_as_user is set, gs runs as
//     that user; the document is then copied into the work folder (readable
//     by that user only), because the spool is not readable by it.
//
// Errors: errc::timeout ("took longer than 60 s"), errc::limit_exceeded
// (memory, output), errc::corruption carrying gs's own message for a
// document gs rejects, errc::unavailable when gs cannot be run,
// errc::invalid_argument for a bad call.
//
// Blocking, seconds long: call from quire-jobproc's main thread (see
// sandbox.hpp about PR_SET_PDEATHSIG and threads).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/result.hpp"

namespace quire::jobproc {

struct gs_limits {
  uint32_t timeout_ms = 60000;          // wall clock; CPU is capped one second above
  uint64_t memory_bytes = 1ull << 30;   // RLIMIT_AS
  uint64_t output_bytes = 512ull << 20; // output read from gs, and RLIMIT_FSIZE
  uint64_t scratch_bytes = 1ull << 30;  // conversions: gs's temp files together
  std::string work_base = "/tmp";       // where the per-call work folders go
  std::string run_as_user;              // e.g. "nobody"; used only when running as root
  std::string gs_program = "/usr/bin/gs";
};

/// One page's verdict: (1-based page number, colour?).
using page_colour = std::pair<uint32_t, bool>;

/// Renders `pages` (1-based; empty = every page) of the PDF or PostScript
/// document at `document_path` (absolute) to RGB at `dpi` (1..600) and says
/// which are colour: some pixel's max - min channel over 8/255. Pages are
/// returned in ascending order; requested pages past the document's end are
/// left out. The raster is read as a stream, never a page held whole.
result<std::vector<page_colour>> render_colour(const std::string& document_path, const std::vector<uint32_t>& pages,
                                               uint32_t dpi, const gs_limits& limits);

/// Pages of a PostScript (or PDF) document, by interpreting it: the number
/// of pages gs's output device actually emits (rendered at 2 dpi, counted in
/// the raster stream), so a document that redefines showpage is counted by
/// what it prints, not by what it claims (%%Pages) or calls.
result<uint32_t> count_pages(const std::string& document_path, const gs_limits& limits);

/// How the document reaches gs in convert_with_gs.
enum class gs_input : uint8_t {
  document,  // PDF or PostScript, run as the program it is (after -f)
  jpeg,      // a JPEG image, shown by gs's viewjpeg.ps, fitted to the page
};

/// Takes the converted bytes as gs writes them; an error stops gs.
using gs_sink = std::function<status(std::string_view)>;

/// convert_with_gs's reason when gs ended well but wrote nothing at all.
inline constexpr std::string_view no_page_printed = "the document printed no page";

/// Runs gs on the document at `document_path` (absolute) with
/// `device_args` and streams the device's output to `sink`.
/// REQUIRES: device_args are -sDEVICE= and options built from fixed
/// strings and validated numbers only, never job text (convert_job.cpp).
/// Errors as above; the sink's own error when it stopped gs; errc::corruption
/// when gs could not open the document (gs's message; it exits 0 then) or
/// wrote nothing (`no_page_printed`: the document sent its pages elsewhere).
status convert_with_gs(const std::string& document_path, const std::vector<std::string>& device_args, gs_input input,
                       const gs_limits& limits, const gs_sink& sink);

/// gs's message worth showing from a stderr tail: its "Error: ..." or
/// "**** Error ..." line, else the last line that is not a stack dump;
/// printable ASCII, at most 200 characters. Exposed for tests.
std::string gs_message(const std::string& stderr_tail);

}  // namespace quire::jobproc
