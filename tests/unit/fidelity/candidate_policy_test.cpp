// The fidelity report's candidate policies and its rank correlation.
#include <gtest/gtest.h>

#include <cmath>

#include "mirror/fidelity/fidelity.hpp"
#include "mirror/results/correlation.hpp"

namespace {

using mirror::fidelity::CustomerContext;
using mirror::fidelity::WorldActions;

// none, email_a (channel 0), sms_b (channel 1); segments new, vip.
WorldActions tiny_world() {
  WorldActions w;
  w.actions = {"none", "email_a", "sms_b"};
  w.channel_index = {-1, 0, 1};
  w.channels = {"email", "sms"};
  w.segments = {"new", "vip"};
  return w;
}

std::vector<double> distribution(const std::string& spec, const CustomerContext& x,
                                 const std::vector<std::vector<double>>& mirror = {},
                                 const std::vector<std::vector<double>>& truth = {}) {
  const auto w = tiny_world();
  std::vector<double> out;
  mirror::fidelity::policy_distribution(mirror::fidelity::parse_policy(spec, w, mirror, truth), w, x, out);
  return out;
}

TEST(CandidatePolicy, AnActionGoesToEveryoneWithConsentAndNoneToTheRest) {
  EXPECT_EQ(distribution("sms_b", {0, 0b11}), (std::vector<double>{0, 0, 1}));
  EXPECT_EQ(distribution("sms_b", {1, 0b01}), (std::vector<double>{1, 0, 0}));  // no sms consent
  EXPECT_EQ(distribution("none", {1, 0b11}), (std::vector<double>{1, 0, 0}));
}

TEST(CandidatePolicy, RandomIsUniformOverNoneAndTheDeliverableActions) {
  EXPECT_EQ(distribution("random", {0, 0b11}), (std::vector<double>{1.0 / 3, 1.0 / 3, 1.0 / 3}));
  EXPECT_EQ(distribution("random", {0, 0b10}), (std::vector<double>{0.5, 0, 0.5}));
  EXPECT_EQ(distribution("random", {0, 0}), (std::vector<double>{1, 0, 0}));
}

TEST(CandidatePolicy, RulesMapSegmentsToActionsAndTheRestToNone) {
  EXPECT_EQ(distribution("rule:vip=email_a", {1, 0b11}), (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(distribution("rule:vip=email_a", {0, 0b11}), (std::vector<double>{1, 0, 0}));
  EXPECT_EQ(distribution("rule:vip=email_a+new=sms_b", {0, 0b11}), (std::vector<double>{0, 0, 1}));
}

TEST(CandidatePolicy, BestPerSegmentTakesTheHighestValueAndNoneOnATie) {
  const std::vector<std::vector<double>> mirror{{1.0, 3.0, 2.0}, {5.0, 5.0, 4.0}};
  const std::vector<std::vector<double>> truth{{1.0, 0.0, 2.0}, {0.0, 1.0, 0.0}};
  EXPECT_EQ(distribution("mirror_best", {0, 0b11}, mirror, truth), (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(distribution("mirror_best", {1, 0b11}, mirror, truth), (std::vector<double>{1, 0, 0}));
  EXPECT_EQ(distribution("oracle_best", {0, 0b11}, mirror, truth), (std::vector<double>{0, 0, 1}));
  EXPECT_EQ(distribution("oracle_best", {1, 0b11}, mirror, truth), (std::vector<double>{0, 1, 0}));
}

TEST(CandidatePolicy, BadSpecsNameWhatWasExpected) {
  const auto w = tiny_world();
  const auto message = [&](const std::string& spec) {
    try {
      mirror::fidelity::parse_policy(spec, w, {}, {});
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("sms_c"),
            "policy 'sms_c': unknown policy 'sms_c' (expected one of none, email_a, sms_b, random, mirror_best, "
            "oracle_best, rule:SEGMENT=ACTION+...)");
  EXPECT_EQ(message("rule:gold=sms_b"),
            "policy 'rule:gold=sms_b': unknown segment 'gold' (expected one of new, vip)");
  EXPECT_EQ(message("rule:vip"), "policy 'rule:vip': 'vip' is not SEGMENT=ACTION");
  EXPECT_EQ(message("rule:vip=push"),
            "policy 'rule:vip=push': unknown action 'push' (expected one of none, email_a, sms_b)");
}

TEST(CandidatePolicy, DefaultsAreNoneRandomEveryActionAndTheTwoBestRules) {
  EXPECT_EQ(mirror::fidelity::default_policy_names(tiny_world()),
            (std::vector<std::string>{"none", "random", "email_a", "sms_b", "mirror_best", "oracle_best"}));
}

TEST(Correlation, SpearmanKnownValuesWithAndWithoutTies) {
  using mirror::results::spearman;
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  // Ranks (1, 2, 3) against (1.5, 1.5, 3): Pearson of the ranks = 1.5 / sqrt(2 * 1.5).
  EXPECT_NEAR(spearman({1, 2, 3}, {5, 5, 7}), 1.5 / std::sqrt(2.0 * 1.5), 1e-15);
  // d = (0, 1, -1, 0): 1 - 6 * 2 / (4 * 15) = 0.8.
  EXPECT_NEAR(spearman({1, 2, 3, 4}, {1, 3, 2, 4}), 0.8, 1e-15);
  EXPECT_TRUE(std::isnan(spearman({1, 1, 1}, {1, 2, 3})));
}

TEST(Correlation, PearsonKnownValues) {
  using mirror::results::pearson;
  EXPECT_NEAR(pearson({1, 2, 3}, {2, 4, 6}), 1.0, 1e-15);
  // x centred (-1, 0, 1), y centred (-1/3, 2/3, -1/3): r = 0.
  EXPECT_NEAR(pearson({1, 2, 3}, {0, 1, 0}), 0.0, 1e-15);
  EXPECT_TRUE(std::isnan(pearson({1, 2}, {1, 2, 3})));
}

// The size a correlation cannot see: half the truth everywhere correlates perfectly, and
// has a slope of 0.5.
TEST(Correlation, SlopeThroughOriginMeasuresSize) {
  using mirror::results::slope_through_origin;
  EXPECT_NEAR(slope_through_origin({1, 2, 3}, {0.5, 1, 1.5}), 0.5, 1e-15);
  // (1 x 2 + 2 x 1) / (1 + 4) = 0.8: an intercept is not fitted.
  EXPECT_NEAR(slope_through_origin({1, 2}, {2, 1}), 0.8, 1e-15);
  EXPECT_NEAR(slope_through_origin({-1, 2}, {-3, 6}), 3.0, 1e-15);
  EXPECT_TRUE(std::isnan(slope_through_origin({0, 0}, {1, 2})));
  EXPECT_TRUE(std::isnan(slope_through_origin({1, 2}, {1})));
}

}  // namespace
