// Hand-made LCM sequences for tests: `n` customers over `days` days, nothing happening and
// no action, no items; the first `calibration_days` are calibration (all when negative).
// The test sets ids, births, events and actions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mirror/twins/lcm.hpp"

namespace mirror::test_support {

inline twins::LcmSequences blank_sequences(std::size_t n, std::int32_t days, std::int32_t calibration_days = -1,
                                           std::int32_t first_day = 19723) {  // 2024-01-01
  twins::LcmSequences s;
  s.first_day = first_day;
  s.days = days;
  s.calibration_days = calibration_days < 0 ? days : calibration_days;
  s.events.assign(n * days * twins::kLcmEventCount, 0.0f);
  s.actions.assign(n * days * twins::kLcmActionCount, 0.0f);
  s.promoted.assign(n * days, -1);
  s.interest_offset.assign(n + 1, 0);
  return s;
}

}  // namespace mirror::test_support
