#include <doctest/doctest.h>

#include <string>

#include "protocols/sniff/job_identity.hpp"
#include "protocols/sniff/printable_text.hpp"

using namespace quire::sniff;

namespace {

// What an HP or Xerox Windows driver sends: UEL, PJL header, PDF.
const std::string windows_pjl_pdf =
    "\x1b%-12345X@PJL JOB NAME=\"Microsoft Word - thesis.docx\"\r\n"
    "@PJL SET USERNAME=\"s1234567\"\r\n"
    "@PJL ENTER LANGUAGE=PDF\r\n"
    "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";

// PostScript from CUPS on Linux or macOS (pdftops / cgpdftops).
const std::string mac_ps =
    "%!PS-Adobe-3.0\n%%Title: (report.pdf)\n%%For: (Alice Example)\n"
    "%%Creator: cgpdftops\n%%EndComments\n%%BeginProlog\n/x 1 def\n";

// A Windows PostScript driver (PScript5) behind PJL, CRLF line ends.
const std::string pscript5 =
    "\x1b%-12345X@PJL JOB\r\n@PJL SET JOBATTR=\"@USNM=bob\"\r\n"
    "@PJL SET JOBATTR=\"@JOBN=Budget.xlsx\"\r\n@PJL ENTER LANGUAGE = POSTSCRIPT \r\n"
    "%!PS-Adobe-3.0\r\n%%Title: Microsoft Excel - Budget.xlsx\r\n%%Creator: PScript5.dll\r\n"
    "%%For: bob\r\n%%EndComments\r\n";

}  // namespace

TEST_CASE("sniff: a Windows PJL header in front of PDF") {
  auto id = sniff(windows_pjl_pdf);
  CHECK(id.has_pjl);
  CHECK(id.pjl_user == "s1234567");
  CHECK(id.pjl_job_name == "Microsoft Word - thesis.docx");
  CHECK(id.lang == language::pdf);
  CHECK(std::string(id.mime()) == "application/pdf");
  CHECK(windows_pjl_pdf.substr(id.data_offset, 5) == "%PDF-");
  CHECK_FALSE(id.dsc_for);
}

TEST_CASE("sniff: DSC comments of a PostScript file from a Mac") {
  auto id = sniff(mac_ps);
  CHECK_FALSE(id.has_pjl);
  CHECK(id.lang == language::postscript);
  CHECK(id.dsc_for == "Alice Example");
  CHECK(id.dsc_title == "report.pdf");
  CHECK_FALSE(id.pjl_user);
  CHECK(id.data_offset == 0);
}

TEST_CASE("sniff: PScript5 behind PJL, with JOBATTR hints") {
  auto id = sniff(pscript5);
  CHECK(id.pjl_user == "bob");
  CHECK(id.pjl_job_name == "Budget.xlsx");
  CHECK(id.lang == language::postscript);
  CHECK(id.dsc_for == "bob");
  CHECK(id.dsc_title == "Microsoft Excel - Budget.xlsx");
}

TEST_CASE("sniff: PJL keywords are case-insensitive, values quoted or not") {
  auto id = sniff("\x1b%-12345X@PJL set username = carol\n@pjl job name = \"Q3 plan\" start=1\n"
                  "@PJL SET JOBNAME=\"ignored: JOB NAME came first\"\n@PJL ENTER LANGUAGE=PCLXL\n"
                  ") HP-PCL XL;3;0\n");
  CHECK(id.pjl_user == "carol");
  CHECK(id.pjl_job_name == "Q3 plan");
  CHECK(id.lang == language::pcl_xl);
  CHECK(std::string(id.mime()) == "application/vnd.hp-pclxl");
}

TEST_CASE("sniff: SET USERNAME wins over JOBATTR, SET JOBNAME over @JOBN") {
  auto id = sniff("@PJL SET JOBATTR=\"@USNM=attr\"\n@PJL SET USERNAME=\"set\"\n"
                  "@PJL SET JOBATTR=\"@JOBN=attrname\"\n@PJL SET JOBNAME=\"setname\"\n");
  CHECK(id.has_pjl);
  CHECK(id.pjl_user == "set");
  CHECK(id.pjl_job_name == "setname");
}

TEST_CASE("sniff: a PJL header without ENTER LANGUAGE: magic decides") {
  auto pdf = sniff("\x1b%-12345X@PJL SET USERNAME=\"dave\"\r\n%PDF-1.4\n");
  CHECK(pdf.lang == language::pdf);
  CHECK(pdf.pjl_user == "dave");
  auto pcl = sniff("\x1b%-12345X@PJL JOB\r\n\x1b%-12345X\x1b" "E\x1b&l0O");
  CHECK(pcl.lang == language::pcl);
  // ENTER LANGUAGE names the interpreter even when the data looks different.
  auto entered = sniff("\x1b%-12345X@PJL ENTER LANGUAGE=PCL\r\nHello");
  CHECK(entered.lang == language::pcl);
  // An ENTER LANGUAGE Quire does not know: magic again.
  auto other = sniff("\x1b%-12345X@PJL ENTER LANGUAGE=ESCPAGE\r\n%!PS\n");
  CHECK(other.lang == language::postscript);
}

TEST_CASE("sniff: DSC strings with escapes, octal and nesting") {
  auto id = sniff("%!PS-Adobe-3.0\r%%Title: (a \\(b\\) \\\\ (nested) \\303\\251t\\351)\r"
                  "%%For: (Bob)\r%%EndComments\r");
  CHECK(id.dsc_title == "a (b) \\ (nested) \xc3\xa9t\xef\xbf\xbd");
  CHECK(id.dsc_for == "Bob");
}

TEST_CASE("sniff: DSC header ends at the first non-comment line") {
  auto id = sniff("%!PS-Adobe-3.0\n%%Title: first\n/foo 1 def\n%%For: (late)\n");
  CHECK(id.dsc_title == "first");
  CHECK_FALSE(id.dsc_for);
  auto ended = sniff("%!PS-Adobe-3.0\n%%EndComments\n%%For: (late)\n");
  CHECK_FALSE(ended.dsc_for);
  auto atend = sniff("%!PS-Adobe-3.0\n%%Title: (atend)\n%%For: eve\n%%EndComments\n");
  CHECK_FALSE(atend.dsc_title);
  CHECK(atend.dsc_for == "eve");
  auto ctrl_d = sniff("\x04%!PS-Adobe-3.0\n%%For: frank\n\n");
  CHECK(ctrl_d.dsc_for == "frank");
  CHECK(ctrl_d.lang == language::postscript);
}

TEST_CASE("sniff: values cut by the window are ignored, any cut is safe") {
  auto cut_pjl = sniff("\x1b%-12345X@PJL SET USERNAME=\"s12345");
  CHECK(cut_pjl.has_pjl);
  CHECK_FALSE(cut_pjl.pjl_user);
  auto cut_dsc = sniff("%!PS-Adobe-3.0\n%%For: (Alice Exa");
  CHECK_FALSE(cut_dsc.dsc_for);
  for (const std::string* doc : {&windows_pjl_pdf, &mac_ps, &pscript5}) {
    for (size_t n = 0; n <= doc->size(); ++n) {
      auto id = sniff(std::string_view(*doc).substr(0, n));
      CHECK(id.data_offset <= n);
      if (id.pjl_user) CHECK_FALSE(id.pjl_user->empty());
    }
  }
}

TEST_CASE("sniff: languages by magic") {
  struct sample {
    std::string data;
    language lang;
    const char* mime;
  };
  sample samples[] = {
      {"%PDF-1.7\n", language::pdf, "application/pdf"},
      {"%!PS-Adobe-3.0\n", language::postscript, "application/postscript"},
      {") HP-PCL XL;2;0;Comment\n", language::pcl_xl, "application/vnd.hp-pclxl"},
      {"\x1b" "E\x1b&l1X", language::pcl, "application/vnd.hp-pcl"},
      {"\x1b*t300R", language::pcl, "application/vnd.hp-pcl"},
      {std::string("RaS2PwgRaster\0\0", 15), language::pwg_raster, "image/pwg-raster"},
      {std::string("UNIRAST\0\0\0\0\1", 12), language::urf, "image/urf"},
      {"\xff\xd8\xff\xe0\x00\x10JFIF", language::jpeg, "image/jpeg"},
      {"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", language::png, "image/png"},
      {"Hello, W\xc3\xb6rld\r\n\tline 2\f", language::text, "text/plain"},
      {"cut UTF-8 at the end \xc3", language::text, "text/plain"},
      {std::string("bin\0ary", 7), language::unknown, "application/octet-stream"},
      {"bad \xff UTF-8", language::unknown, "application/octet-stream"},
      {"", language::unknown, "application/octet-stream"},
  };
  for (auto& s : samples) {
    CAPTURE(s.data);
    auto id = sniff(s.data);
    CHECK(id.lang == s.lang);
    CHECK(std::string(id.mime()) == s.mime);
  }
  CHECK(std::string(to_string(language::pcl_xl)) == "pcl-xl");
}

TEST_CASE("printable_text: trims, drops controls, replaces bad UTF-8, caps") {
  CHECK(printable_text("  alice\t ") == "alice");
  CHECK(printable_text("a\tb") == "a b");
  CHECK(printable_text("a\x1b[1mb\x7f") == "a[1mb");
  CHECK(printable_text("m\xfcller") == "m\xef\xbf\xbdller");
  CHECK(printable_text("\xc0\xaf") == "\xef\xbf\xbd\xef\xbf\xbd");  // overlong '/'
  CHECK(printable_text("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  CHECK(printable_text("\xc2\x85x") == "x");  // C1 control
  CHECK(printable_text(std::string(300, 'x')).size() == 255);
  // The cap never splits a character.
  std::string e_acute;
  for (int i = 0; i < 200; ++i) e_acute += "\xc3\xa9";
  auto capped = printable_text(e_acute);
  CHECK(capped.size() == 254);
  CHECK(valid_utf8(capped));
  CHECK(valid_utf8("\xf0\x9f\x96\xa8"));  // U+1F5A8 printer
  CHECK_FALSE(valid_utf8("\xf0\x9f\x96"));
  CHECK(valid_utf8("\xf0\x9f\x96", true));
  CHECK_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
}

TEST_CASE("choose: the configured order picks among the sources") {
  auto id = sniff(windows_pjl_pdf);
  candidates users = user_candidates(id);
  users.control_file = "svc-print";
  users.ipp = "ipp-user";
  rule def;
  CHECK(choose(def, users) == "s1234567");  // PJL beats the service account
  candidates no_pjl = users;
  no_pjl.pjl.reset();
  CHECK(choose(def, no_pjl) == "svc-print");
  no_pjl.dsc = "";  // empty means no opinion
  CHECK(choose(def, no_pjl) == "svc-print");
  candidates only_ipp;
  only_ipp.ipp = "ipp-user";
  CHECK_FALSE(choose(def, only_ipp));  // ipp is not in the default order
  auto control_first = parse_rule("control, pjl");
  REQUIRE(control_first.ok());
  CHECK(choose(*control_first, users) == "svc-print");

  auto names = job_name_candidates(sniff(mac_ps));
  names.control_file = "from J";
  CHECK(choose(def, names) == "report.pdf");
  CHECK(choose(rule{{source::control_file}}, names) == "from J");
}

TEST_CASE("choose: config words and lists") {
  CHECK(parse_source("pjl") == source::pjl);
  CHECK(parse_source("dsc") == source::dsc);
  CHECK(parse_source("control") == source::control_file);
  CHECK(parse_source("control-file") == source::control_file);
  CHECK(parse_source("ipp") == source::ipp);
  CHECK_FALSE(parse_source("PJL"));
  CHECK_FALSE(parse_source(""));
  for (source s : {source::pjl, source::dsc, source::control_file, source::ipp})
    CHECK(parse_source(to_string(s)) == s);
  auto r = parse_rule(" ipp,pjl  dsc ,control ");
  REQUIRE(r.ok());
  CHECK(r->order == std::vector<source>{source::ipp, source::pjl, source::dsc, source::control_file});
  CHECK_FALSE(parse_rule("").ok());
  CHECK_FALSE(parse_rule(" , ").ok());
  CHECK_FALSE(parse_rule("pjl,pjl").ok());
  auto bad = parse_rule("pjl,ldap");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().message.find("ldap") != std::string::npos);
}
