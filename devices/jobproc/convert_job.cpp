#include "devices/jobproc/convert_job.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>

#include "devices/jobproc/raster_counter.hpp"
#include "devices/jobproc/work_folder.hpp"
#include "protocols/sniff/job_identity.hpp"

namespace quire::jobproc {

namespace {

constexpr std::string_view pdf = "application/pdf", postscript = "application/postscript",
                           pclxl = "application/vnd.hp-pclxl", pwg = "image/pwg-raster", urf = "image/urf",
                           jpeg = "image/jpeg";
constexpr uint32_t default_dpi = 300;
// The output's first bytes kept to check its signature: gs's PJL header
// before a PCL XL stream is about 100 bytes.
constexpr size_t signature_window = 4096;

struct language_info {
  std::string_view mime;
  const char* name;  // "PCL XL"
  const char* noun;  // "a PCL XL document"
};
constexpr language_info languages[] = {
    {pdf, "PDF", "a PDF document"},
    {postscript, "PostScript", "a PostScript document"},
    {pclxl, "PCL XL", "a PCL XL document"},
    {"application/vnd.hp-pcl", "PCL", "a PCL document"},
    {pwg, "PWG raster", "a PWG raster document"},
    {urf, "URF", "a URF (Apple raster) document"},
    {jpeg, "JPEG", "a JPEG image"},
    {"image/png", "PNG", "a PNG image"},
    {"text/plain", "text", "a plain-text document"},
};

const language_info* find_language(std::string_view mime) {
  for (const auto& l : languages)
    if (l.mime == mime) return &l;
  return nullptr;
}

std::string noun(std::string_view mime) {
  const language_info* l = find_language(mime);
  return l ? l->noun : "a document in an unknown format";
}

// A validated length in points, as gs reads it: "595.28". to_chars does not
// follow the locale.
std::string points(double pt) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, pt, std::chars_format::fixed, 2);
  return std::string(buf, r.ptr);
}

// gs options for the target. Every one is a fixed string or a number that
// validate() has bounded: no job text reaches gs's command line.
std::vector<std::string> device_args(std::string_view source, const convert_request& req) {
  std::string_view target = req.target_format;
  bool raster = target == pwg || target == urf;
  std::vector<std::string> a;
  if (target == pdf || target == postscript) {
    // Pages keep their orientation: by default pdfwrite turns a page whose
    // text runs sideways, which is the printer's business.
    a = {target == pdf ? "-sDEVICE=pdfwrite" : "-sDEVICE=ps2write", "-dAutoRotatePages=/None"};
    if (req.monochrome) a.insert(a.end(), {"-sColorConversionStrategy=Gray", "-dProcessColorModel=/DeviceGray"});
  } else if (target == pclxl) {
    a = {req.monochrome ? "-sDEVICE=pxlmono" : "-sDEVICE=pxlcolor"};
  } else {
    // gs's raster devices default to 1-bit black, which URF cannot carry:
    // 8-bit sGray (cupsColorSpace 18) or sRGB (19), as printers take them.
    a = {target == pwg ? "-sDEVICE=pwgraster" : "-sDEVICE=urf",
         req.monochrome ? "-dcupsColorSpace=18" : "-dcupsColorSpace=19", "-dcupsBitsPerColor=8",
         "-r" + std::to_string(req.resolution_dpi ? req.resolution_dpi : default_dpi), "-dFIXEDRESOLUTION"};
  }
  // PCL XL and the raster headers carry two-sidedness; PDF and PostScript
  // output leave it to the delivery (IPP sides), ps2write does not keep it.
  if (req.duplex && (target == pclxl || raster)) {
    a.push_back("-dDuplex");
    if (req.tumble) a.push_back("-dTumble");
  }
  if (req.media_width_pt > 0) {
    // FIXEDMEDIA keeps a document's setpagedevice from changing the size;
    // FitPage scales (and turns) each page onto it, for PDF and PostScript.
    a.insert(a.end(), {"-dDEVICEWIDTHPOINTS=" + points(req.media_width_pt),
                       "-dDEVICEHEIGHTPOINTS=" + points(req.media_height_pt), "-dFIXEDMEDIA", "-dFitPage"});
  }
  // Print what a viewer shows: the CropBox, the size analysis charged.
  if (source == pdf) a.push_back("-dUseCropBox");
  return a;
}

// Why a source that gs cannot read cannot be given what was asked.
std::string unsupported_reason(std::string_view source, const convert_request& req) {
  if (source != req.target_format)
    return noun(source) + " cannot be converted to " + language_name(req.target_format);
  std::string what = req.monochrome ? "printed in grey only" : "";
  if (req.media_width_pt > 0) what += std::string(what.empty() ? "" : " or ") + "fitted onto other media";
  return noun(source) + " cannot be " + what;
}

}  // namespace

std::string language_name(std::string_view mime) {
  const language_info* l = find_language(mime);
  return l ? l->name : "an unknown format";
}

conversion_plan plan_conversion(std::string_view source, const convert_request& req) {
  conversion_plan p;
  bool change = req.monochrome || req.media_width_pt > 0;
  if (source == req.target_format && !change) {
    p.what = conversion_plan::kind::passthrough;
    return p;
  }
  if (source != pdf && source != postscript && source != jpeg) {
    p.reason = unsupported_reason(source, req);
    return p;
  }
  p.what = conversion_plan::kind::ghostscript;
  p.input = source == jpeg ? gs_input::jpeg : gs_input::document;
  p.device_args = device_args(source, req);
  return p;
}

namespace {

using steady = std::chrono::steady_clock;

error io_failure(const std::string& what) { return error{errc::io_error, what + ": " + std::strerror(errno)}; }

// The document's first bytes, enough to tell its language.
result<std::string> read_head(const convert_request& req) {
  if (!req.document.empty()) return req.document.substr(0, sniff::sniff_window);
  std::ifstream in(req.path, std::ios::binary);
  if (!in) return error{errc::io_error, "the document cannot be read"};
  std::string head(sniff::sniff_window, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  if (head.empty()) return error{errc::corruption, "the document is empty"};
  return head;
}

// output_path, written as gs's output streams in and checked on the way.
class output_file {
 public:
  output_file(int fd, std::string_view target) : fd_(fd), target_(target) {
    if (target == pwg) counter_.emplace(raster_counter::format::pwg);
    if (target == urf) counter_.emplace(raster_counter::format::urf);
  }
  output_file(const output_file&) = delete;
  output_file& operator=(const output_file&) = delete;
  ~output_file() {
    if (fd_ >= 0) ::close(fd_);
  }

  status write(std::string_view bytes) {
    if (head_.size() < signature_window) {
      head_.append(bytes.substr(0, signature_window - head_.size()));
      if (head_.size() == signature_window)
        if (status st = check_signature()) return st;
    }
    if (counter_ && !counter_->feed(bytes))
      return error{errc::corruption, "the document changed Ghostscript's output: " + counter_->error_message()};
    for (size_t off = 0; off < bytes.size();) {
      ssize_t n = ::write(fd_, bytes.data() + off, bytes.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return io_failure("cannot write the output");
      off += static_cast<size_t>(n);
    }
    bytes_ += bytes.size();
    return status{};
  }

  // After gs ended well: the whole output is what the target should be.
  status finish() {
    if (status st = check_signature()) return st;
    if (counter_ && !counter_->complete()) return error{errc::internal, "Ghostscript's raster output ended mid-page"};
    if (counter_ && counter_->pages() == 0) return error{errc::corruption, "the document has no page to print"};
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return io_failure("cannot write the output");
    return status{};
  }

  uint64_t bytes() const { return bytes_; }
  uint32_t pages() const { return counter_ ? counter_->pages() : 0; }

 private:
  status check_signature() const {
    if (sniff::mime(sniff::sniff(head_).lang) == target_) return status{};
    return error{errc::corruption, "the document changed Ghostscript's output into something other than " +
                                       language_name(target_)};
  }

  int fd_;
  std::string_view target_;
  std::string head_;
  std::optional<raster_counter> counter_;
  uint64_t bytes_ = 0;
};

// Created or truncated, 0600 even when it existed with another mode, never
// through a symbolic link.
result<int> open_output(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return io_failure("cannot create the output file");
  if (::fchmod(fd, 0600) != 0) {
    error e = io_failure("cannot set the output file's mode");
    ::close(fd);
    return e;
  }
  return fd;
}

convert_reply failed(errc code, std::string reason) {
  convert_reply rep;
  rep.failure = to_string(code);
  rep.reason = std::move(reason);
  return rep;
}

// Runs the plan's gs conversion into output_path.
convert_reply run_gs_plan(const convert_request& req, const conversion_plan& plan, gs_limits gs) {
  gs.timeout_ms = req.timeout_ms;
  std::optional<work_folder> folder;  // holds an inline document while gs reads it
  std::string doc = req.path;
  if (doc.empty()) {
    auto made = work_folder::create(gs.work_base, false);
    if (!made) return failed(made.err().code, "the job processor cannot work: " + made.err().message);
    folder.emplace(std::move(*made));
    auto written = folder->write("document", req.document);
    if (!written) return failed(written.err().code, "the job processor cannot work: " + written.err().message);
    doc = *written;
  }
  auto out = run_conversion(doc, plan, req.target_format, req.output_path, gs);
  if (!out) {
    if (out.err().code == errc::io_error)  // ours (the output's folder, the disk), not the document's
      return failed(errc::io_error, "the job processor cannot work: " + out.err().message);
    std::string reason = "the document cannot be converted to ";
    reason.append(language_name(req.target_format)).append(": ").append(out.err().message);
    return failed(out.err().code, std::move(reason));
  }
  convert_reply rep;
  rep.ok = true;
  rep.format = req.target_format;
  rep.output_bytes = out->bytes;
  rep.pages = out->pages;
  return rep;
}

convert_reply run(const convert_request& req, const gs_limits& limits) {
  if (status v = validate(req)) return failed(errc::internal, "the request is not valid: " + v.message);
  auto head = read_head(req);
  if (!head) {
    ::unlink(req.output_path.c_str());
    return failed(head.err().code, head.err().message);
  }
  std::string source = sniff::mime(sniff::sniff(*head).lang);
  conversion_plan plan = plan_conversion(source, req);
  convert_reply rep;
  if (plan.what == conversion_plan::kind::passthrough) {
    rep.ok = true;
    rep.passthrough = true;
    rep.format = source;
  } else if (plan.what == conversion_plan::kind::unsupported) {
    ::unlink(req.output_path.c_str());
    rep = failed(errc::unsupported, plan.reason);
  } else {
    rep = run_gs_plan(req, plan, limits);
  }
  if (!req.source_format.empty() && req.source_format != source)
    rep.notes.push_back("source_format says " + req.source_format + ", the content is " + source);
  return rep;
}

}  // namespace

result<conversion_output> run_conversion(const std::string& document_path, const conversion_plan& plan,
                                         std::string_view target_format, const std::string& output_path,
                                         const gs_limits& limits) {
  auto fd = open_output(output_path);
  if (!fd) return fd.err();
  auto out = std::make_unique<output_file>(*fd, target_format);
  status st = convert_with_gs(document_path, plan.device_args, plan.input, limits,
                              [&out](std::string_view bytes) { return out->write(bytes); });
  if (!st) st = out->finish();
  if (st) {
    out.reset();
    ::unlink(output_path.c_str());
    return st;
  }
  return conversion_output{out->bytes(), out->pages()};
}

result<conversion_output> postscript_to_pdf(const std::string& document_path, const std::string& output_path,
                                            const gs_limits& limits) {
  convert_request req;
  req.target_format = pdf;
  conversion_plan plan = plan_conversion(postscript, req);
  return run_conversion(document_path, plan, pdf, output_path, limits);
}

convert_reply convert(const convert_request& req, const gs_limits& limits) {
  auto t0 = steady::now();
  convert_reply rep = run(req, limits);
  rep.job_id = req.job_id;
  rep.elapsed_us = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - t0).count());
  return rep;
}

}  // namespace quire::jobproc
