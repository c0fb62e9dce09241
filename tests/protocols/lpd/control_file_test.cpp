#include <doctest/doctest.h>

#include <string>

#include "lpd_fixtures.hpp"
#include "protocols/lpd/control_file.hpp"

using namespace quire;
using namespace quire::lpd;
using namespace lpd_fixtures;

TEST_CASE("control file: as CUPS's lpd backend writes it") {
  auto cf = parse_control_file(cups_control());
  REQUIRE(cf.ok());
  CHECK(cf->host == "ubuntu-ws");
  CHECK(cf->user == "alice");
  CHECK(cf->job_name == "report.pdf");
  CHECK_FALSE(cf->banner_user);
  CHECK_FALSE(cf->class_name);
  REQUIRE(cf->entries.size() == 1);
  CHECK(cf->entries[0].command == 'l');
  CHECK(cf->entries[0].format() == print_format::raw);
  CHECK(cf->entries[0].file == "dfA123ubuntu-ws");
  // CUPS writes N after the print line: it still names that entry.
  CHECK(cf->entries[0].source_name == "report.pdf");
  CHECK(cf->unlink == std::vector<std::string>{"dfA123ubuntu-ws"});
  CHECK(cf->data_files() == std::vector<std::string>{"dfA123ubuntu-ws"});
  CHECK(cf->display_name() == "report.pdf");
  CHECK(cf->unknown_lines == 0);
}

TEST_CASE("control file: CUPS with a banner page and copies") {
  std::string text =
      "Hubuntu-ws\nPalice\nJreport.pdf\nCubuntu-ws\nLalice\n"
      "ldfA123ubuntu-ws\nldfA123ubuntu-ws\nUdfA123ubuntu-ws\nNreport.pdf\n";
  auto cf = parse_control_file(text);
  REQUIRE(cf.ok());
  CHECK(cf->class_name == "ubuntu-ws");
  CHECK(cf->banner_user == "alice");
  REQUIRE(cf->entries.size() == 2);
  CHECK(cf->copies_of("dfA123ubuntu-ws") == 2);
  CHECK(cf->entries[0].source_name == "report.pdf");  // shared across the copies
  CHECK(cf->entries[1].source_name == "report.pdf");
  CHECK(cf->data_files().size() == 1);
}

TEST_CASE("control file: the Windows LPR port, the P line is the service account") {
  auto cf = parse_control_file(windows_control());
  REQUIRE(cf.ok());
  CHECK(cf->host == "WIN-PRINTSRV");
  CHECK(cf->user == "svc-print");
  CHECK(cf->display_name() == "Microsoft Word - thesis.docx");
  REQUIRE(cf->entries.size() == 1);
  CHECK(cf->entries[0].source_name == "Microsoft Word - thesis.docx");
}

TEST_CASE("control file: LPRng puts N before its print line") {
  std::string text =
      "Hlinux1\nPbob\nNchapter1.ps\nodfA017linux1\nNchapter2.txt\nfdfB017linux1\n"
      "UdfA017linux1\nUdfB017linux1\n";
  auto cf = parse_control_file(text);
  REQUIRE(cf.ok());
  REQUIRE(cf->entries.size() == 2);
  CHECK(cf->entries[0].source_name == "chapter1.ps");
  CHECK(cf->entries[0].format() == print_format::postscript);
  CHECK(cf->entries[1].source_name == "chapter2.txt");
  CHECK(cf->entries[1].format() == print_format::formatted_text);
  CHECK_FALSE(cf->job_name);
  CHECK(cf->display_name() == "chapter1.ps");  // no J: the first N
  CHECK(cf->data_files() == std::vector<std::string>{"dfA017linux1", "dfB017linux1"});
}

TEST_CASE("control file: display name falls back to the data file") {
  auto cf = parse_control_file("Hh\nPp\nldfA001h\n");
  REQUIRE(cf.ok());
  CHECK(cf->display_name() == "dfA001h");
  auto none = parse_control_file("Hh\nPp\n");
  REQUIRE(none.ok());
  CHECK(none->display_name().empty());
}

TEST_CASE("control file: CRLF, blank lines, unknown and ignored lines") {
  std::string text =
      "Hhost\r\nPcarol\r\n\r\nT  Quarterly report  \r\nMcarol\r\nI8\r\nW132\r\n1R\r\n"
      "Xsomething\r\nZ\r\n?\r\nkKRB ticket data\r\nzpalladium job\r\npdfA001host\r\n";
  auto cf = parse_control_file(text);
  REQUIRE(cf.ok());
  CHECK(cf->host == "host");
  CHECK(cf->user == "carol");
  CHECK(cf->title == "Quarterly report");
  CHECK(cf->mail == "carol");
  CHECK(cf->unknown_lines == 5);  // X, Z, ?, and k/z lines without a file name
  REQUIRE(cf->entries.size() == 1);
  CHECK(cf->entries[0].format() == print_format::pr_text);
}

TEST_CASE("control file: an unknown lower-case command naming a file is kept") {
  auto cf = parse_control_file("Hh\nPp\nxdfA001h\n");
  REQUIRE(cf.ok());
  REQUIRE(cf->entries.size() == 1);
  CHECK(cf->entries[0].command == 'x');
  CHECK(cf->entries[0].format() == print_format::unknown);
}

TEST_CASE("control file: values are sanitised") {
  std::string long_user(400, 'u');
  std::string text = "H host \nP" + long_user + "\nJbad \xff utf8\nNr\xc3\xa9sum\xc3\xa9.pdf\nldfA001h\n";
  auto cf = parse_control_file(text);
  REQUIRE(cf.ok());
  CHECK(cf->host == "host");
  CHECK(cf->user.size() == 255);
  CHECK(cf->job_name == "bad \xef\xbf\xbd utf8");
  CHECK(cf->entries[0].source_name == "r\xc3\xa9sum\xc3\xa9.pdf");
}

TEST_CASE("control file: the first H and P count") {
  auto cf = parse_control_file("Hfirst\nPalice\nHsecond\nPmallory\n");
  REQUIRE(cf.ok());
  CHECK(cf->host == "first");
  CHECK(cf->user == "alice");
}

TEST_CASE("control file: errors name the problem") {
  struct bad {
    std::string text;
    errc code;
    const char* words;
  };
  std::string many;
  for (int i = 0; i < 1001; ++i) many += "Hh\n";
  bad cases[] = {
      {"Palice\nldfA001h\n", errc::invalid_argument, "no host"},
      {"Hh\nldfA001h\n", errc::invalid_argument, "no user"},
      {"Hh\nP   \n", errc::invalid_argument, "no user"},
      {"", errc::invalid_argument, "no host"},
      {"Hh\nPa\x1b[31m\n", errc::invalid_argument, "line 2: control octet 0x1b"},
      {"Hh\nPa\nJx\0y\n", errc::invalid_argument, "control octet 0x00"},
      {"Hh\nPa\nl../etc/passwd\n", errc::invalid_argument, "line 3"},
      {"Hh\nPa\nl\n", errc::invalid_argument, "without a valid file name"},
      {"Hh\nPa\nUa b\n", errc::invalid_argument, "'U'"},
      {"Hh\nPa\nJ" + std::string(1025, 'j') + "\n", errc::limit_exceeded, "line 3: longer than 1024"},
      {many, errc::limit_exceeded, "more than 1000 lines"},
  };
  cases[5].text = std::string("Hh\nPa\nJx\0y\n", 11);
  for (auto& c : cases) {
    CAPTURE(c.text);
    auto cf = parse_control_file(c.text);
    REQUIRE_FALSE(cf.ok());
    CHECK(cf.err().code == c.code);
    CHECK(cf.err().message.find(c.words) != std::string::npos);
  }
  control_limits lim;
  lim.max_lines = 3;
  CHECK_FALSE(parse_control_file("Hh\nPp\nJj\nCc\n", lim).ok());
  CHECK(parse_control_file("Hh\nPp\nJj\n", lim).ok());
}

TEST_CASE("control file: print format hints") {
  CHECK(print_format_hint('l') == print_format::raw);
  CHECK(print_format_hint('o') == print_format::postscript);
  CHECK(print_format_hint('f') == print_format::formatted_text);
  CHECK(print_format_hint('p') == print_format::pr_text);
  CHECK(print_format_hint('v') == print_format::raster);
  CHECK(print_format_hint('r') == print_format::fortran);
  CHECK(print_format_hint('t') == print_format::troff);
  CHECK(print_format_hint('n') == print_format::ditroff);
  CHECK(print_format_hint('d') == print_format::dvi);
  CHECK(print_format_hint('c') == print_format::cif);
  CHECK(print_format_hint('g') == print_format::plot);
  CHECK(print_format_hint('k') == print_format::unknown);
  CHECK(print_format_hint('H') == print_format::unknown);
  CHECK(std::string(to_string(print_format::raw)) == "raw");
}
