#include "protocols/pdl/pdf_colour_space.hpp"

#include <algorithm>
#include <cmath>

#include "protocols/pdl/formats.hpp"
#include "protocols/pdl/pdf_util.hpp"

namespace quire::pdl::detail {

namespace {

using family = colour_space::family;

space_ptr make(family f, int components, bool axis_known = true) {
  auto s = std::make_shared<colour_space>();
  s->fam = f;
  s->components = components;
  s->rgb_axis_known = axis_known;
  return s;
}

double clamp01(double v) { return std::clamp(v, 0.0, 1.0); }

bool is_process_colour(const std::string& n) {
  return n == "Cyan" || n == "Magenta" || n == "Yellow";
}
bool is_black_or_none(const std::string& n) { return n == "Black" || n == "None"; }

// A Type 2 (exponential interpolation) function's C0, C1 and N.
bool type2(QPDFObjectHandle fn, std::vector<double>& c0, std::vector<double>& c1, double& n) {
  if (number_of(key(fn, "/FunctionType"), -1) != 2) return false;
  QPDFObjectHandle k0 = key(fn, "/C0"), k1 = key(fn, "/C1");
  c0 = k0.isNull() ? std::vector<double>{0} : numbers(k0);
  c1 = k1.isNull() ? std::vector<double>{1} : numbers(k1);
  n = number_of(key(fn, "/N"), -1);
  return !c0.empty() && c0.size() == c1.size() && n > 0;
}

// The end values of a Type 2 function, or of the Type 2 functions a Type 3
// function stitches (nested at most `depth` deep). False for anything else.
bool end_values(QPDFObjectHandle fn, std::vector<std::vector<double>>& out, int depth) {
  std::vector<double> c0, c1;
  double n = 1;
  if (type2(fn, c0, c1, n)) {
    out.push_back(std::move(c0));
    out.push_back(std::move(c1));
    return true;
  }
  if (depth <= 0 || number_of(key(fn, "/FunctionType"), -1) != 3) return false;
  auto parts = items(key(fn, "/Functions"), 256);
  if (parts.empty()) return false;
  for (auto& part : parts)
    if (!end_values(part, out, depth - 1)) return false;
  return true;
}

}  // namespace

std::vector<double> numbers(QPDFObjectHandle array, size_t max) {
  std::vector<double> out;
  for (auto& item : items(array, max)) {
    if (!item.isNumber()) return {};
    out.push_back(item.getNumericValue());
  }
  return out;
}

space_ptr device_gray() { static const space_ptr s = make(family::gray, 1); return s; }
space_ptr device_rgb() { static const space_ptr s = make(family::rgb, 3); return s; }
space_ptr device_cmyk() { static const space_ptr s = make(family::cmyk, 4); return s; }
space_ptr unknown_space() { static const space_ptr s = make(family::unknown, 1); return s; }

colour colour_space::value(const std::vector<double>& v) const {
  switch (fam) {
    case family::gray: return colour::mono;
    case family::rgb: {
      if (v.size() < 3 || !rgb_axis_known) return colour::uncertain;
      double r = clamp01(v[0]), g = clamp01(v[1]), b = clamp01(v[2]);
      return r == g && g == b ? colour::mono : colour::colour;
    }
    case family::cmyk:
      if (v.size() < 4) return colour::uncertain;
      return v[0] <= 0 && v[1] <= 0 && v[2] <= 0 ? colour::mono : colour::colour;
    case family::lab:
      if (v.size() < 3) return colour::uncertain;
      return v[1] == 0 && v[2] == 0 ? colour::mono : colour::colour;
    case family::indexed: {
      if (palette.empty() || v.empty()) return colour::uncertain;
      double i = std::round(std::clamp(v[0], 0.0, static_cast<double>(palette.size() - 1)));
      return palette[static_cast<size_t>(i)];
    }
    case family::separation: {
      double tint = v.empty() ? 1 : clamp01(v[0]);
      if (tint <= 0 || names.empty() || is_black_or_none(names[0])) return colour::mono;
      if (is_process_colour(names[0])) return colour::colour;
      if (!tint_known || !base || names[0] == "All") return colour::uncertain;
      std::vector<double> alt(tint_c0.size());
      double f = std::pow(tint, tint_exponent);
      for (size_t i = 0; i < alt.size(); ++i) alt[i] = tint_c0[i] + f * (tint_c1[i] - tint_c0[i]);
      return base->value(alt);
    }
    case family::devicen: {
      bool unknown = false;
      for (size_t i = 0; i < names.size(); ++i) {
        double tint = i < v.size() ? v[i] : 1;
        if (tint <= 0 || is_black_or_none(names[i])) continue;
        if (is_process_colour(names[i])) return colour::colour;
        unknown = true;
      }
      return unknown ? colour::uncertain : colour::mono;
    }
    case family::pattern:
    case family::unknown: break;
  }
  return colour::uncertain;
}

colour colour_space::initial() const {
  switch (fam) {
    case family::gray:
    case family::cmyk:
    case family::lab: return colour::mono;
    case family::rgb: return value({0, 0, 0});
    case family::indexed: return value({0});
    case family::separation:
    case family::devicen: return value(std::vector<double>(names.size(), 1.0));
    case family::pattern:
    case family::unknown: break;
  }
  return colour::uncertain;
}

bool colour_space::always_neutral() const {
  switch (fam) {
    case family::gray: return true;
    case family::indexed:
      return !palette.empty() &&
             std::all_of(palette.begin(), palette.end(), [](colour c) { return c == colour::mono; });
    case family::separation:
    case family::devicen:
      return !names.empty() && std::all_of(names.begin(), names.end(), is_black_or_none);
    default: return false;
  }
}

space_ptr colour_space_cache::resolve(QPDFObjectHandle cs, QPDFObjectHandle resources) {
  std::string n = name_of(cs);
  if (n.empty()) return classify(cs, 0);
  const char* def = nullptr;
  if (n == "/DeviceGray" || n == "/G") def = "/DefaultGray";
  if (n == "/DeviceRGB" || n == "/RGB") def = "/DefaultRGB";
  if (n == "/DeviceCMYK" || n == "/CMYK") def = "/DefaultCMYK";
  QPDFObjectHandle named = key(key(resources, "/ColorSpace"), def ? def : n.c_str());
  if (def && named.isNull()) return classify(cs, 0);
  if (named.isNull()) return n == "/Pattern" ? classify(cs, 0) : unknown_space();
  space_ptr s = classify(named, 1);
  // A Default space replaces a device space only by one with as many
  // components (ISO 32000-1 section 8.6.5.6).
  if (def && s->components != classify(cs, 0)->components) return classify(cs, 0);
  return s;
}

space_ptr colour_space_cache::classify(QPDFObjectHandle cs, int depth) {
  if (depth > 8) return unknown_space();
  std::string n = name_of(cs);
  if (n == "/DeviceGray" || n == "/G" || n == "/CalGray") return device_gray();
  if (n == "/DeviceRGB" || n == "/RGB") return device_rgb();
  if (n == "/DeviceCMYK" || n == "/CMYK") return device_cmyk();
  if (n == "/Pattern") return make(family::pattern, 0);
  if (!cs.isArray() || cs.getArrayNItems() < 1) return unknown_space();
  if (cs.isIndirect()) {
    auto hit = cache_.find(cs.getObjGen());
    if (hit != cache_.end()) return hit->second;
  }
  space_ptr s = classify_array(cs, depth);
  if (cs.isIndirect() && cache_.size() < 4096) cache_[cs.getObjGen()] = s;
  return s;
}

space_ptr colour_space_cache::classify_array(QPDFObjectHandle cs, int depth) {
  std::string kind = name_of(cs.getArrayItem(0));
  QPDFObjectHandle arg = cs.getArrayNItems() > 1 ? cs.getArrayItem(1) : QPDFObjectHandle::newNull();
  if (kind == "/ICCBased") return icc(arg);
  if (kind == "/CalGray") return device_gray();
  if (kind == "/Lab") return make(family::lab, 3);
  if (kind == "/Indexed" || kind == "/I") return indexed(cs, depth);
  if (kind == "/Separation" || kind == "/DeviceN") return separation(cs, depth);
  if (kind == "/Pattern") {
    auto s = std::make_shared<colour_space>();
    s->fam = family::pattern;
    if (!arg.isNull()) s->base = classify(arg, depth + 1);
    return s;
  }
  if (kind == "/CalRGB") {
    std::vector<double> w = numbers(key(arg, "/WhitePoint"));
    std::vector<double> g = numbers(key(arg, "/Gamma"));
    std::vector<double> m = numbers(key(arg, "/Matrix"));
    if (key(arg, "/Gamma").isNull()) g = {1, 1, 1};
    if (key(arg, "/Matrix").isNull()) m = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    bool ok = w.size() == 3 && g.size() == 3 && m.size() == 9 && g[0] > 0 && g[0] == g[1] &&
              g[1] == g[2];
    for (int row = 0; ok && row < 3; ++row) {
      double sum = m[row] + m[3 + row] + m[6 + row];
      ok = w[row] > 0 && std::fabs(sum - w[row]) <= 0.01 * w[row];
    }
    return make(family::rgb, 3, ok);
  }
  if (cs.getArrayNItems() == 1) return classify(cs.getArrayItem(0), depth + 1);
  return unknown_space();
}

space_ptr colour_space_cache::icc(QPDFObjectHandle stream) {
  int n = static_cast<int>(number_of(key(stream, "/N"), 0));
  if (n == 1) return device_gray();
  if (n == 4) return device_cmyk();
  if (n != 3 || !stream.isStream()) return unknown_space();
  std::string profile;
  bool neutral = read_stream(stream, 4u << 20, profile) && icc_rgb_axis_is_neutral(profile);
  return make(family::rgb, 3, neutral);
}

space_ptr colour_space_cache::indexed(QPDFObjectHandle cs, int depth) {
  if (cs.getArrayNItems() < 4) return unknown_space();
  auto s = std::make_shared<colour_space>();
  s->fam = family::indexed;
  s->base = classify(cs.getArrayItem(1), depth + 1);
  int hival = static_cast<int>(number_of(cs.getArrayItem(2), -1));
  QPDFObjectHandle lookup = cs.getArrayItem(3);
  std::string table;
  if (lookup.isString()) table = lookup.getStringValue();
  else if (!read_stream(lookup, 4096, table)) table.clear();
  size_t n = static_cast<size_t>(std::max(s->base->components, 1));
  if (hival < 0 || hival > 255 || s->base->fam == family::lab || s->base->fam == family::unknown)
    return s;  // empty palette: uncertain
  for (size_t i = 0; i <= static_cast<size_t>(hival); ++i) {
    if ((i + 1) * n > table.size()) {
      s->palette.push_back(colour::uncertain);
      continue;
    }
    std::vector<double> v(n);
    for (size_t c = 0; c < n; ++c) v[c] = static_cast<unsigned char>(table[i * n + c]) / 255.0;
    s->palette.push_back(s->base->value(v));
  }
  return s;
}

space_ptr colour_space_cache::separation(QPDFObjectHandle cs, int depth) {
  if (cs.getArrayNItems() < 4) return unknown_space();
  auto s = std::make_shared<colour_space>();
  bool single = name_of(cs.getArrayItem(0)) == "/Separation";
  s->fam = single ? family::separation : family::devicen;
  QPDFObjectHandle names = cs.getArrayItem(1);
  if (single) {
    if (!names.isName()) return unknown_space();
    s->names.push_back(names.getName().substr(1));
  } else {
    for (auto& item : items(names, 64)) {
      if (!item.isName()) return unknown_space();
      s->names.push_back(item.getName().substr(1));
    }
    if (s->names.empty()) return unknown_space();
  }
  s->components = static_cast<int>(s->names.size());
  s->base = classify(cs.getArrayItem(2), depth + 1);
  if (single)
    s->tint_known = type2(cs.getArrayItem(3), s->tint_c0, s->tint_c1, s->tint_exponent) &&
                    static_cast<int>(s->tint_c0.size()) == s->base->components;
  return s;
}

colour shading_colour(QPDFObjectHandle shading, QPDFObjectHandle resources,
                      colour_space_cache& spaces) {
  space_ptr cs = spaces.resolve(key(shading, "/ColorSpace"), resources);
  if (cs->always_neutral()) return colour::mono;
  int type = static_cast<int>(number_of(key(shading, "/ShadingType"), 0));
  if (type != 2 && type != 3) return colour::uncertain;  // meshes keep colours in data
  std::vector<std::vector<double>> ends;
  if (!end_values(key(shading, "/Function"), ends, 4)) return colour::uncertain;
  colour verdict = colour::mono;
  for (auto& v : ends) verdict = combine(verdict, cs->value(v));
  return verdict;
}

}  // namespace quire::pdl::detail
