// The post-stratified (segment-weighted) difference of means of two groups and its
// interval: the uplift estimator of the stratified design.
#pragma once

#include <cstdint>
#include <vector>

namespace mirror::results {

struct StratifiedDifference {
  double mean = 0, low = 0, high = 0;  // the estimate and its two-sided interval
  double se = 0, df = 0;               // standard error, Satterthwaite degrees of freedom
  int strata = 0;                      // strata used
  int strata_dropped = 0;              // strata without two customers in both groups
};

// sum_s w_s (mean_a,s - mean_c,s) with w_s = (n_a,s + n_c,s) / (n_a + n_c) over the strata
// used; variance sum_s w_s^2 (var_a,s / n_a,s + var_c,s / n_c,s); a t interval at `level`
// (0.95 = 95%) with Welch-Satterthwaite degrees of freedom. A stratum with fewer than two
// customers in either group has no variance estimate: it is dropped and the weights of the
// others renormalised (counted in strata_dropped). Throws std::invalid_argument if the
// sizes of values and strata differ or no stratum can be used.
StratifiedDifference stratified_difference(const std::vector<double>& a,
                                           const std::vector<std::int32_t>& a_strata,
                                           const std::vector<double>& c,
                                           const std::vector<std::int32_t>& c_strata,
                                           double level);

}  // namespace mirror::results
