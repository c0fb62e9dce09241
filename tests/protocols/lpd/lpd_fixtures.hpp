// Byte sequences as real LPD clients send them, shared by the LPD tests.
// announce() builds a receive-job subcommand line (RFC 1179 6.2/6.3).
#pragma once

#include <string>

namespace lpd_fixtures {

inline std::string announce(char code, const std::string& body, const std::string& name) {
  return std::string(1, code) + std::to_string(body.size()) + " " + name + "\n";
}

// A small PDF with the octets that trip naive parsers: NUL, LF, 0x01, 0x02.
inline std::string pdf_data() {
  std::string d = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\n";
  d += std::string("\x00\x01\x02\n\x03\x00", 6);
  d += "\nendstream\nendobj\n%%EOF\n";
  return d;
}

// CUPS's lpd backend (backend/lpd.c): H, P, J, the format line, U, N; with
// the "banner" option also C and L. Files are "cfA"/"dfA" + pid % 1000 + the
// host cut to 15 characters.
inline std::string cups_control(bool banner = false) {
  std::string c = "Hubuntu-ws\nPalice\nJreport.pdf\n";
  if (banner) c += "Cubuntu-ws\nLalice\n";
  c += "ldfA123ubuntu-ws\nUdfA123ubuntu-ws\nNreport.pdf\n";
  return c;
}

// The receive-job stream of CUPS's default order=control,data, after the
// daemon acked "\x02secure\n". CUPS sends the control file with its NUL.
inline std::string cups_wire() {
  std::string control = cups_control();
  std::string data = pdf_data();
  return announce('\x02', control, "cfA123ubuntu-ws") + control + std::string(1, '\0') +
         announce('\x03', data, "dfA123ubuntu-ws") + data + std::string(1, '\0');
}

// The Windows "LPR Port" (Standard TCP/IP port, LPR protocol, byte counting
// on): the data file first, then the control file; P is the account the
// spooler runs the job as.
inline std::string windows_control() {
  return "HWIN-PRINTSRV\nPsvc-print\nJMicrosoft Word - thesis.docx\nCWIN-PRINTSRV\n"
         "ldfA042WIN-PRINTSRV\nNMicrosoft Word - thesis.docx\nUdfA042WIN-PRINTSRV\n";
}

inline std::string windows_data() {
  return "\x1b%-12345X@PJL JOB NAME=\"Microsoft Word - thesis.docx\"\r\n"
         "@PJL SET USERNAME=\"s1234567\"\r\n@PJL ENTER LANGUAGE=PDF\r\n" +
         pdf_data() + "\x1b%-12345X@PJL EOJ\r\n\x1b%-12345X";
}

inline std::string windows_wire() {
  std::string control = windows_control();
  std::string data = windows_data();
  return announce('\x03', data, "dfA042WIN-PRINTSRV") + data + std::string(1, '\0') +
         announce('\x02', control, "cfA042WIN-PRINTSRV") + control + std::string(1, '\0');
}

}  // namespace lpd_fixtures
