// Is r == g == b neutral in this ICC profile? (ICC.1:2010, sections 7 and
// 10.) For a matrix/TRC profile the PCS value of (r, g, b) is
//   XYZ = M · (TRC(r), TRC(g), TRC(b)),  M = [rXYZ gXYZ bXYZ].
// With one strictly increasing tone curve for all three channels and M
// invertible, XYZ is proportional to M · (1, 1, 1) exactly when r == g == b;
// when the colorants also add up to the PCS white (D50), that line is the
// neutral axis. Profiles with A2B tables are judged by the table in most
// colour engines, so they are not verified here.
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocols/pdl/formats.hpp"
#include "protocols/pdl/pdf_colour_space.hpp"

namespace quire::pdl::detail {

namespace {

struct tag {
  uint32_t offset = 0, size = 0;
  bool found = false;
};

double s15f16(std::string_view p, size_t at) {
  return static_cast<int32_t>(be32(p, at)) / 65536.0;
}

// The bytes of a tone curve that define it ("curv" or "para"), or "" when
// the curve is not a strictly increasing function we understand.
std::string_view curve(std::string_view p, const tag& t) {
  if (!t.found || t.offset > p.size() || t.size > p.size() - t.offset || t.size < 12)
    return {};
  std::string_view d = p.substr(t.offset, t.size);
  if (d.substr(0, 4) == "curv") {
    uint32_t n = be32(d, 8);
    if (n > (d.size() - 12) / 2) return {};
    if (n == 1 && be16(d, 12) == 0) return {};  // gamma 0
    for (uint32_t i = 1; i < n; ++i)
      if (be16(d, 12 + 2 * i) < be16(d, 12 + 2 * (i - 1))) return {};
    if (n >= 2 && be16(d, 12 + 2 * (n - 1)) <= be16(d, 12)) return {};
    return d.substr(0, 12 + 2 * size_t{n});
  }
  if (d.substr(0, 4) == "para") {
    static const size_t params[] = {1, 3, 4, 5, 7};
    uint16_t type = be16(d, 8);
    if (type > 4 || d.size() < 12 + 4 * params[type]) return {};
    if (s15f16(d, 12) <= 0) return {};                // gamma
    if (type > 0 && s15f16(d, 16) <= 0) return {};    // a
    return d.substr(0, 12 + 4 * params[type]);
  }
  return {};
}

bool xyz(std::string_view p, const tag& t, double out[3]) {
  if (!t.found || t.offset > p.size() || t.size > p.size() - t.offset || t.size < 20)
    return false;
  if (p.substr(t.offset, 4) != "XYZ ") return false;
  for (int i = 0; i < 3; ++i) out[i] = s15f16(p, t.offset + 8 + 4 * static_cast<size_t>(i));
  return true;
}

}  // namespace

bool icc_rgb_axis_is_neutral(const std::string& profile) {
  std::string_view p = profile;
  if (p.size() < 132 || p.substr(16, 4) != "RGB " || p.substr(20, 4) != "XYZ ") return false;
  uint32_t count = be32(p, 128);
  if (count > 256 || count > (p.size() - 132) / 12) return false;
  tag r, g, b, rt, gt, bt;
  for (uint32_t i = 0; i < count; ++i) {
    size_t at = 132 + 12 * size_t{i};
    std::string_view sig = p.substr(at, 4);
    tag t{be32(p, at + 4), be32(p, at + 8), true};
    if (sig.substr(0, 3) == "A2B" || sig.substr(0, 3) == "D2B") return false;
    if (sig == "rXYZ") r = t;
    if (sig == "gXYZ") g = t;
    if (sig == "bXYZ") b = t;
    if (sig == "rTRC") rt = t;
    if (sig == "gTRC") gt = t;
    if (sig == "bTRC") bt = t;
  }
  std::string_view cr = curve(p, rt);
  if (cr.empty() || cr != curve(p, gt) || cr != curve(p, bt)) return false;
  double m[3][3];  // columns r, g, b; rows X, Y, Z
  double cols[3][3];
  if (!xyz(p, r, cols[0]) || !xyz(p, g, cols[1]) || !xyz(p, b, cols[2])) return false;
  for (int row = 0; row < 3; ++row)
    for (int col = 0; col < 3; ++col) m[row][col] = cols[col][row];
  double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
               m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
               m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  if (std::fabs(det) < 1e-6) return false;
  for (int row = 0; row < 3; ++row) {
    double white = s15f16(p, 68 + 4 * static_cast<size_t>(row));  // PCS illuminant
    double sum = m[row][0] + m[row][1] + m[row][2];
    if (white <= 0 || std::fabs(sum - white) > 0.01 * white) return false;
  }
  return true;
}

}  // namespace quire::pdl::detail
