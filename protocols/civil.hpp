// Calendar dates from day numbers and back (Howard Hinnant's
// days_from_civil / civil_from_days: proleptic Gregorian, day 0 =
// 1970-01-01): exact for every date Quire meets, no table, no gmtime, so no
// time zone and no locale. Shared by the accounts' periods, LDAP's
// GeneralizedTime and e-mail's Date header.
#pragma once

#include <cstdint>

namespace quire {

struct civil_date {
  int64_t y;
  unsigned m, d;  // 1..12, 1..31
};

constexpr int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

constexpr civil_date civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(civil_from_days(19716).y == 2023 && civil_from_days(19716).m == 12 && civil_from_days(19716).d == 25);

}  // namespace quire
