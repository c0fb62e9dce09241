#include "protocols/pdl/analysis.hpp"

#include <strings.h>

#include <algorithm>
#include <new>

#include "protocols/pdl/formats.hpp"
#include "protocols/sniff/job_identity.hpp"

namespace quire::pdl {

const char* to_string(colour c) noexcept {
  switch (c) {
    case colour::mono: return "mono";
    case colour::colour: return "colour";
    case colour::uncertain: return "uncertain";
  }
  return "uncertain";
}

uint32_t analysis::colour_pages() const {
  return static_cast<uint32_t>(std::count_if(page_list.begin(), page_list.end(),
                                             [](const page& p) { return p.ink == colour::colour; }));
}

uint32_t analysis::mono_pages() const {
  return static_cast<uint32_t>(std::count_if(page_list.begin(), page_list.end(),
                                             [](const page& p) { return p.ink == colour::mono; }));
}

std::vector<uint32_t> analysis::uncertain_pages() const {
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < pages; ++i)
    if (i >= page_list.size() || page_list[i].ink == colour::uncertain) out.push_back(i + 1);
  return out;
}

namespace {

using sniff::language;

constexpr std::string_view uel = "\x1b%-12345X";

// A PJL job ends with a UEL and PJL commands (@PJL EOJ) after the document
// data. Cut them off when everything from the last UEL on is such text, so
// that PDF's trailer and text's last page are what the format parser sees.
std::string_view strip_trailing_pjl(std::string_view data) {
  size_t window = std::min<size_t>(data.size(), 64 * 1024);
  size_t at = data.rfind(uel);
  if (at == std::string_view::npos || at < data.size() - window) return data;
  for (size_t i = at; i < data.size(); ++i) {
    auto c = static_cast<unsigned char>(data[i]);
    bool ok = c >= 0x20 || c == '\r' || c == '\n' || c == '\t' || c == '\f' || c == 0x1b;
    if (!ok) return data;
  }
  // Several UELs may close the job; cut at the first of the trailing run.
  std::string_view head = data.substr(0, at);
  while (head.size() >= uel.size() && head.substr(head.size() - uel.size()) == uel)
    head.remove_suffix(uel.size());
  return head;
}

// The MIME type without parameters, lower case.
std::string bare_mime(std::string_view m) {
  m = m.substr(0, m.find(';'));
  while (!m.empty() && m.back() == ' ') m.remove_suffix(1);
  std::string out(m);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

result<analysis> dispatch(language lang, std::string_view data, const limits& lim) {
  switch (lang) {
    case language::pdf: return detail::analyse_pdf(data, lim);
    case language::postscript: return detail::analyse_postscript(data, lim);
    case language::pcl_xl: return detail::analyse_pclxl(data, lim);
    case language::pwg_raster: return detail::analyse_pwg_raster(data, lim);
    case language::urf: return detail::analyse_urf(data, lim);
    case language::jpeg: return detail::analyse_jpeg(data, lim);
    case language::png: return detail::analyse_png(data, lim);
    case language::text: return detail::analyse_text(data, lim);
    case language::pcl:
      return error(errc::unsupported,
                   "PCL 5 page counting is not supported (no PCL 5 interpreter is available)");
    case language::unknown: break;
  }
  return error(errc::unsupported, "the document format could not be recognised");
}

result<analysis> analyse_checked(std::string_view document, std::string_view declared,
                                 const limits& lim) {
  if (document.size() > lim.max_bytes)
    return error(errc::limit_exceeded, "the document is larger than " +
                                           std::to_string(lim.max_bytes) + " bytes");
  sniff::identity id = sniff::sniff(document.substr(0, sniff::sniff_window));
  std::string_view data = document.substr(std::min(id.data_offset, document.size()));
  if (id.has_pjl) data = strip_trailing_pjl(data);
  if (data.empty()) return detail::corrupt("the document is empty");

  // Magic bytes describe the data itself; PJL ENTER LANGUAGE (which
  // sniff() prefers) decides only when the data has no recognisable magic.
  language magic = sniff::guess_language(data);
  language lang = magic != language::unknown && magic != language::text ? magic : id.lang;
  if (lang == language::unknown) lang = magic;

  auto r = dispatch(lang, data, lim);
  if (!r.ok()) return r;
  r->format = sniff::mime(lang);
  std::string said = bare_mime(declared);
  if (!said.empty() && said != "application/octet-stream" && said != r->format)
    r->notes.push_back("declared " + said + ", the content is " + r->format);
  if (id.has_pjl) r->notes.push_back("PJL header skipped");
  return r;
}

limits sanitised(limits lim) {
  if (lim.max_pages == 0) lim.max_pages = 1;
  if (lim.max_bytes == 0) lim.max_bytes = 1;
  if (lim.max_content_bytes_per_page == 0) lim.max_content_bytes_per_page = 1;
  if (lim.max_content_bytes_total == 0) lim.max_content_bytes_total = 1;
  return lim;
}

}  // namespace

result<analysis> analyse(std::string_view document, std::string_view declared_format,
                         const limits& lim) {
  // The format analysers catch their own parse errors; this is the last
  // line for memory exhaustion and anything unforeseen.
  try {
    return analyse_checked(document, declared_format, sanitised(lim));
  } catch (const std::bad_alloc&) {
    return error(errc::limit_exceeded, "the document needs more memory than allowed");
  } catch (const std::exception& e) {
    return detail::corrupt(std::string("the document could not be analysed: ") + e.what());
  } catch (...) {
    return detail::corrupt("the document could not be analysed");
  }
}

}  // namespace quire::pdl
