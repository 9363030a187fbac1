// The Thompson learners' chance that each Beta posterior's draw is the largest, against the
// two-arm closed form, symmetry, and the exact rule for many arms with many trials.
#include "beta_race.hpp"

#include <gtest/gtest.h>

#include <random>

#include "beta_closed_form.hpp"

namespace mirror::policies::learner {
namespace {

using test_support::p_first_wins;
using Posteriors = std::vector<std::pair<double, double>>;

TEST(BetaRace, TwoArmsMatchTheClosedForm) {
  // Few trials (the exact rule) and many (the composite one), close and far apart.
  const std::vector<std::array<int, 4>> cases{
      {1, 1, 1, 1},       {2, 1, 1, 1},         {3, 5, 2, 7},          {12, 30, 4, 9},
      {301, 9701, 331, 9671}, {41, 2961, 2, 38}, {1, 20001, 5, 19997}, {2001, 18001, 1001, 9001}};
  for (const auto& [a1, b1, a2, b2] : cases) {
    const auto p = beta_race({{a1, b1}, {a2, b2}});
    ASSERT_EQ(p.size(), 2u);
    const double expected = p_first_wins(a1, b1, a2, b2);
    // The closed form sums exp(lgamma differences); at parameters near 2 * 10^4 lgamma's
    // rounding leaves it good to about 2e-11.
    EXPECT_NEAR(p[0], expected, 5e-11) << a1 << " " << b1 << " " << a2 << " " << b2;
    EXPECT_NEAR(p[1], 1.0 - expected, 5e-11) << a1 << " " << b1 << " " << a2 << " " << b2;
  }
}

TEST(BetaRace, EqualPosteriorsShareEvenly) {
  for (const auto& [a, b] : std::vector<std::pair<double, double>>{{1, 1}, {40, 900}, {5001, 40001}}) {
    const auto p = beta_race(Posteriors(5, {a, b}));
    for (double x : p) EXPECT_NEAR(x, 0.2, 1e-12) << a << " " << b;
  }
}

// 25 arms as a segment learner sees them after thousands of trials, some arms much better
// explored than others: the composite rule against the exact one (a few thousand nodes).
TEST(BetaRace, ManyArmsAgreeWithTheExactRule) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 2; ++round) {
    Posteriors ab;
    for (int a = 0; a < 25; ++a) {
      const int trials = std::uniform_int_distribution<int>(0, a < 3 ? 1500 : 150)(rng);
      const double rate = std::uniform_real_distribution<double>(0.01, 0.05)(rng);
      const int wins = std::binomial_distribution<int>(trials, rate)(rng);
      ab.emplace_back(1.0 + wins, 1.0 + trials - wins);
    }
    const auto fast = beta_race(ab);
    const auto exact = beta_race_exact(ab);
    double total = 0.0;
    for (std::size_t a = 0; a < ab.size(); ++a) {
      EXPECT_NEAR(fast[a], exact[a], 1e-11) << "round " << round << " arm " << a;
      total += fast[a];
    }
    EXPECT_NEAR(total, 1.0, 1e-12);
  }
}

TEST(BetaRace, OneArmAlwaysWins) { EXPECT_EQ(beta_race({{3, 9}}), std::vector<double>{1.0}); }

}  // namespace
}  // namespace mirror::policies::learner
