// P(Beta(a1, b1) draw > Beta(a2, b2) draw) for integer parameters, by the closed form
// sum_{i < a1} B(a2 + i, b1 + b2) / ((b1 + i) B(1 + i, b1) B(a2, b2)).
#pragma once

#include <cmath>

namespace mirror::test_support {

inline double p_first_wins(int a1, int b1, int a2, int b2) {
  const auto lbeta = [](double x, double y) { return std::lgamma(x) + std::lgamma(y) - std::lgamma(x + y); };
  double p = 0.0;
  for (int i = 0; i < a1; ++i)
    p += std::exp(lbeta(a2 + i, b1 + b2) - std::log(b1 + i) - lbeta(1 + i, b1) - lbeta(a2, b2));
  return p;
}

}  // namespace mirror::test_support
