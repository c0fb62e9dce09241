// Ghostscript in its box, on documents written by hand (PostScript) or made
// by gs itself (PDF). Skipped where /usr/bin/gs is missing.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "devices/jobproc/ghostscript.hpp"
#include "test_util.hpp"

using namespace quire;
using namespace quire::jobproc;

namespace {

bool have_gs() { return ::access("/usr/bin/gs", X_OK) == 0; }

#define REQUIRE_GS()                          \
  do {                                        \
    if (!have_gs()) {                         \
      MESSAGE("no /usr/bin/gs: skipped");     \
      return;                                 \
    }                                         \
  } while (false)

struct fixture {
  quire::testing::temp_dir docs;  // stands for the spool
  quire::testing::temp_dir work;  // work_base: must be empty after every call
  gs_limits lim;

  fixture() {
    lim.work_base = work.path();
    ::chmod(work.path().c_str(), 0711);  // as /tmp is: run_as_user must be able to enter
    lim.timeout_ms = 20000;
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::string p = docs.path() + "/" + name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  // A PDF made from PostScript by gs itself (trusted: our own test input).
  std::string pdf(const std::string& name, const std::string& ps) const {
    std::string src = write(name + ".ps", ps), out = docs.path() + "/" + name;
    std::string cmd = "gs -q -dSAFER -dBATCH -dNOPAUSE -sDEVICE=pdfwrite -sOutputFile='" + out + "' '" + src + "'";
    REQUIRE(std::system(cmd.c_str()) == 0);
    return out;
  }
  bool work_is_empty() const { return std::filesystem::is_empty(work.path()); }
};

std::vector<page_colour> colours(const result<std::vector<page_colour>>& r) {
  REQUIRE_MESSAGE(r.ok(), r.err().describe());
  return *r;
}

// Five test pages; what the pixel rule says about each is in render_test below.
const char* five_pages = R"(%!PS
/Helvetica findfont 24 scalefont setfont
0 0 0 setrgbcolor 72 700 moveto (Black text drawn as RGB 0 0 0) show showpage
0.5 0.5 0.5 1 setcmykcolor 72 72 400 600 rectfill showpage
gsave 72 72 translate 300 300 scale
8 8 8 [8 0 0 8 0 0] { <808080404040c0c0c0202020808080404040c0c0c0202020> } false 3 colorimage grestore showpage
0 0 0 setrgbcolor 0 0 612 792 rectfill 1 0 0 setrgbcolor 300.3 400.3 1 1 rectfill showpage
1 0 0 0 setcmykcolor 72 72 100 100 rectfill showpage
)";

// A probe: the page is red when `attempt` ran without error, black otherwise.
std::string probe(const std::string& attempt) {
  return "%!PS\n/ok mark { " + attempt + " } stopped { cleartomark false } { cleartomark true } ifelse def\n"
         "ok { 1 0 0 setrgbcolor } { 0 setgray } ifelse 0 0 100 100 rectfill showpage\n";
}

bool probe_succeeded(fixture& f, const std::string& name, const std::string& attempt) {
  auto r = render_colour(f.write(name, probe(attempt)), {}, 10, f.lim);
  REQUIRE_MESSAGE(r.ok(), r.err().describe());
  REQUIRE(r->size() == 1);
  return (*r)[0].second;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Watches /proc for the gs process working under `base` and returns its
// status, limits and environment, as the kernel sees them.
struct observed {
  std::string status, limits, environ;
};
observed watch_gs(const std::string& base) {
  for (int i = 0; i < 500; ++i) {
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
      std::error_code ec;
      auto cwd = std::filesystem::read_symlink(e.path() / "cwd", ec);
      if (ec || cwd.string().rfind(base + "/", 0) != 0) continue;
      return {slurp(e.path() / "status"), slurp(e.path() / "limits"), slurp(e.path() / "environ")};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return {};
}

}  // namespace

TEST_CASE("render_colour: what the pixel rule calls colour, in PostScript and PDF") {
  REQUIRE_GS();
  fixture f;
  for (const std::string& doc : {f.write("five.ps", five_pages), f.pdf("five.pdf", five_pages)}) {
    auto r = colours(render_colour(doc, {}, 20, f.lim));
    REQUIRE(r.size() == 5);
    CHECK(r[0] == page_colour{1, false});  // black text as RGB: mono (inkcov says colour)
    // Rich black (C=M=Y=.5, K=1) renders as RGB 0,0,0: it looks black, so
    // mono, though a CMYK device would lay down all four toners. Charging it
    // as mono is the STACK-NOTES rule ("what the page looks like").
    CHECK(r[1] == page_colour{2, false});
    CHECK(r[2] == page_colour{3, false});  // neutral grey RGB image: mono
    CHECK(r[3] == page_colour{4, true});   // a 1 pt red mark on a black page: colour
    CHECK(r[4] == page_colour{5, true});   // pure cyan: colour
  }
  CHECK(f.work_is_empty());
}

TEST_CASE("render_colour: a 1 pt mark is found wherever it falls on the 20 dpi grid") {
  REQUIRE_GS();
  fixture f;
  std::string ps = "%!PS\n";
  for (double off : {0.0, 0.3, 0.5, 0.9, 1.7, 2.4, 3.1})
    ps += "0 setgray 0 0 612 792 rectfill 0 0 1 setrgbcolor " + std::to_string(200 + off) + " " +
          std::to_string(300 + off) + " 1 1 rectfill showpage\n";
  auto r = colours(render_colour(f.pdf("marks.pdf", ps), {}, 20, f.lim));
  REQUIRE(r.size() == 7);
  for (auto& [page, colour] : r) CHECK_MESSAGE(colour, "page " << page);
}

TEST_CASE("render_colour: only the pages asked for, by number") {
  REQUIRE_GS();
  fixture f;
  std::string doc = f.pdf("five.pdf", five_pages);
  auto r = colours(render_colour(doc, {4, 2, 2, 9}, 20, f.lim));  // unsorted, a duplicate, one past the end
  REQUIRE(r.size() == 2);
  CHECK(r[0] == page_colour{2, false});
  CHECK(r[1] == page_colour{4, true});
  CHECK(colours(render_colour(doc, {5}, 20, f.lim)) == std::vector<page_colour>{{5, true}});
  CHECK(colours(render_colour(doc, {9}, 20, f.lim)).empty());
  CHECK(render_colour(doc, {0, 1}, 20, f.lim).err().code == errc::invalid_argument);
  CHECK(render_colour(doc, {}, 0, f.lim).err().code == errc::invalid_argument);
  CHECK(render_colour(doc, {}, 601, f.lim).err().code == errc::invalid_argument);
}

TEST_CASE("paths: absolute only, odd characters are fine, missing files are not_found") {
  REQUIRE_GS();
  fixture f;
  std::string odd = f.write("-dNOSAFER @x (y).ps", five_pages);
  CHECK(colours(render_colour(odd, {4}, 20, f.lim)) == std::vector<page_colour>{{4, true}});
  CHECK(count_pages("relative.ps", f.lim).err().code == errc::invalid_argument);
  CHECK(count_pages("-dNOSAFER", f.lim).err().code == errc::invalid_argument);
  CHECK(count_pages(f.docs.path() + "/missing.ps", f.lim).err().code == errc::not_found);
  CHECK(count_pages(f.docs.path(), f.lim).err().code == errc::not_found);  // a folder
}

TEST_CASE("the document cannot read, write or run what is outside its box") {
  REQUIRE_GS();
  fixture f;
  std::string neighbour = f.write("other-job.ps", "SECRET OF ANOTHER JOB");
  std::string marker = f.docs.path() + "/pwned";
  CHECK_FALSE(probe_succeeded(f, "passwd.ps", "(/etc/passwd) (r) file 10 string readstring pop pop"));
  // The spool is under /tmp here, where gs's default temp folder would let it read.
  CHECK_FALSE(probe_succeeded(f, "neighbour.ps", "(" + neighbour + ") (r) file 10 string readstring pop pop"));
  CHECK_FALSE(probe_succeeded(f, "write.ps", "(" + marker + ") (w) file (x) writestring"));
  CHECK_FALSE(probe_succeeded(f, "write-cwd.ps", "(planted) (w) file (x) writestring"));
  CHECK_FALSE(probe_succeeded(f, "write-tmp.ps", "(/tmp/quire-planted) (w) file (x) writestring"));
  CHECK_FALSE(probe_succeeded(f, "pipe.ps", "(%pipe%touch " + marker + ") (w) file"));
  CHECK_FALSE(probe_succeeded(f, "getenv.ps", "(HOME) getenv pop pop"));
  // Nor can it widen SAFER's own permissions, then read.
  CHECK_FALSE(probe_succeeded(f, "unlock.ps", "<< /PermitFileReading [(*)] /LockFilePermissions false >> "
                                              "setuserparams (/etc/passwd) (r) file pop"));
  // The probe itself works: something it may do succeeds.
  CHECK(probe_succeeded(f, "allowed.ps", "1 1 add pop"));
  CHECK_FALSE(std::filesystem::exists(marker));
  CHECK_FALSE(std::filesystem::exists("/tmp/quire-planted"));
  CHECK(f.work_is_empty());

  // Unprotected, the read fails the job; the error names gs's complaint and
  // carries nothing of the file.
  auto r = count_pages(f.write("passwd-raw.ps", "%!PS\n(/etc/passwd) (r) file 4000 string readstring pop ==\n"), f.lim);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::corruption);
  CHECK(r.err().message.find("invalidfileaccess") != std::string::npos);
  CHECK(r.err().message.find("root:") == std::string::npos);
}

TEST_CASE("nothing the document prints can pass for raster output") {
  REQUIRE_GS();
  fixture f;
  // Fake a mono page on stdout, then draw a red one.
  auto r = colours(render_colour(
      f.write("inject.ps", "%!PS\n(P6\\n1 1\\n255\\n\\377\\377\\377) print flush\n"
                           "(%stdout) (w) file (P6\\n1 1\\n255\\n\\377\\377\\377) writestring\n"
                           "1 0 0 setrgbcolor 0 0 100 100 rectfill showpage\n"),
      {}, 20, f.lim));
  REQUIRE(r.size() == 1);
  CHECK(r[0].second);
  // Nor can it lower the resolution until a small mark disappears.
  r = colours(render_colour(f.write("lowres.ps", "%!PS\n<< /HWResolution [1 1] >> setpagedevice\n"
                                                 "1 0 0 setrgbcolor 300 300 1 1 rectfill showpage\n"),
                            {}, 20, f.lim));
  REQUIRE(r.size() == 1);
  CHECK(r[0].second);
}

TEST_CASE("an endless loop is killed at the deadline") {
  REQUIRE_GS();
  fixture f;
  f.lim.timeout_ms = 1500;
  auto t0 = std::chrono::steady_clock::now();
  auto r = count_pages(f.write("loop.ps", "%!PS\n{} loop\n"), f.lim);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::timeout);
  CHECK(r.err().message == "took longer than 1.5 s");
  CHECK(ms >= 1400);
  CHECK(ms < 2500);
  MESSAGE("{} loop stopped after " << ms << " ms (timeout 1500 ms)");
  CHECK(f.work_is_empty());
}

TEST_CASE("gs runs with its limits, its own environment and a fresh work folder") {
  REQUIRE_GS();
  fixture f;
  f.lim.timeout_ms = 1500;
  f.lim.memory_bytes = 300ull << 20;
  f.lim.output_bytes = 7ull << 20;
  ::setenv("GS_OPTIONS", "-dNOSAFER", 1);  // must not reach gs
  observed seen;
  std::thread watcher([&] { seen = watch_gs(f.work.path()); });
  auto r = count_pages(f.write("loop.ps", "%!PS\n{} loop\n"), f.lim);
  watcher.join();
  ::unsetenv("GS_OPTIONS");
  CHECK(r.err().code == errc::timeout);
  auto limit = [&](const char* name) {
    auto at = seen.limits.find(name);
    REQUIRE(at != std::string::npos);
    return seen.limits.substr(at, seen.limits.find('\n', at) - at);
  };
  CHECK(limit("Max cpu time").find(" 3 ") != std::string::npos);  // 1.5 s rounded up, plus one
  CHECK(limit("Max address space").find(" 314572800 ") != std::string::npos);
  CHECK(limit("Max file size").find(" 7340032 ") != std::string::npos);
  CHECK(limit("Max open files").find(" 32 ") != std::string::npos);
  CHECK(limit("Max core file size").find(" 0 ") != std::string::npos);
  std::string env = seen.environ;
  for (char& c : env)
    if (c == '\0') c = '\n';
  CHECK(env.find("GS_OPTIONS") == std::string::npos);
  CHECK(env.find("\nTMPDIR=" + f.work.path() + "/quire-job-") != std::string::npos);
  CHECK(env.find("PATH=/usr/bin:/bin\n") != std::string::npos);
  CHECK(f.work_is_empty());
}

TEST_CASE("a memory hog hits the memory limit") {
  REQUIRE_GS();
  fixture f;
  f.lim.memory_bytes = 256ull << 20;
  for (const char* hog : {"/l [] def { /l [ l 10000000 array ] def } loop",
                          "/d 100 dict def 0 { 1 add dup d exch 1000000 string put } loop"}) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = count_pages(f.write("hog.ps", std::string("%!PS\n") + hog + "\n"), f.lim);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.err().code == errc::limit_exceeded, r.err().describe());
    CHECK(r.err().message == "needed more than 256 MiB of memory");
    MESSAGE("memory hog stopped after " << ms << " ms");
    std::filesystem::remove(f.docs.path() + "/hog.ps");
  }
}

TEST_CASE("output over the cap is cut off") {
  REQUIRE_GS();
  fixture f;
  f.lim.output_bytes = 1 << 20;  // one 600 dpi letter page is ~100 MB of RGB
  auto r = render_colour(f.write("big.ps", "%!PS\nshowpage\n"), {}, 600, f.lim);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::limit_exceeded);
  CHECK(f.work_is_empty());
}

TEST_CASE("count_pages: interpreted, whatever the document claims or redefines") {
  REQUIRE_GS();
  fixture f;
  std::string text = "/Times-Roman findfont 11 scalefont setfont\n"
                     "1 1 30 { 72 720 moveto (Page ) show 3 string cvs show "
                     "700 -14 72 { 72 exch moveto (The quick brown fox jumps over the lazy dog.) show } for showpage } for\n";
  auto t0 = std::chrono::steady_clock::now();
  auto n = count_pages(f.write("thirty.ps", "%!PS-Adobe-3.0\n%%Pages: 99\n" + text), f.lim);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE_MESSAGE(n.ok(), n.err().describe());
  CHECK(*n == 30);  // %%Pages lies
  MESSAGE("count_pages, 30-page PostScript: " << ms << " ms");

  // showpage redefined to add a footer, then print: each page counts once.
  n = count_pages(f.write("footer.ps", "%!PS\n/realshowpage /showpage load def\n"
                                       "/showpage { 72 36 moveto (footer) show realshowpage } def\n" + text),
                  f.lim);
  REQUIRE(n.ok());
  CHECK(*n == 30);
  // showpage redefined to print every page twice: 60 sheets come out.
  n = count_pages(f.write("twice.ps", "%!PS\n/realshowpage /showpage load def\n"
                                      "/showpage { gsave realshowpage grestore realshowpage } def\n" + text),
                  f.lim);
  REQUIRE(n.ok());
  CHECK(*n == 60);
  // showpage redefined away: nothing is printed, nothing counted.
  n = count_pages(f.write("none.ps", "%!PS\n/showpage {} def\n" + text), f.lim);
  REQUIRE(n.ok());
  CHECK(*n == 0);
  // Copies the document asks for itself come out of the device, and count:
  // 2 pages x #copies 3. (The job's IPP copies are the caller's to apply.)
  n = count_pages(f.write("copies.ps", "%!PS\n/#copies 3 def showpage showpage\n"), f.lim);
  REQUIRE(n.ok());
  CHECK(*n == 6);
  // Each job gets a fresh interpreter: the redefinitions above leak nowhere.
  n = count_pages(f.docs.path() + "/thirty.ps", f.lim);
  REQUIRE(n.ok());
  CHECK(*n == 30);
  CHECK(f.work_is_empty());
}

TEST_CASE("count_pages on PDF, and documents gs rejects") {
  REQUIRE_GS();
  fixture f;
  auto n = count_pages(f.pdf("five.pdf", five_pages), f.lim);
  REQUIRE(n.ok());
  CHECK(*n == 5);

  auto garbage = count_pages(f.write("garbage.ps", "garbage garbage"), f.lim);
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.err().code == errc::corruption);
  CHECK(garbage.err().message == "Error: /undefined in garbage");

  std::string whole;
  {
    std::ifstream in(f.docs.path() + "/five.pdf", std::ios::binary);
    whole.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto cut = count_pages(f.write("cut.pdf", whole.substr(0, 400)), f.lim);
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.err().code == errc::corruption);
  MESSAGE("cut PDF: " << cut.err().message);
  CHECK(f.work_is_empty());
}

TEST_CASE("gs_message picks the line worth showing") {
  CHECK(gs_message("Error: /undefined in garbage\nOperand stack:\n\nExecution stack:\n   %interp_exit   .runexec2\n"
                   "Current allocation mode is local\nGPL Ghostscript 10.00.0: Unrecoverable error, exit code 1\n") ==
        "Error: /undefined in garbage");
  CHECK(gs_message("Catalog dictionary not located in file, unable to proceed\n"
                   "   **** Error: Couldn't initialise file.\n               Output may be incorrect.\n") ==
        "**** Error: Couldn't initialise file.");
  CHECK(gs_message("something odd\n\n") == "something odd");
  CHECK(gs_message(std::string("bad \x01\xff bytes") + std::string(300, 'x')).size() == 200);
  CHECK(gs_message("") == "");
}

TEST_CASE("run_as_user: gs runs as that user, on a private copy (root only)") {
  REQUIRE_GS();
  if (::geteuid() != 0) {
    MESSAGE("not root: skipped");
    return;
  }
  fixture f;
  f.lim.run_as_user = "nobody";
  std::string doc = f.write("five.ps", five_pages);
  ::chmod(doc.c_str(), 0600);  // the spool is not readable by nobody
  auto r = colours(render_colour(doc, {}, 20, f.lim));
  CHECK(r.size() == 5);
  // As nobody, a root-only file stays closed even to a SAFER hole.
  std::string secret = f.write("secret", "x");
  ::chmod(secret.c_str(), 0600);
  CHECK_FALSE(probe_succeeded(f, "secret.ps", "(" + secret + ") (r) file 1 string readstring pop pop"));

  // Seen from outside while it runs: nobody's uid and groups.
  f.lim.timeout_ms = 1500;
  observed seen;
  std::thread watcher([&] { seen = watch_gs(f.work.path()); });
  (void)count_pages(f.write("loop.ps", "%!PS\n{} loop\n"), f.lim);
  watcher.join();
  CHECK(seen.status.find("Uid:\t65534\t65534\t65534\t65534") != std::string::npos);
  CHECK(seen.status.find("Gid:\t65534\t65534\t65534\t65534") != std::string::npos);
  CHECK(seen.status.find("Groups:\t65534") != std::string::npos);

  f.lim.run_as_user = "no-such-user-here";
  CHECK(count_pages(doc, f.lim).err().code == errc::invalid_argument);  // fails closed
  CHECK(f.work_is_empty());
}

TEST_CASE("bench: render_colour on a 100-page text PDF at 20 dpi (prints, does not assert)") {
  REQUIRE_GS();
  fixture f;
  std::string ps = "%!PS\n/Times-Roman findfont 11 scalefont setfont\n"
                   "1 1 100 { 72 720 moveto (Page ) show 3 string cvs show "
                   "700 -14 72 { 72 exch moveto (The quick brown fox jumps over the lazy dog, line after line.) show }"
                   " for showpage } for\n";
  std::string doc = f.pdf("hundred.pdf", ps);
  auto time = [&](const std::vector<uint32_t>& pages) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = render_colour(doc, pages, 20, f.lim);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    REQUIRE(r.ok());
    return std::make_pair(ms, r->size());
  };
  auto all = time({});
  auto ten = time({3, 17, 29, 41, 55, 63, 70, 81, 92, 99});
  auto one = time({50});
  auto t0 = std::chrono::steady_clock::now();
  auto n = count_pages(doc, f.lim);
  auto count_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(n.ok());
  CHECK(*n == 100);
  MESSAGE("render_colour 100-page PDF @20 dpi: all " << all.first << " ms (" << all.second << " pages), 10 pages "
                                                     << ten.first << " ms, 1 page " << one.first
                                                     << " ms; count_pages " << count_ms << " ms");
}
