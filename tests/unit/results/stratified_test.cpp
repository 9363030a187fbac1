#include "mirror/results/stratified.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "student_t.hpp"

using namespace mirror::results;

// Two strata by hand. Stratum 0: a = {1, 3} (mean 2, var 2), c = {0, 2} (mean 1, var 2);
// stratum 1: a = {10, 12, 14} (mean 12, var 4), c = {5, 7, 9} (mean 7, var 4).
// Weights 4/10 and 6/10: estimate 0.4 x 1 + 0.6 x 5 = 3.4;
// variance 0.16 (2/2 + 2/2) + 0.36 (4/3 + 4/3) = 0.32 + 0.96 = 1.28;
// df = 1.28^2 / (2 x 0.16^2 / 1 + 2 x 0.48^2 / 2) = 1.6384 / 0.2816.
TEST(StratifiedDifference, HandComputed) {
  const auto d = stratified_difference({1, 3, 10, 12, 14}, {0, 0, 1, 1, 1}, {0, 2, 5, 7, 9},
                                       {0, 0, 1, 1, 1}, 0.95);
  EXPECT_NEAR(d.mean, 3.4, 1e-12);
  EXPECT_NEAR(d.se, std::sqrt(1.28), 1e-12);
  EXPECT_NEAR(d.df, 1.6384 / 0.2816, 1e-9);
  const double h = student_t_quantile(0.975, 1.6384 / 0.2816) * std::sqrt(1.28);
  EXPECT_NEAR(d.low, 3.4 - h, 1e-9);
  EXPECT_NEAR(d.high, 3.4 + h, 1e-9);
  EXPECT_EQ(d.strata, 2);
  EXPECT_EQ(d.strata_dropped, 0);
}

// One stratum: it is Welch's interval.
TEST(StratifiedDifference, OneStratumIsWelch) {
  const std::vector<double> a{1, 4, 2, 8, 5}, c{2, 2, 3, 0};
  const auto d = stratified_difference(a, std::vector<std::int32_t>(5, 3), c,
                                       std::vector<std::int32_t>(4, 3), 0.95);
  const double va = 7.5 / 5, vc = (4.75 / 3) / 4;  // var(a) = 30/4, var(c) = 4.75/3
  EXPECT_NEAR(d.mean, 4.0 - 1.75, 1e-12);
  EXPECT_NEAR(d.se, std::sqrt(va + vc), 1e-12);
  EXPECT_NEAR(d.df, (va + vc) * (va + vc) / (va * va / 4 + vc * vc / 3), 1e-9);
}

// Segment differences that are the same in both groups do not widen the interval.
TEST(StratifiedDifference, BetweenStrataSpreadDoesNotCount) {
  std::vector<double> a, c;
  std::vector<std::int32_t> sa, sc;
  for (int i = 0; i < 40; ++i) {
    const int s = i % 2;
    a.push_back(1000.0 * s + (i % 4) + 1);
    sa.push_back(s);
    c.push_back(1000.0 * s + (i % 4));
    sc.push_back(s);
  }
  const auto d = stratified_difference(a, sa, c, sc, 0.95);
  EXPECT_NEAR(d.mean, 1.0, 1e-9);
  EXPECT_LT(d.high - d.low, 2.0);  // the pooled sd would be ~500
}

TEST(StratifiedDifference, StrataWithoutTwoInBothGroupsAreDropped) {
  const auto d = stratified_difference({1, 3, 7}, {0, 0, 1}, {0, 2, 9}, {0, 0, 1}, 0.95);
  EXPECT_EQ(d.strata, 1);
  EXPECT_EQ(d.strata_dropped, 1);
  EXPECT_NEAR(d.mean, 1.0, 1e-12);
  EXPECT_THROW(stratified_difference({1}, {0}, {2}, {0}, 0.95), std::invalid_argument);
  EXPECT_THROW(stratified_difference({1, 2}, {0}, {2}, {0}, 0.95), std::invalid_argument);
}
