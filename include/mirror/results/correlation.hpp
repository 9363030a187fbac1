// Correlation coefficients for reports that compare estimates with a known truth.
#pragma once

#include <vector>

namespace mirror::results {

// Pearson's r; NaN when the lengths differ, there are fewer than 2 values, or either side
// is constant.
double pearson(const std::vector<double>& x, const std::vector<double>& y);
// The least-squares slope of y on x through the origin, sum(x y) / sum(x x): how large
// estimates y are against true values x overall (1: the same size), which a correlation
// does not say. NaN when the lengths differ, x is empty or all zero.
double slope_through_origin(const std::vector<double>& x, const std::vector<double>& y);
// Spearman's rank correlation: Pearson's r of the ranks, ties given their average rank.
double spearman(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace mirror::results
