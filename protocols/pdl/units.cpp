#include "protocols/pdl/units.hpp"

namespace quire::pdl {

units count_units(const analysis& a, const ticket_units& t) {
  units u;
  u.pages = a.pages;
  const uint64_t up = t.number_up == 0 ? 1 : t.number_up;
  const uint64_t per_copy = (u.pages + up - 1) / up;

  // An impression is colour when any page placed on it is colour or
  // uncertain; pages without an entry in page_list are uncertain.
  uint64_t colour_per_copy = 0;
  for (uint64_t first = 0; first < u.pages; first += up) {
    bool colour_seen = false;
    for (uint64_t p = first; p < first + up && p < u.pages && !colour_seen; ++p)
      colour_seen = p >= a.page_list.size() || a.page_list[p].ink != colour::mono;
    if (colour_seen) ++colour_per_copy;
  }

  u.impressions = per_copy * t.copies;
  u.colour_impressions = colour_per_copy * t.copies;
  u.mono_impressions = u.impressions - u.colour_impressions;
  u.sheets = t.duplex ? (per_copy + 1) / 2 * t.copies : u.impressions;
  return u;
}

}  // namespace quire::pdl
