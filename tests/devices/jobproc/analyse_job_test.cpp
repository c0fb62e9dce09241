// Analysis with the real gs: PostScript normalised to PDF (the counts are the
// PDF's, and the PDF is what prints), what happens when that fails, and
// PostScript counted by rendering when no normalised_path is asked.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "devices/jobproc/analyse_job.hpp"
#include "protocols/pdl/analysis.hpp"
#include "test_util.hpp"

using namespace quire;
using namespace quire::jobproc;

namespace {

constexpr const char* ps = "application/postscript";

// Three A4 pages, the second red; %%Pages: lies.
const char* three_pages = R"(%!PS-Adobe-3.0
%%Title: three pages
%%Pages: 99
<< /PageSize [595 842] >> setpagedevice
/Helvetica findfont 24 scalefont setfont
0 setgray 72 700 moveto (Page one) show showpage
1 0 0 setrgbcolor 72 700 moveto (Page two, red) show 72 72 200 200 rectfill showpage
0 setgray 72 700 moveto (Page three) show showpage
)";

// Prints one page on the devices analysis renders with and five on any
// other: the printer's interpreter, or pdfwrite.
const char* device_sensing = R"(%!PS
currentpagedevice /OutputDevice get dup /ppmraw eq exch /pbmraw eq or { 1 } { 5 } ifelse
{ 0 0 100 100 rectfill showpage } repeat
)";

struct fixture {
  quire::testing::temp_dir docs;   // stands for the spool
  quire::testing::temp_dir work;   // work_base: must be empty after every call
  quire::testing::temp_dir spool;  // where quired wants the normalised PDF
  processor_options opts;

  fixture() {
    opts.gs.work_base = work.path();
    ::chmod(work.path().c_str(), 0711);  // as /tmp is: run_as_user must be able to enter
    opts.gs.timeout_ms = 20000;
  }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::string p = docs.path() + "/" + name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  std::string normalised() const { return spool.path() + "/job.pdf"; }
  analyse_request request(const std::string& doc, bool normalise = true) const {
    analyse_request r;
    r.job_id = 9;
    r.path = doc;
    if (normalise) r.normalised_path = normalised();
    return r;
  }
  bool work_is_empty() const { return std::filesystem::is_empty(work.path()); }
  bool spool_is_empty() const { return std::filesystem::is_empty(spool.path()); }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool exists(const std::string& path) { return std::filesystem::exists(path); }

analyse_reply ok_analyse(analyser& an, const analyse_request& req) {
  auto rep = an.analyse(req);
  REQUIRE_MESSAGE(rep.ok, rep.failure << ": " << rep.reason);
  CHECK(rep.job_id == req.job_id);
  return rep;
}

// What the file quired will print is, read independently of the analyser:
// pages by protocols/pdl, colour pages by rendering it.
struct printed {
  uint32_t pages = 0, colour_pages = 0;
};
printed what_prints(const std::string& pdf_path, const gs_limits& lim) {
  std::string bytes = slurp(pdf_path);
  REQUIRE(bytes.rfind("%PDF-", 0) == 0);
  auto a = pdl::analyse(bytes, "");
  REQUIRE_MESSAGE(a.ok(), a.err().describe());
  CHECK(a->format == "application/pdf");
  auto r = render_colour(pdf_path, {}, 20, lim);
  REQUIRE_MESSAGE(r.ok(), r.err().describe());
  CHECK(r->size() == a->pages);
  printed p{a->pages, 0};
  for (const auto& [page, colour] : *r) p.colour_pages += colour ? 1 : 0;
  return p;
}

bool has_note(const analyse_reply& rep, const std::string& needle) {
  for (const auto& n : rep.notes)
    if (n.find(needle) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("analyse: PostScript with normalised_path is counted as the PDF it becomes") {
  fixture f;
  analyser an(f.opts);
  auto rep = ok_analyse(an, f.request(f.write("three.ps", three_pages)));
  CHECK(rep.normalised);
  CHECK(rep.format == ps);  // what the user sent
  CHECK(rep.pages == 3);    // not %%Pages: 99
  CHECK(rep.colour_pages == 1);
  CHECK(rep.mono_pages == 2);
  CHECK(rep.colour_page_numbers == std::vector<uint32_t>{2});
  CHECK(rep.exact);
  CHECK(rep.method.rfind("normalised+structure", 0) == 0);
  CHECK(rep.title == "three pages");
  REQUIRE(rep.sizes.size() == 1);
  CHECK(rep.sizes[0] == page_summary{3, 595, 842});
  CHECK(has_note(rep, "converted to PDF"));
  CHECK(has_note(rep, "%%Pages: said 99"));
  CHECK_FALSE(has_note(rep, "page size is unknown"));  // the DSC's, the PDF knows

  // The file is a PDF of those pages, alone in quired's folder (no ".part").
  auto p = what_prints(f.normalised(), f.opts.gs);
  CHECK(p.pages == 3);
  CHECK(p.colour_pages == 1);
  CHECK(std::distance(std::filesystem::directory_iterator(f.spool.path()), {}) == 1);
  CHECK((std::filesystem::status(f.normalised()).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));

  // Inline, the same.
  auto req = f.request("");
  req.path.clear();
  req.document = three_pages;
  req.declared_format = "application/pdf";
  std::filesystem::remove(f.normalised());
  rep = ok_analyse(an, req);
  CHECK(rep.normalised);
  CHECK(rep.pages == 3);
  CHECK(has_note(rep, "declared application/pdf, the content is application/postscript"));
  CHECK(what_prints(f.normalised(), f.opts.gs).pages == 3);
  CHECK(an.cache_hits() == 0);  // a PostScript hit would not write the PDF
  CHECK(f.work_is_empty());
}

TEST_CASE("analyse: what is counted is what the normalised PDF prints, whatever the program does") {
  fixture f;
  analyser an(f.opts);
  const std::string text = "/Helvetica findfont 24 scalefont setfont\n";
  struct tricky {
    const char* name;
    std::string doc;
    uint32_t pages, colour;  // in the normalised PDF
  };
  const tricky cases[] = {
      // Behaves differently on the analysis devices: rendering counted 1.
      {"device-sensing", device_sensing, 5, 0},
      // showpage redefined away: pdfwrite still ends the page it drew.
      {"no-showpage", "%!PS\n/showpage {} def 1 0 0 setrgbcolor 0 0 100 100 rectfill showpage\n", 1, 1},
      // showpage redefined to print twice: a blank page after each.
      {"twice", "%!PS\n/realshowpage /showpage load def /showpage { gsave realshowpage grestore realshowpage } def\n"
                "0 0 100 100 rectfill showpage 1 0 0 setrgbcolor 0 0 100 100 rectfill showpage\n",
       4, 1},
      // Pages after the first three sent to /dev/null: they never print.
      {"dev-null", "%!PS\n" + text + "1 0 0 setrgbcolor 0 0 100 100 rectfill showpage showpage showpage\n"
                   "<< /OutputFile (/dev/null) >> setpagedevice\n"
                   "0 0 1 setrgbcolor 0 0 100 100 rectfill showpage showpage showpage showpage\n",
       3, 1},
      // #copies: pdfwrite writes each page once; the printer makes the copies
      // the job asks for (IPP copies, applied by quired to the count).
      {"copies", "%!PS\n/#copies 3 def showpage showpage\n", 2, 0},
      // Draws nothing: pdfwrite's PDF is one blank page, and it prints.
      {"nothing", "%!PS\n", 1, 0},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto rep = ok_analyse(an, f.request(f.write(std::string(c.name) + ".ps", c.doc)));
    CHECK(rep.normalised);
    auto p = what_prints(f.normalised(), f.opts.gs);
    CHECK(rep.pages == p.pages);  // counted == delivered
    CHECK(rep.colour_pages == p.colour_pages);
    CHECK(p.pages == c.pages);
    CHECK(p.colour_pages == c.colour);
  }
  // Rendered instead, the device-sensing program is counted as one page.
  auto old = ok_analyse(an, f.request(f.docs.path() + "/device-sensing.ps", false));
  CHECK_FALSE(old.normalised);
  CHECK(old.pages == 1);
  CHECK(f.work_is_empty());
}

TEST_CASE("analyse: a program that sends every page away printed no page") {
  fixture f;
  analyser an(f.opts);
  std::ofstream(f.normalised()) << "stale";  // from an earlier attempt: goes too
  auto rep = an.analyse(f.request(f.write("all-null.ps", "%!PS\n<< /OutputFile (/dev/null) >> setpagedevice\n"
                                                         "0 0 100 100 rectfill showpage showpage\n")));
  CHECK_FALSE(rep.ok);
  CHECK_FALSE(rep.normalised);
  CHECK(rep.failure == "corruption");
  CHECK(rep.reason == "the document printed no page");
  CHECK(f.spool_is_empty());
  CHECK(f.work_is_empty());
}

TEST_CASE("analyse: two PDFs in a row from one program are refused") {
  fixture f;
  analyser an(f.opts);
  // The output moved away and back: gs writes a second PDF after the first,
  // and readers disagree on which one the file is.
  auto rep = an.analyse(f.request(f.write("back.ps", "%!PS\n0 0 100 100 rectfill showpage showpage\n"
                                                     "<< /OutputFile (/dev/null) >> setpagedevice showpage\n"
                                                     "<< /OutputFile (-) >> setpagedevice\n"
                                                     "1 0 0 setrgbcolor 0 0 100 100 rectfill showpage\n")));
  CHECK_FALSE(rep.ok);
  CHECK(rep.failure == "corruption");
  CHECK(rep.reason.find("changed Ghostscript's output") != std::string::npos);
  CHECK(f.spool_is_empty());
  CHECK(f.work_is_empty());
}

TEST_CASE("analyse: an endless loop times out and leaves no normalised PDF") {
  fixture f;
  analyser an(f.opts);
  auto req = f.request(f.write("loop.ps", "%!PS\n{} loop\n"));
  req.timeout_ms = 1500;
  std::ofstream(f.normalised()) << "stale";
  auto rep = an.analyse(req);
  CHECK_FALSE(rep.ok);
  CHECK(rep.failure == "timeout");
  CHECK(rep.reason == "the document cannot be rendered: took longer than 1.5 s");
  CHECK(f.spool_is_empty());
  CHECK(f.work_is_empty());
}

TEST_CASE("analyse: reading /etc/passwd fails the normalisation, nothing written") {
  fixture f;
  analyser an(f.opts);
  auto rep = an.analyse(
      f.request(f.write("passwd.ps", "%!PS\n(/etc/passwd) (r) file 4000 string readstring pop show showpage\n")));
  CHECK_FALSE(rep.ok);
  CHECK(rep.failure == "corruption");
  CHECK(rep.reason.find("invalidfileaccess") != std::string::npos);
  CHECK(rep.reason.find("root:") == std::string::npos);
  CHECK(f.spool_is_empty());
  CHECK(f.work_is_empty());
}

TEST_CASE("analyse: a normalised_path that cannot be written fails as the processor's fault") {
  fixture f;
  analyser an(f.opts);
  auto req = f.request(f.write("three.ps", three_pages));
  req.normalised_path = f.spool.path() + "/missing-folder/job.pdf";
  auto rep = an.analyse(req);
  CHECK_FALSE(rep.ok);
  CHECK(rep.failure == "io_error");  // not the document's: quired may try again
  CHECK(rep.reason.rfind("the job processor cannot work: cannot create the output file", 0) == 0);
  CHECK(f.spool_is_empty());
  CHECK(f.work_is_empty());
}

TEST_CASE("analyse: without normalised_path PostScript is still counted by rendering") {
  fixture f;
  analyser an(f.opts);
  std::string doc = f.write("three.ps", three_pages);
  auto rep = ok_analyse(an, f.request(doc, false));
  CHECK_FALSE(rep.normalised);
  CHECK(rep.format == ps);
  CHECK(rep.pages == 3);
  CHECK(rep.colour_page_numbers == std::vector<uint32_t>{2});
  CHECK(rep.method.find("normalised") == std::string::npos);
  CHECK(rep.method.find("render") != std::string::npos);
  CHECK(has_note(rep, "%%Pages: said 99"));
  CHECK_FALSE(has_note(rep, "converted to PDF"));
  // Copies the program asks for come out of the device, and count.
  CHECK(ok_analyse(an, f.request(f.write("copies.ps", "%!PS\n/#copies 3 def showpage showpage\n"), false)).pages ==
        6);
  CHECK(f.spool_is_empty());

  // The cached render count is not used for a request that normalises; a
  // normalised reply is not cached either.
  uint64_t hits = an.cache_hits();
  CHECK(ok_analyse(an, f.request(doc, false)).pages == 3);
  CHECK(an.cache_hits() == hits + 1);
  CHECK(ok_analyse(an, f.request(doc)).normalised);
  CHECK(ok_analyse(an, f.request(doc)).normalised);
  CHECK(an.cache_hits() == hits + 1);
  CHECK(exists(f.normalised()));
  CHECK(f.work_is_empty());
}

TEST_CASE("analyse: a PDF is not normalised, and normalised_path is left absent") {
  fixture f;
  analyser an(f.opts);
  // A PDF of the three pages, made by analysing them once.
  REQUIRE(ok_analyse(an, f.request(f.write("three.ps", three_pages))).normalised);
  std::string pdf = f.docs.path() + "/three.pdf";
  std::filesystem::rename(f.normalised(), pdf);
  std::ofstream(f.normalised()) << "stale";
  for (int i = 0; i < 2; ++i) {  // computed, then from the cache
    auto rep = ok_analyse(an, f.request(pdf));
    CHECK_FALSE(rep.normalised);
    CHECK(rep.format == "application/pdf");
    CHECK(rep.pages == 3);
    CHECK(rep.colour_pages == 1);
    CHECK(rep.method.find("normalised") == std::string::npos);
    CHECK(f.spool_is_empty());
  }
  CHECK(an.cache_hits() == 1);
  // An invalid normalised_path is refused before anything runs.
  auto req = f.request(pdf);
  req.normalised_path = "job.pdf";
  auto rep = an.analyse(req);
  CHECK_FALSE(rep.ok);
  CHECK(rep.reason.find("normalised_path") != std::string::npos);
}

TEST_CASE("analyse: normalising with run_as_user: gs as that user, the PDF written by us (root only)") {
  if (::geteuid() != 0) {
    MESSAGE("not root: skipped");
    return;
  }
  fixture f;
  f.opts.gs.run_as_user = "nobody";
  analyser an(f.opts);
  std::string doc = f.write("three.ps", three_pages);
  ::chmod(doc.c_str(), 0600);  // the spool is not readable by nobody
  ::chmod(f.spool.path().c_str(), 0700);  // nor is quired's folder: quire-jobproc writes there, not gs
  auto rep = ok_analyse(an, f.request(doc));
  CHECK(rep.normalised);
  CHECK(rep.pages == 3);
  CHECK(rep.colour_pages == 1);
  struct stat st{};
  REQUIRE(::stat(f.normalised().c_str(), &st) == 0);
  CHECK(st.st_uid == 0);
  CHECK(f.work_is_empty());
}
