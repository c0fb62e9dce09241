#include "devices/jobproc/analyse_job.hpp"

#include <openssl/evp.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "devices/jobproc/work_folder.hpp"
#include "protocols/pdl/analysis.hpp"

namespace quire::jobproc {

namespace {

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

bool renderable(const std::string& format) {
  return format == "application/pdf" || format == "application/postscript";
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
    if (!read) {
      rep.reason = read.err().message;
      rep.failure = to_string(read.err().code);
      return rep;
    }
    bytes = std::move(*read);
  }
  if (bytes.empty()) {
    rep.reason = "the document is empty";
    rep.failure = to_string(errc::corruption);
    return rep;
  }
  std::string key = sha256(bytes);
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    rep = it->second->second;
    rep.job_id = req.job_id;
    rep.notes.push_back("analysis reused: the same document was read before");
    ++hits_;
  } else {
    rep = compute(req, bytes, req.document.empty() ? req.path : std::string());
    if (rep.ok) remember(key, rep);
  }
  rep.elapsed_us = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
  return rep;
}

analyse_reply analyser::compute(const analyse_request& req, const std::string& bytes, const std::string& path_in) {
  analyse_reply rep;
  rep.job_id = req.job_id;
  gs_limits gs = opts_.gs;
  if (req.timeout_ms) gs.timeout_ms = std::min(gs.timeout_ms, req.timeout_ms);
  pdl::limits lim;
  lim.max_bytes = opts_.max_document_bytes;
  auto a = pdl::analyse(bytes, req.declared_format, lim);
  if (!a) {
    rep.reason = a.err().message;
    rep.failure = to_string(a.err().code);
    return rep;
  }
  rep.format = a->format;
  rep.title = a->title;
  rep.notes = a->notes;
  rep.pages = a->pages;
  rep.sizes = sizes_of(*a);
  rep.method = "structure";
  std::vector<bool> colour(a->pages, false);
  std::set<uint32_t> open;  // 1-based pages still undecided
  for (uint32_t i = 0; i < a->page_list.size(); ++i) {
    if (a->page_list[i].ink == pdl::colour::colour) colour[i] = true;
    if (a->page_list[i].ink == pdl::colour::uncertain) open.insert(i + 1);
  }
  if (a->page_list.empty())
    for (uint32_t p = 1; p <= a->pages; ++p) open.insert(p);
  bool postscript = a->format == "application/postscript";
  if ((postscript || !open.empty()) && renderable(a->format)) {
    // Ghostscript needs a file of the job's own.
    std::string path = path_in;
    auto folder = work_folder::create(gs.work_base, false);
    if (!folder) {
      rep.reason = "the job processor cannot work: " + folder.err().message;
      rep.failure = to_string(folder.err().code);
      return rep;
    }
    if (path.empty()) {
      auto written = folder->write(postscript ? "document.ps" : "document.pdf", bytes);
      if (!written) {
        rep.reason = "the job processor cannot work: " + written.err().message;
        rep.failure = to_string(written.err().code);
        return rep;
      }
      path = *written;
    }
    // PostScript must be interpreted to be counted (DSC %%Pages: is a quote):
    // one rendering of every page gives both the count and each page's colour.
    std::vector<uint32_t> pages(open.begin(), open.end());
    if (postscript) pages.clear();
    auto seen = render_colour(path, pages, req.render_dpi ? req.render_dpi : 20, gs);
    if (!seen) {
      rep.reason = "the document cannot be rendered: " + seen.err().message;
      rep.failure = to_string(seen.err().code);
      return rep;
    }
    if (postscript) {
      auto n = static_cast<uint32_t>(seen->size());
      if (n != a->pages && a->pages) rep.notes.push_back("%%Pages: said " + std::to_string(a->pages));
      rep.pages = n;
      colour.assign(n, false);
      open.clear();
    }
    for (const auto& [page, is_colour] : *seen) {
      if (page >= 1 && page <= colour.size()) colour[page - 1] = is_colour;
      open.erase(page);
    }
    rep.method = a->page_list.empty() ? "render" : "structure+render";
  }
  if (!open.empty()) {
    // Formats Ghostscript does not read (rasters, images): undecided pages
    // count as colour, the dearer side, and the reply says it is an estimate.
    for (uint32_t p : open) colour[p - 1] = true;
    rep.exact = false;
    rep.notes.push_back(std::to_string(open.size()) + " page(s) counted as colour without rendering");
  }
  if (!a->exact && !postscript) rep.exact = false;
  for (uint32_t i = 0; i < colour.size(); ++i) {
    if (!colour[i]) continue;
    ++rep.colour_pages;
    if (rep.colour_page_numbers.size() < max_colour_page_numbers) rep.colour_page_numbers.push_back(i + 1);
  }
  rep.mono_pages = rep.pages - rep.colour_pages;
  if (rep.notes.size() > max_notes) rep.notes.resize(max_notes);
  rep.ok = true;
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
