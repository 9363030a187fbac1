// Mean and sample variance by Welford's method, in the order given (results module only).
#pragma once

#include <cstdint>

namespace mirror::results {

struct Moments {
  std::int64_t n = 0;
  double mean = 0.0;
  double m2 = 0.0;
  void add(double x) {
    ++n;
    const double delta = x - mean;
    mean += delta / static_cast<double>(n);
    m2 += delta * (x - mean);
  }
  double variance() const { return n > 1 ? m2 / static_cast<double>(n - 1) : 0.0; }
};

}  // namespace mirror::results
