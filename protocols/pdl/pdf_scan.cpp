// The content-stream interpreter of the colour scan. Tokens come from
// qpdf's QPDFTokenizer; operands are kept only at the top level (arrays and
// dictionaries become placeholders) because no colour operator takes one,
// except the inline-image dictionary between BI and ID.
#include <qpdf/Buffer.hh>
#include <qpdf/BufferInputSource.hh>
#include <qpdf/QPDFTokenizer.hh>

#include <charconv>
#include <cmath>
#include <memory>

#include "protocols/pdl/formats.hpp"
#include "protocols/pdl/pdf_scan.hpp"
#include "protocols/pdl/pdf_util.hpp"

namespace quire::pdl::detail {

namespace {

using tt = QPDFTokenizer::token_type_e;

constexpr size_t max_operands = 64;
constexpr size_t max_saved_states = 1024;

struct operand {
  tt type;
  std::string value;
};

double to_number(const operand& o, bool& ok) {
  if (o.type != tt::tt_integer && o.type != tt::tt_real) {
    ok = false;
    return 0;
  }
  std::string_view s = o.value;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || !std::isfinite(v)) ok = false;
  (void)end;
  return v;
}

class content_scan {
 public:
  content_scan(pdf_scanner& doc, QPDFObjectHandle resources, const gstate& initial, int depth,
               bool glyph)
      : doc_(doc), res_(resources), gs_(initial), depth_(depth), glyph_(glyph) {}

  colour run(std::string& content);

 private:
  void token(const QPDFTokenizer::Token& t);
  void op(const std::string& name);
  bool colour_op(const std::string& name);
  bool paint_op(const std::string& name);
  void set_colour(bool stroke, space_ptr space, size_t count);
  void set_space(bool stroke);
  void set_components(bool stroke);
  void show_text();
  void set_font();
  void ext_gstate();
  void xobject();
  void inline_image();
  space_ptr device(const char* name);

  void paint(colour ink) {
    verdict_ = combine(verdict_, gs_.transfer ? colour::uncertain : ink);
  }
  std::vector<double> numbers_from(size_t first, bool& ok) const;
  QPDFObjectHandle resource(const char* category) const;

  pdf_scanner& doc_;
  QPDFObjectHandle res_;
  gstate gs_;
  int depth_;
  bool glyph_;
  bool mask_glyph_ = false;  // after d1: colour operators are ignored
  bool in_inline_ = false;   // between BI and ID
  std::vector<operand> ops_;
  std::vector<gstate> saved_;
  size_t lost_saves_ = 0;
  int nesting_ = 0;  // depth inside arrays and dictionaries
  bool damaged_ = false;
  colour verdict_ = colour::mono;
  std::shared_ptr<InputSource> input_;
  QPDFTokenizer tokenizer_;
  space_ptr device_[3];
};

colour content_scan::run(std::string& content) {
  if (depth_ > max_depth) return colour::uncertain;
  Buffer buf(reinterpret_cast<unsigned char*>(content.data()), content.size());
  input_ = std::make_shared<BufferInputSource>("content stream", &buf);
  tokenizer_.allowEOF();
  for (;;) {
    QPDFTokenizer::Token t = tokenizer_.readToken(input_, "content", /*allow_bad=*/true);
    if (t.getType() == tt::tt_eof) break;
    token(t);
    // A certain colour cannot be undone; the rest of the stream adds nothing.
    if (verdict_ == colour::colour) break;
  }
  input_.reset();
  // Damaged syntax: a renderer recovers in its own way, which may paint
  // what this scan skipped.
  if (damaged_ || nesting_ > 0) return combine(verdict_, colour::uncertain);
  return verdict_;
}

void content_scan::token(const QPDFTokenizer::Token& t) {
  switch (t.getType()) {
    case tt::tt_array_open:
    case tt::tt_dict_open:
      ++nesting_;
      return;
    case tt::tt_array_close:
    case tt::tt_dict_close:
      if (nesting_ > 0 && --nesting_ == 0 && ops_.size() < max_operands)
        ops_.push_back({tt::tt_array_open, {}});
      return;
    case tt::tt_word:
      if (nesting_ > 0) {  // an operator inside brackets
        damaged_ = true;
        return;
      }
      op(t.getValue());
      if (!in_inline_) ops_.clear();
      return;
    case tt::tt_bad:
      damaged_ = true;
      return;
    case tt::tt_space:
    case tt::tt_comment:
    case tt::tt_inline_image:
    case tt::tt_brace_open:
    case tt::tt_brace_close:
    case tt::tt_eof:
      return;
    default:
      if (nesting_ == 0 && ops_.size() < max_operands) ops_.push_back({t.getType(), t.getValue()});
  }
}

void content_scan::op(const std::string& name) {
  if (in_inline_) {
    if (name == "ID") inline_image();
    return;
  }
  if (colour_op(name) || paint_op(name)) return;
  if (name == "q") {
    if (saved_.size() < max_saved_states) saved_.push_back(gs_);
    else ++lost_saves_;
  } else if (name == "Q") {
    if (lost_saves_ > 0) --lost_saves_;
    else if (!saved_.empty()) gs_ = saved_.back(), saved_.pop_back();
  } else if (name == "Tr" && ops_.size() == 1) {
    bool ok = true;
    gs_.text_render = static_cast<int>(to_number(ops_[0], ok));
  } else if (name == "Tf") {
    set_font();
  } else if (name == "gs") {
    ext_gstate();
  } else if (name == "d1" && glyph_) {
    mask_glyph_ = true;
  } else if (name == "BI") {
    in_inline_ = true;
    ops_.clear();
  }
}

// Returns true when `name` is a colour operator (handled or ignored).
bool content_scan::colour_op(const std::string& name) {
  static const std::set<std::string> ops = {"g", "G", "rg", "RG", "k", "K", "cs", "CS",
                                            "sc", "SC", "scn", "SCN"};
  if (!ops.count(name)) return false;
  if (mask_glyph_) return true;  // a d1 glyph paints with the caller's colour
  bool stroke = std::isupper(static_cast<unsigned char>(name[0]));
  if (name == "g" || name == "G") set_colour(stroke, device("/DeviceGray"), 1);
  else if (name == "rg" || name == "RG") set_colour(stroke, device("/DeviceRGB"), 3);
  else if (name == "k" || name == "K") set_colour(stroke, device("/DeviceCMYK"), 4);
  else if (name == "cs" || name == "CS") set_space(stroke);
  else set_components(stroke);
  return true;
}

bool content_scan::paint_op(const std::string& name) {
  if (name == "f" || name == "F" || name == "f*") {
    paint(gs_.fill);
  } else if (name == "S" || name == "s") {
    paint(gs_.stroke);
  } else if (name == "B" || name == "B*" || name == "b" || name == "b*") {
    paint(gs_.fill);
    paint(gs_.stroke);
  } else if (name == "Tj" || name == "TJ" || name == "'" || name == "\"") {
    show_text();
  } else if (name == "Do") {
    xobject();
  } else if (name == "sh") {
    if (ops_.size() != 1 || ops_[0].type != tt::tt_name) return true;
    QPDFObjectHandle sh = key(resource("/Shading"), ops_[0].value.c_str());
    if (!sh.isNull()) paint(shading_colour(sh, res_, doc_.spaces));
  } else {
    return false;
  }
  return true;
}

space_ptr content_scan::device(const char* name) {
  int i = name[7] == 'G' ? 0 : name[7] == 'R' ? 1 : 2;  // /DeviceGray, RGB, CMYK
  if (!device_[i]) device_[i] = doc_.spaces.resolve(QPDFObjectHandle::newName(name), res_);
  return device_[i];
}

std::vector<double> content_scan::numbers_from(size_t first, bool& ok) const {
  std::vector<double> v;
  for (size_t i = first; i < ops_.size(); ++i) v.push_back(to_number(ops_[i], ok));
  return v;
}

void content_scan::set_colour(bool stroke, space_ptr space, size_t count) {
  bool ok = ops_.size() == count;
  std::vector<double> v = numbers_from(0, ok);
  (stroke ? gs_.stroke_space : gs_.fill_space) = space;
  (stroke ? gs_.stroke : gs_.fill) = ok ? space->value(v) : colour::uncertain;
}

void content_scan::set_space(bool stroke) {
  space_ptr s = unknown_space();
  if (ops_.size() == 1 && ops_[0].type == tt::tt_name)
    s = doc_.spaces.resolve(QPDFObjectHandle::newName(ops_[0].value), res_);
  (stroke ? gs_.stroke_space : gs_.fill_space) = s;
  (stroke ? gs_.stroke : gs_.fill) = s->initial();
}

void content_scan::set_components(bool stroke) {
  const colour_space& space = *(stroke ? gs_.stroke_space : gs_.fill_space);
  colour& ink = stroke ? gs_.stroke : gs_.fill;
  bool ok = true;
  if (space.fam == colour_space::family::pattern) {
    if (ops_.empty() || ops_.back().type != tt::tt_name) {
      ink = colour::uncertain;
      return;
    }
    std::vector<double> comps;
    for (size_t i = 0; i + 1 < ops_.size(); ++i) comps.push_back(to_number(ops_[i], ok));
    QPDFObjectHandle pat = key(resource("/Pattern"), ops_.back().value.c_str());
    ink = ok ? doc_.pattern(pat, comps, space, res_, depth_ + 1) : colour::uncertain;
    return;
  }
  std::vector<double> v = numbers_from(0, ok);
  ink = ok && v.size() == static_cast<size_t>(space.components) ? space.value(v)
                                                                 : colour::uncertain;
}

void content_scan::show_text() {
  int mode = gs_.text_render;
  if (mode == 3 || mode == 7) return;  // invisible, clip only
  if (!gs_.type3_font.isNull()) {
    paint(doc_.type3_text(gs_, res_, depth_ + 1));
    return;
  }
  bool fill = mode == 0 || mode == 2 || mode == 4 || mode == 6;
  bool stroke = mode == 1 || mode == 2 || mode == 5 || mode == 6;
  if (fill || !stroke) paint(gs_.fill);  // unknown modes: at least the fill
  if (stroke) paint(gs_.stroke);
}

void content_scan::set_font() {
  gs_.type3_font = QPDFObjectHandle::newNull();
  if (ops_.size() != 2 || ops_[0].type != tt::tt_name) return;
  QPDFObjectHandle font = key(resource("/Font"), ops_[0].value.c_str());
  if (name_of(key(font, "/Subtype")) == "/Type3") gs_.type3_font = font;
}

void content_scan::ext_gstate() {
  if (ops_.size() != 1 || ops_[0].type != tt::tt_name) return;
  QPDFObjectHandle egs = key(resource("/ExtGState"), ops_[0].value.c_str());
  if (!egs.isDictionary()) return;
  for (const char* k : {"/TR", "/TR2"}) {
    QPDFObjectHandle tr = egs.getKey(k);
    if (tr.isNull()) continue;
    std::string n = name_of(tr);
    gs_.transfer = !(n == "/Identity" || n == "/Default");
  }
  QPDFObjectHandle font = egs.getKey("/Font");
  if (font.isArray() && font.getArrayNItems() >= 1) {
    QPDFObjectHandle f = font.getArrayItem(0);
    gs_.type3_font = name_of(key(f, "/Subtype")) == "/Type3" ? f : QPDFObjectHandle::newNull();
  }
}

void content_scan::xobject() {
  if (ops_.size() != 1 || ops_[0].type != tt::tt_name) return;
  QPDFObjectHandle x = key(resource("/XObject"), ops_[0].value.c_str());
  if (!x.isStream()) return;  // a missing XObject paints nothing
  std::string subtype = name_of(key(x, "/Subtype"));
  if (subtype == "/Image") paint(doc_.image(x, res_, gs_));
  else if (subtype == "/Form") paint(doc_.form(x, res_, gs_, depth_ + 1));
  else paint(colour::uncertain);  // PostScript XObjects and the unknown
}

// The inline image dictionary is in ops_ as key, value, key, value...
void content_scan::inline_image() {
  in_inline_ = false;
  bool mask = false;
  QPDFObjectHandle cs = QPDFObjectHandle::newNull();
  bool cs_array = false;
  for (size_t i = 0; i + 1 < ops_.size(); i += 2) {
    const std::string& k = ops_[i].value;
    const operand& v = ops_[i + 1];
    if ((k == "/IM" || k == "/ImageMask") && v.type == tt::tt_bool) mask = v.value == "true";
    if ((k == "/CS" || k == "/ColorSpace") && v.type == tt::tt_name)
      cs = QPDFObjectHandle::newName(v.value);
    if ((k == "/CS" || k == "/ColorSpace") && v.type == tt::tt_array_open) cs_array = true;
  }
  ops_.clear();
  // Skip the image data; the tokenizer finds the matching EI.
  tokenizer_.expectInlineImage(input_);
  (void)tokenizer_.readToken(input_, "inline image", true);
  if (mask) return paint(gs_.fill);
  if (cs_array) return paint(colour::uncertain);
  if (cs.isNull()) return paint(colour::uncertain);
  if (name_of(cs) == "/I" || name_of(cs) == "/Indexed") return paint(colour::uncertain);
  space_ptr s = doc_.spaces.resolve(cs, res_);
  paint(s->always_neutral() ? colour::mono : colour::uncertain);
}

QPDFObjectHandle content_scan::resource(const char* category) const {
  return key(res_, category);
}

}  // namespace

colour pdf_scanner::scan(std::string& content, QPDFObjectHandle resources,
                         const gstate& initial, int depth, bool glyph) {
  content_scan s(*this, resources, initial, depth, glyph);
  return s.run(content);
}

bool pdf_scanner::charge(uint64_t n) {
  if (n > budget()) {
    if (total_left_ <= page_left_) total_left_ = 0;
    page_left_ = 0;
    return false;
  }
  page_left_ -= n;
  total_left_ -= n;
  return true;
}

bool pdf_scanner::read(QPDFObjectHandle stream, std::string& out) {
  bool overflowed = false;
  if (!read_stream(stream, budget(), out, &overflowed)) {
    // A stream over the budget ends the page's scan, and the document's
    // when its budget was the smaller.
    if (overflowed && total_left_ <= page_left_) total_left_ = 0;
    page_left_ = 0;
    return false;
  }
  return charge(out.size());
}

colour pdf_scanner::page_colour(QPDFObjectHandle page, QPDFObjectHandle resources) {
  page_left_ = lim_.max_content_bytes_per_page;
  if (exhausted()) return colour::uncertain;
  // An array of content streams is one stream cut in pieces (section 7.8.2).
  QPDFObjectHandle contents = key(page, "/Contents");
  std::vector<QPDFObjectHandle> parts =
      contents.isArray() ? items(contents, 65536) : std::vector<QPDFObjectHandle>{contents};
  std::string content, piece;
  for (auto& part : parts) {
    if (part.isNull()) continue;
    if (!read(part, piece)) return colour::uncertain;
    content += piece;
    content += '\n';
  }
  colour verdict = scan(content, resources, gstate{}, 0, false);
  if (verdict == colour::colour) return verdict;
  return combine(verdict, annotations(page));
}

}  // namespace quire::pdl::detail
