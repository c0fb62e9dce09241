// One analysis in the job processor: a request in, a reply out.
//
// The structure scan (protocols/pdl/) goes first: it counts pages from the
// document's structure and decides most pages' colour from their content in
// milliseconds. Only what it leaves open goes to Ghostscript
// (ghostscript.hpp): a PostScript page count (PostScript must be
// interpreted), and the pages whose colour it could not decide, rendered at
// a low resolution and judged by chroma. A cache keyed by the document's
// SHA-256 skips all of it for a document seen before (the same handout
// printed by 300 students); what depends on the job's ticket (impressions,
// sheets) is not cached, the reply carries pages only.
//
// PostScript with a `normalised_path` in the request is normalised: converted
// once to PDF (convert_job.hpp's postscript_to_pdf, the conversion delivery
// uses for a PDF printer), written to normalised_path + ".part" and renamed
// to normalised_path when the analysis succeeds; the counts are that PDF's,
// found as for any PDF. quired then prints that PDF, so a program that
// prints differently each time it runs, or on another device, is charged
// for exactly what prints. After any other reply normalised_path does not
// exist. Without normalised_path PostScript is counted by rendering it.
//
// Runs inside quire-jobproc, one request at a time; everything that can fail
// becomes a reply with ok=false and a reason the job's owner can read.
#pragma once

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>

#include "devices/jobproc/ghostscript.hpp"
#include "protocols/jobproc/wire.hpp"

namespace quire::pdl {
struct analysis;
}

namespace quire::jobproc {

struct processor_options {
  gs_limits gs;                       // Ghostscript's limits and work folder
  uint64_t max_document_bytes = 1ull << 30;
  size_t cache_entries = 512;         // analyses kept by document hash
};

class analyser {
 public:
  explicit analyser(processor_options opts) : opts_(std::move(opts)) {}

  analyse_reply analyse(const analyse_request& req);

  uint64_t cache_hits() const { return hits_; }

 private:
  // `path` is the document's file, "" when it came inline.
  analyse_reply compute(const analyse_request& req, const std::string& bytes, const std::string& path);
  // PostScript (`ps`, as protocols/pdl read it) into req.normalised_path, counted as that PDF.
  analyse_reply normalise(const analyse_request& req, const pdl::analysis& ps, const std::string& bytes,
                          const std::string& path, const gs_limits& gs);
  // The counts of the PDF at `pdf_path` that normalise() wrote.
  analyse_reply count_normalised(const analyse_request& req, const pdl::analysis& ps, const std::string& pdf_path,
                                 const gs_limits& gs);
  void remember(const std::string& key, const analyse_reply& rep);

  processor_options opts_;
  std::list<std::pair<std::string, analyse_reply>> lru_;
  std::unordered_map<std::string, std::list<std::pair<std::string, analyse_reply>>::iterator> index_;
  uint64_t hits_ = 0;
};

}  // namespace quire::jobproc
