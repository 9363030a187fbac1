#include "student_t.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace mirror::results;

// Reference values from mpmath (30 digits): root of 1 - I_{df/(df+t^2)}(df/2, 1/2)/2 = p.
TEST(StudentT, QuantilesMatchReferenceValues) {
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.7062047362, 1e-8);
  EXPECT_NEAR(student_t_quantile(0.975, 3), 3.18244630528, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 10), 2.22813885199, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.0422724563, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 1000), 1.96233908083, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 5.584615384615385), 2.49171412613, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.025, 10), -2.22813885199, 1e-9);
  EXPECT_EQ(student_t_quantile(0.5, 7), 0.0);
}

TEST(StudentT, CdfClosedForms) {
  EXPECT_NEAR(student_t_cdf(0.0, 4), 0.5, 1e-15);
  EXPECT_NEAR(student_t_cdf(1.0, 1), 0.75, 1e-12);                      // Cauchy
  EXPECT_NEAR(student_t_cdf(2.0, 2), 0.5 + 1.0 / std::sqrt(6.0), 1e-12);  // df = 2
  EXPECT_NEAR(student_t_cdf(-2.0, 2), 0.5 - 1.0 / std::sqrt(6.0), 1e-12);
}

TEST(StudentT, RejectsBadArguments) {
  EXPECT_THROW(student_t_quantile(0.0, 3), std::invalid_argument);
  EXPECT_THROW(student_t_quantile(1.0, 3), std::invalid_argument);
  EXPECT_THROW(student_t_quantile(0.9, 0), std::invalid_argument);
}
