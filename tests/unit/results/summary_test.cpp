#include <gtest/gtest.h>

#include <random>

#include "mirror/results/run_results.hpp"

using namespace mirror;
using results::ArmResult;
using results::CustomerResult;
using Design = core::ExperimentSpec::Design;

namespace {

// An arm whose customers have the given revenues (ids 0..n-1).
ArmResult arm(const std::string& name, const std::vector<double>& revenue) {
  ArmResult a;
  a.name = name;
  for (std::size_t i = 0; i < revenue.size(); ++i) {
    CustomerResult c;
    c.customer_id = i;
    c.revenue = core::to_micros(revenue[i]);
    c.margin = core::to_micros(revenue[i] / 2);
    c.cost = core::to_micros(0.5);
    c.conversions = 1;
    a.customers.push_back(c);
  }
  return a;
}

const results::SummaryRow& row(const std::vector<results::SummaryRow>& rows,
                               const std::string& arm, const std::string& metric) {
  for (const auto& r : rows)
    if (r.arm == arm && r.metric == metric) return r;
  throw std::runtime_error("no row");
}

}  // namespace

// Reference values from python3 statistics + mpmath t quantiles (see student_t_test.cpp).
TEST(Summarize, MeanIntervalAndPairedUplift) {
  const auto rows = results::summarize({arm("control", {1, 2, 4, 3}), arm("a", {3, 5, 4, 7})}, 0,
                                       Design::paired);
  ASSERT_EQ(rows.size(), 2u * core::kMetricCount);
  const auto& r = row(rows, "a", "revenue");
  EXPECT_EQ(r.n, 4);
  EXPECT_NEAR(r.mean, 4.75, 1e-12);
  EXPECT_NEAR(r.ci_high - r.mean, 2.7175308838, 1e-9);
  EXPECT_NEAR(r.mean - r.ci_low, 2.7175308838, 1e-9);
  EXPECT_NEAR(r.uplift, 2.25, 1e-12);  // differences 2, 3, 0, 4
  EXPECT_NEAR(r.uplift_ci_high - r.uplift, 2.7175308838, 1e-9);
  const auto& c = row(rows, "control", "revenue");
  EXPECT_EQ(c.uplift, 0.0);
  EXPECT_EQ(c.uplift_ci_low, 0.0);
  EXPECT_EQ(c.uplift_ci_high, 0.0);
  // profit = margin - cost: (4.75 / 2) - 0.5
  EXPECT_NEAR(row(rows, "a", "profit").mean, 1.875, 1e-12);
  // A constant metric has a zero-width interval.
  const auto& conv = row(rows, "a", "conversions");
  EXPECT_EQ(conv.ci_low, 1.0);
  EXPECT_EQ(conv.ci_high, 1.0);
}

TEST(Summarize, WelchUpliftInTheSplitDesign) {
  const auto rows = results::summarize({arm("control", {1, 2, 4, 3}), arm("a", {3, 5, 4, 7})}, 0,
                                       Design::split);
  const auto& r = row(rows, "a", "revenue");
  EXPECT_NEAR(r.uplift, 2.25, 1e-12);
  // Welch-Satterthwaite df = 5.5846; t = 2.49171412613; se = sqrt(8.75/12 + 5/12).
  EXPECT_NEAR(r.uplift_ci_high - r.uplift, 2.66722062247, 1e-9);
  EXPECT_NEAR(r.uplift - r.uplift_ci_low, 2.66722062247, 1e-9);
}

TEST(Summarize, PairedDesignRequiresTheSameCustomers) {
  auto other = arm("a", {3, 5, 4, 7});
  other.customers[2].customer_id = 99;
  EXPECT_THROW(results::summarize({arm("control", {1, 2, 4, 3}), other}, 0, Design::paired),
               std::invalid_argument);
  EXPECT_THROW(results::summarize({arm("control", {1, 2}), arm("a", {1, 2, 3})}, 0, Design::paired),
               std::invalid_argument);
  EXPECT_THROW(results::summarize({arm("control", {1})}, 3, Design::paired), std::invalid_argument);
}

TEST(Summarize, SingleCustomerGivesAPointInterval) {
  const auto rows = results::summarize({arm("control", {5})}, 0, Design::paired);
  const auto& r = row(rows, "control", "revenue");
  EXPECT_EQ(r.ci_low, 5.0);
  EXPECT_EQ(r.ci_high, 5.0);
}

// 95% of 95% intervals cover the true mean. Normal data, where the t interval is exact;
// over 2,000 samples the coverage has sd 0.5 points, so [0.93, 0.97] is +-4 sd. (On skewed
// data such as exponential spend with n = 30 the t interval undercovers, near 92%.)
TEST(Summarize, IntervalsCoverTheTrueMean) {
  std::mt19937_64 rng(12345);
  std::normal_distribution<double> spend(20.0, 5.0);
  int covered = 0;
  const int trials = 2000;
  for (int t = 0; t < trials; ++t) {
    std::vector<double> v(30);
    for (auto& x : v) x = spend(rng);
    const auto rows = results::summarize({arm("control", v)}, 0, Design::paired);
    const auto& r = row(rows, "control", "revenue");
    covered += r.ci_low <= 20.0 && 20.0 <= r.ci_high;
  }
  EXPECT_GE(covered, 0.93 * trials);
  EXPECT_LE(covered, 0.97 * trials);
}

TEST(DailyTotals, AddEveryCounter) {
  results::DailyTotals a, b;
  a.day = 3;
  a.revenue = 5;
  a.contacts_by_channel = {1, 2, 3};
  a.active = 10;
  b.day = 3;
  b.revenue = 7;
  b.contacts_by_channel = {10, 20, 30};
  b.active = 4;
  b.blocked_by_consent = 2;
  a += b;
  EXPECT_EQ(a.day, 3);
  EXPECT_EQ(a.revenue, 12);
  EXPECT_EQ(a.contacts_by_channel, (core::ChannelArray<std::int64_t>{11, 22, 33}));
  EXPECT_EQ(a.active, 14);
  EXPECT_EQ(a.blocked_by_consent, 2);
}
