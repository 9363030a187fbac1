#include "mirror/generate/world_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

namespace mirror::generate {
namespace {

core::SyntheticWorldSpec preset(const std::string& name) { return *core::world_preset(name); }

TEST(WorldModel, PresetsAreValid) {
  for (const auto& name : core::world_preset_names()) {
    auto w = preset(name);
    EXPECT_TRUE(core::resolve_world(w).empty()) << name;
    EXPECT_GE(w.actions.size(), 4u) << name;
  }
}

TEST(WorldModel, TraitsFollowTheShares) {
  const auto w = preset("retail");
  const WorldModel m(w, 7, 30);
  const int n = 40000;
  std::vector<int> segments(w.segments.size()), types(core::kResponseTypeCount);
  for (int i = 0; i < n; ++i) {
    const auto c = m.customer(i);
    ++segments[c.segment];
    ++types[static_cast<int>(c.type)];
  }
  for (std::size_t s = 0; s < w.segments.size(); ++s)
    EXPECT_NEAR(segments[s] / double(n), w.segments[s].share, 0.01) << w.segments[s].name;
  double persuadable = 0;
  for (const auto& s : w.segments) persuadable += s.share * s.type_shares[0];
  EXPECT_NEAR(types[0] / double(n), persuadable, 0.01);
  // Same id, same customer.
  EXPECT_EQ(m.customer(123).z, m.customer(123).z);
}

TEST(WorldModel, PolicyProbabilitiesSumToOneAndRespectConsent) {
  for (const auto& name : core::world_preset_names()) {
    const auto w = preset(name);
    const WorldModel m(w, 1, 30);
    WorldCustomerState s;
    s.consent = 1u;  // the first channel only
    s.recency = 40;
    s.fatigue = 2.0;
    s.cart_abandon_day = 9;
    std::vector<double> p;
    m.policy_probabilities(s, 10, p);
    ASSERT_EQ(static_cast<int>(p.size()), m.action_count());
    EXPECT_NEAR(std::accumulate(p.begin(), p.end(), 0.0), 1.0, 1e-12) << name;
    EXPECT_GT(p[0], 0.0);
    for (int a = 1; a < m.action_count(); ++a)
      if (m.action(a).channel_index != 0) {
        EXPECT_EQ(p[a], 0.0) << name << " " << m.action(a).name;
      }
  }
}

TEST(WorldModel, EpsilonGreedyGivesTheRuleItsShare) {
  auto w = preset("crm_fatigue");
  const WorldModel m(w, 1, 30);
  WorldCustomerState s;
  s.consent = 0b111;
  s.recency = 2;
  std::vector<double> p;
  m.policy_probabilities(s, 4, p);
  const int k = m.action_count();
  int rule = 0;
  for (int a = 1; a < k; ++a)
    if (m.action(a).name == w.logging.default_action) rule = a;
  EXPECT_NEAR(p[rule], 1 - w.logging.epsilon + w.logging.epsilon / k, 1e-12);
  EXPECT_NEAR(p[0], w.logging.epsilon / k, 1e-12);
}

// With one day, the horizon truth is the day's expectation.
TEST(WorldModel, OneDayTruthIsTheDayExpectation) {
  for (const auto& name : core::world_preset_names()) {
    const auto w = preset(name);
    const WorldModel m(w, 3, 40);
    std::vector<WorldOutcome> out;
    for (int id = 0; id < 50; ++id) {
      const auto c = m.customer(id);
      auto s = m.initial_state(c);
      s.fatigue = 0.7;
      m.expected_outcomes(c, s, 10, 1, out);
      for (int a = 0; a < m.action_count(); ++a) {
        const auto d = m.expected_day(c, s, 10, a);
        EXPECT_NEAR(out[a].purchases, d.purchases, 1e-12) << name << " " << a;
        EXPECT_NEAR(out[a].revenue, d.revenue, 1e-9) << name << " " << a;
        EXPECT_NEAR(out[a].profit, d.profit, 1e-9) << name << " " << a;
      }
    }
  }
}

// Without recency effects or churn, days are independent: the horizon truth is a sum of
// day expectations, which checks the recursion's bookkeeping.
TEST(WorldModel, WithoutRecencyTheTruthIsASumOfDays) {
  auto w = preset("retail");
  w.behaviour.recency_decay = 0;
  for (auto& s : w.segments) s.churn_rate = 0;
  const WorldModel m(w, 3, 60);
  std::vector<WorldOutcome> out;
  for (int id = 0; id < 30; ++id) {
    const auto c = m.customer(id);
    const auto s = m.initial_state(c);
    m.expected_outcomes(c, s, 20, 14, out);
    double none = 0;
    for (int d = 20; d < 34; ++d) none += m.expected_day(c, s, d, 0).purchases;
    EXPECT_NEAR(out[0].purchases, none, 1e-12);
    // An action only changes its own day (effect_days = 1).
    for (int a = 1; a < m.action_count(); ++a) {
      const double day0 = m.expected_day(c, s, 20, a).purchases - m.expected_day(c, s, 20, 0).purchases;
      EXPECT_NEAR(out[a].purchases - out[0].purchases, day0, 1e-12);
    }
  }
}

TEST(WorldModel, ResponseTypesRespondAsNamed) {
  const auto w = preset("retail");
  const WorldModel m(w, 5, 40);
  int a_sms = 0;
  for (int a = 1; a < m.action_count(); ++a)
    if (m.action(a).name == "sms_ten_off") a_sms = a;
  int a_plain = 0;
  for (int a = 1; a < m.action_count(); ++a)
    if (m.action(a).name == "email_newsletter") a_plain = a;
  std::vector<WorldOutcome> out;
  int seen[4] = {0, 0, 0, 0};
  for (int id = 0; id < 400; ++id) {
    const auto c = m.customer(id);
    auto s = m.initial_state(c);
    s.consent = 0b111;
    m.expected_outcomes(c, s, 10, 7, out);
    const int t = static_cast<int>(c.type);
    ++seen[t];
    const double uplift = out[a_sms].purchases - out[0].purchases;
    if (c.type == core::ResponseType::persuadable) {
      EXPECT_GT(uplift, 0) << id;
    }
    if (c.type == core::ResponseType::do_not_disturb) {
      EXPECT_GT(out[a_sms].unsubscribe, 0);
    }
    // Sure things and lost causes ignore a contact without a discount.
    if (c.type == core::ResponseType::sure_thing || c.type == core::ResponseType::lost_cause) {
      EXPECT_EQ(out[a_plain].purchases, out[0].purchases) << id;
    }
  }
  for (int t = 0; t < 4; ++t) EXPECT_GT(seen[t], 10);
}

TEST(WorldModel, RetentionOffersCutChurnMoreForHigherTiers) {
  const auto w = preset("subscription_churn");
  const WorldModel m(w, 5, 80);
  int offer = 0;
  for (int a = 1; a < m.action_count(); ++a)
    if (m.action(a).name == "email_retention_20") offer = a;
  WorldCustomer c;
  c.type = core::ResponseType::persuadable;
  std::vector<double> hazard_cut;
  for (int tier = 0; tier < 3; ++tier) {
    c.segment = tier;
    WorldCustomerState s;
    s.recency = 10;
    m.notice(c, offer, 0, s);
    const double with = m.churn_hazard(c, 10, m.effect_on(c, s, 3));
    const double without = m.churn_hazard(c, 10, DayEffect{});
    hazard_cut.push_back(1 - with / without);
  }
  EXPECT_LT(hazard_cut[0], hazard_cut[1]);
  EXPECT_LT(hazard_cut[1], hazard_cut[2]);
}

// A check-in after a retention offer leaves the offer in force: its discount and a
// persuadable's cut in churn last their 28 days; a newer offer replaces it. So the truth
// gives a check-in the renewals its visits keep, not an offer taken back.
TEST(WorldModel, AnOfferOutlastsAContactWithoutOne) {
  const auto w = preset("subscription_churn");
  const WorldModel m(w, 5, 120);
  int offer = 0, checkin = 0, bigger = 0;
  for (int a = 1; a < m.action_count(); ++a) {
    if (m.action(a).name == "email_retention_20") offer = a;
    if (m.action(a).name == "email_checkin") checkin = a;
    if (m.action(a).name == "sms_retention_50") bigger = a;
  }
  ASSERT_GT(offer * checkin * bigger, 0);
  WorldCustomer c;
  c.type = core::ResponseType::persuadable;
  c.segment = 2;
  WorldCustomerState s;
  s.consent = ~0u;
  m.notice(c, offer, 0, s);
  m.notice(c, checkin, 7, s);
  const DayEffect e = m.effect_on(c, s, 10);
  EXPECT_DOUBLE_EQ(e.discount, m.action_discount(offer));
  EXPECT_LT(e.churn_shift, 0);
  EXPECT_GT(e.visit_shift, 0);  // the check-in's lift
  EXPECT_EQ(m.effect_on(c, s, 28).discount, 0);  // the offer's 28 days are over
  EXPECT_GT(m.effect_on(c, s, 28).visit_shift, 0);  // the check-in's are not
  m.notice(c, bigger, 12, s);
  EXPECT_DOUBLE_EQ(m.effect_on(c, s, 30).discount, m.action_discount(bigger));

  WorldCustomerState t;  // a retention offer three days ago, noticed when tired (a small lift)
  t.recency = 20;
  t.consent = ~0u;
  t.fatigue = 3;
  m.notice(c, offer, 2, t);
  t.fatigue = 0;
  ASSERT_LT(t.effect_lift, m.lift(c, checkin, 0, false));
  std::vector<WorldOutcome> out;
  m.expected_outcomes(c, t, 5, 28, out);
  EXPECT_GT(out[checkin].purchases, out[0].purchases);
  EXPECT_GT(out[checkin].revenue, out[0].revenue);
  // Renewals in the offer's days pay its price: the revenue gained is at most the fee times
  // the renewals gained.
  EXPECT_LE(out[checkin].revenue - out[0].revenue,
            w.segments[2].fee * (out[checkin].purchases - out[0].purchases) + 1e-12);
}

}  // namespace
}  // namespace mirror::generate
