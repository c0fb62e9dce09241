// Plain text: pages by a fixed rule, the one Quire's text rendering must use.
//
//   The text is cut into pieces at form feeds (FF, 0x0c). Each piece prints
//   ceil(lines / 66) pages, at least one (so FF FF gives a blank page).
//   Lines end at LF (CRLF counts once; a lone CR returns the carriage and
//   starts no line); a last line without LF counts when it is not empty.
//   A line wider than 80 columns wraps: it takes ceil(columns / 80) lines;
//   columns are UTF-8 characters, a tab advancing to the next multiple of 8.
//   A last piece holding only white space (the document ends with FF and
//   perhaps line ends) prints nothing.
// Every page is mono and A4 (66 lines of 80 columns at 6 lines and 10
// characters per inch fit A4 with small margins).
#include "protocols/pdl/formats.hpp"

namespace quire::pdl::detail {

namespace {

constexpr uint64_t lines_per_page = 66;
constexpr uint64_t columns_per_line = 80;

bool blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// The printed lines of one line of text (no LF inside).
uint64_t printed_lines(std::string_view line) {
  uint64_t columns = 0;
  for (char c : line) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\t') columns = (columns / 8 + 1) * 8;
    else if (c == '\r') continue;  // carriage return: overprints, no new line
    else if ((u & 0xc0) != 0x80) ++columns;  // count characters, not continuation bytes
  }
  return columns == 0 ? 1 : (columns + columns_per_line - 1) / columns_per_line;
}

uint64_t piece_pages(std::string_view piece) {
  uint64_t lines = 0;
  for (size_t at = 0; at < piece.size();) {
    size_t lf = piece.find('\n', at);
    if (lf == std::string_view::npos) {
      std::string_view last = piece.substr(at);
      if (!last.empty() && last != "\r") lines += printed_lines(last);
      break;
    }
    lines += printed_lines(piece.substr(at, lf - at));
    at = lf + 1;
  }
  return lines == 0 ? 1 : (lines + lines_per_page - 1) / lines_per_page;
}

}  // namespace

result<analysis> analyse_text(std::string_view s, const limits& lim) {
  analysis a;
  a.exact = true;
  uint64_t pages = 0;
  for (size_t at = 0;;) {
    size_t ff = s.find('\f', at);
    std::string_view piece = s.substr(at, ff == std::string_view::npos ? std::string_view::npos : ff - at);
    bool last = ff == std::string_view::npos;
    if (!(last && at > 0 && blank(piece))) pages += piece_pages(piece);
    if (status st = check_pages(pages, lim)) return st;
    if (last) break;
    at = ff + 1;
  }
  a.pages = static_cast<uint32_t>(pages);
  a.page_list.assign(a.pages, page{a4_width_pt, a4_height_pt, colour::mono});
  a.notes.push_back("text pages: 66 lines of 80 columns per A4 page, a form feed starts a page");
  return a;
}

}  // namespace quire::pdl::detail
