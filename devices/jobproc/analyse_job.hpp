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
// Runs inside quire-jobproc, one request at a time; everything that can fail
// becomes a reply with ok=false and a reason the job's owner can read.
#pragma once

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>

#include "devices/jobproc/ghostscript.hpp"
#include "protocols/jobproc/wire.hpp"

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
  analyse_reply compute(const analyse_request& req, const std::string& bytes, const std::string& path);
  void remember(const std::string& key, const analyse_reply& rep);

  processor_options opts_;
  std::list<std::pair<std::string, analyse_reply>> lru_;
  std::unordered_map<std::string, std::list<std::pair<std::string, analyse_reply>>::iterator> index_;
  uint64_t hits_ = 0;
};

}  // namespace quire::jobproc
