#include "mirror/results/true_value.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace mirror::results;

// Replications: control 10, 12; arm 12, 16. Control value 11 +- 1 (sd sqrt 2 / sqrt 2);
// arm 14 +- 2; the arm's uplift per replication 2, 4: 3 +- 1. The main run: 10.5 and 13
// (uplift 2.5, error -0.5).
TEST(TrueValue, HandComputed) {
  const auto t = true_values({"control", "arm"}, 0, {{10, 12}, {12, 16}}, {10.5, 13},
                             {10.4, std::nan("")});
  ASSERT_EQ(t.size(), 2u);
  EXPECT_DOUBLE_EQ(t[0].value, 11);
  EXPECT_DOUBLE_EQ(t[0].value_se, 1);
  EXPECT_DOUBLE_EQ(t[0].uplift, 0);
  EXPECT_NEAR(t[0].run_expected_error, -0.6, 1e-12);
  EXPECT_DOUBLE_EQ(t[1].value, 14);
  EXPECT_DOUBLE_EQ(t[1].value_se, 2);
  EXPECT_DOUBLE_EQ(t[1].uplift, 3);
  EXPECT_DOUBLE_EQ(t[1].uplift_se, 1);
  EXPECT_DOUBLE_EQ(t[1].run_error, -1);
  EXPECT_DOUBLE_EQ(t[1].run_uplift, 2.5);
  EXPECT_DOUBLE_EQ(t[1].run_uplift_error, -0.5);
  EXPECT_TRUE(std::isnan(t[1].run_expected_error));
  EXPECT_EQ(t[1].replications, 2);
  EXPECT_THROW(true_values({"a"}, 0, {}, {1}, {1}), std::invalid_argument);
  EXPECT_THROW(true_values({"a"}, 1, {{1}}, {1}, {1}), std::invalid_argument);
}
