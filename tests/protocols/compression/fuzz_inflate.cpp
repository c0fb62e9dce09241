// Fuzz entry point for the inflater. The first byte steers the run: bit 0 the
// format (gzip, deflate), bits 1-5 the size of the pieces the rest is fed in,
// bit 6 tiny output chunks, bit 7 a 4 KiB output cap; so splits, chunking,
// the bomb cap and both formats are all explored.
#include <cstdint>
#include <string_view>

#include "protocols/compression/inflater.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace quire::compression;
  if (size == 0) return 0;
  const uint8_t ctl = data[0];
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  inflater::options opt;
  opt.fmt = (ctl & 1) ? format::deflate : format::gzip;
  opt.max_output_bytes = (ctl & 0x80) ? 4096 : 8u << 20;
  opt.chunk_bytes = 1 + (ctl & 0x40 ? 7 : 4095);
  const size_t step = 1 + ((ctl >> 1) & 0x1f) * 37;
  inflater inf(opt);
  uint64_t seen = 0;
  auto sink = [&](std::string_view chunk) {
    if (chunk.empty() || chunk.size() > opt.chunk_bytes) __builtin_trap();
    seen += chunk.size();
    return quire::status{};
  };
  for (size_t at = 0; at < in.size(); at += step)
    if (inf.feed(in.substr(at, step), sink)) break;
  auto st = inf.finish();
  if (seen != inf.total_out() || seen > opt.max_output_bytes) __builtin_trap();
  if (!st && !inf.done()) __builtin_trap();  // a clean finish means a complete stream
  return 0;
}
