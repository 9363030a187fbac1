// The LCM against its own log's experiments: the model's same-day effect of each logged
// contact, and the log's contrast of contact days with 'none' decision days.
#include <gtest/gtest.h>

#include <cmath>

#include "blank_lcm.hpp"
#include "blank_sequences.hpp"
#include "mirror/twins/lcm_logged.hpp"
#include "random_lcm.hpp"

namespace mirror::twins {
namespace {

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// A model that ignores everything but a contact: purchase base logit -2, purchase response
// logit -1, every other event (practically) impossible.
LcmArtifact constant_model() {
  LcmArtifact a = test_support::blank_lcm(2);
  auto& w = a.weights;
  w.b_head[kHeadPurchase] = -2.0f;
  w.b_head[kHeadPurchaseResponse] = -1.0f;
  w.b_head[kHeadLogSpend] = 3.0f;
  w.log_spend_sigma = 0.5f;
  lcm_prepare(w);
  return a;
}

constexpr std::int32_t kFirstDay = 20000;

// Two customers over 10 days, all calibration: customer 0 visits on day 1, customer 1's first
// event is a visit on day 5 and it spends 50 on day 7. Customer 0 gets an sms on day 3.
LcmSequences two_customers() {
  auto s = test_support::blank_sequences(2, 10, 10, kFirstDay);
  s.ids = {"c1", "c2"};
  s.birth = {1, 5};
  s.events[(0 * 10 + 1) * kLcmEventCount + kLcmVisit] = 1;
  s.events[(1 * 10 + 5) * kLcmEventCount + kLcmVisit] = 1;
  s.events[(1 * 10 + 7) * kLcmEventCount + kLcmPurchase] = 1;
  s.events[(1 * 10 + 7) * kLcmEventCount + kLcmLogSpend] = static_cast<float>(std::log1p(50.0) / 4);
  s.actions[(0 * 10 + 3) * kLcmActionCount + kLcmAny] = 1;
  s.actions[(0 * 10 + 3) * kLcmActionCount + kLcmSms] = 1;
  return s;
}

void decide(core::DecisionBatch& b, std::int64_t customer, std::int32_t day, std::int32_t channel) {
  b.customer.push_back(customer);
  b.timestamp.push_back((kFirstDay + day) * core::kSecondsPerDay + 8 * 3600);
  b.arm.push_back(-1);
  b.policy.push_back(-1);
  b.channel.push_back(channel);
  b.message.push_back(channel < 0 ? -1 : 0);
  b.offer.push_back(channel < 0 ? -1 : 0);
  b.propensity.push_back(0.5);
  b.cost.push_back(0);
  b.position.push_back(0);
  b.reward.push_back(std::nan(""));
}

TEST(LcmLogged, TheModelsUpliftIsItsResponseOnTheDaysOfTheLoggedContacts) {
  const auto model = constant_model();
  const auto data = two_customers();
  core::DecisionBatch b;
  decide(b, 0, 0, -1);   // before customer 0's first event: left out
  decide(b, 0, 3, 0);    // the sms
  decide(b, 0, 6, -1);   // 'none'
  decide(b, 1, 5, -1);   // customer 1's first event is today: no state yet, left out
  decide(b, 1, 7, -1);   // 'none', and it buys
  decide(b, 1, 12, 0);   // after the calibration period: left out
  decide(b, 2, 3, 0);    // a customer the sequences do not hold: left out
  const auto logged = lcm_logged_decisions(model, data, b, 1);
  ASSERT_EQ(logged.size(), 3u);
  EXPECT_EQ(logged.row, (std::vector<std::size_t>{1, 2, 4}));
  EXPECT_EQ(logged.customer, (std::vector<std::uint32_t>{0, 0, 1}));
  EXPECT_EQ(logged.bought, (std::vector<std::uint8_t>{0, 0, 1}));
  const double p = sigmoid(-2), r = sigmoid(-1);
  for (std::size_t j = 0; j < 3; ++j) EXPECT_NEAR(logged.p_none[j], p, 1e-6);
  EXPECT_NEAR(logged.p_logged[0], 1 - (1 - p) * (1 - r), 1e-6);  // the contact adds (1 - p) r
  EXPECT_EQ(logged.p_logged[1], logged.p_none[1]);
  EXPECT_EQ(logged.p_logged[2], logged.p_none[2]);
  const double spend = std::expm1(3.0 + 0.5 * 0.25);  // the log-normal mean, minus the 1 of log1p
  for (std::size_t j = 0; j < 3; ++j) {
    EXPECT_NEAR(logged.spend_logged[j], spend, 1e-4);  // this model's spend ignores the contact
    EXPECT_NEAR(logged.spend_none[j], spend, 1e-4);
  }
  EXPECT_EQ(logged.spent[0], 0.0);
  EXPECT_NEAR(logged.spent[2], 50.0, 1e-4);
  const auto two = lcm_logged_decisions(model, data, b, 2);  // any thread count, same rows
  EXPECT_EQ(two.row, logged.row);
  EXPECT_EQ(two.p_logged, logged.p_logged);
}

// With a state that moves, the heads of a logged day read the state after that day's step,
// as in training and in the mirror world (they once read the day before's).
TEST(LcmLogged, TheHeadsReadTheStateAfterTheDaysStep) {
  LcmArtifact model;
  model.config.hidden = 3;
  model.weights = test_support::random_lcm_weights(3, 11, 0.8f);
  const auto data = two_customers();
  core::DecisionBatch b;
  decide(b, 0, 3, 0);   // the sms
  decide(b, 0, 6, -1);  // 'none'
  const auto logged = lcm_logged_decisions(model, data, b, 1);
  ASSERT_EQ(logged.size(), 2u);
  // Teacher-forced by hand: from customer 0's first event on, a step a day, heads after it.
  const auto& w = model.weights;
  std::vector<float> h(3, 0.0f), x(kLcmInputs), heads(kLcmHeadCount);
  LcmHistory history;
  std::vector<double> p_logged;
  for (std::int32_t d = 0; d <= 6; ++d) {
    if (d > 0) history.observe(data.events_at(0, d - 1), data.actions_at(0, d - 1), d - 1);
    if (history.birth < 0) continue;
    lcm_inputs(data.events_at(0, d - 1), data.actions_at(0, d), kFirstDay + d, d, history, x.data());
    lcm_step(w, h.data(), x.data(), h.data(), 1);
    lcm_heads(w, h.data(), x.data(), heads.data(), 1);
    if (d == 3 || d == 6) p_logged.push_back(sigmoid(heads[kHeadPurchase]));
  }
  EXPECT_NEAR(logged.p_logged[0], p_logged[0], 1e-6);
  EXPECT_NEAR(logged.p_logged[1], p_logged[1], 1e-6);
  EXPECT_NE(logged.p_logged[0], logged.p_none[0]);  // the sms acts through the response
}

TEST(LcmLogged, TheLogsContrastComparesContactDaysWithNoneDaysOfCustomersTheChannelReached) {
  // Channel 0 reaches customers 0, 1 (in a decision outside `logged`) and 3; channel 1 only 3.
  core::DecisionBatch b;
  decide(b, 0, 1, 0);   // row 0: contact, bought
  decide(b, 0, 2, -1);  // row 1: none, not bought
  decide(b, 1, 2, -1);  // row 2: none, bought
  decide(b, 2, 2, -1);  // row 3: none, not bought; channel 0 never reached customer 2
  decide(b, 3, 1, 0);   // row 4: contact, not bought; customer 3 is in no group
  decide(b, 3, 2, 1);   // row 5: a channel-1 contact, bought
  decide(b, 1, 9, 0);   // row 6: not in `logged` (say, in the holdout), but it reached customer 1
  LcmLoggedDecisions logged;
  logged.row = {0, 1, 2, 3, 4, 5};
  logged.customer = {0, 0, 1, 2, 3, 3};
  logged.p_logged = {0.3, 0.1, 0.2, 0.1, 0.5, 0.4};
  logged.p_none = {0.1, 0.1, 0.2, 0.1, 0.2, 0.1};
  logged.bought = {1, 0, 1, 0, 0, 1};
  logged.spent = {40, 0, 20, 0, 0, 10};
  logged.spend_logged = {50, 30, 30, 30, 30, 30};
  logged.spend_none = {30, 30, 30, 30, 30, 30};
  const auto rows = lcm_logged_effects(logged, b, {0, 0, 1, -1}, 2);
  // Group 0: 'none', channel 0; group 1: 'none' only; pooled: 'none', channels 0 and 1.
  ASSERT_EQ(rows.size(), 6u);
  const auto& base = rows[0];  // the model's base on group 0's 'none' days: rows 1 and 2
  EXPECT_EQ(base.group, 0);
  EXPECT_EQ(base.channel, -1);
  EXPECT_EQ(base.contacts, 2);
  EXPECT_NEAR(base.lcm_rate, 0.15, 1e-12);
  EXPECT_EQ(base.actual_rate, 0.5);
  EXPECT_EQ(base.lcm_uplift, 0.0);
  EXPECT_TRUE(std::isnan(base.contrast));
  EXPECT_EQ(rows[2].group, 1);
  EXPECT_EQ(rows[2].channel, -1);
  EXPECT_EQ(rows[3].channel, -1);
  EXPECT_EQ(rows[3].contacts, 3);  // every 'none' decision, customer 2's too
  const auto& g = rows[1];
  EXPECT_EQ(g.group, 0);
  EXPECT_EQ(g.channel, 0);
  EXPECT_EQ(g.contacts, 1);
  EXPECT_NEAR(g.lcm_uplift, 0.2, 1e-12);
  EXPECT_NEAR(g.lcm_rate, 0.3, 1e-12);
  EXPECT_EQ(g.actual_rate, 1.0);
  EXPECT_EQ(g.none_decisions, 2);  // rows 1 and 2
  EXPECT_EQ(g.none_rate, 0.5);
  EXPECT_EQ(g.contrast, 0.5);
  EXPECT_NEAR(g.contrast_se, std::sqrt(0.25 / 2), 1e-12);
  EXPECT_NEAR(g.lcm_revenue_uplift, 0.3 * 50 - 0.1 * 30, 1e-12);
  EXPECT_NEAR(g.revenue_contrast, 40 - (0 + 20) / 2.0, 1e-12);
  EXPECT_NEAR(g.revenue_contrast_se, std::sqrt(0.0 / 1 + 100.0 / 2), 1e-12);  // spent 0 and 20: variance 100
  const auto& all = rows[4];
  EXPECT_EQ(all.group, -1);
  EXPECT_EQ(all.channel, 0);
  EXPECT_EQ(all.contacts, 2);  // customer 3 counts here
  EXPECT_NEAR(all.lcm_uplift, (0.2 + 0.3) / 2, 1e-12);
  EXPECT_EQ(all.actual_rate, 0.5);
  EXPECT_EQ(all.none_decisions, 2);  // still not customer 2's
  EXPECT_EQ(all.contrast, 0.0);
  const auto& other = rows[5];
  EXPECT_EQ(other.channel, 1);
  EXPECT_EQ(other.contacts, 1);
  EXPECT_TRUE(std::isnan(other.contrast));  // nobody channel 1 reached had a 'none' day
  EXPECT_TRUE(std::isnan(other.contrast_se));
  EXPECT_TRUE(std::isnan(other.revenue_contrast));

  // One group: its rows only, no pooled copy.
  const auto one = lcm_logged_effects(logged, b, {0, 0, 0, 0}, 1);
  ASSERT_EQ(one.size(), 3u);
  EXPECT_EQ(one[1].group, 0);
  EXPECT_EQ(one[1].contacts, 2);
  EXPECT_EQ(one[1].none_decisions, 2);
}

}  // namespace
}  // namespace mirror::twins
