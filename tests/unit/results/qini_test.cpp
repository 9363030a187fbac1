#include "mirror/results/qini.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace mirror::results;

// Scores {3, 1, 2, 0}, effects {2, -1, 1, 0}: ranked 0, 2, 1, 3; cumulative effect / 4 at
// shares 0, 1/4 .. 1 = 0, 0.5, 0.75, 0.5, 0.5; trapezoids of width 1/4: 0.0625 + 0.15625 +
// 0.15625 + 0.125 = 0.5; the diagonal's area 0.5 / 2.
TEST(Qini, HandComputedWithKnownEffects) {
  const auto q = qini_curve({3, 1, 2, 0}, {2, -1, 1, 0}, 4);
  const std::vector<double> share{0, 0.25, 0.5, 0.75, 1}, uplift{0, 0.5, 0.75, 0.5, 0.5};
  ASSERT_EQ(q.share.size(), 5u);
  for (std::size_t j = 0; j < 5; ++j) {
    EXPECT_DOUBLE_EQ(q.share[j], share[j]);
    EXPECT_DOUBLE_EQ(q.uplift[j], uplift[j]);
  }
  EXPECT_DOUBLE_EQ(q.auuc, 0.5);
  EXPECT_DOUBLE_EQ(q.random_auuc, 0.25);
  // Ties keep the customers' order.
  const auto tied = qini_curve({1, 1}, {0, 4}, 2);
  EXPECT_DOUBLE_EQ(tied.uplift[1], 0.0);
  EXPECT_DOUBLE_EQ(tied.uplift[2], 2.0);
}

// Treated {score 2: 5, score 1: 1}, control {2: 3, 1: 1}; at share 1/2 the top one of each:
// 5/2 - 3/2 = 1; at share 1: 6/2 - 4/2 = 1. Area 0.25 + 0.5 = 0.75; diagonal 0.5.
TEST(Qini, HandComputedTreatedAgainstControl) {
  const auto q = qini_curve({1, 2}, {1, 5}, {2, 1}, {3, 1}, 2);
  EXPECT_DOUBLE_EQ(q.uplift[0], 0.0);
  EXPECT_DOUBLE_EQ(q.uplift[1], 1.0);
  EXPECT_DOUBLE_EQ(q.uplift[2], 1.0);
  EXPECT_DOUBLE_EQ(q.auuc, 0.75);
  EXPECT_DOUBLE_EQ(q.random_auuc, 0.5);
  EXPECT_THROW(qini_curve({1}, {1, 2}, 4), std::invalid_argument);
  EXPECT_THROW(qini_curve({1}, {1}, 0), std::invalid_argument);
}

// Ranking by the effect itself gives the largest area of any ranking (every point of its
// curve is the largest sum of that many effects); random rankings average the diagonal.
TEST(Qini, TrueRankingIsMaximalAndRandomIsTheDiagonal) {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal;
  const std::size_t n = 2000;
  std::vector<double> effect(n), noisy(n);
  for (std::size_t i = 0; i < n; ++i) {
    effect[i] = 0.3 + normal(rng);
    noisy[i] = effect[i] + 2.0 * normal(rng);  // an imperfect model's score
  }
  const auto perfect = qini_curve(effect, effect, 100);
  const auto model = qini_curve(noisy, effect, 100);
  EXPECT_GT(model.auuc, model.random_auuc);
  EXPECT_LT(model.auuc, perfect.auuc);
  for (std::size_t j = 0; j < perfect.uplift.size(); ++j)
    EXPECT_LE(model.uplift[j], perfect.uplift[j] + 1e-12);
  double total = 0.0, max_random = -1e9;
  const int draws = 200;
  std::vector<double> score(n);
  for (int d = 0; d < draws; ++d) {
    for (auto& s : score) s = normal(rng);
    const auto r = qini_curve(score, effect, 100);
    total += r.auuc;
    max_random = std::max(max_random, r.auuc);
  }
  // One random ranking's area has sd ~ sd(effect) / sqrt(12 n) ~ 0.006; the mean of 200
  // ~ 0.0005.
  EXPECT_NEAR(total / draws, perfect.random_auuc, 0.003);
  EXPECT_LT(max_random, perfect.auuc);
  EXPECT_NEAR(perfect.random_auuc, model.random_auuc, 1e-12);  // the same Q(1), summed in another order
}
