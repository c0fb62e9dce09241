// The units a print job is priced in, from a document analysis and the
// job ticket (IPP copies, number-up, sides).
//
//   pages        the document's pages (analysis::pages), once, whatever the
//                copies: what the user sent.
//   impressions  the sides that get printed:
//                  ceil(pages / number_up) × copies.
//                With number-up N the pages are placed in document order, N
//                per impression; the last impression of each copy may hold
//                fewer.
//   colour_impressions
//                impressions holding at least one colour page, × copies.
//                For this ESTIMATE an uncertain page counts as colour (so a
//                quote never undercharges; render the uncertain pages to turn
//                it into a bill). Pages beyond page_list (a count without
//                per-page knowledge, e.g. PostScript) are uncertain.
//   mono_impressions
//                impressions − colour_impressions.
//   sheets       the paper: impressions when one-sided; when duplex, each
//                copy takes ceil(impressions per copy / 2) sheets (a copy
//                starts on a fresh sheet, as collated copies do):
//                  ceil(ceil(pages / number_up) / 2) × copies.
//   colour_sheets
//                sheets holding at least one colour impression (what a
//                price per sheet charges as colour); mono_sheets the rest.
//
// Monochrome printing (the user chose print-color-mode monochrome, or the
// printer prints grey only) makes every impression and sheet mono.
//
// copies == 0 gives zero impressions and sheets; number_up == 0 is taken as
// 1. No overflow: pages and copies are 32-bit, the results 64-bit.
// Pure: std only.
#pragma once

#include <cstdint>

#include "protocols/pdl/analysis.hpp"

namespace quire::pdl {

struct ticket_units {
  uint32_t copies = 1;
  uint32_t number_up = 1;
  bool duplex = false;  // sides two-sided-long-edge or two-sided-short-edge
  bool monochrome = false;  // printed in grey whatever the pages hold
};

struct units {
  uint64_t pages = 0;
  uint64_t impressions = 0;
  uint64_t sheets = 0;
  uint64_t colour_impressions = 0;
  uint64_t mono_impressions = 0;
  uint64_t colour_sheets = 0;
  uint64_t mono_sheets = 0;
};

/// The priced units of `a` printed with `t` (definitions above).
units count_units(const analysis& a, const ticket_units& t);

}  // namespace quire::pdl
