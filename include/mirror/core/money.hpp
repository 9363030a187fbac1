// Money is accumulated in integer micro-units so sums are exact and do not depend on the
// order in which shards are merged (bit-identical results for any thread or shard count).
#pragma once

#include <cmath>
#include <cstdint>

namespace mirror::core {

using Micros = std::int64_t;
inline constexpr double kMicrosPerUnit = 1e6;

inline Micros to_micros(double amount) { return std::llround(amount * kMicrosPerUnit); }
inline double from_micros(Micros m) { return static_cast<double>(m) / kMicrosPerUnit; }

}  // namespace mirror::core
