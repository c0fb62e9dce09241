// Internal to protocols/pdl: one analyser per document format, called by
// analyse() with the document data (any PJL header and trailing UEL already
// removed) and sanitised limits. Each fills pages, exact, page_list, title
// and notes; analyse() sets `format`. Each may throw std::bad_alloc only;
// everything else is caught inside and becomes an error or a note.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocols/pdl/analysis.hpp"

namespace quire::pdl::detail {

result<analysis> analyse_pdf(std::string_view data, const limits& lim);
result<analysis> analyse_postscript(std::string_view data, const limits& lim);
result<analysis> analyse_pclxl(std::string_view data, const limits& lim);
result<analysis> analyse_pwg_raster(std::string_view data, const limits& lim);
result<analysis> analyse_urf(std::string_view data, const limits& lim);
result<analysis> analyse_jpeg(std::string_view data, const limits& lim);
result<analysis> analyse_png(std::string_view data, const limits& lim);
result<analysis> analyse_text(std::string_view data, const limits& lim);

// Paper sizes in points (PWG 5101.1).
inline constexpr double a4_width_pt = 595.276, a4_height_pt = 841.89;
inline constexpr double letter_width_pt = 612, letter_height_pt = 792;

inline error corrupt(std::string why) { return error(errc::corruption, std::move(why)); }

/// errc::limit_exceeded when `pages` is over the limit, else ok.
inline status check_pages(uint64_t pages, const limits& lim) {
  if (pages <= lim.max_pages) return {};
  return error(errc::limit_exceeded, "the document has more than " +
                                         std::to_string(lim.max_pages) + " pages");
}

/// The colour of a page that paints both `a` and `b`: colour if either is
/// (that part is certain), else uncertain if either is, else mono.
inline colour combine(colour a, colour b) noexcept {
  if (a == colour::colour || b == colour::colour) return colour::colour;
  if (a == colour::uncertain || b == colour::uncertain) return colour::uncertain;
  return colour::mono;
}

// Big-endian reads; REQUIRES: the bytes exist.
inline uint32_t be32(std::string_view s, size_t at) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[at + i])); };
  return b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}
inline uint16_t be16(std::string_view s, size_t at) {
  auto b = [&](size_t i) { return static_cast<uint16_t>(static_cast<unsigned char>(s[at + i])); };
  return static_cast<uint16_t>(b(0) << 8 | b(1));
}

}  // namespace quire::pdl::detail
