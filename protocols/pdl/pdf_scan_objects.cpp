// The objects a content stream paints through: Form XObjects, images,
// patterns, Type 3 glyphs and annotation appearances.
#include <qpdf/Pipeline.hh>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "protocols/pdl/formats.hpp"
#include "protocols/pdl/pdf_scan.hpp"
#include "protocols/pdl/pdf_util.hpp"

namespace quire::pdl::detail {

namespace {

using family = colour_space::family;

// Watches decoded image samples go by and stops the decoder (by throwing;
// qpdf reports a failed decode) at the first sample that is not neutral or
// when the byte budget is spent. Rows of 8- and 16-bit RGB and CMYK samples
// have no padding; Indexed rows of 1, 2 and 4 bits are padded to a byte.
class neutral_samples : public Pipeline {
 public:
  struct format {
    family fam = family::rgb;
    int bpc = 8;
    uint64_t width = 0;                // samples per row (Indexed)
    const std::vector<colour>* palette = nullptr;
    uint8_t cmy_zero[3] = {0, 0, 0};  // the 8-bit sample that means "no ink"
  };
  neutral_samples(const format& f, uint64_t budget)
      : Pipeline("quire neutral samples", nullptr), f_(f), budget_(budget) {}

  void write(unsigned char const* data, size_t len) override {
    if (len > budget_) stop(over_budget_);
    budget_ -= len;
    used_ += len;
    for (size_t i = 0; i < len; ++i) byte(data[i]);
  }
  void finish() override {}
  bool non_neutral() const { return non_neutral_; }
  bool over_budget() const { return over_budget_; }
  uint64_t used() const { return used_; }

 private:
  [[noreturn]] void stop(bool& flag) {
    flag = true;
    throw std::runtime_error("sample scan stopped");
  }
  void byte(unsigned char b) {
    if (f_.fam == family::indexed) return indexed(b);
    size_t bytes_per_sample = f_.bpc / 8;
    size_t comps = f_.fam == family::rgb ? 3 : 4;
    px_[n_++] = b;
    if (n_ < comps * bytes_per_sample) return;
    n_ = 0;
    if (f_.fam == family::rgb) {
      for (size_t i = 0; i < bytes_per_sample; ++i)
        if (px_[i] != px_[bytes_per_sample + i] || px_[i] != px_[2 * bytes_per_sample + i])
          stop(non_neutral_);
      return;
    }
    for (size_t c = 0; c < 3; ++c)
      for (size_t i = 0; i < bytes_per_sample; ++i)
        if (px_[c * bytes_per_sample + i] != f_.cmy_zero[c]) stop(non_neutral_);
  }
  void indexed(unsigned char b) {
    for (int shift = 8 - f_.bpc; shift >= 0; shift -= f_.bpc) {
      if (col_ == f_.width) break;  // row padding
      size_t idx = (b >> shift) & ((1u << f_.bpc) - 1);
      if (idx >= f_.palette->size() || (*f_.palette)[idx] != colour::mono) stop(non_neutral_);
      ++col_;
    }
    if (col_ == f_.width) col_ = 0;
  }

  format f_;
  uint64_t budget_;
  uint64_t used_ = 0;
  unsigned char px_[8] = {};
  size_t n_ = 0;
  uint64_t col_ = 0;
  bool non_neutral_ = false;
  bool over_budget_ = false;
};

bool has_filter(QPDFObjectHandle image, const char* filter) {
  QPDFObjectHandle f = key(image, "/Filter");
  if (name_of(f) == filter) return true;
  for (auto& item : items(f, 16))
    if (name_of(item) == filter) return true;
  return false;
}

// How /Decode maps samples (section 8.9.5.2): false when it could turn
// neutral samples into colour or hide the "no ink" value.
bool decode_keeps_neutral(QPDFObjectHandle image, family fam, int bpc, uint8_t cmy_zero[3]) {
  QPDFObjectHandle d = key(image, "/Decode");
  if (d.isNull()) return true;
  std::vector<double> v = numbers(d);
  if (fam == family::indexed) return v.size() == 2 && v[0] == 0 && v[1] == (1 << bpc) - 1;
  if (fam == family::rgb)
    return v.size() == 6 && v[0] == v[2] && v[2] == v[4] && v[1] == v[3] && v[3] == v[5];
  if (v.size() != 8 || bpc != 8) return false;
  for (int c = 0; c < 3; ++c) {
    if (v[2 * c] == 0 && v[2 * c + 1] == 1) cmy_zero[c] = 0;
    else if (v[2 * c] == 1 && v[2 * c + 1] == 0) cmy_zero[c] = 255;
    else return false;
  }
  return true;
}

}  // namespace

pdf_scanner::memo_key pdf_scanner::key_of(QPDFObjectHandle obj, const gstate& gs,
                                          const void* resources) const {
  QPDFObjectHandle f = gs.type3_font;
  QPDFObjGen font = f.isNull() ? QPDFObjGen() : f.getObjGen();
  return {obj.getObjGen(), static_cast<int>(gs.fill), static_cast<int>(gs.stroke),
          gs.fill_space.get(), gs.stroke_space.get(), font, gs.text_render, gs.transfer,
          resources};
}

// `inherited_resources` is null when the object has its own /Resources;
// otherwise its identity (qpdf's object pointer, stable while the QPDF
// lives) is part of the key.
colour pdf_scanner::memoised(QPDFObjectHandle obj, const gstate& gs,
                             QPDFObjectHandle inherited_resources,
                             const std::function<colour()>& compute) {
  if (!obj.isIndirect()) return compute();
  const void* res = inherited_resources.isNull() ? nullptr : inherited_resources.getObjectPtr();
  memo_key k = key_of(obj, gs, res);
  auto hit = memo_.find(k);
  if (hit != memo_.end()) return hit->second;
  if (!active_.insert(obj.getObjGen()).second) return colour::uncertain;  // a cycle
  colour verdict = compute();
  active_.erase(obj.getObjGen());
  // An uncertain verdict may come from a spent budget; the next page, with
  // a fresh budget, may do better, so only certain verdicts are kept.
  if (verdict != colour::uncertain && memo_.size() < 100000) memo_[k] = verdict;
  return verdict;
}

colour pdf_scanner::form(QPDFObjectHandle form, QPDFObjectHandle resources, const gstate& gs,
                         int depth) {
  if (depth > max_depth) return colour::uncertain;
  QPDFObjectHandle own = key(form, "/Resources");
  QPDFObjectHandle res = own.isDictionary() ? own : resources;
  return memoised(form, gs, own.isDictionary() ? QPDFObjectHandle::newNull() : resources, [&] {
    std::string content;
    if (!read(form, content)) return colour::uncertain;
    return scan(content, res, gs, depth, false);
  });
}

colour pdf_scanner::image(QPDFObjectHandle image, QPDFObjectHandle resources, const gstate& gs) {
  QPDFObjectHandle mask = key(image, "/ImageMask");
  if (mask.isBool() && mask.getBoolValue()) return gs.fill;
  if (has_filter(image, "/JPXDecode") && key(image, "/ColorSpace").isNull())
    return colour::uncertain;  // the colour space is inside the JPEG 2000 data
  space_ptr cs = spaces.resolve(key(image, "/ColorSpace"), resources);
  if (cs->always_neutral()) return colour::mono;
  // Keyed by the resolved space: a named space depends on the resources.
  gstate plain;
  plain.fill_space = cs;
  return memoised(image, plain, QPDFObjectHandle::newNull(), [&] { return pixels(image, *cs); });
}

// Decodes the image and checks every sample: mono when all are neutral;
// otherwise uncertain (a JPEG's noise or an unused palette entry is not
// proof of visible colour; rendering decides).
colour pdf_scanner::pixels(QPDFObjectHandle image, const colour_space& cs) {
  neutral_samples::format f;
  f.fam = cs.fam;
  f.bpc = static_cast<int>(number_of(key(image, "/BitsPerComponent"), 0));
  f.width = static_cast<uint64_t>(std::max(0.0, number_of(key(image, "/Width"), 0)));
  f.palette = &cs.palette;
  bool rgb = cs.fam == family::rgb && cs.rgb_axis_known && (f.bpc == 8 || f.bpc == 16);
  bool cmyk = cs.fam == family::cmyk && (f.bpc == 8 || f.bpc == 16);
  bool indexed = cs.fam == family::indexed && !cs.palette.empty() &&
                 (f.bpc == 1 || f.bpc == 2 || f.bpc == 4 || f.bpc == 8);
  if ((!rgb && !cmyk && !indexed) || f.width == 0) return colour::uncertain;
  // Decoding what cannot fit in the budget would be work for nothing.
  double height = std::max(0.0, number_of(key(image, "/Height"), 0));
  double comps = rgb ? 3 : cmyk ? 4 : 1;
  if (std::ceil(static_cast<double>(f.width) * comps * f.bpc / 8) * height > static_cast<double>(budget()))
    return colour::uncertain;
  if (!decode_keeps_neutral(image, cs.fam, f.bpc, f.cmy_zero)) return colour::uncertain;
  if (f.bpc == 16 && (f.cmy_zero[0] | f.cmy_zero[1] | f.cmy_zero[2])) return colour::uncertain;
  // JPEG decoding is lossy, but a gray picture saved as RGB JPEG decodes to
  // exactly equal channels; CMYK JPEGs (Adobe's inverted data) are left to
  // rendering.
  bool dct = has_filter(image, "/DCTDecode");
  if (dct && !rgb) return colour::uncertain;
  neutral_samples sink(f, budget());
  bool attempted = false, ok = false;
  try {
    ok = image.pipeStreamData(&sink, &attempted, 0, dct ? qpdf_dl_all : qpdf_dl_specialized, true);
  } catch (const std::exception&) {
    ok = false;
  }
  charge(sink.used());
  return ok && attempted && !sink.non_neutral() && !sink.over_budget() ? colour::mono
                                                                      : colour::uncertain;
}

colour pdf_scanner::pattern(QPDFObjectHandle pattern, const std::vector<double>& components,
                            const colour_space& space, QPDFObjectHandle resources, int depth) {
  if (depth > max_depth) return colour::uncertain;
  int type = static_cast<int>(number_of(key(pattern, "/PatternType"), 0));
  if (type == 2) return shading_colour(key(pattern, "/Shading"), resources, spaces);
  if (type != 1 || !pattern.isStream()) return colour::uncertain;
  if (number_of(key(pattern, "/PaintType"), 0) == 2)  // uncoloured: painted in `components`
    return space.base ? space.base->value(components) : colour::uncertain;
  gstate fresh;  // a cell starts from the default graphics state
  QPDFObjectHandle own = key(pattern, "/Resources");
  QPDFObjectHandle res = own.isDictionary() ? own : resources;
  return memoised(pattern, fresh, own.isDictionary() ? QPDFObjectHandle::newNull() : resources,
                  [&] {
                    std::string content;
                    if (!read(pattern, content)) return colour::uncertain;
                    return scan(content, res, fresh, depth, false);
                  });
}

// The glyphs a string selects would need the font's encoding; every glyph
// of the font is scanned instead, so a colour glyph the text may not use
// only makes the verdict uncertain, unless every glyph is colour.
colour pdf_scanner::type3_text(const gstate& gs, QPDFObjectHandle resources, int depth) {
  if (depth > max_depth) return colour::uncertain;
  QPDFObjectHandle font = gs.type3_font;
  QPDFObjectHandle own = key(font, "/Resources");
  QPDFObjectHandle res = own.isDictionary() ? own : resources;
  return memoised(font, gs, own.isDictionary() ? QPDFObjectHandle::newNull() : resources, [&] {
    QPDFObjectHandle procs = key(font, "/CharProcs");
    if (!procs.isDictionary()) return colour::mono;
    gstate inner = gs;
    inner.type3_font = QPDFObjectHandle::newNull();
    colour verdict = colour::mono;
    size_t glyphs = 0, colour_glyphs = 0;
    for (auto& name : procs.getKeys()) {
      if (++glyphs > 4096) return colour::uncertain;
      std::string content;
      if (!read(procs.getKey(name), content)) return colour::uncertain;
      colour g = scan(content, res, inner, depth, true);
      if (g == colour::colour) ++colour_glyphs;
      verdict = combine(verdict, g == colour::colour ? colour::uncertain : g);
    }
    // Every glyph in colour (typically: d1 glyphs shown in a colour): any
    // text shown is colour.
    return glyphs > 0 && colour_glyphs == glyphs ? colour::colour : verdict;
  });
}

// Annotations print when their Print flag is set and Hidden is not
// (section 12.5.3); what prints is the normal appearance (12.5.5).
colour pdf_scanner::annotations(QPDFObjectHandle page) {
  colour verdict = colour::mono;
  size_t seen = 0;
  for (auto& annot : items(key(page, "/Annots"), 65536)) {
    if (!annot.isDictionary()) continue;
    if (++seen > 10000) return colour::uncertain;
    int flags = static_cast<int>(number_of(annot.getKey("/F"), 0));
    if (!(flags & 4) || (flags & 2)) continue;
    std::string subtype = name_of(annot.getKey("/Subtype"));
    if (subtype == "/Popup") continue;
    if (subtype == "/Widget" && regenerate_widgets) {  // the viewer redraws them
      verdict = combine(verdict, colour::uncertain);
      continue;
    }
    QPDFObjectHandle normal = key(annot.getKey("/AP"), "/N");
    if (normal.isDictionary()) {
      std::string state = name_of(annot.getKey("/AS"));
      normal = state.empty() ? QPDFObjectHandle::newNull() : normal.getKey(state);
    }
    if (!normal.isStream()) {
      verdict = combine(verdict, colour::uncertain);
      continue;
    }
    verdict = combine(verdict, form(normal, QPDFObjectHandle::newNull(), gstate{}, 1));
    if (verdict == colour::colour) break;
  }
  return verdict;
}

}  // namespace quire::pdl::detail
