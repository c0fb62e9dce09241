// Conversion for delivery, with the real gs: every target's signature, the
// PWG raster header fields the request controls, what is refused, and the
// box (timeouts, caps, reads outside it, a document switching devices).
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "devices/jobproc/convert_job.hpp"
#include "devices/jobproc/ghostscript.hpp"
#include "protocols/pdl/analysis.hpp"
#include "test_util.hpp"

using namespace quire;
using namespace quire::jobproc;

namespace {

constexpr const char* pdf = "application/pdf";
constexpr const char* ps = "application/postscript";
constexpr const char* pclxl = "application/vnd.hp-pclxl";
constexpr const char* pwg = "image/pwg-raster";
constexpr const char* urf = "image/urf";

// Two pages on A4, one red and one blue: colour all through.
const char* two_pages = R"(%!PS
<< /PageSize [595 842] >> setpagedevice
/Helvetica findfont 24 scalefont setfont
1 0 0 setrgbcolor 72 700 moveto (Page one, red) show 72 72 200 200 rectfill showpage
0 0 1 setrgbcolor 72 700 moveto (Page two, blue) show 300 300 100 100 rectfill showpage
)";

struct fixture {
  quire::testing::temp_dir docs;  // stands for the spool
  quire::testing::temp_dir work;  // work_base: must be empty after every call
  quire::testing::temp_dir out;   // where quired wants the output
  gs_limits lim;

  fixture() {
    lim.work_base = work.path();
    ::chmod(work.path().c_str(), 0711);  // as /tmp is: run_as_user must be able to enter
  }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::string p = docs.path() + "/" + name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  // A document made by gs itself from PostScript (trusted: our own input).
  std::string made(const std::string& name, const char* device, const std::string& ps_text,
                   const std::string& extra = "") const {
    std::string src = write(name + ".src.ps", ps_text), dest = docs.path() + "/" + name;
    // stderr dropped: the CUPS-based devices chat there ("INFO: ...").
    std::string cmd = "gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=" + std::string(device) + " " + extra +
                      " -sOutputFile='" + dest + "' '" + src + "' 2>/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    return dest;
  }
  convert_request request(const std::string& doc, const char* target) const {
    convert_request r;
    r.job_id = 5;
    r.path = doc;
    r.target_format = target;
    r.output_path = out.path() + "/out";
    r.timeout_ms = 30000;
    return r;
  }
  bool work_is_empty() const { return std::filesystem::is_empty(work.path()); }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool exists(const std::string& path) { return std::filesystem::exists(path); }

convert_reply ok_convert(const convert_request& req, const gs_limits& lim) {
  auto rep = convert(req, lim);
  REQUIRE_MESSAGE(rep.ok, rep.failure << ": " << rep.reason);
  CHECK(rep.job_id == req.job_id);
  CHECK_FALSE(rep.passthrough);
  CHECK(rep.format == req.target_format);
  CHECK(rep.output_bytes == std::filesystem::file_size(req.output_path));
  return rep;
}

// A field of the first PWG page header (offsets of cups_page_header2_t).
uint32_t pwg_field(const std::string& file, size_t offset) {
  REQUIRE(file.size() >= 4 + 1796);
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(file[4 + offset + i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}
constexpr size_t pwg_duplex = 272, pwg_res_x = 276, pwg_page_w = 352, pwg_page_h = 356, pwg_tumble = 368,
                 pwg_width = 372, pwg_height = 376, pwg_colour_space = 400, pwg_colours = 420;

// What protocols/pdl makes of the output: it decides colour from content.
pdl::analysis analysed(const std::string& path) {
  auto a = pdl::analyse(slurp(path), "");
  REQUIRE_MESSAGE(a.ok(), a.err().describe());
  return *a;
}

// Colour pages of an output: rendered where gs reads it (PostScript's
// structure says nothing of colour), else from protocols/pdl.
uint32_t colour_pages(const std::string& path, const std::string& format, const gs_limits& lim) {
  if (format != pdf && format != ps) return analysed(path).colour_pages();
  auto r = render_colour(path, {}, 20, lim);
  REQUIRE_MESSAGE(r.ok(), r.err().describe());
  uint32_t n = 0;
  for (const auto& [page, colour] : *r) n += colour ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("convert: PDF and PostScript to every target start with its signature") {
  fixture f;
  std::string doc_pdf = f.made("two.pdf", "pdfwrite", two_pages);
  std::string doc_ps = f.write("two.ps", two_pages);
  struct target {
    const char* mime;
    std::string signature;
  };
  for (const auto& doc : {doc_pdf, doc_ps}) {
    for (const target& t : {target{pdf, "%PDF-"}, target{ps, "%!PS"}, target{pclxl, ""}, target{pwg, "RaS2"},
                            target{urf, std::string("UNIRAST\0", 8)}}) {
      if (t.mime == std::string(pdf) && doc == doc_pdf) continue;  // passthrough, below
      if (t.mime == std::string(ps) && doc == doc_ps) continue;
      CAPTURE(doc);
      CAPTURE(t.mime);
      auto req = f.request(doc, t.mime);
      auto rep = ok_convert(req, f.lim);
      std::string got = slurp(req.output_path);
      if (t.mime == std::string(pclxl)) {
        // gs's PJL header, then the PCL XL stream header.
        CHECK(got.rfind("\x1b%-12345X@PJL", 0) == 0);
        CHECK(got.find(") HP-PCL XL;") < 300);
      } else {
        CHECK(got.rfind(t.signature, 0) == 0);
      }
      // Every output reads back as two pages of its language.
      auto a = analysed(req.output_path);
      CHECK(a.format == t.mime);
      CHECK(a.pages == 2);
      if (t.mime == std::string(pwg) || t.mime == std::string(urf)) CHECK(rep.pages == 2);
      CHECK((std::filesystem::status(req.output_path).permissions() & std::filesystem::perms::all) ==
            (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    }
  }
  CHECK(f.work_is_empty());
}

TEST_CASE("convert: monochrome gives grey output in every target") {
  fixture f;
  std::string doc_pdf = f.made("two.pdf", "pdfwrite", two_pages), doc_ps = f.write("two.ps", two_pages);
  for (const char* target : {pdf, ps, pclxl, pwg, urf}) {
    CAPTURE(target);
    auto req = f.request(target == std::string(pdf) ? doc_ps : doc_pdf, target);
    ok_convert(req, f.lim);
    CHECK(colour_pages(req.output_path, target, f.lim) == 2);  // the check can fail: colour stays colour
    std::string colour = slurp(req.output_path);
    req.monochrome = true;
    ok_convert(req, f.lim);
    CHECK(analysed(req.output_path).pages == 2);
    CHECK(colour_pages(req.output_path, target, f.lim) == 0);
    std::string grey = slurp(req.output_path);
    if (target == std::string(pwg)) {
      CHECK(pwg_field(colour, pwg_colour_space) == 19);  // sRGB
      CHECK(pwg_field(colour, pwg_colours) == 3);
      CHECK(pwg_field(grey, pwg_colour_space) == 18);  // sGray
      CHECK(pwg_field(grey, pwg_colours) == 1);
    }
    if (target == std::string(pclxl)) {  // pxlmono, not pxlcolor
      CHECK(colour.find("@PJL SET RENDERMODE=COLOR") != std::string::npos);
      CHECK(grey.find("@PJL SET RENDERMODE=GRAYSCALE") != std::string::npos);
    }
    if (target == std::string(urf)) {
      CHECK(colour[12 + 1] == 1);  // sRGB, 24 bits
      CHECK(colour[12] == 24);
      CHECK(grey[12 + 1] == 0);  // sGray, 8 bits
      CHECK(grey[12] == 8);
    }
  }
}

TEST_CASE("convert: PWG raster header carries media, resolution and duplex") {
  fixture f;
  for (const std::string& doc : {f.made("two.pdf", "pdfwrite", two_pages), f.write("two.ps", two_pages)}) {
    CAPTURE(doc);
    auto req = f.request(doc, pwg);
    ok_convert(req, f.lim);
    auto plain = slurp(req.output_path);
    CHECK(pwg_field(plain, pwg_page_w) == 595);  // the document's own size
    CHECK(pwg_field(plain, pwg_page_h) == 842);
    CHECK(pwg_field(plain, pwg_res_x) == 300);   // the default
    CHECK(pwg_field(plain, pwg_duplex) == 0);

    req.media_width_pt = 612;  // US letter
    req.media_height_pt = 792;
    req.resolution_dpi = 100;
    req.duplex = true;
    req.tumble = true;
    auto rep = ok_convert(req, f.lim);
    CHECK(rep.pages == 2);
    auto fitted = slurp(req.output_path);
    CHECK(pwg_field(fitted, pwg_page_w) == 612);
    CHECK(pwg_field(fitted, pwg_page_h) == 792);
    CHECK(pwg_field(fitted, pwg_res_x) == 100);
    CHECK(pwg_field(fitted, pwg_width) == 850);  // 8.5 in at 100 dpi
    CHECK(pwg_field(fitted, pwg_height) == 1100);
    CHECK(pwg_field(fitted, pwg_duplex) == 1);
    CHECK(pwg_field(fitted, pwg_tumble) == 1);
  }
}

TEST_CASE("convert: PCL XL pages say simplex, long-edge or short-edge duplex") {
  fixture f;
  auto req = f.request(f.write("two.ps", two_pages), pclxl);
  // BeginPage's attributes: ubyte value, then the attribute id (PCL XL 2.1).
  const std::string simplex("\xf8\x34", 2), duplex_mode("\xf8\x35", 2);
  const std::string long_edge("\xc0\x01\xf8\x35", 4), short_edge("\xc0\x00\xf8\x35", 4);
  ok_convert(req, f.lim);
  std::string one = slurp(req.output_path);
  CHECK(one.find(simplex) != std::string::npos);
  CHECK(one.find(duplex_mode) == std::string::npos);
  req.duplex = true;
  ok_convert(req, f.lim);
  std::string two = slurp(req.output_path);
  CHECK(two.find(long_edge) != std::string::npos);  // eDuplexVerticalBinding
  CHECK(two.find(simplex) == std::string::npos);
  req.tumble = true;
  ok_convert(req, f.lim);
  std::string tumble = slurp(req.output_path);
  CHECK(tumble.find(short_edge) != std::string::npos);  // eDuplexHorizontalBinding
  CHECK(tumble.find(long_edge) == std::string::npos);
}

TEST_CASE("convert: media fitting scales pages, without losing what is off the new page") {
  fixture f;
  // A red mark in the top right corner of a letter page: on a 300 x 400 pt
  // card it is cut off unless the page is scaled to fit.
  const std::string corner = "%!PS\n<< /PageSize [612 792] >> setpagedevice\n"
                             "1 0 0 setrgbcolor 560 740 40 40 rectfill showpage\n";
  for (const std::string& doc : {f.made("corner.pdf", "pdfwrite", corner), f.write("corner.ps", corner)}) {
    CAPTURE(doc);
    for (const char* target : {pdf, pwg}) {
      auto req = f.request(doc, target);
      req.media_width_pt = 300;
      req.media_height_pt = 400;
      req.resolution_dpi = 72;
      ok_convert(req, f.lim);
      auto a = analysed(req.output_path);
      REQUIRE(a.pages == 1);
      CHECK(a.page_list[0].width_pt == doctest::Approx(300));
      CHECK(a.page_list[0].height_pt == doctest::Approx(400));
      // Rendered pixels: the mark is on the card (PDF content is not clipped
      // by its MediaBox, so only the raster can tell).
      CHECK(colour_pages(req.output_path, target, f.lim) == 1);
    }
  }
  // The check can fail: without fitting, the raster has no red.
  auto req = f.request(f.write("cut.ps", "%!PS\n<< /PageSize [300 400] >> setpagedevice\n"
                                         "1 0 0 setrgbcolor 560 740 40 40 rectfill showpage\n"),
                       pwg);
  req.resolution_dpi = 72;
  ok_convert(req, f.lim);
  CHECK(colour_pages(req.output_path, pwg, f.lim) == 0);
}

TEST_CASE("convert: nothing to do is a passthrough, nothing written") {
  fixture f;
  std::string doc = f.made("two.pdf", "pdfwrite", two_pages);
  auto req = f.request(doc, pdf);
  req.duplex = true;  // two-sidedness is the delivery's business for PDF
  auto rep = convert(req, f.lim);
  CHECK(rep.ok);
  CHECK(rep.passthrough);
  CHECK(rep.format == pdf);
  CHECK_FALSE(exists(req.output_path));

  std::string raster = f.made("page.pwg", "pwgraster", two_pages, "-r20 -dcupsColorSpace=19 -dcupsBitsPerColor=8");
  req = f.request(raster, pwg);
  req.source_format = "image/pwg-raster";
  rep = convert(req, f.lim);
  CHECK(rep.passthrough);
  CHECK(rep.notes.empty());

  // Inline, with a source_format that disagrees with the content.
  req = f.request("", ps);
  req.path.clear();
  req.document = two_pages;
  req.source_format = "application/pdf";
  rep = convert(req, f.lim);
  CHECK(rep.passthrough);
  REQUIRE(rep.notes.size() == 1);
  CHECK(rep.notes[0].find("application/postscript") != std::string::npos);
  CHECK(f.work_is_empty());
}

TEST_CASE("convert: an inline document is converted too") {
  fixture f;
  convert_request req = f.request("", pwg);
  req.path.clear();
  req.document = two_pages;
  req.resolution_dpi = 72;
  auto rep = ok_convert(req, f.lim);
  CHECK(rep.pages == 2);
  CHECK(f.work_is_empty());
}

TEST_CASE("convert: sources gs does not read are refused, naming both languages") {
  fixture f;
  std::string png = f.made("page.png", "png16m", two_pages, "-r10");
  auto req = f.request(png, pclxl);
  std::ofstream(req.output_path) << "stale";
  auto rep = convert(req, f.lim);
  CHECK_FALSE(rep.ok);
  CHECK(rep.failure == "unsupported");
  CHECK(rep.reason == "a PNG image cannot be converted to PCL XL");
  CHECK_FALSE(exists(req.output_path));

  std::string raster = f.made("page.pwg", "pwgraster", two_pages, "-r20 -dcupsColorSpace=19 -dcupsBitsPerColor=8");
  req = f.request(raster, pwg);
  req.monochrome = true;
  rep = convert(req, f.lim);
  CHECK(rep.failure == "unsupported");
  CHECK(rep.reason == "a PWG raster document cannot be printed in grey only");
  req = f.request(f.write("notes.txt", "hello\n"), urf);
  CHECK(convert(req, f.lim).reason == "a plain-text document cannot be converted to URF");
  req = f.request(f.write("blob", std::string("\x00\x01\x02\x03", 4)), pdf);
  CHECK(convert(req, f.lim).reason == "a document in an unknown format cannot be converted to PDF");
}

TEST_CASE("convert: a JPEG goes through viewjpeg.ps, reading that file only") {
  fixture f;
  std::string jpg = f.made("photo.jpg", "jpeg", two_pages, "-r20");
  for (const char* target : {pdf, pwg}) {
    auto req = f.request(jpg, target);
    auto rep = ok_convert(req, f.lim);
    CHECK(analysed(req.output_path).pages == 1);
    CHECK(colour_pages(req.output_path, target, f.lim) == 1);
  }
  // A path PostScript would misread, were it not passed as a hex string.
  std::string odd = f.docs.path() + "/a) (b\\.jpg";
  std::filesystem::copy_file(jpg, odd);
  CHECK(convert(f.request(odd, pwg), f.lim).ok);
  CHECK(f.work_is_empty());
}

TEST_CASE("convert: an endless loop times out and leaves no output") {
  fixture f;
  auto req = f.request(f.write("loop.ps", "%!PS\n{} loop\n"), pdf);
  req.timeout_ms = 1500;
  auto rep = convert(req, f.lim);
  CHECK_FALSE(rep.ok);
  CHECK(rep.failure == "timeout");
  CHECK(rep.reason == "the document cannot be converted to PDF: took longer than 1.5 s");
  CHECK_FALSE(exists(req.output_path));
  CHECK(f.work_is_empty());
}

TEST_CASE("convert: /etc/passwd stays out of the output") {
  fixture f;
  // When the read works, the document writes the file into every channel it
  // has and shows two pages; when it is refused, one.
  std::string doc = f.write("passwd.ps", R"(%!PS
/data mark { (/etc/passwd) (r) file 2000 string readstring pop } stopped { cleartomark () } { exch pop } ifelse def
data print flush
(%stdout) (w) file data writestring
/Courier findfont 8 scalefont setfont 10 400 moveto data show showpage
data length 0 gt { showpage } if
)");
  for (const char* target : {pdf, pwg}) {
    auto req = f.request(doc, target);
    auto rep = convert(req, f.lim);
    if (rep.ok) {
      std::string got = slurp(req.output_path);
      CHECK(got.find("root:") == std::string::npos);
      CHECK(analysed(req.output_path).pages == 1);
    } else {
      CHECK(rep.reason.find("root:") == std::string::npos);
      CHECK_FALSE(exists(req.output_path));
    }
  }
}

TEST_CASE("convert: what the document prints never reaches the output") {
  fixture f;
  std::string doc = f.write("inject.ps", "%!PS\n(INJECTED) print flush (%stdout) (w) file (INJECTED) writestring\n"
                                         "0 0 100 100 rectfill showpage\n");
  for (const char* target : {pdf, pclxl, pwg}) {
    auto req = f.request(doc, target);
    ok_convert(req, f.lim);
    CHECK(slurp(req.output_path).find("INJECTED") == std::string::npos);
  }
}

TEST_CASE("convert: a document switching gs to another device is caught") {
  fixture f;
  std::string doc = f.write("switch.ps", "%!PS\n/ps2write finddevice mark /OutputFile (-) 4 -1 roll putdeviceprops "
                                         "setdevice\n/Helvetica findfont 24 scalefont setfont 72 700 moveto (x) show "
                                         "showpage\n");
  for (const char* target : {pwg, pclxl}) {
    auto req = f.request(doc, target);
    auto rep = convert(req, f.lim);
    CHECK_FALSE(rep.ok);
    CHECK(rep.failure == "corruption");
    CHECK(rep.reason.find("changed Ghostscript's output") != std::string::npos);
    CHECK_FALSE(exists(req.output_path));
  }
}

TEST_CASE("convert: output over the cap, and scratch over its cap, are limit_exceeded") {
  fixture f;
  f.lim.output_bytes = 1 << 20;
  // A diagonal blend: every line differs, so the PWG line compression keeps
  // tens of MB of a 600 dpi page.
  auto req = f.request(f.write("blend.ps", "%!PS\n<< /ShadingType 2 /ColorSpace /DeviceRGB /Coords [0 0 595 842] "
                                           "/Function << /FunctionType 2 /Domain [0 1] /C0 [1 0 0] /C1 [0 0 1] "
                                           "/N 1 >> >> shfill showpage\n"),
                       pwg);
  req.resolution_dpi = 600;
  auto rep = convert(req, f.lim);
  CHECK_FALSE(rep.ok);
  CHECK(rep.failure == "limit_exceeded");
  CHECK(rep.reason.find("more than 1 MiB of output") != std::string::npos);
  CHECK_FALSE(exists(req.output_path));

  // Temp files each under RLIMIT_FSIZE, many of them.
  f.lim.output_bytes = 16 << 20;
  f.lim.scratch_bytes = 8 << 20;
  req = f.request(f.write("fill.ps", "%!PS\n/s 1000000 string def { (q) (w) .tempfile exch pop dup s writestring "
                                     "closefile } loop\n"),
                  pdf);
  rep = convert(req, f.lim);
  CHECK_FALSE(rep.ok);
  CHECK(rep.failure == "limit_exceeded");
  CHECK(rep.reason.find("temporary files") != std::string::npos);
  CHECK_FALSE(exists(req.output_path));
  CHECK(f.work_is_empty());
}

TEST_CASE("convert: a PDF gs cannot open fails with gs's message, and bad requests are refused") {
  fixture f;
  auto req = f.request(f.write("broken.pdf", "%PDF-1.4\ngarbage\n"), pclxl);
  auto rep = convert(req, f.lim);
  CHECK_FALSE(rep.ok);
  CHECK(rep.failure == "corruption");
  CHECK(rep.reason.find("the document cannot be converted to PCL XL: ") == 0);
  CHECK_FALSE(exists(req.output_path));

  req = f.request(f.docs.path() + "/missing.pdf", pdf);
  req.monochrome = true;
  rep = convert(req, f.lim);
  CHECK(rep.failure == "io_error");

  req = f.request(f.write("x.ps", two_pages), "image/png");
  rep = convert(req, f.lim);
  CHECK_FALSE(rep.ok);
  CHECK(rep.reason.find("the request is not valid") == 0);
}

TEST_CASE("convert: run_as_user gets a scratch folder it may write, the output stays ours (root only)") {
  if (::geteuid() != 0) {
    MESSAGE("not root: skipped");
    return;
  }
  fixture f;
  f.lim.run_as_user = "nobody";
  std::string doc = f.write("two.ps", two_pages);
  ::chmod(doc.c_str(), 0600);  // the spool is not readable by nobody
  ::chmod(f.out.path().c_str(), 0700);  // nor is the output folder: quire-jobproc writes there, not gs
  for (const char* target : {pdf, pclxl}) {  // pdfwrite needs its scratch files
    auto req = f.request(doc, target);
    ok_convert(req, f.lim);
    struct stat st{};
    REQUIRE(::stat(req.output_path.c_str(), &st) == 0);
    CHECK(st.st_uid == 0);
  }
  auto req = f.request("", pwg);
  req.path.clear();
  req.document = two_pages;
  req.resolution_dpi = 72;
  CHECK(ok_convert(req, f.lim).pages == 2);
  CHECK(f.work_is_empty());
}

TEST_CASE("plan_conversion: the gs options per target") {
  auto args = [](const char* source, const char* target, auto change) {
    convert_request r;
    r.target_format = target;
    change(r);
    auto p = plan_conversion(source, r);
    REQUIRE(p.what == conversion_plan::kind::ghostscript);
    std::string all;
    for (const auto& a : p.device_args) all += a + " ";
    return all;
  };
  auto none = [](convert_request&) {};
  CHECK(args(ps, pdf, none) == "-sDEVICE=pdfwrite -dAutoRotatePages=/None ");
  CHECK(args(pdf, ps, [](convert_request& r) { r.monochrome = true; }) ==
        "-sDEVICE=ps2write -dAutoRotatePages=/None -sColorConversionStrategy=Gray "
        "-dProcessColorModel=/DeviceGray -dUseCropBox ");
  CHECK(args(ps, pclxl, [](convert_request& r) { r.duplex = r.tumble = r.monochrome = true; }) ==
        "-sDEVICE=pxlmono -dDuplex -dTumble ");
  CHECK(args(ps, pclxl, [](convert_request& r) { r.tumble = true; }) == "-sDEVICE=pxlcolor ");  // tumble needs duplex
  CHECK(args(ps, urf, [](convert_request& r) {
          r.media_width_pt = 595.2756;
          r.media_height_pt = 841.8898;
        }) == "-sDEVICE=urf -dcupsColorSpace=19 -dcupsBitsPerColor=8 -r300 -dFIXEDRESOLUTION "
              "-dDEVICEWIDTHPOINTS=595.28 -dDEVICEHEIGHTPOINTS=841.89 -dFIXEDMEDIA -dFitPage ");
  convert_request r;
  r.target_format = pwg;
  CHECK(plan_conversion("image/jpeg", r).input == gs_input::jpeg);
  CHECK(plan_conversion(pwg, r).what == conversion_plan::kind::passthrough);
  r.media_width_pt = r.media_height_pt = 100;
  CHECK(plan_conversion(pwg, r).reason == "a PWG raster document cannot be fitted onto other media");
}
