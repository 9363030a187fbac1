// Calendar lengths in days, for rates per week or month (BTYD fits count time in weeks).
#pragma once

namespace mirror::core {

inline constexpr double kDaysPerWeek = 7.0;
inline constexpr double kDaysPerMonth = 365.25 / 12.0;

}  // namespace mirror::core
