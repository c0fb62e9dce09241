// What a print job's document is: its real format, its pages, their sizes
// and whether each page needs colour toner, found from the bytes alone.
//
// Quire prices a job before it renders it, so the count must be honest (a
// PDF's /Count and a PostScript %%Pages: comment can lie) and fast (no
// interpreter). analyse() reads the document's structure:
//
//   PDF          libqpdf (damaged cross-reference tables are rebuilt); pages
//                by walking the page tree, never from /Count; each page's
//                content streams, Form XObjects, patterns, Type 3 glyphs and
//                printable annotation appearances are scanned for colour
//                operators (rules below).
//   PostScript   DSC comments only (%%Pages:, %%Page:, %%DocumentMedia:,
//                %%BoundingBox:, %%Title:):
//                a quote, exact == false, every page uncertain. PostScript is
//                a program; only running it counts it.
//   PCL XL       the binary stream is tokenized; each EndPage is a page (times
//                its PageCopies); MediaSize and the colour operators per page.
//   PWG raster   ("RaS2", PWG 5102.4) and Apple URF ("UNIRAST"): every page
//                header is read and every compressed line decoded, so the
//                pixels decide the colour exactly.
//   JPEG, PNG    one page, sized from pixels and density.
//   text/plain   66 lines of 80 columns per page, form feeds (text.cpp).
//   PCL 5        errc::unsupported: no free PCL 5 interpreter is packaged.
//
// The format is found from the CONTENT (magic bytes after an optional PJL
// header, protocols/sniff); the declared format only adds a note when it
// disagrees.
//
// Colour rules. A page is
//   mono       when everything it paints is neutral, or it paints nothing;
//   colour     when some painting operator certainly uses a non-neutral
//              colour (even a 1 pt mark, even if later covered or clipped:
//              the content asked for colour toner);
//   uncertain  otherwise: only rendering can tell.
// PDF (pdf_scan.cpp). A colour counts when a painting operator uses it:
//   fill f F f* B B* b b*, stroke S s B B* b b*, text Tj TJ ' " with the
//   render mode's fill and/or stroke (modes 3 and 7 paint nothing), sh,
//   Do, inline images. Setting a colour and not painting with it is mono.
// Neutral values (device spaces replaced by /DefaultGray, /DefaultRGB,
// /DefaultCMYK when the resources name them; values clamped to [0, 1]):
//   DeviceGray, CalGray, ICCBased N=1: any value.
//   DeviceRGB: r == g == b (text in RGB 0 0 0 is mono).
//   CalRGB, ICCBased N=3: r == g == b only when the space's neutral axis is
//     verified (equal gammas/tone curves, colorants summing to the white
//     point, no A2B tables: sRGB passes); unverified spaces are uncertain.
//   DeviceCMYK, ICCBased N=4: c == m == y == 0. Rich black (k with any c, m
//     or y) uses colour toner: COLOUR.
//   Lab: a* == b* == 0.
//   Indexed: the palette entry, judged in the base space (Lab base:
//     uncertain).
//   Separation: tint 0 (no ink), /Black and /None are mono; /Cyan /Magenta
//     /Yellow with tint > 0 colour; /All uncertain; another spot colour is
//     judged through a Type 2 tint transform into its alternate space, else
//     uncertain.
//   DeviceN: mono when every colorant with a tint > 0 is Black or None;
//     colour when Cyan, Magenta or Yellow has a tint > 0; else uncertain.
//   Pattern: a coloured tiling pattern by scanning its cell; an uncoloured
//     one by its colour in the underlying space; a shading pattern as below.
//   Shadings (sh, shading patterns): always-neutral spaces are mono; axial
//     and radial shadings whose Type 2 function (alone or stitched by Type 3)
//     has only neutral end values are mono, with a colour end value colour;
//     anything else uncertain.
// Images: image masks paint with the fill colour; images in always-neutral
//   spaces (gray, an all-neutral palette, Separation Black) are mono; RGB,
//   CMYK and Indexed images of 8/16 (Indexed 1-8) bits are decoded within
//   the byte budget (DCT only for RGB) and are mono when every sample is
//   neutral, else uncertain (JPEG noise is not proof of colour); JPEG 2000
//   without a /ColorSpace and other depths are uncertain. Inline images:
//   masks and always-neutral spaces as above, others uncertain.
// Forms are scanned with the caller's state (they inherit the colour).
//   Type 3 glyphs are all scanned (the string's glyphs are not decoded): all
//   mono is mono, all colour (e.g. d1 glyphs shown in red) is colour, a mix
//   uncertain. Annotations count when printable (Print flag set, Hidden
//   not) by their normal appearance stream; a printable one without one, and
//   printable widgets when /NeedAppearances is true, are uncertain.
// Also uncertain: a transfer function (ExtGState /TR, /TR2) in force when
//   painting; PostScript XObjects; inline images in array colour spaces;
//   colour operators with the wrong operands; damaged syntax (bad tokens,
//   operators inside brackets, unbalanced brackets); streams that cannot be
//   decoded or exceed the byte budget; nesting deeper than 32 levels; a
//   form that draws itself. When the document has optional content that is
//   off by default or when printing, colour verdicts become uncertain (the
//   colour may sit on a layer that does not print).
// PCL XL, PWG raster and URF follow the same spirit; their exact rules are
// at the top of pclxl.cpp and raster.cpp.
//
// Pure: no files, processes or clock; bounded work and memory for hostile
// input (see `limits`); never throws. Thread-safe: analyses share no state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/result.hpp"

namespace quire::pdl {

/// The toner a page needs, as far as the structure shows.
enum class colour : uint8_t { mono, colour, uncertain };

/// "mono", "colour", "uncertain".
const char* to_string(colour c) noexcept;

struct page {
  /// The page as displayed: PDF CropBox (clipped to the MediaBox, times
  /// /UserUnit) with /Rotate applied; the media size elsewhere. 0 when the
  /// format does not say (PostScript without %%DocumentMedia: or
  /// %%BoundingBox:).
  double width_pt = 0, height_pt = 0;
  colour ink = colour::uncertain;
};

struct analysis {
  /// MIME type found from the content, e.g. "application/pdf".
  std::string format;
  /// Pages to print. 0 only for PostScript without DSC page comments (then
  /// only interpreting can count).
  uint32_t pages = 0;
  /// True when `pages` was counted from the structure (page tree, EndPage
  /// operators, raster page headers); false when it is a quote to confirm by
  /// interpreting (PostScript %%Pages:, a damaged PCL XL stream).
  bool exact = false;
  /// One entry per page when known (pages == page_list.size()); may be empty
  /// when only a count is known.
  std::vector<page> page_list;
  /// PDF /Info /Title (else XMP dc:title), PostScript %%Title:, else "".
  /// Printable text (protocols/sniff/printable_text.hpp).
  std::string title;
  /// What a person should know: "xref repaired", "/Count says 99, the tree
  /// has 10 pages", "declared image/urf, content is application/pdf"...
  std::vector<std::string> notes;

  uint32_t colour_pages() const;
  uint32_t mono_pages() const;
  /// 1-based numbers of the pages to render; every page when page_list is
  /// empty.
  std::vector<uint32_t> uncertain_pages() const;
};

/// Bounds for hostile input. A numeric field of 0 is taken as 1.
struct limits {
  /// More pages: errc::limit_exceeded.
  uint32_t max_pages = 100000;
  /// A larger document: errc::limit_exceeded (before any parsing).
  uint64_t max_bytes = uint64_t{1} << 30;
  /// Decoded content bytes (content streams, forms, glyphs, patterns and
  /// images decoded for a neutrality check) scanned for one page; beyond
  /// it the page is uncertain.
  uint32_t max_content_bytes_per_page = 16u << 20;
  /// The same for the whole document; once spent, the remaining pages are
  /// uncertain (a note says from which page).
  uint64_t max_content_bytes_total = uint64_t{256} << 20;
  /// False: count pages and sizes only; PDF pages are all uncertain (the
  /// other formats' colour comes with the count and is still given).
  bool scan_content = true;
};

/// Analyses `document` (the whole file; any PJL header and trailing UEL
/// included). `declared_format` is the MIME type the client named (IPP
/// document-format, may be "" or application/octet-stream); it never
/// overrides the content. Errors: errc::corruption with a reason a user can
/// read ("the PDF is damaged beyond repair: ..."), errc::unsupported (PCL 5,
/// an unknown format, a PDF that needs a password), errc::limit_exceeded.
result<analysis> analyse(std::string_view document, std::string_view declared_format,
                         const limits& lim = {});

}  // namespace quire::pdl
