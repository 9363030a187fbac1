// The chance that each of several independent Beta draws is the largest, as the Thompson
// learners sample arms from it:
//   P(a) = integral over [0, 1] of f_a(x) prod_{b != a} F_b(x) dx.
// Internal to the policies library.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace mirror::policies::learner {

// P(a) by quadrature from every arm's pdf and cdf at the nodes: pdf[e][j], cdf[e][j] for
// m arms and n nodes with weights w. out[e] is normalised to sum to 1 (uniform when every
// term vanishes). `scratch` is reused between calls.
void race_at_nodes(std::size_t m, std::size_t n, const double* const* pdf, const double* const* cdf,
                   const double* w, double* out, std::vector<double>& scratch);

// P(a) for posteriors Beta(alpha, beta) with integer parameters >= 1. With N the trials
// (alpha + beta - 2, summed) and K the arms, the integrand is a polynomial of degree
// N + K - 1, so Gauss-Legendre with (N + K) / 2 + 1 nodes on [0, 1] is exact up to
// rounding; that is used up to kExactNodes nodes. A segment learner soon has far more
// trials (10^5 and more), so beyond: each arm's draw lies within its [1e-13, 1 - 1e-13]
// quantiles, the largest draw within [max lower, max upper] of them, and a composite
// Gauss-Legendre rule with kPanelNodes nodes a panel, the panels cutting every posterior's
// range into kPanelsPerArm equal pieces (so every pdf and cdf is smooth across each
// panel), agrees with the exact values to about 1e-12 (tests/unit/policies/beta_race_test).
inline constexpr int kExactNodes = 200;
inline constexpr int kPanelsPerArm = 4;
inline constexpr int kPanelNodes = 16;
std::vector<double> beta_race(const std::vector<std::pair<double, double>>& ab);
// The exact rule whatever the node count (a reference for the composite one).
std::vector<double> beta_race_exact(const std::vector<std::pair<double, double>>& ab);

}  // namespace mirror::policies::learner
