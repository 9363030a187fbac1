// Student's t distribution, for confidence intervals.
#pragma once

namespace mirror::results {

// P(T <= t) for T ~ Student's t with `df` > 0 degrees of freedom.
double student_t_cdf(double t, double df);
// The p-quantile (0 < p < 1) of Student's t with `df` > 0 degrees of freedom.
double student_t_quantile(double p, double df);

}  // namespace mirror::results
