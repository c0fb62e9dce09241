#include "protocols/pdl/price.hpp"

#include <charconv>
#include <limits>

namespace quire::pdl {

namespace {

int64_t saturating_mul(uint64_t units, int64_t rate) {
  if (rate <= 0 || units == 0) return 0;
  int64_t out = 0;
  if (units > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
      __builtin_mul_overflow(static_cast<int64_t>(units), rate, &out))
    return std::numeric_limits<int64_t>::max();
  return out;
}

int64_t saturating_add(int64_t a, int64_t b) {
  int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) return std::numeric_limits<int64_t>::max();
  return out;
}

const rate& rate_for(const price_list& list, std::string_view media) {
  for (const auto& [name, r] : list.sizes)
    if (name == media) return r;
  return list.base;
}

bool parse_rate(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && out >= 0 && out <= max_rate;
}

}  // namespace

int64_t price_of(const price_list& list, const units& u, std::string_view media, bool duplex) {
  const rate& r = rate_for(list, media);
  int64_t mono = duplex && r.duplex_mono >= 0 ? r.duplex_mono : r.mono;
  int64_t colour = duplex && r.duplex_colour >= 0 ? r.duplex_colour : r.colour;
  bool by_sheet = list.per == price_unit::sheet;
  uint64_t mono_units = by_sheet ? u.mono_sheets : u.mono_impressions;
  uint64_t colour_units = by_sheet ? u.colour_sheets : u.colour_impressions;
  if (list.mono_only) {
    mono_units += colour_units;
    colour_units = 0;
  }
  return saturating_add(saturating_mul(mono_units, mono), saturating_mul(colour_units, colour));
}

std::string media_of_short_name(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> names[] = {
      {"a3", "iso_a3_297x420mm"},     {"a4", "iso_a4_210x297mm"},      {"a5", "iso_a5_148x210mm"},
      {"b4", "iso_b4_250x353mm"},     {"b5", "iso_b5_176x250mm"},      {"letter", "na_letter_8.5x11in"},
      {"legal", "na_legal_8.5x14in"}, {"tabloid", "na_ledger_11x17in"}, {"ledger", "na_ledger_11x17in"},
  };
  for (const auto& [short_name, pwg] : names)
    if (short_name == name) return std::string(pwg);
  return std::string(name);
}

result<std::pair<std::string, rate>> parse_size_rate(std::string_view text) {
  auto bad = [&](const std::string& why) {
    // Appended, not "'" + ...: GCC 12 warns wrongly (-Wrestrict) on the latter.
    std::string message(1, '\'');
    message.append(text).append("': ").append(why);
    return error{errc::invalid_argument, std::move(message)};
  };
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return bad("expected media=mono/colour");
  std::string media = media_of_short_name(text.substr(0, eq));
  for (char c : media)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
      return bad("a media name is lower-case letters, digits, _ . -");
  std::vector<int64_t> values;
  std::string_view rest = text.substr(eq + 1);
  for (;;) {
    size_t slash = rest.find('/');
    int64_t v = 0;
    if (!parse_rate(rest.substr(0, slash), v))
      return bad("each rate is a whole number of minor units, 0 to " + std::to_string(max_rate));
    values.push_back(v);
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  if (values.size() != 2 && values.size() != 4)
    return bad("expected media=mono/colour or media=mono/colour/duplex_mono/duplex_colour");
  rate r{values[0], values[1], -1, -1};
  if (values.size() == 4) r.duplex_mono = values[2], r.duplex_colour = values[3];
  return std::pair<std::string, rate>{std::move(media), r};
}

std::string format_money(int64_t amount, uint32_t minor_digits, std::string_view currency) {
  bool negative = amount < 0;
  // Work in unsigned so that INT64_MIN has a magnitude.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(amount) : static_cast<uint64_t>(amount);
  std::string digits = std::to_string(magnitude);
  if (minor_digits > 0) {
    if (digits.size() <= minor_digits) digits.insert(0, minor_digits + 1 - digits.size(), '0');
    digits.insert(digits.size() - minor_digits, 1, '.');
  }
  std::string out;
  if (negative) out.push_back('-');
  out.append(digits);
  if (!currency.empty()) out.append(" ").append(currency);
  return out;
}

}  // namespace quire::pdl
