#include "devices/jobproc/analyse_job.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "devices/jobproc/convert_job.hpp"
#include "devices/jobproc/work_folder.hpp"
#include "protocols/pdl/analysis.hpp"

namespace quire::jobproc {

namespace {

constexpr std::string_view pdf_mime = "application/pdf", postscript_mime = "application/postscript";

std::string sha256(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(md), n);
}

result<std::string> read_document(const std::string& path, uint64_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return error{errc::io_error, "the document cannot be read"};
  auto size = static_cast<uint64_t>(in.tellg());
  if (size > max_bytes) return error{errc::limit_exceeded, "the document is larger than the processors take"};
  std::string out(size, '\0');
  in.seekg(0);
  in.read(out.data(), static_cast<std::streamsize>(size));
  if (!in) return error{errc::io_error, "the document cannot be read"};
  return out;
}

// Pages of one size, in points rounded to a whole point.
std::vector<page_summary> sizes_of(const pdl::analysis& a) {
  std::map<std::pair<long, long>, uint32_t> count;
  for (const auto& p : a.page_list) ++count[{std::lround(p.width_pt), std::lround(p.height_pt)}];
  std::vector<page_summary> out;
  for (const auto& [wh, n] : count) {
    if (out.size() == max_sizes) break;
    out.push_back(page_summary{n, static_cast<double>(wh.first), static_cast<double>(wh.second)});
  }
  return out;
}

bool renderable(const std::string& format) { return format == pdf_mime || format == postscript_mime; }

analyse_reply failed(errc code, std::string reason) {
  analyse_reply rep;
  rep.failure = to_string(code);
  rep.reason = std::move(reason);
  return rep;
}

analyse_reply cannot_work(const error& e) { return failed(e.code, "the job processor cannot work: " + e.message); }

// The document as a file gs can read: its own path, or the inline bytes
// written into `folder` (created here) as `name`.
result<std::string> document_file(const std::string& bytes, const std::string& path, const char* name,
                                  const gs_limits& gs, std::optional<work_folder>& folder) {
  if (!path.empty()) return path;
  auto made = work_folder::create(gs.work_base, false);
  if (!made) return made.err();
  folder.emplace(std::move(*made));
  return folder->write(name, bytes);
}

// qpdf had to rebuild the cross-reference table (protocols/pdl/pdf.cpp's
// note). pdfwrite's own output never needs that.
bool repaired(const pdl::analysis& a) {
  for (const auto& n : a.notes)
    if (n.rfind("xref repaired", 0) == 0) return true;
  return false;
}

// The colour tally once every page is decided (or counted as colour).
void tally(analyse_reply& rep, std::vector<bool>& colour, const std::set<uint32_t>& open) {
  if (!open.empty()) {
    // Formats Ghostscript does not read (rasters, images): undecided pages
    // count as colour, the dearer side, and the reply says it is an estimate.
    for (uint32_t p : open) colour[p - 1] = true;
    rep.exact = false;
    rep.notes.push_back(std::to_string(open.size()) + " page(s) counted as colour without rendering");
  }
  for (uint32_t i = 0; i < colour.size(); ++i) {
    if (!colour[i]) continue;
    ++rep.colour_pages;
    if (rep.colour_page_numbers.size() < max_colour_page_numbers) rep.colour_page_numbers.push_back(i + 1);
  }
  rep.mono_pages = rep.pages - rep.colour_pages;
  if (rep.notes.size() > max_notes) rep.notes.resize(max_notes);
  rep.ok = true;
}

// The counts of a document protocols/pdl has read (`a`): its structure, and
// gs for what that leaves open. `path` is the document's file, "" when it
// came inline.
analyse_reply count(const analyse_request& req, const pdl::analysis& a, const std::string& bytes,
                    const std::string& path, const gs_limits& gs) {
  analyse_reply rep;
  rep.format = a.format;
  rep.title = a.title;
  rep.notes = a.notes;
  rep.pages = a.pages;
  rep.sizes = sizes_of(a);
  rep.method = "structure";
  std::vector<bool> colour(a.pages, false);
  std::set<uint32_t> open;  // 1-based pages still undecided
  for (uint32_t i = 0; i < a.page_list.size(); ++i) {
    if (a.page_list[i].ink == pdl::colour::colour) colour[i] = true;
    if (a.page_list[i].ink == pdl::colour::uncertain) open.insert(i + 1);
  }
  if (a.page_list.empty())
    for (uint32_t p = 1; p <= a.pages; ++p) open.insert(p);
  bool postscript = a.format == postscript_mime;
  if ((postscript || !open.empty()) && renderable(a.format)) {
    std::optional<work_folder> folder;  // Ghostscript needs a file of the job's own
    auto file = document_file(bytes, path, postscript ? "document.ps" : "document.pdf", gs, folder);
    if (!file) return cannot_work(file.err());
    // PostScript must be interpreted to be counted (DSC %%Pages: is a quote):
    // one rendering of every page gives both the count and each page's colour.
    std::vector<uint32_t> pages(open.begin(), open.end());
    if (postscript) pages.clear();
    auto seen = render_colour(*file, pages, req.render_dpi ? req.render_dpi : 20, gs);
    if (!seen) return failed(seen.err().code, "the document cannot be rendered: " + seen.err().message);
    if (postscript) {
      auto n = static_cast<uint32_t>(seen->size());
      if (n != a.pages && a.pages) rep.notes.push_back("%%Pages: said " + std::to_string(a.pages));
      rep.pages = n;
      colour.assign(n, false);
      open.clear();
    }
    for (const auto& [page, is_colour] : *seen) {
      if (page >= 1 && page <= colour.size()) colour[page - 1] = is_colour;
      open.erase(page);
    }
    rep.method = a.page_list.empty() ? "render" : "structure+render";
  }
  if (!a.exact && !postscript) rep.exact = false;
  tally(rep, colour, open);
  return rep;
}

}  // namespace

analyse_reply analyser::analyse(const analyse_request& req) {
  auto t0 = std::chrono::steady_clock::now();
  analyse_reply rep;
  rep.job_id = req.job_id;
  if (status v = validate(req)) {
    rep.reason = "the request is not valid: " + v.message;
    rep.failure = to_string(errc::internal);
    return rep;
  }
  std::string bytes = req.document;
  if (bytes.empty() && !req.path.empty()) {
    auto read = read_document(req.path, opts_.max_document_bytes);
    if (read) bytes = std::move(*read);
    else rep = failed(read.err().code, read.err().message);
  }
  if (bytes.empty() && rep.reason.empty()) rep = failed(errc::corruption, "the document is empty");
  if (!bytes.empty()) {
    std::string key = sha256(bytes);
    auto it = index_.find(key);
    // A cached PostScript analysis is not used when the request wants the
    // normalised PDF: a hit would skip writing it, so the simplest honest
    // thing is to convert and count again (and normalised replies are not
    // kept, for the same reason).
    if (it != index_.end() && !(it->second->second.format == postscript_mime && !req.normalised_path.empty())) {
      lru_.splice(lru_.begin(), lru_, it->second);
      rep = it->second->second;
      rep.notes.push_back("analysis reused: the same document was read before");
      ++hits_;
    } else {
      rep = compute(req, bytes, req.document.empty() ? req.path : std::string());
      if (rep.ok && !rep.normalised) remember(key, rep);
    }
  }
  // normalised_path exists after a reply only when the reply says normalised
  // (a stale file from an earlier attempt goes too).
  if (!rep.normalised && !req.normalised_path.empty()) ::unlink(req.normalised_path.c_str());
  rep.job_id = req.job_id;
  rep.elapsed_us = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
  return rep;
}

analyse_reply analyser::compute(const analyse_request& req, const std::string& bytes, const std::string& path) {
  gs_limits gs = opts_.gs;
  if (req.timeout_ms) gs.timeout_ms = std::min(gs.timeout_ms, req.timeout_ms);
  pdl::limits lim;
  lim.max_bytes = opts_.max_document_bytes;
  auto a = pdl::analyse(bytes, req.declared_format, lim);
  if (!a) return failed(a.err().code, a.err().message);
  if (a->format == postscript_mime && !req.normalised_path.empty()) return normalise(req, *a, bytes, path, gs);
  return count(req, *a, bytes, path, gs);
}

analyse_reply analyser::normalise(const analyse_request& req, const pdl::analysis& ps, const std::string& bytes,
                                  const std::string& path, const gs_limits& gs) {
  std::string part = req.normalised_path;
  part.append(".part");
  {
    std::optional<work_folder> folder;
    auto file = document_file(bytes, path, "document.ps", gs, folder);
    if (!file) return cannot_work(file.err());
    auto made = postscript_to_pdf(*file, part, gs);  // removes `part` when it fails
    if (!made) {
      const error& e = made.err();
      if (e.code == errc::io_error) return cannot_work(e);  // ours (the output's folder, the disk), not the document's
      return failed(e.code, e.message == no_page_printed ? e.message : "the document cannot be rendered: " + e.message);
    }
  }
  analyse_reply rep = count_normalised(req, ps, part, gs);
  if (rep.ok && ::rename(part.c_str(), req.normalised_path.c_str()) != 0)
    rep = cannot_work(error{errc::io_error, "cannot rename " + part + ": " + std::strerror(errno)});
  if (!rep.ok) ::unlink(part.c_str());
  return rep;
}

analyse_reply analyser::count_normalised(const analyse_request& req, const pdl::analysis& ps,
                                         const std::string& pdf_path, const gs_limits& gs) {
  auto bytes = read_document(pdf_path, opts_.max_document_bytes);
  if (!bytes) return failed(bytes.err().code, bytes.err().message);
  pdl::limits lim;
  lim.max_bytes = opts_.max_document_bytes;
  auto a = pdl::analyse(*bytes, pdf_mime, lim);
  if (!a) return failed(a.err().code, a.err().message);
  // What gs wrote when the document moved its output away and back
  // (/OutputFile (/dev/null), then (-)): two PDFs in a row, which readers
  // repair each their own way. The printer must get one reading only.
  if (a->format != pdf_mime || repaired(*a))
    return failed(errc::corruption, "the document changed Ghostscript's output: the PDF it wrote is damaged");
  analyse_reply rep = count(req, *a, *bytes, pdf_path, gs);
  if (!rep.ok) return rep;
  rep.format = ps.format;
  rep.normalised = true;
  rep.method = "normalised+" + rep.method;
  if (!ps.title.empty()) rep.title = ps.title;
  std::vector<std::string> notes = {"PostScript converted to PDF: the counts are of that PDF, which is what prints"};
  // The structure scan's notes on DSC comments ("%%Pages: says...", "no
  // %%DocumentMedia:...") describe a quote the PDF's counts and sizes replace.
  for (const auto& n : ps.notes)
    if (n.find("%%") == std::string::npos) notes.push_back(n);
  if (ps.pages && ps.pages != rep.pages) notes.push_back("%%Pages: said " + std::to_string(ps.pages));
  notes.insert(notes.end(), rep.notes.begin(), rep.notes.end());
  if (notes.size() > max_notes) notes.resize(max_notes);
  rep.notes = std::move(notes);
  return rep;
}

void analyser::remember(const std::string& key, const analyse_reply& rep) {
  if (opts_.cache_entries == 0) return;
  lru_.emplace_front(key, rep);
  index_[key] = lru_.begin();
  if (lru_.size() > opts_.cache_entries) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

}  // namespace quire::jobproc
