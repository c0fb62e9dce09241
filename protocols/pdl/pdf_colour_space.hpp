// Internal to protocols/pdl: PDF colour spaces (ISO 32000-1 section 8.6)
// reduced to what pricing needs: is a colour value neutral (gray ink only),
// certainly colour, or unknown? The rules are listed in analysis.hpp; this
// file applies them to spaces, values, shadings and Type 2/3 functions.
#pragma once

#include <qpdf/QPDFObjectHandle.hh>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "protocols/pdl/analysis.hpp"

namespace quire::pdl::detail {

struct colour_space {
  enum class family : uint8_t {
    gray, rgb, cmyk, lab, indexed, separation, devicen, pattern, unknown
  };
  family fam = family::unknown;
  int components = 1;
  /// rgb only: r == g == b is neutral and anything else colour. False for
  /// an ICC or CalRGB space whose neutral axis could not be verified.
  bool rgb_axis_known = true;
  /// indexed: the verdict of each palette entry (empty: unreadable).
  std::vector<colour> palette;
  /// separation / devicen: the colorant names, without the slash.
  std::vector<std::string> names;
  /// separation with a Type 2 tint transform into `base`.
  std::vector<double> tint_c0, tint_c1;
  double tint_exponent = 1;
  bool tint_known = false;
  /// indexed: the base; separation: the alternate; pattern: the underlying
  /// space of uncoloured patterns (may be null).
  std::shared_ptr<const colour_space> base;

  /// The verdict of colour value `v` (a value of `components` numbers).
  colour value(const std::vector<double>& v) const;
  /// The verdict of the initial colour after `cs` (black, tint 1, index 0).
  colour initial() const;
  /// True when every value of the space is neutral (gray, Separation Black,
  /// an all-neutral palette...).
  bool always_neutral() const;
};

using space_ptr = std::shared_ptr<const colour_space>;

space_ptr device_gray();
space_ptr device_rgb();
space_ptr device_cmyk();
space_ptr unknown_space();

/// Reads and classifies colour spaces, caching indirect ones. One per
/// document; not thread-safe.
class colour_space_cache {
 public:
  /// The space `cs` names or is: a device name (/DeviceRGB, or the inline
  /// abbreviations /G /RGB /CMYK), a name looked up in `resources`
  /// /ColorSpace, or an array. Device names honour /DefaultGray,
  /// /DefaultRGB, /DefaultCMYK in `resources`. Never null; unknown_space()
  /// when unreadable.
  space_ptr resolve(QPDFObjectHandle cs, QPDFObjectHandle resources);

 private:
  space_ptr classify(QPDFObjectHandle cs, int depth);
  space_ptr classify_array(QPDFObjectHandle cs, int depth);
  space_ptr icc(QPDFObjectHandle stream);
  space_ptr indexed(QPDFObjectHandle cs, int depth);
  space_ptr separation(QPDFObjectHandle cs, int depth);

  std::map<QPDFObjGen, space_ptr> cache_;
};

/// The verdict of a shading dictionary or stream (its /ColorSpace and
/// /Function): gray spaces are mono; Type 2 functions (alone or stitched by
/// Type 3) by their end values; anything else uncertain.
colour shading_colour(QPDFObjectHandle shading, QPDFObjectHandle resources,
                      colour_space_cache& spaces);

/// True when the ICC profile's RGB neutral axis is verified: a matrix/TRC
/// profile without A2B tables, identical increasing tone curves and
/// colorants adding up to the PCS white. Exposed for tests.
bool icc_rgb_axis_is_neutral(const std::string& profile);

/// Numbers from an array object; non-numbers make it fail (empty result).
std::vector<double> numbers(QPDFObjectHandle array, size_t max = 64);

}  // namespace quire::pdl::detail
