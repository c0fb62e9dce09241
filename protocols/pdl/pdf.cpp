// PDF: structure with libqpdf, colour with the content scan (pdf_scan.hpp).
//
// Pages are counted by walking the page tree (ISO 32000-1 section 7.7.3)
// ourselves, iteratively: /Count is only compared, a cycle or a repeated
// intermediate node is walked once, depth is bounded (qpdf's own walk
// recurses, and a hostile tree deep enough overflows the stack), and the
// count stops at limits::max_pages. Inheritable attributes (Resources,
// MediaBox, CropBox, Rotate) are carried down the walk, which is the truth a
// renderer follows, rather than read back through /Parent links that may lie.
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>

#include "protocols/pdl/formats.hpp"
#include "protocols/pdl/pdf_scan.hpp"
#include "protocols/pdl/pdf_util.hpp"
#include "protocols/sniff/printable_text.hpp"

namespace quire::pdl::detail {

namespace {

constexpr size_t max_tree_depth = 256;

struct inherited {
  QPDFObjectHandle resources, media_box, crop_box, rotate;
};

struct page_ref {
  QPDFObjectHandle page;
  inherited attrs;
};

struct walk_result {
  std::vector<page_ref> pages;
  bool truncated = false;  // a subtree was skipped: too deep
  size_t repeats = 0;      // intermediate nodes met again (cycles)
  size_t strays = 0;       // kids that are not dictionaries
};

inherited inherit(const inherited& from, QPDFObjectHandle node) {
  inherited a = from;
  auto take = [&](QPDFObjectHandle& slot, const char* k) {
    QPDFObjectHandle v = node.getKey(k);
    if (!v.isNull()) slot = v;
  };
  take(a.resources, "/Resources");
  take(a.media_box, "/MediaBox");
  take(a.crop_box, "/CropBox");
  take(a.rotate, "/Rotate");
  return a;
}

bool is_intermediate(QPDFObjectHandle node) {
  std::string type = name_of(node.getKey("/Type"));
  if (type == "/Pages") return true;
  return type != "/Page" && node.getKey("/Kids").isArray();
}

result<walk_result> walk(QPDFObjectHandle root, const limits& lim) {
  walk_result w;
  struct frame {
    QPDFObjectHandle node;
    inherited attrs;
    size_t depth;
  };
  std::vector<frame> todo{{root, inherited{}, 0}};
  std::set<QPDFObjGen> seen;
  while (!todo.empty()) {
    frame f = std::move(todo.back());
    todo.pop_back();
    if (!f.node.isDictionary()) {
      ++w.strays;
      continue;
    }
    inherited attrs = inherit(f.attrs, f.node);
    if (!is_intermediate(f.node)) {
      if (w.pages.size() >= lim.max_pages) return check_pages(w.pages.size() + 1, lim);
      w.pages.push_back({f.node, attrs});
      continue;
    }
    if (f.node.isIndirect() && !seen.insert(f.node.getObjGen()).second) {
      ++w.repeats;
      continue;
    }
    if (f.depth >= max_tree_depth) {
      w.truncated = true;
      continue;
    }
    auto kids = items(f.node.getKey("/Kids"));
    for (auto it = kids.rbegin(); it != kids.rend(); ++it)
      todo.push_back({*it, attrs, f.depth + 1});
  }
  return w;
}

// A rectangle [llx lly urx ury], normalised; false when it is not one.
bool rectangle(QPDFObjectHandle box, double r[4]) {
  std::vector<double> v = numbers(box);
  if (v.size() != 4) return false;
  r[0] = std::min(v[0], v[2]);
  r[1] = std::min(v[1], v[3]);
  r[2] = std::max(v[0], v[2]);
  r[3] = std::max(v[1], v[3]);
  return r[2] > r[0] && r[3] > r[1];
}

// The displayed size: CropBox clipped to MediaBox (section 14.11.2), times
// /UserUnit, turned by /Rotate. False when there is no usable MediaBox.
bool page_size(const page_ref& p, page& out) {
  double media[4], crop[4];
  if (!rectangle(p.attrs.media_box, media)) return false;
  if (rectangle(p.attrs.crop_box, crop)) {
    for (int i = 0; i < 2; ++i) crop[i] = std::max(crop[i], media[i]);
    for (int i = 2; i < 4; ++i) crop[i] = std::min(crop[i], media[i]);
    if (crop[2] <= crop[0] || crop[3] <= crop[1]) std::copy(media, media + 4, crop);
  } else {
    std::copy(media, media + 4, crop);
  }
  QPDFObjectHandle pg = p.page;
  double unit = number_of(pg.getKey("/UserUnit"), 1);
  if (!(unit > 0)) unit = 1;
  out.width_pt = (crop[2] - crop[0]) * unit;
  out.height_pt = (crop[3] - crop[1]) * unit;
  long rotate = std::lround(number_of(p.attrs.rotate, 0));
  if (((rotate % 360) + 360) % 360 / 90 % 2 == 1) std::swap(out.width_pt, out.height_pt);
  return true;
}

std::string xml_text(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += s[i];
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else out += ' ';  // numeric references: rare in titles, not decoded
    i = semi;
  }
  return out;
}

// dc:title from the document's XMP packet (the first rdf:li).
std::string xmp_title(QPDFObjectHandle root) {
  std::string xmp;
  if (!read_stream(key(root, "/Metadata"), 1u << 20, xmp)) return {};
  size_t at = xmp.find("<dc:title");
  if (at == std::string::npos) return {};
  at = xmp.find("<rdf:li", at);
  if (at == std::string::npos || (at = xmp.find('>', at)) == std::string::npos) return {};
  size_t end = xmp.find("</rdf:li>", at);
  if (end == std::string::npos) return {};
  return sniff::printable_text(xml_text(std::string_view(xmp).substr(at + 1, end - at - 1)));
}

std::string title(QPDF& q, QPDFObjectHandle root) {
  QPDFObjectHandle t = key(q.getTrailer().getKey("/Info"), "/Title");
  std::string s = t.isString() ? sniff::printable_text(t.getUTF8Value()) : std::string();
  return s.empty() ? xmp_title(root) : s;
}

// Optional content that is off by default, or switched off for printing
// (section 8.11.4.3): colour may hide on a layer that does not print.
bool hidden_layers(QPDFObjectHandle root) {
  QPDFObjectHandle d = key(key(root, "/OCProperties"), "/D");
  if (name_of(key(d, "/BaseState")) == "/OFF") return true;
  if (!items(key(d, "/OFF"), 1).empty()) return true;
  for (auto& usage : items(key(d, "/AS"), 256))
    if (name_of(key(usage, "/Event")) == "/Print") return true;
  return false;
}

void note_warnings(QPDF& q, std::vector<std::string>& notes, bool& repaired) {
  for (auto& w : q.getWarnings()) {
    const std::string& m = w.getMessageDetail();
    if (!repaired && (m.find("reconstruct") != std::string::npos ||
                      m.find("damaged") != std::string::npos)) {
      repaired = true;
      notes.push_back("xref repaired (the file is damaged)");
    }
  }
}

void structure_notes(QPDFObjectHandle pages, const walk_result& w,
                     std::vector<std::string>& notes) {
  QPDFObjectHandle count = pages.getKey("/Count");
  if (!count.isInteger() || count.getIntValue() != static_cast<long long>(w.pages.size()))
    notes.push_back("/Count says " + (count.isInteger() ? std::to_string(count.getIntValue())
                                                         : std::string("nothing")) +
                    ", the tree has " + std::to_string(w.pages.size()) + " pages");
  if (w.repeats) notes.push_back("the page tree repeats or loops; repeated nodes were skipped");
  if (w.strays) notes.push_back("the page tree has kids that are not pages; they were skipped");
  if (w.truncated)
    notes.push_back("the page tree is deeper than " + std::to_string(max_tree_depth) +
                    " levels; deeper pages were not counted");
}

void scan_pages(const walk_result& w, QPDFObjectHandle root, const limits& lim, analysis& a) {
  pdf_scanner scanner(lim);
  QPDFObjectHandle need = key(key(root, "/AcroForm"), "/NeedAppearances");
  scanner.regenerate_widgets = need.isBool() && need.getBoolValue();
  bool hidden = hidden_layers(root);
  size_t no_box = 0;
  for (size_t i = 0; i < w.pages.size(); ++i) {
    page pg;
    if (!page_size(w.pages[i], pg)) {
      ++no_box;
      pg.width_pt = letter_width_pt;  // the common default of PDF readers
      pg.height_pt = letter_height_pt;
    }
    if (lim.scan_content && !scanner.exhausted()) {
      try {
        pg.ink = scanner.page_colour(w.pages[i].page, w.pages[i].attrs.resources);
      } catch (const std::bad_alloc&) {
        throw;
      } catch (const std::exception&) {
        pg.ink = colour::uncertain;
      }
      if (scanner.exhausted())
        a.notes.push_back("content scan budget spent at page " + std::to_string(i + 1) +
                          "; later pages are uncertain");
    }
    if (hidden && pg.ink == colour::colour) pg.ink = colour::uncertain;
    a.page_list.push_back(pg);
  }
  if (no_box) a.notes.push_back(std::to_string(no_box) + " pages have no valid MediaBox; US Letter assumed");
  if (hidden && lim.scan_content)
    a.notes.push_back("optional content is hidden by default or when printing; colour pages are uncertain");
}

result<analysis> analyse_open(QPDF& q, const limits& lim) {
  analysis a;
  bool repaired = false;
  note_warnings(q, a.notes, repaired);
  QPDFObjectHandle root = q.getRoot();
  QPDFObjectHandle pages = key(root, "/Pages");
  if (!pages.isDictionary()) return corrupt("the PDF is damaged beyond repair: it has no page tree");
  auto w = walk(pages, lim);
  if (!w.ok()) return w.err();
  note_warnings(q, a.notes, repaired);
  if (w->pages.empty()) return corrupt("the PDF has no pages");
  a.pages = static_cast<uint32_t>(w->pages.size());
  a.exact = !w->truncated;
  structure_notes(pages, *w, a.notes);
  a.title = title(q, root);
  scan_pages(*w, root, lim, a);
  return a;
}

// A file cut before its cross-reference table and trailer (a truncated
// download or spool file) still holds its objects, but qpdf cannot find the
// catalog without a trailer. Find the object that holds "/Catalog" and
// append a trailer naming it; qpdf then rebuilds the table by scanning.
std::optional<std::string> with_trailer(std::string_view data) {
  for (size_t cat = data.rfind("/Catalog"); cat != std::string_view::npos && cat > 0;
       cat = data.rfind("/Catalog", cat - 1)) {
    size_t obj = data.rfind("obj", cat);
    if (obj == std::string_view::npos || data.find("endobj", obj) < cat) continue;
    size_t at = obj;
    auto skip = [&](bool digits) {
      size_t end = at;
      while (at > 0 && (digits ? std::isdigit(static_cast<unsigned char>(data[at - 1]))
                               : std::isspace(static_cast<unsigned char>(data[at - 1]))))
        --at;
      return end - at;
    };
    skip(false);
    size_t gen_end = at;
    if (!skip(true)) continue;
    std::string_view gen = data.substr(at, gen_end - at);
    if (!skip(false)) continue;
    size_t num_end = at;
    if (!skip(true)) continue;
    std::string_view num = data.substr(at, num_end - at);
    return std::string(data) + "\ntrailer\n<< /Root " + std::string(num) + " " +
           std::string(gen) + " R >>\n%%EOF\n";
  }
  return std::nullopt;
}

// One attempt with qpdf. `unopened`: qpdf could not open the file at all
// (worth a retry with a rebuilt trailer).
result<analysis> attempt(std::string_view data, const limits& lim, bool& unopened) {
  QPDF q;
  q.setSuppressWarnings(true);
  q.setAttemptRecovery(true);
  unopened = false;
  try {
    try {
      q.processMemoryFile("document", data.data(), data.size());
    } catch (const QPDFExc& e) {
      unopened = e.getErrorCode() != qpdf_e_password;
      throw;
    }
    return analyse_open(q, lim);
  } catch (const QPDFExc& e) {
    if (e.getErrorCode() == qpdf_e_password)
      return error(errc::unsupported, "the PDF is protected by a password");
    return corrupt("the PDF is damaged beyond repair: " + e.getMessageDetail());
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    return corrupt(std::string("the PDF is damaged beyond repair: ") + e.what());
  }
}

}  // namespace

result<analysis> analyse_pdf(std::string_view data, const limits& lim) {
  bool unopened = false;
  auto first = attempt(data, lim, unopened);
  if (first.ok() || !unopened) return first;
  std::optional<std::string> fixed = with_trailer(data);
  if (!fixed) return first;
  auto second = attempt(*fixed, lim, unopened);
  if (!second.ok()) return first;  // the first reason is the one to show
  second->notes.insert(second->notes.begin(),
                       "the cross-reference table and trailer are missing (a truncated file?); "
                       "rebuilt from the objects");
  return second;
}

}  // namespace quire::pdl::detail
