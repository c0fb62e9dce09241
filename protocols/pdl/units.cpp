#include "protocols/pdl/units.hpp"

namespace quire::pdl {

units count_units(const analysis& a, const ticket_units& t) {
  units u;
  u.pages = a.pages;
  const uint64_t up = t.number_up == 0 ? 1 : t.number_up;
  const uint64_t per_copy = (u.pages + up - 1) / up;

  // An impression is colour when any page placed on it is colour or
  // uncertain; pages without an entry in page_list are uncertain.
  // A sheet is colour when either of its impressions is (duplex pairs them
  // in order: 1-2, 3-4, ...).
  uint64_t colour_per_copy = 0, colour_sheets_per_copy = 0;
  bool sheet_has_colour = false;
  uint64_t impression = 0;
  for (uint64_t first = 0; first < u.pages; first += up, ++impression) {
    bool colour_seen = false;
    for (uint64_t p = first; p < first + up && p < u.pages && !colour_seen; ++p)
      colour_seen = !t.monochrome && (p >= a.page_list.size() || a.page_list[p].ink != colour::mono);
    if (colour_seen) ++colour_per_copy;
    sheet_has_colour = sheet_has_colour || colour_seen;
    bool sheet_ends = !t.duplex || impression % 2 == 1 || first + up >= u.pages;
    if (sheet_ends) {
      if (sheet_has_colour) ++colour_sheets_per_copy;
      sheet_has_colour = false;
    }
  }

  u.impressions = per_copy * t.copies;
  u.colour_impressions = colour_per_copy * t.copies;
  u.mono_impressions = u.impressions - u.colour_impressions;
  u.sheets = t.duplex ? (per_copy + 1) / 2 * t.copies : u.impressions;
  u.colour_sheets = colour_sheets_per_copy * t.copies;
  u.mono_sheets = u.sheets - u.colour_sheets;
  return u;
}

}  // namespace quire::pdl
