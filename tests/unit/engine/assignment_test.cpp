#include "mirror/engine/assignment.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "mirror/engine/engine.hpp"
#include "mirror/engine/shard.hpp"
#include "test_scenarios.hpp"

using namespace mirror;

namespace {
core::ScenarioSpec stratified(std::uint32_t customers, double holdout) {
  auto spec = test_support::small_scenario(customers, 5);
  spec.experiment.design = core::ExperimentSpec::Design::stratified;
  spec.experiment.holdout_share = holdout;
  return spec;
}
}  // namespace

// 10 customers, 30% holdout, 3 arms: 3 to the control, then blocks of 4 and 3; the larger
// block goes to the non-control arm `rotate` points at. The order is the assignment draw's.
TEST(Assignment, OneStratumHandComputed) {
  auto spec = stratified(10, 0.3);
  std::vector<std::uint64_t> ids{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<std::pair<double, std::uint64_t>> order;
  for (auto id : ids)
    order.emplace_back(core::RandomStream(spec.seed, id, core::kNoDay, core::Purpose::assignment).uniform(), id);
  std::sort(order.begin(), order.end());
  for (int rotate = 0; rotate < 2; ++rotate) {
    std::vector<std::int8_t> arm(10, -1);
    engine::assign_stratum(spec, ids, rotate, arm);
    std::vector<int> expected{0, 0, 0, 1, 1, 1, 2, 2, 2, 2};  // rotate 1: arm 2 gets 4
    if (rotate == 0) expected = {0, 0, 0, 1, 1, 1, 1, 2, 2, 2};
    for (std::size_t k = 0; k < 10; ++k) EXPECT_EQ(arm[order[k].second], expected[k]) << k;
  }
  // The control need not be the first arm.
  spec.experiment.control = 1;
  std::vector<std::int8_t> arm(10, -1);
  engine::assign_stratum(spec, ids, 0, arm);
  std::vector<int> expected{1, 1, 1, 0, 0, 0, 0, 2, 2, 2};
  for (std::size_t k = 0; k < 10; ++k) EXPECT_EQ(arm[order[k].second], expected[k]) << k;
}

// Every segment is shared exactly: round(holdout x n) in the control, the rest within one
// of each other.
TEST(Assignment, StratifiedSharesEverySegmentExactly) {
  const auto spec = stratified(5003, 0.2);
  const auto arm = engine::assign_arms(spec);
  const auto segment = engine::population_segments(spec);
  ASSERT_EQ(arm.size(), 5003u);
  std::map<int, std::vector<int>> count;  // segment -> count per arm
  for (std::size_t i = 0; i < arm.size(); ++i) {
    auto& c = count[segment[i]];
    c.resize(3);
    ASSERT_GE(arm[i], 0);
    ASSERT_LT(arm[i], 3);
    ++c[arm[i]];
  }
  ASSERT_EQ(count.size(), spec.world.segments.size());
  for (const auto& [s, c] : count) {
    const int n = c[0] + c[1] + c[2];
    EXPECT_EQ(c[0], static_cast<int>(std::llround(0.2 * n))) << s;
    EXPECT_LE(std::abs(c[1] - c[2]), 1) << s;
  }
}

TEST(Assignment, StratifiedDoesNotDependOnShards) {
  const auto spec = stratified(2000, 0.5);
  const auto arm = engine::assign_arms(spec);
  for (int a = 0; a < 3; ++a) {
    const auto tail = engine::arm_membership(spec, a, 1300, 700);
    for (std::size_t i = 0; i < 700; ++i) ASSERT_EQ(tail[i], arm[1300 + i] == a ? 1 : 0) << i;
  }
  // The whole run: the same customers in each arm for 1 and 5 shards.
  engine::RunOptions one, five;
  one.threads = 1;
  one.shards = 1;
  five.threads = 2;
  five.shards = 5;
  const auto r1 = engine::run_scenario(stratified(600, 0.3), one);
  const auto r5 = engine::run_scenario(stratified(600, 0.3), five);
  for (std::size_t a = 0; a < r1.arms.size(); ++a) {
    ASSERT_EQ(r1.arms[a].customers.size(), r5.arms[a].customers.size());
    for (std::size_t i = 0; i < r1.arms[a].customers.size(); ++i) {
      EXPECT_EQ(r1.arms[a].customers[i].customer_id, r5.arms[a].customers[i].customer_id);
      EXPECT_EQ(r1.arms[a].customers[i].margin, r5.arms[a].customers[i].margin);
    }
  }
}

// A world whose two segments differ a lot (one buys nearly every day, one almost never):
// most of the variance of profit is between segments, which the stratified estimator
// removes. Its interval is much narrower than the split design's Welch interval, and both
// cover the same uplift.
TEST(Assignment, StratifiedIntervalIsNarrowerWhereSegmentsDiffer) {
  auto spec = test_support::small_scenario(6000, 10);
  spec.world.segments.resize(2);
  auto& busy = spec.world.segments[0];
  busy.share = 0.5;
  busy.visit_rate = 0.9;
  busy.purchase_rate = 0.9;
  busy.spend_sigma = 0.05;
  busy.spend_mean = 100;
  auto& quiet = spec.world.segments[1];
  quiet.share = 0.5;
  quiet.visit_rate = 0.01;
  quiet.spend_mean = 20;
  spec.experiment.holdout_share = 0.5;
  engine::RunOptions options;
  options.threads = 2;
  spec.experiment.design = core::ExperimentSpec::Design::split;
  const auto split = engine::run_scenario(spec, options);
  spec.experiment.design = core::ExperimentSpec::Design::stratified;
  const auto strat = engine::run_scenario(spec, options);
  const auto profit = [](const results::RunResults& r, const std::string& arm) {
    for (const auto& row : r.summary)
      if (row.arm == arm && row.metric == "profit") return row;
    throw std::runtime_error("no row");
  };
  for (const std::string arm : {"email", "sms"}) {
    const auto a = profit(split, arm), b = profit(strat, arm);
    const double w_split = a.uplift_ci_high - a.uplift_ci_low;
    const double w_strat = b.uplift_ci_high - b.uplift_ci_low;
    EXPECT_LT(w_strat, 0.5 * w_split) << arm << " " << w_strat << " vs " << w_split;
    EXPECT_GT(w_strat, 0.0);
    EXPECT_LT(a.uplift_ci_low, b.uplift_ci_high) << arm;
    EXPECT_LT(b.uplift_ci_low, a.uplift_ci_high) << arm;
  }
}
