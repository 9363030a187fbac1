#include "mirror/engine/ranking_curves.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "mirror/engine/engine.hpp"
#include "mirror/engine/true_value.hpp"
#include "test_scenarios.hpp"

using namespace mirror;

namespace {
core::ScenarioSpec ranking_scenario(core::ExperimentSpec::Design design) {
  auto spec = test_support::small_scenario(3000, 14);
  spec.world.categories = {{"shoes", 0.5, ""}, {"books", 0.5, ""}};
  core::PolicySpec top;
  top.kind = core::PolicySpec::Kind::propensity_top_k;
  top.channel = core::Channel::email;
  top.share = 0.3;
  top.every_days = 7;
  core::PolicySpec uplift;
  uplift.kind = core::PolicySpec::Kind::uplift;
  uplift.every_days = 7;
  for (int m = 0; m < 2; ++m)
    for (int offer : {-1, 0}) uplift.campaigns.push_back({core::Channel::email, offer, m});
  spec.experiment.arms = {{"control", {}}, {"top", top}, {"uplift", uplift},
                          {"blast", test_support::blast(core::Channel::email, 7)}};
  spec.experiment.design = design;
  if (design != core::ExperimentSpec::Design::paired) spec.experiment.holdout_share = 0.4;
  return spec;
}

const results::ArmQini& curve(const results::RunResults& r, const std::string& arm) {
  for (const auto& q : r.qini)
    if (q.arm == arm) return q;
  throw std::runtime_error("no curve for " + arm);
}

double mean_profit(const results::ArmResult& a) {
  double s = 0;
  for (const auto& c : a.customers) s += c.profit();
  return s / static_cast<double>(a.customers.size());
}
}  // namespace

// The uplift policy ranks by the expected profit gain of its best campaign, which in the
// ground-truth world is the true effect of its action: its curve is the perfect one. The
// propensity ranking is below it. The realized curve ends at the experiment's uplift.
TEST(QiniCurves, UpliftPolicyRanksByTheTrueEffect) {
  engine::RunOptions options;
  options.threads = 2;
  for (auto design : {core::ExperimentSpec::Design::paired, core::ExperimentSpec::Design::split}) {
    const auto spec = ranking_scenario(design);
    const auto run = engine::run_scenario(spec, options);
    ASSERT_EQ(run.qini.size(), 2u);  // not the control, not blast
    const auto& u = curve(run, "uplift");
    ASSERT_EQ(u.truth.uplift.size(), static_cast<std::size_t>(engine::kTrueQiniPoints + 1));
    for (std::size_t j = 0; j < u.truth.uplift.size(); ++j)
      EXPECT_DOUBLE_EQ(u.truth.uplift[j], u.perfect.uplift[j]) << j;
    const auto& t = curve(run, "top");
    EXPECT_LT(t.truth.auuc, t.perfect.auuc);
    EXPECT_GT(u.perfect.auuc, u.perfect.random_auuc);
    for (const auto* q : {&u, &t}) {
      ASSERT_EQ(q->realized.uplift.size(), static_cast<std::size_t>(engine::kRealizedQiniPoints + 1));
      const int a = q == &u ? 2 : 1;
      EXPECT_NEAR(q->realized.uplift.back(), mean_profit(run.arms[a]) - mean_profit(run.arms[0]), 1e-9);
    }
  }
  auto only_control = ranking_scenario(core::ExperimentSpec::Design::paired);
  only_control.experiment.arms.resize(1);
  EXPECT_TRUE(engine::run_scenario(only_control, options).qini.empty());
}

namespace {
// Standard normal CDF.
double phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// The exact expected profit per customer of doing nothing in the ground-truth world over
// `days`: a customer of segment s is active on day d with probability (1 - c)^d and then
// buys with probability E[min(v X, 0.999)] p, X log-normal with mean 1 and sigma h, the
// basket's margin averaging spend_mean x gross_margin.
double exact_no_action_value(const core::WorldSpec& w, int days) {
  double value = 0.0;
  const double h = w.heterogeneity;
  for (const auto& s : w.segments) {
    const double k = std::log(0.999 / s.visit_rate);
    const double visit = h > 0 ? s.visit_rate * phi((k - h * h / 2) / h) +
                                     0.999 * (1 - phi((k + h * h / 2) / h))
                               : std::min(s.visit_rate, 0.999);
    const double alive = (1 - std::pow(1 - s.churn_rate, days)) / s.churn_rate;
    value += s.share * visit * s.purchase_rate * s.spend_mean * w.gross_margin * alive;
  }
  return value;
}
}  // namespace

// The replications' value of `none` agrees with the closed form within its Monte-Carlo
// error, which is below 1% of the value; a visit rate near the cap tests the capped
// log-normal term.
TEST(TrueValue, ReplicationsAgreeWithTheExactValueOfNoAction) {
  auto spec = test_support::small_scenario(3000, 20);
  spec.world.segments[0].visit_rate = 0.6;
  spec.world.heterogeneity = 0.8;
  engine::RunOptions options;
  options.threads = 2;
  const auto main = engine::run_scenario(spec, options);
  const int replications = 30;
  int seen = 0;
  const auto values = engine::estimate_true_value(spec, replications, options, main,
                                                  [&](int r) { EXPECT_EQ(r, seen++); });
  EXPECT_EQ(seen, replications);
  ASSERT_EQ(values.size(), 3u);
  const double exact = exact_no_action_value(spec.world, spec.horizon_days);
  const auto& none = values[0];
  EXPECT_EQ(none.replications, replications);
  EXPECT_LT(none.value_se, 0.01 * exact);
  EXPECT_NEAR(none.value, exact, 4 * none.value_se) << "exact " << exact;
  EXPECT_DOUBLE_EQ(none.run_error, none.run_value - none.value);
  EXPECT_NEAR(none.run_value, mean_profit(main.arms[0]), 1e-9);
  // The main run is one more draw: its error is of the order of one run's spread
  // (sqrt(replications) standard errors).
  EXPECT_LT(std::fabs(none.run_error), 4 * none.value_se * std::sqrt(replications));
  for (int r = 0; r < 3; ++r) EXPECT_NE(engine::replication_seed(spec.seed, r), spec.seed);
  EXPECT_NE(engine::replication_seed(spec.seed, 0), engine::replication_seed(spec.seed, 1));
  EXPECT_THROW(engine::estimate_true_value(spec, 1, options, main), std::invalid_argument);
}
