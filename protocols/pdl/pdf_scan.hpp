// Internal to protocols/pdl: the colour scan of PDF pages. A small
// interpreter of content streams (ISO 32000-1 section 8 and 9) that keeps
// only what decides colour: the fill and stroke colours (as verdicts), their
// colour spaces, the text rendering mode, a Type 3 font, and whether a
// transfer function is in force. Painting operators fold the verdict of the
// colour they use into the page's verdict (rules in analysis.hpp).
//
// Work is bounded: decoded bytes per page and per document (limits), nesting
// of forms, patterns, glyphs and appearances (max_depth), q/Q depth, and the
// verdicts of forms, Type 3 fonts and patterns are memoised per inherited
// state, so a form drawn on every page is decoded once.
#pragma once

#include <qpdf/QPDFObjGen.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "protocols/pdl/analysis.hpp"
#include "protocols/pdl/pdf_colour_space.hpp"

namespace quire::pdl::detail {

inline constexpr int max_depth = 32;

/// The part of the graphics state that decides colour.
struct gstate {
  colour fill = colour::mono;  // DeviceGray 0, black: the initial colour
  colour stroke = colour::mono;
  space_ptr fill_space = device_gray();
  space_ptr stroke_space = device_gray();
  int text_render = 0;           // Tr
  QPDFObjectHandle type3_font = QPDFObjectHandle::newNull();  // when it is Type 3
  bool transfer = false;         // a transfer function other than the identity
};

/// One per document; scans its pages one after another.
class pdf_scanner {
 public:
  explicit pdf_scanner(const limits& lim) : lim_(lim), total_left_(lim.max_content_bytes_total) {}

  /// The colour of a page: its content streams with `resources` (the
  /// inherited /Resources), then its printable annotations.
  colour page_colour(QPDFObjectHandle page, QPDFObjectHandle resources);
  /// True once the document's byte budget is spent.
  bool exhausted() const { return total_left_ == 0; }

  // ---- used by the content interpreter (pdf_scan.cpp, pdf_scan_objects.cpp)
  /// Decodes a stream within the page's budget and charges it; false when
  /// it cannot be decoded or the budget is spent.
  bool read(QPDFObjectHandle stream, std::string& out);
  /// Charges `n` decoded bytes; false when over the budget.
  bool charge(uint64_t n);
  uint64_t budget() const { return page_left_ < total_left_ ? page_left_ : total_left_; }

  /// Scans decoded content (a page's, a form's, a glyph's...).
  colour scan(std::string& content, QPDFObjectHandle resources, const gstate& initial,
              int depth, bool glyph);
  colour form(QPDFObjectHandle form, QPDFObjectHandle resources, const gstate& gs, int depth);
  colour image(QPDFObjectHandle image, QPDFObjectHandle resources, const gstate& gs);
  colour pattern(QPDFObjectHandle pattern, const std::vector<double>& components,
                 const colour_space& space, QPDFObjectHandle resources, int depth);
  colour type3_text(const gstate& gs, QPDFObjectHandle resources, int depth);
  colour annotations(QPDFObjectHandle page);

  colour_space_cache spaces;
  /// /AcroForm /NeedAppearances: form field appearances are redrawn when
  /// printed, so printable widgets are uncertain.
  bool regenerate_widgets = false;

 private:
  // What a memoised verdict depends on: the object, the inherited state
  // and, for an object without its own /Resources, the inherited ones.
  using memo_key = std::tuple<QPDFObjGen, int, int, const colour_space*, const colour_space*,
                              QPDFObjGen, int, bool, const void*>;
  memo_key key_of(QPDFObjectHandle obj, const gstate& gs, const void* resources) const;
  colour memoised(QPDFObjectHandle obj, const gstate& gs, QPDFObjectHandle inherited_resources,
                  const std::function<colour()>& compute);
  colour pixels(QPDFObjectHandle image, const colour_space& cs);

  limits lim_;
  uint64_t total_left_;
  uint64_t page_left_ = 0;
  std::map<memo_key, colour> memo_;
  std::set<QPDFObjGen> active_;  // objects being scanned: a cycle is uncertain
};

}  // namespace quire::pdl::detail
