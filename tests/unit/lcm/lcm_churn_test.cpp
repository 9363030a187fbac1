// An observed churn is final: a customer whose log holds one does nothing afterwards in the
// LCM's rollouts, whatever a contact's response would be (the model never saw a contact
// after a churn: the log stops deciding for such customers).
#include <gtest/gtest.h>

#include "blank_lcm.hpp"
#include "blank_sequences.hpp"
#include "mirror/twins/lcm_validation.hpp"

namespace mirror::twins {
namespace {

// Two customers over 10 calibration and 6 holdout days: both visit on day 1, customer 1
// churns on day 5.
LcmSequences churned_second() {
  auto s = test_support::blank_sequences(2, 16, 10);
  s.ids = {"c1", "c2"};
  s.birth = {1, 1};
  s.events[(0 * 16 + 1) * kLcmEventCount + kLcmVisit] = 1;
  s.events[(1 * 16 + 1) * kLcmEventCount + kLcmVisit] = 1;
  s.events[(1 * 16 + 5) * kLcmEventCount + kLcmChurn] = 1;
  return s;
}

// Buys on 12% of days (logit -2) and a contact brings 95% more (response logit 3).
LcmArtifact eager_model() {
  LcmArtifact a = test_support::blank_lcm(2);
  a.weights.b_head[kHeadPurchase] = -2.0f;
  a.weights.b_head[kHeadPurchaseResponse] = 3.0f;
  a.weights.b_head[kHeadLogSpend] = 3.0f;
  a.weights.log_spend_sigma = 0.5f;
  lcm_prepare(a.weights);
  return a;
}

TEST(LcmChurn, TheHistoryKeepsTheFirstChurn) {
  LcmHistory history;
  float day[kLcmEventCount] = {};
  day[kLcmVisit] = 1;
  history.observe(day, nullptr, 2);
  EXPECT_FALSE(history.churned());
  day[kLcmChurn] = 1;
  history.observe(day, nullptr, 4);
  history.observe(day, nullptr, 6);
  EXPECT_TRUE(history.churned());
  EXPECT_EQ(history.churn_step, 4);
}

TEST(LcmChurn, ACustomerWhoLeftBuysNothingWithOrWithoutAContact) {
  const auto model = eager_model();
  const auto data = churned_second();
  std::vector<float> h(2);
  EXPECT_FALSE(lcm_warm_up(model.weights, data, 0, h.data()).churned());
  EXPECT_TRUE(lcm_warm_up(model.weights, data, 1, h.data()).churned());

  std::vector<LcmActionFeatures> actions(2);
  actions[0].category = lcm_action_features("", "", "", data.categories, actions[0].data());
  actions[1].category = lcm_action_features("email", "news", "", data.categories, actions[1].data());
  const auto out = lcm_action_outcomes(model, data, actions, 3, 8, 5, 1);
  // Customer 0: about 0.12 x 3 purchase days without the email, 0.95 more with it.
  EXPECT_GT(out.purchases[0], 0.2);
  EXPECT_GT(out.purchases[1], out.purchases[0] + 0.5);
  EXPECT_GT(out.revenue[1], out.revenue[0]);
  for (int a = 0; a < 2; ++a) {
    EXPECT_EQ(out.purchases[2 + a], 0.0) << a;
    EXPECT_EQ(out.revenue[2 + a], 0.0) << a;
  }
  const auto forecast = lcm_forecast(model, data, 8, 5, 1);
  EXPECT_GT(forecast.purchases[0], 0.2);
  EXPECT_EQ(forecast.purchases[1], 0.0);
}

}  // namespace
}  // namespace mirror::twins
