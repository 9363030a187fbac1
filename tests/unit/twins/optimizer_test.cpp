// The BTYD fits' minimiser on problems with known minima.
#include "../../../twins/optimizer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using mirror::twins::detail::minimize;
using mirror::twins::detail::numeric_gradient;

namespace {

double rosenbrock(const std::vector<double>& x) {
  double f = 0.0;
  for (std::size_t i = 0; i + 1 < x.size(); ++i)
    f += 100.0 * std::pow(x[i + 1] - x[i] * x[i], 2) + std::pow(1.0 - x[i], 2);
  return f;
}

TEST(Optimizer, RosenbrockTwoDimensionsFromTheClassicStart) {
  const auto result = minimize(rosenbrock, {-1.2, 1.0});
  EXPECT_TRUE(result.converged);
  EXPECT_NEAR(result.x[0], 1.0, 1e-5);
  EXPECT_NEAR(result.x[1], 1.0, 1e-5);
  EXPECT_LT(result.value, 1e-10);
}

TEST(Optimizer, RosenbrockThreeDimensions) {
  // n = 3 has the single minimum at (1, 1, 1); from n = 4 on there is a second one.
  const auto result = minimize(rosenbrock, {-1.2, 1.0, -1.2});
  EXPECT_TRUE(result.converged);
  for (double xi : result.x) EXPECT_NEAR(xi, 1.0, 1e-5);
}

TEST(Optimizer, RosenbrockFiveDimensionsEndsAtAStationaryPoint) {
  // Whichever of the two minima it finds, "converged" must mean a zero gradient there.
  const auto result = minimize(rosenbrock, {-1.0, 2.0, -0.5, 0.3, 1.5});
  EXPECT_TRUE(result.converged);
  for (double g : numeric_gradient(rosenbrock, result.x)) EXPECT_NEAR(g, 0.0, 1e-5);
  const bool global = std::abs(result.x[0] - 1.0) < 1e-4 && result.value < 1e-10;
  const bool local =
      std::abs(result.x[0] + 0.9621) < 1e-3 && std::abs(result.value - 3.9308) < 1e-3;
  EXPECT_TRUE(global || local) << "x0=" << result.x[0] << " f=" << result.value;
}

TEST(Optimizer, NonFiniteValuesAreWallsNotCrashes) {
  // log barrier: undefined for x <= 0, minimum at x = 2 where f = 2 - 2 log 2.
  const auto f = [](const std::vector<double>& x) {
    return x[0] <= 0.0 ? std::numeric_limits<double>::quiet_NaN() : x[0] - 2.0 * std::log(x[0]);
  };
  const auto result = minimize(f, {0.1});
  EXPECT_TRUE(result.converged);
  EXPECT_NEAR(result.x[0], 2.0, 1e-6);
}

TEST(Optimizer, NumericGradientMatchesAnalytic) {
  const std::vector<double> x{0.3, -0.7};
  const auto g = numeric_gradient(rosenbrock, x);
  const double a = x[0], b = x[1];
  EXPECT_NEAR(g[0], -400.0 * a * (b - a * a) - 2.0 * (1.0 - a), 1e-6);
  EXPECT_NEAR(g[1], 200.0 * (b - a * a), 1e-6);
}

}  // namespace
