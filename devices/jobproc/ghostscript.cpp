#include "devices/jobproc/ghostscript.hpp"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "devices/jobproc/pnm_stream.hpp"
#include "devices/jobproc/sandbox.hpp"
#include "devices/jobproc/work_folder.hpp"

namespace quire::jobproc {

namespace {

// The resolution page counting renders at: the raster is thrown away, and
// 1 dpi trips gs's own halftone set-up (rangecheck in setscreen).
constexpr uint32_t count_dpi = 2;
// The kernel refuses a single argument over 128 KiB; past this the page list
// is dropped and every page rendered (then filtered).
constexpr size_t max_page_list = 64 * 1024;

struct identity {
  uid_t uid;
  gid_t gid;
};

// The user gs runs as, or none when it runs as we do.
result<std::optional<identity>> resolve_user(const gs_limits& lim) {
  if (lim.run_as_user.empty() || ::geteuid() != 0) return std::optional<identity>{};
  struct passwd pw{}, *found = nullptr;
  std::string buf(16384, '\0');
  if (::getpwnam_r(lim.run_as_user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr)
    // Fail closed: a typo in the configuration must not run gs as root.
    return error{errc::invalid_argument, "run_as_user '" + lim.run_as_user + "' does not exist"};
  if (pw.pw_uid == 0) return std::optional<identity>{};
  return std::optional<identity>{identity{pw.pw_uid, pw.pw_gid}};
}

std::string seconds(uint32_t ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
}

std::string mib(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

bool contains(const std::string& hay, const char* needle) { return hay.find(needle) != std::string::npos; }

// What a run's outcome means, as far as it is the same for every run: ok
// when gs exited 0 by itself. `stopped_why` explains a run the output
// reader stopped.
status classify(const sandbox_outcome& o, const gs_limits& lim, const std::string& stopped_why) {
  if (o.timed_out || (!o.exited && o.signal == SIGXCPU))
    return error{errc::timeout, "took longer than " + seconds(lim.timeout_ms)};
  if (o.output_capped || (!o.exited && o.signal == SIGXFSZ))
    return error{errc::limit_exceeded, "produced more than " + mib(lim.output_bytes) + " of output"};
  if (o.folder_capped)
    return error{errc::limit_exceeded, "wrote more than " + mib(lim.scratch_bytes) + " of temporary files"};
  if (o.stopped) return error{errc::internal, "unexpected output from Ghostscript: " + stopped_why};
  const std::string& err = o.stderr_tail;
  std::string msg = gs_message(err);
  if (!o.exited)
    return error{errc::corruption, "Ghostscript crashed on the document (signal " + std::to_string(o.signal) + ")"};
  if (o.exit_code != 0) {
    if (o.exit_code == 127 && contains(err, "quire-jobproc sandbox:"))
      return error{errc::unavailable, "cannot run " + lim.gs_program + ": " + msg};
    // A failed allocation is a VMerror; ENOMEM is "Last OS error: 12". Only
    // believed when gs failed: the document itself can print anything there.
    if (contains(err, "VMerror") || contains(err, "Last OS error: 12"))
      return error{errc::limit_exceeded, "needed more than " + mib(lim.memory_bytes) + " of memory"};
    return error{errc::corruption,
                 msg.empty() ? "Ghostscript failed (exit code " + std::to_string(o.exit_code) + ")" : msg};
  }
  return status{};
}

// As classify, for a rendering read by `raster`.
status classify_render(const sandbox_outcome& o, const pnm_stream& raster, const gs_limits& lim, bool listed) {
  if (status st = classify(o, lim, raster.error_message())) return st;
  if (!raster.complete()) return error{errc::internal, "Ghostscript's raster output ended mid-page"};
  // A PDF gs cannot open at all still exits 0, with no page and an error.
  // (With a page list, pages past the end say "page not found" the same way.)
  if (raster.pages().empty() && !listed && contains(o.stderr_tail, "Error"))
    return error{errc::corruption, gs_message(o.stderr_tail)};
  return status{};
}

// One run's particulars; the box around it is the same for every run.
struct gs_job {
  std::vector<std::string> args;  // after the common ones: device, resolution, page list...
  bool scratch = false;           // a TMPDIR gs may write in (pdfwrite and ps2write need one)
  bool jpeg = false;              // show the document with gs's viewjpeg.ps instead of running it
};

// "<2f746d70...>": a PostScript hex string, which no byte of `s` can end.
std::string ps_hex_string(const std::string& s) {
  static const char digits[] = "0123456789abcdef";
  std::string out = "<";
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out + ">";
}

// The arguments that name the input and the output, after everything else.
void add_input(const gs_job& job, const std::string& input, std::vector<std::string>& args) {
  if (!job.jpeg) {
    args.insert(args.end(), {"-sOutputFile=-", "-f", input});
    return;
  }
  // viewjpeg.ps comes from gs's own library (the cwd is our fresh folder);
  // SAFER lets it read this one file. The path reaches PostScript as a hex
  // string: it is ours (work folder or spool), yet no character can escape.
  args.insert(args.end(), {"--permit-file-read=" + input, "-sOutputFile=-", "viewjpeg.ps", "-c",
                           ps_hex_string(input) + " viewJPEG showpage"});
}

// Runs gs on `document` in its box (see the header) and returns how it
// ended; what that means is the caller's to say.
result<sandbox_outcome> run_gs(const std::string& document, const gs_job& job, const gs_limits& lim,
                               const stdout_fn& on_stdout) {
  if (document.empty() || document.front() != '/' || document.find('\0') != std::string::npos)
    return error{errc::invalid_argument, "document path must be absolute"};
  if (lim.gs_program.empty() || lim.gs_program.front() != '/')
    return error{errc::invalid_argument, "gs_program must be an absolute path"};
  if (lim.timeout_ms == 0) return error{errc::invalid_argument, "timeout_ms must be positive"};
  struct stat st{};
  if (::stat(document.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return error{errc::not_found, "no document at " + document};

  auto who = resolve_user(lim);
  if (!who) return who.err();
  auto wf = work_folder::create(lim.work_base, who->has_value());
  if (!wf) return wf.err();
  uid_t uid = who->has_value() ? (*who)->uid : ::geteuid();
  gid_t gid = who->has_value() ? (*who)->gid : ::getegid();
  std::string input = document;
  if (who->has_value()) {
    auto copy = wf->copy_in(document, "document", uid, gid);
    if (!copy) return copy.err();
    input = *copy;
  }
  // Without scratch, TMPDIR names a folder that is deliberately never
  // created: see the header.
  std::string tmp = wf->path() + "/tmp";
  if (job.scratch) {
    auto made = wf->make_folder("tmp", uid, gid);
    if (!made) return made.err();
  }

  sandbox_options o;
  o.program = lim.gs_program;
  o.args = {"-dSAFER", "-dBATCH", "-dNOPAUSE", "-dQUIET", "-dNOPROMPT",
            // What the document prints goes to stderr, never into the output.
            "-sstdout=%stderr",
            // Large pages band in memory (bounded by RLIMIT_AS), not in temp files.
            "-sBandListStorage=memory"};
  o.args.insert(o.args.end(), job.args.begin(), job.args.end());
  add_input(job, input, o.args);
  o.env = {"PATH=/usr/bin:/bin", "HOME=" + wf->path(), "TMPDIR=" + tmp, "TEMP=" + tmp, "TMP=" + tmp, "LC_ALL=C"};
  o.cwd = wf->path();
  o.timeout_ms = lim.timeout_ms;
  o.memory_bytes = lim.memory_bytes;
  o.file_bytes = lim.output_bytes;
  if (job.scratch) {
    o.watch_folder = tmp;
    o.watch_folder_bytes = lim.scratch_bytes;
  }
  if (who->has_value()) {
    o.drop_privileges = true;
    o.uid = uid;
    o.gid = gid;
  }
  return run_sandboxed(o, on_stdout);
}

// One rendering to `device` at `dpi` of the pages in `page_list` ("" = all),
// read by `raster`.
status render(const std::string& document, const char* device, uint32_t dpi, const std::string& page_list,
              const gs_limits& lim, pnm_stream& raster) {
  gs_job job;
  job.args = {"-dNOINTERPOLATE", "-dFIXEDRESOLUTION", std::string("-sDEVICE=") + device, "-r" + std::to_string(dpi)};
  if (!page_list.empty()) job.args.push_back("-sPageList=" + page_list);
  auto out = run_gs(document, job, lim, [&raster](std::string_view bytes) { return raster.feed(bytes); });
  if (!out) return out.err();
  return classify_render(*out, raster, lim, !page_list.empty());
}

// "1-3,7,9-10" from ascending, distinct page numbers.
std::string page_list(const std::vector<uint32_t>& sorted) {
  std::string s;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
    if (!s.empty()) s += ',';
    s += std::to_string(sorted[i]);
    if (j > i) {
      s += '-';  // not "-" + to_string(): GCC 12 warns wrongly (-Wrestrict) on that
      s += std::to_string(sorted[j]);
    }
    i = j + 1;
  }
  return s;
}

}  // namespace

std::string gs_message(const std::string& tail) {
  std::string chosen, last;
  size_t at = 0;
  while (at < tail.size()) {
    size_t nl = tail.find('\n', at);
    if (nl == std::string::npos) nl = tail.size();
    std::string line = tail.substr(at, nl - at);
    at = nl + 1;
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    line = line.substr(b, line.find_last_not_of(" \t\r") + 1 - b);
    // Stack dumps and the trailer say nothing to a user.
    static const char* const noise[] = {"Operand stack:", "Execution stack:", "Dictionary stack:", "%interp_exit",
                                        "--",             "Current allocation", "Last OS error",   "Current file position",
                                        "VM status",      "Output may be incorrect"};
    bool skip = b > 0 && line.rfind("****", 0) != 0;  // indented: a dump's continuation
    for (const char* n : noise) skip = skip || line.rfind(n, 0) == 0;
    if (contains(line, "Unrecoverable error, exit code")) skip = true;
    if (skip) continue;
    if (chosen.empty() && (line.rfind("Error:", 0) == 0 || line.rfind("**** Error", 0) == 0 ||
                           line.rfind("Unrecoverable error", 0) == 0 || line.rfind("quire-jobproc sandbox:", 0) == 0))
      chosen = line;
    last = line;
  }
  std::string msg = chosen.empty() ? last : chosen;
  for (char& c : msg)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  if (msg.size() > 200) msg.resize(200);
  return msg;
}

result<std::vector<page_colour>> render_colour(const std::string& document_path, const std::vector<uint32_t>& pages,
                                               uint32_t dpi, const gs_limits& limits) {
  if (dpi < 1 || dpi > 600) return error{errc::invalid_argument, "dpi must be 1..600"};
  std::vector<uint32_t> wanted = pages;
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  if (!wanted.empty() && wanted.front() == 0) return error{errc::invalid_argument, "pages are numbered from 1"};

  std::string list = page_list(wanted);
  bool listed = !wanted.empty() && list.size() <= max_page_list;
  if (!listed) list.clear();

  pnm_stream raster;
  if (status st = render(document_path, "ppmraw", dpi, list, limits, raster)) return st;

  const auto& got = raster.pages();
  std::vector<page_colour> out;
  if (listed) {
    // gs emits the listed pages in order and skips those past the end.
    if (got.size() > wanted.size())
      return error{errc::internal, "Ghostscript rendered " + std::to_string(got.size()) + " pages for " +
                                       std::to_string(wanted.size()) + " asked"};
    for (size_t i = 0; i < got.size(); ++i) out.emplace_back(wanted[i], got[i].colour);
  } else {
    for (size_t i = 0; i < got.size(); ++i) {
      auto n = static_cast<uint32_t>(i + 1);
      if (wanted.empty() || std::binary_search(wanted.begin(), wanted.end(), n)) out.emplace_back(n, got[i].colour);
    }
  }
  return out;
}

result<uint32_t> count_pages(const std::string& document_path, const gs_limits& limits) {
  pnm_stream raster;
  if (status st = render(document_path, "pbmraw", count_dpi, "", limits, raster)) return st;
  return static_cast<uint32_t>(raster.pages().size());
}

status convert_with_gs(const std::string& document_path, const std::vector<std::string>& device_args, gs_input input,
                       const gs_limits& limits, const gs_sink& sink) {
  gs_job job;
  job.args = device_args;
  job.scratch = true;
  job.jpeg = input == gs_input::jpeg;
  error refused;  // the sink's own error, which stopped gs
  auto out = run_gs(document_path, job, limits, [&](std::string_view bytes) {
    if (refused) return false;
    refused = sink(bytes);
    return !refused;
  });
  if (!out) return out.err();
  if (out->stopped && refused) return refused;
  if (status st = classify(*out, limits, "")) return st;
  // A document gs cannot open at all still exits 0, writing no page.
  if (contains(out->stderr_tail, "No pages will be processed")) {
    std::string msg = gs_message(out->stderr_tail);
    return error{errc::corruption, msg.empty() ? "Ghostscript wrote nothing" : msg};
  }
  // gs ended well and wrote nothing: a PostScript program that sent its
  // output elsewhere (<< /OutputFile (/dev/null) >> setpagedevice before
  // its first page). pdfwrite writes a blank page for one that drew none.
  if (out->stdout_bytes == 0) return error{errc::corruption, std::string(no_page_printed)};
  return status{};
}

}  // namespace quire::jobproc
