#include "mirror/core/random.hpp"

#include <gtest/gtest.h>

#include <cmath>

using mirror::core::Purpose;
using mirror::core::RandomStream;

TEST(RandomStream, SameKeySameDraws) {
  RandomStream a(42, 7, 3, Purpose::visit);
  RandomStream b(42, 7, 3, Purpose::visit);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.bits(), b.bits());
}

TEST(RandomStream, EveryKeyPartChangesTheStream) {
  const auto first = [](std::uint64_t seed, std::uint64_t customer, std::int32_t day,
                        Purpose p) { return RandomStream(seed, customer, day, p).bits(); };
  const auto base = first(42, 7, 3, Purpose::visit);
  EXPECT_NE(base, first(43, 7, 3, Purpose::visit));
  EXPECT_NE(base, first(42, 8, 3, Purpose::visit));
  EXPECT_NE(base, first(42, 7, 4, Purpose::visit));
  EXPECT_NE(base, first(42, 7, 3, Purpose::purchase));
  EXPECT_NE(base, first(42, 7, -1, Purpose::visit));
}

TEST(RandomStream, UniformMomentsMatchTheory) {
  // Mean 1/2 and variance 1/12 over 200k customers' first draws (one per key, as used).
  const int n = 200000;
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    const double u = RandomStream(1, i, 0, Purpose::visit).uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum_sq += u * u;
  }
  const double mean = sum / n;
  const double var = sum_sq / n - mean * mean;
  EXPECT_NEAR(mean, 0.5, 4 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(var, 1.0 / 12, 0.002);
}

TEST(RandomStream, NormalMomentsMatchTheory) {
  const int n = 200000;
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    const double z = RandomStream(9, i, 5, Purpose::spend).normal();
    sum += z;
    sum_sq += z * z;
  }
  EXPECT_NEAR(sum / n, 0.0, 4 / std::sqrt(n));
  EXPECT_NEAR(sum_sq / n, 1.0, 0.02);
}
