// Prices: what printing a job's units costs on a printer, by its price list.
//
// Money is an integer count of the site currency's minor units (cents),
// never a float. A price list charges per sheet or per impression
// (units.hpp), with one rate for mono and one for colour units, optionally
// other rates for two-sided jobs and for particular media sizes:
//
//   price = mono units × mono rate + colour units × colour rate
//
// where the rates are those of the job's media size when the list names it,
// else the list's own, and the duplex ones when the job is two-sided (if the
// list sets them). A list may be mono-only (its printers print grey, or
// colour is not sold there): every unit is then charged, and printed, as mono.
//
// Pure: std only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/pdl/units.hpp"
#include "protocols/result.hpp"

namespace quire::pdl {

/// Largest rate a list may set, so that rates × units saturate rather than
/// wrap (a price is capped at INT64_MAX anyway).
inline constexpr int64_t max_rate = 1'000'000'000;

struct rate {
  int64_t mono = 0;
  int64_t colour = 0;
  int64_t duplex_mono = -1;    // per unit of a two-sided job; -1: as mono
  int64_t duplex_colour = -1;  // -1: as colour

  bool operator==(const rate&) const = default;
};

enum class price_unit : uint8_t { sheet, impression };

struct price_list {
  std::string name;
  price_unit per = price_unit::sheet;
  rate base;
  /// (PWG media name, its rate); the first entry naming the job's media wins.
  std::vector<std::pair<std::string, rate>> sizes;
  bool mono_only = false;

  bool operator==(const price_list&) const = default;
};

/// The price of units `u` printed on `media` (a PWG name), two-sided or not.
/// Saturates at INT64_MAX.
int64_t price_of(const price_list& list, const units& u, std::string_view media, bool duplex);

/// Parses one size entry of a price list: "media=mono/colour" or
/// "media=mono/colour/duplex_mono/duplex_colour", rates in minor units
/// (0..max_rate). `media` is a PWG media name or one of the short names
/// a3 a4 a5 b4 b5 letter legal tabloid (ledger), which become PWG names.
/// errc::invalid_argument saying what is wrong.
result<std::pair<std::string, rate>> parse_size_rate(std::string_view text);

/// The PWG media name of a short name ("a4" → "iso_a4_210x297mm"), or the
/// text itself when it is not one.
std::string media_of_short_name(std::string_view name);

/// An amount for people: 1234 with 2 minor digits and "EUR" → "12.34 EUR";
/// negative amounts get a leading '-'.
std::string format_money(int64_t amount, uint32_t minor_digits, std::string_view currency);

}  // namespace quire::pdl
