// PCL XL (HP's "PCL XL Feature Reference Protocol Class 2.0/2.1"): the
// binary stream is tokenized, never rendered.
//
// A stream opens with a text header ") HP-PCL XL;2;0;..." whose first byte
// is the binding: ')' little-endian, '(' big-endian (the ASCII binding is
// not supported). Then tags: data types 0xc0-0xe5 (scalars, arrays with a
// ubyte/uint16 length, xy pairs, boxes), attribute ids 0xf8/0xf9, embedded
// data 0xfa (uint32 length) / 0xfb (ubyte length), operators 0x41-0xbf.
// A UEL (ESC %-12345X) ends the stream.
//
// Pages: each EndPage (0x44) prints its page PageCopies (attribute 0x31)
// times. Sizes: BeginPage's MediaSize (enumeration or name) or
// CustomMediaSize, turned by Orientation. Colour, per page, with the rules
// of analysis.hpp: SetColorSpace eGray makes every colour neutral; brush and
// pen colours set with RGBColor are neutral when r == g == b; painting
// operators (paths, shapes, text, scan lines) fold in the brush and/or pen;
// images and raster patterns are mono in gray or with an all-neutral
// palette, else uncertain; ExecStream (a stored macro) makes the page
// uncertain. exact is true when the stream parsed to its end without error.
#include <cctype>
#include <cstring>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "protocols/pdl/formats.hpp"

namespace quire::pdl::detail {

namespace {

enum : uint8_t {
  op_begin_page = 0x43, op_end_page = 0x44, op_exec_stream = 0x5e, op_pop_gs = 0x60,
  op_push_gs = 0x61, op_set_brush = 0x63, op_set_colour_space = 0x6a, op_set_pen = 0x79,
  op_paint_path = 0x86, op_chord = 0x96, op_ellipse = 0x98, op_pie = 0x9e,
  op_rectangle = 0xa0, op_round_rectangle = 0xa2, op_text = 0xa8, op_begin_image = 0xb0,
  op_begin_rast_pattern = 0xb3, op_begin_scan = 0xb6, op_scan_line_rel = 0xb9,
};
enum : uint16_t {
  at_palette_depth = 0x02, at_colour_space = 0x03, at_null_brush = 0x04, at_null_pen = 0x05,
  at_palette_data = 0x06, at_pattern_select = 0x08, at_gray_level = 0x09, at_rgb = 0x0b,
  at_primary_array = 0x0e, at_media_size = 0x25, at_orientation = 0x28,
  at_custom_media_size = 0x2f, at_custom_units = 0x30, at_page_copies = 0x31,
  at_colour_mapping = 0x64, at_pattern_define = 0x69,
};

struct value {
  std::vector<double> nums;  // at most max_elements kept
  bool is_array = false;
};
constexpr size_t max_elements = 1024;

struct attribute {
  uint16_t id;
  value v;
};

struct paint_state {
  int space = 1;                 // eGray 1, eRGB 2, eSRGB 6
  bool palette = false;
  bool palette_neutral = true;
  colour brush = colour::mono, pen = colour::mono;
};

class pclxl_parser {
 public:
  pclxl_parser(std::string_view s, const limits& lim) : s_(s), lim_(lim) {}
  status run(analysis& a);
  bool clean() const { return clean_; }
  std::string problem() const { return problem_; }
  size_t copied_pages() const { return copied_pages_; }

 private:
  bool need(size_t n) const { return n <= s_.size() - at_; }
  uint64_t scalar(int type);
  bool read_value(uint8_t tag, value& v);
  status step(uint8_t tag, analysis& a);
  status operate(uint8_t op, analysis& a);
  const value* attr(uint16_t id) const;
  colour paint_colour();
  colour image_colour() const;
  void begin_page();
  status end_page(analysis& a);
  void set_colour_space();
  bool fail(std::string why) {
    problem_ = std::move(why) + " at byte " + std::to_string(at_);
    return false;
  }

  std::string_view s_;
  const limits& lim_;
  size_t at_ = 0;
  bool little_ = true;
  bool clean_ = true;
  std::string problem_;
  std::vector<attribute> attrs_;
  paint_state ps_;
  std::vector<paint_state> saved_;
  std::map<uint64_t, colour> patterns_;
  bool in_page_ = false;
  page page_;
  colour ink_ = colour::mono;
  size_t copied_pages_ = 0;
};

// Data type tags: scalars 0xc0-0xc5, arrays 0xc8-0xcd, xy 0xd0-0xd5,
// boxes 0xe0-0xe5 (ubyte, uint16, uint32, sint16, sint32, real32).
bool is_data_type(uint8_t tag) {
  uint8_t low = tag & 0x0f;
  if (tag >= 0xc0 && tag <= 0xcf) return low <= 5 || (low >= 8 && low <= 0xd);
  return (tag >= 0xd0 && tag <= 0xd5) || (tag >= 0xe0 && tag <= 0xe5);
}

uint64_t pclxl_parser::scalar(int type) {
  static const size_t sizes[] = {1, 2, 4, 2, 4, 4};
  size_t n = sizes[type];
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t b = static_cast<unsigned char>(s_[at_ + (little_ ? i : n - 1 - i)]);
    v |= b << (8 * i);
  }
  at_ += n;
  return v;
}

double as_number(uint64_t raw, int type) {
  switch (type) {
    case 0: case 1: case 2: return static_cast<double>(raw);
    case 3: return static_cast<int16_t>(raw);
    case 4: return static_cast<int32_t>(raw);
    default: {
      float f;
      uint32_t bits = static_cast<uint32_t>(raw);
      std::memcpy(&f, &bits, 4);
      return f;
    }
  }
}

bool pclxl_parser::read_value(uint8_t tag, value& v) {
  static const size_t sizes[] = {1, 2, 4, 2, 4, 4};
  int type = tag & 0x07;
  if (type > 5) return fail("unknown data type");
  uint64_t count = 1;
  if (tag >= 0xc8 && tag <= 0xcd) {
    v.is_array = true;
    if (!need(1)) return fail("truncated array");
    uint8_t len_tag = static_cast<uint8_t>(s_[at_++]);
    if (len_tag != 0xc0 && len_tag != 0xc1) return fail("bad array length");
    if (!need(len_tag == 0xc0 ? 1 : 2)) return fail("truncated array");
    count = scalar(len_tag - 0xc0);
  } else if (tag >= 0xd0) {
    count = tag >= 0xe0 ? 4 : 2;
  }
  if (!need(count * sizes[type])) return fail("truncated value");
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t raw = scalar(type);
    if (v.nums.size() < max_elements) v.nums.push_back(as_number(raw, type));
  }
  return true;
}

status pclxl_parser::run(analysis& a) {
  size_t lf = s_.find('\n');
  if (s_.empty() || (s_[0] != ')' && s_[0] != '(') || lf == std::string_view::npos)
    return corrupt("the PCL XL stream header is missing or uses the unsupported ASCII binding");
  little_ = s_[0] == ')';
  at_ = lf + 1;
  value pending;
  bool have_value = false;
  while (at_ < s_.size()) {
    uint8_t tag = static_cast<uint8_t>(s_[at_]);
    if (tag == 0x1b) {
      if (s_.substr(at_, 9) == "\x1b%-12345X") break;  // UEL: back to PJL
      clean_ = fail("stray escape");
      break;
    }
    ++at_;
    if (tag == 0x00 || (tag >= 0x09 && tag <= 0x0d) || tag == 0x20) continue;
    if (is_data_type(tag)) {
      pending = value{};
      if (!(clean_ = read_value(tag, pending))) break;
      have_value = true;
    } else if (tag == 0xf8 || tag == 0xf9) {
      if (!need(tag == 0xf8 ? 1 : 2)) { clean_ = fail("truncated attribute"); break; }
      uint16_t id = static_cast<uint16_t>(scalar(tag == 0xf8 ? 0 : 1));
      if (!have_value) { clean_ = fail("attribute without a value"); break; }
      if (attrs_.size() < 64) attrs_.push_back({id, std::move(pending)});
      have_value = false;
    } else if (tag == 0xfa || tag == 0xfb) {
      if (!need(tag == 0xfa ? 4 : 1)) { clean_ = fail("truncated data length"); break; }
      uint64_t n = scalar(tag == 0xfa ? 2 : 0);
      if (!need(n)) { clean_ = fail("truncated embedded data"); break; }
      at_ += n;
    } else if (tag >= 0x40 && tag <= 0xbf) {
      if (status st = operate(tag, a)) return st;
      if (!clean_) break;
      attrs_.clear();
      have_value = false;
    } else {
      clean_ = fail("unknown tag " + std::to_string(tag));
      break;
    }
  }
  if (in_page_ && clean_) clean_ = fail("the stream ends inside a page");
  return {};
}

const value* pclxl_parser::attr(uint16_t id) const {
  for (auto& a : attrs_)
    if (a.id == id) return &a.v;
  return nullptr;
}

// The colour a SetBrushSource / SetPenSource selects.
colour pclxl_parser::paint_colour() {
  if (attr(at_null_brush) || attr(at_null_pen)) return colour::mono;  // paints nothing
  if (const value* rgb = attr(at_rgb)) {
    if (ps_.space == 1 || rgb->nums.size() < 3) return colour::uncertain;
    return rgb->nums[0] == rgb->nums[1] && rgb->nums[1] == rgb->nums[2] ? colour::mono
                                                                        : colour::colour;
  }
  if (const value* id = attr(at_pattern_select)) {
    auto hit = id->nums.empty() ? patterns_.end() : patterns_.find(static_cast<uint64_t>(id->nums[0]));
    return hit == patterns_.end() ? colour::uncertain : hit->second;
  }
  bool level = attr(at_gray_level) != nullptr;
  const value* primary = attr(at_primary_array);
  if (ps_.palette && (level || primary)) return ps_.palette_neutral ? colour::mono : colour::uncertain;
  if (level || ps_.space == 1) return colour::mono;
  if (primary && primary->nums.size() >= 3)
    return primary->nums[0] == primary->nums[1] && primary->nums[1] == primary->nums[2]
               ? colour::mono
               : colour::colour;
  return colour::uncertain;
}

colour pclxl_parser::image_colour() const {
  if (ps_.space == 1) return colour::mono;
  const value* mapping = attr(at_colour_mapping);
  bool indexed = mapping && !mapping->nums.empty() && mapping->nums[0] == 1;
  return indexed && ps_.palette && ps_.palette_neutral ? colour::mono : colour::uncertain;
}

struct named_size {
  const char* name;
  double w, h;
};

// MediaSize enumeration values 0-21 (eLetterPaper...eJISExec), in points.
const named_size media_sizes[] = {
    {"LETTER", 612, 792},         {"LEGAL", 612, 1008},        {"A4", 595.276, 841.89},
    {"EXEC", 522, 756},           {"LEDGER", 792, 1224},       {"A3", 841.89, 1190.551},
    {"COM10", 297, 684},          {"MONARCH", 279, 540},       {"C5", 459.213, 649.134},
    {"DL", 311.811, 623.622},     {"JB4", 728.504, 1031.811},  {"JB5", 515.906, 728.504},
    {"B5ENV", 498.898, 708.661},  {"B5", 498.898, 708.661},    {"JPOST", 283.465, 419.528},
    {"JPOSTD", 419.528, 566.929}, {"A5", 419.528, 595.276},    {"A6", 297.638, 419.528},
    {"JB6", 362.835, 515.906},    {"JIS8K", 765.354, 1105.512}, {"JIS16K", 552.756, 765.354},
    {"JISEXEC", 612.283, 935.433},
};

void media_size(const value* v, page& pg) {
  if (!v || v->nums.empty()) return;
  if (!v->is_array) {
    size_t i = static_cast<size_t>(v->nums[0]);
    if (v->nums[0] >= 0 && i < std::size(media_sizes)) pg = {media_sizes[i].w, media_sizes[i].h, pg.ink};
    return;
  }
  std::string name;
  for (double c : v->nums) name += static_cast<char>(std::toupper(static_cast<int>(c) & 0xff));
  if (name == "EXECUTIVE") name = "EXEC";
  for (auto& m : media_sizes)
    if (name == m.name) pg = {m.w, m.h, pg.ink};
}

void pclxl_parser::begin_page() {
  in_page_ = true;
  ps_ = paint_state{};  // BeginPage starts from the default graphics state
  saved_.clear();
  ink_ = colour::mono;
  page_ = page{};
  media_size(attr(at_media_size), page_);
  const value* custom = attr(at_custom_media_size);
  if (custom && custom->nums.size() == 2 && custom->nums[0] > 0 && custom->nums[1] > 0) {
    const value* units = attr(at_custom_units);
    int u = units && !units->nums.empty() ? static_cast<int>(units->nums[0]) : 0;
    double scale = u == 1 ? 72 / 25.4 : u == 2 ? 72 / 254.0 : 72;  // inch, mm, 0.1 mm
    page_.width_pt = custom->nums[0] * scale;
    page_.height_pt = custom->nums[1] * scale;
  }
  const value* o = attr(at_orientation);
  int orientation = o && !o->nums.empty() ? static_cast<int>(o->nums[0]) : 0;
  if (orientation == 1 || orientation == 3) std::swap(page_.width_pt, page_.height_pt);
}

status pclxl_parser::end_page(analysis& a) {
  in_page_ = false;
  const value* c = attr(at_page_copies);
  uint64_t copies = c && !c->nums.empty() && c->nums[0] >= 1 ? static_cast<uint64_t>(c->nums[0]) : 1;
  if (status st = check_pages(a.page_list.size() + copies, lim_)) return st;
  page_.ink = ink_;
  a.page_list.insert(a.page_list.end(), copies, page_);
  if (copies > 1) ++copied_pages_;
  return {};
}

void pclxl_parser::set_colour_space() {
  if (const value* cs = attr(at_colour_space); cs && !cs->nums.empty())
    ps_.space = static_cast<int>(cs->nums[0]);
  const value* data = attr(at_palette_data);
  ps_.palette = data != nullptr;
  ps_.palette_neutral = true;
  if (!data) return;
  const value* depth = attr(at_palette_depth);
  bool bytes = !depth || (!depth->nums.empty() && depth->nums[0] == 2);  // e8Bit
  size_t n = ps_.space == 1 ? 1 : 3;
  if (!bytes || data->nums.size() >= max_elements || data->nums.size() % n) {
    ps_.palette_neutral = false;
    return;
  }
  for (size_t i = 0; n == 3 && i + 2 < data->nums.size(); i += 3)
    if (data->nums[i] != data->nums[i + 1] || data->nums[i + 1] != data->nums[i + 2])
      ps_.palette_neutral = false;
}

status pclxl_parser::operate(uint8_t op, analysis& a) {
  switch (op) {
    case op_begin_page:
      if (in_page_) clean_ = fail("BeginPage inside a page");
      else begin_page();
      return {};
    case op_end_page:
      if (!in_page_) {
        clean_ = fail("EndPage outside a page");
        return {};
      }
      return end_page(a);
    case op_set_colour_space: set_colour_space(); break;
    case op_set_brush: ps_.brush = paint_colour(); break;
    case op_set_pen: ps_.pen = paint_colour(); break;
    case op_push_gs:
      if (saved_.size() < 256) saved_.push_back(ps_);
      break;
    case op_pop_gs:
      if (!saved_.empty()) ps_ = saved_.back(), saved_.pop_back();
      break;
    case op_paint_path: case op_chord: case op_ellipse: case op_pie: case op_rectangle:
    case op_round_rectangle:
      ink_ = combine(ink_, combine(ps_.brush, ps_.pen));
      break;
    case op_text: case op_begin_scan: case op_scan_line_rel:
      ink_ = combine(ink_, ps_.brush);
      break;
    case op_begin_image: ink_ = combine(ink_, image_colour()); break;
    case op_begin_rast_pattern:
      if (const value* id = attr(at_pattern_define); id && !id->nums.empty() && patterns_.size() < 4096)
        patterns_[static_cast<uint64_t>(id->nums[0])] = image_colour();
      break;
    case op_exec_stream: ink_ = combine(ink_, colour::uncertain); break;
    default: break;
  }
  return {};
}

}  // namespace

result<analysis> analyse_pclxl(std::string_view data, const limits& lim) {
  analysis a;
  pclxl_parser p(data, lim);
  if (status st = p.run(a)) return st;
  a.pages = static_cast<uint32_t>(a.page_list.size());
  a.exact = p.clean();
  if (!p.clean()) {
    if (a.pages == 0) return corrupt("the PCL XL stream is damaged: " + p.problem());
    a.notes.push_back("the PCL XL stream is damaged (" + p.problem() + "); " +
                      std::to_string(a.pages) + " pages counted up to there");
  }
  if (p.copied_pages() > 0)
    a.notes.push_back(std::to_string(p.copied_pages()) +
                      " pages ask for several copies (PageCopies); each copy is a page here");
  return a;
}

}  // namespace quire::pdl::detail
