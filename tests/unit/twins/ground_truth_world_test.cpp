// The ground-truth world's sampler against its own closed forms. Tolerances are 5 standard
// errors of the estimate (a false failure about once in 3 million runs per check).
#include "mirror/twins/ground_truth_world.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace mirror;
using twins::EffectType;
using twins::GroundTruthWorld;
using core::DayOutcome;

namespace {

constexpr std::uint64_t kSeed = 2024;

double tolerance(double p, double n) { return 5.0 * std::sqrt(std::max(p * (1 - p), 1e-12) / n); }

core::DayAction email(double discount = 0.0) {
  core::DayAction a;
  a.channel = static_cast<std::int8_t>(core::index_of(core::Channel::email));
  a.offer = discount > 0 ? 0 : -1;
  a.discount = static_cast<float>(discount);
  return a;
}

// One segment, no heterogeneity, so every customer has the same closed-form rates.
core::WorldSpec single_segment_world(EffectType everyone) {
  core::WorldSpec w = core::default_world();
  core::SegmentSpec s = w.segments[1];
  s.share = 1.0;
  s.persuadable_share = everyone == EffectType::persuadable ? 1.0 : 0.0;
  s.annoyed_share = everyone == EffectType::annoyed ? 1.0 : 0.0;
  w.segments = {s};
  w.heterogeneity = 0.0;
  return w;
}

struct Day {
  std::vector<core::TwinState> twins;
  std::vector<core::ContactLedger> ledgers;
  std::vector<core::DayAction> actions;
  std::vector<DayOutcome> outcomes;
  explicit Day(std::size_t n) : twins(n), ledgers(n), actions(n), outcomes(n) {}
};

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }
double logit(double p) { return std::log(p / (1 - p)); }

}  // namespace

TEST(GroundTruthWorld, TraitsFollowTheSegmentAndEffectShares) {
  const auto world = core::default_world();
  const int n = 200000;
  GroundTruthWorld model(world, kSeed, 0, n);
  std::vector<double> seg(world.segments.size(), 0), persuadable(world.segments.size(), 0),
      annoyed(world.segments.size(), 0);
  double factor_sum = 0, log_sum = 0, log_sq = 0;
  for (int i = 0; i < n; ++i) {
    const auto& t = model.traits(i);
    seg[t.segment] += 1;
    persuadable[t.segment] += t.effect == EffectType::persuadable;
    annoyed[t.segment] += t.effect == EffectType::annoyed;
    factor_sum += t.visit_factor;
    log_sum += std::log(t.visit_factor);
    log_sq += std::log(t.visit_factor) * std::log(t.visit_factor);
    ASSERT_EQ(model.segment(i), t.segment);
    ASSERT_EQ(model.latent_type(i), static_cast<int>(t.effect));
  }
  for (std::size_t s = 0; s < seg.size(); ++s) {
    const auto& spec = world.segments[s];
    EXPECT_NEAR(seg[s] / n, spec.share, tolerance(spec.share, n)) << spec.name;
    EXPECT_NEAR(persuadable[s] / seg[s], spec.persuadable_share,
                tolerance(spec.persuadable_share, seg[s])) << spec.name;
    EXPECT_NEAR(annoyed[s] / seg[s], spec.annoyed_share, tolerance(spec.annoyed_share, seg[s]))
        << spec.name;
  }
  // Log-normal factor with mean 1: E[v] = 1, log-sd = h, log-mean = -h^2/2.
  const double h = world.heterogeneity;
  const double sd_v = std::sqrt(std::exp(h * h) - 1);
  EXPECT_NEAR(factor_sum / n, 1.0, 5 * sd_v / std::sqrt(n));
  const double log_mean = log_sum / n;
  EXPECT_NEAR(log_mean, -h * h / 2, 5 * h / std::sqrt(n));
  EXPECT_NEAR(std::sqrt(log_sq / n - log_mean * log_mean), h, 0.01);
}

TEST(GroundTruthWorld, TraitsDoNotDependOnTheShardSplit) {
  const auto world = core::default_world();
  GroundTruthWorld whole(world, kSeed, 0, 1000);
  GroundTruthWorld tail(world, kSeed, 400, 600);
  for (int i = 0; i < 600; ++i) {
    EXPECT_EQ(whole.traits(400 + i).segment, tail.traits(i).segment);
    EXPECT_EQ(whole.traits(400 + i).visit_factor, tail.traits(i).visit_factor);
  }
}

TEST(GroundTruthWorld, WithoutActionsRatesMatchTheSegmentParameters) {
  const auto world = single_segment_world(EffectType::indifferent);
  const auto& seg = world.segments[0];
  const int n = 100000, days = 10;
  GroundTruthWorld model(world, kSeed, 0, n);
  Day d(n);
  double visits = 0, purchases = 0, revenue = 0, margin = 0, churn = 0, notices = 0;
  for (int day = 0; day < days; ++day) {
    model.step(day, d.twins.data(), d.ledgers.data(), d.actions.data(), d.outcomes.data());
    for (const auto& o : d.outcomes) {
      visits += o.has(DayOutcome::kVisit);
      purchases += o.has(DayOutcome::kPurchase);
      revenue += core::from_micros(o.revenue);
      margin += core::from_micros(o.margin);
      churn += o.has(DayOutcome::kChurn);
      notices += o.has(DayOutcome::kNotice);
      ASSERT_FALSE(o.has(DayOutcome::kPurchase) && !o.has(DayOutcome::kVisit));
    }
  }
  const double trials = static_cast<double>(n) * days;
  EXPECT_NEAR(visits / trials, seg.visit_rate, tolerance(seg.visit_rate, trials));
  EXPECT_NEAR(purchases / visits, seg.purchase_rate, tolerance(seg.purchase_rate, visits));
  // Mean basket spend_mean; log-normal sd = mean * sqrt(exp(sigma^2) - 1).
  const double sd = seg.spend_mean * std::sqrt(std::exp(seg.spend_sigma * seg.spend_sigma) - 1);
  EXPECT_NEAR(revenue / purchases, seg.spend_mean, 5 * sd / std::sqrt(purchases));
  EXPECT_NEAR(margin / revenue, world.gross_margin, 1e-4);  // exact up to rounding to micros
  EXPECT_NEAR(churn / trials, seg.churn_rate, tolerance(seg.churn_rate, trials));
  EXPECT_EQ(notices, 0);
}

TEST(GroundTruthWorld, ContactsMoveVisitsByEffectType) {
  const int n = 100000;
  for (auto type : {EffectType::persuadable, EffectType::annoyed, EffectType::indifferent}) {
    const auto world = single_segment_world(type);
    const auto& seg = world.segments[0];
    GroundTruthWorld model(world, kSeed, 0, n);
    Day d(n);
    for (auto& a : d.actions) a = email();
    model.step(0, d.twins.data(), d.ledgers.data(), d.actions.data(), d.outcomes.data());
    double noticed = 0, visits_noticed = 0, unnoticed = 0, visits_unnoticed = 0;
    for (const auto& o : d.outcomes) {
      if (o.has(DayOutcome::kNotice)) {
        ++noticed;
        visits_noticed += o.has(DayOutcome::kVisit);
      } else {
        ++unnoticed;
        visits_unnoticed += o.has(DayOutcome::kVisit);
      }
    }
    const double p_notice = seg.notice_rate[0];
    EXPECT_NEAR(noticed / n, p_notice, tolerance(p_notice, n));
    double expected = seg.visit_rate;  // fatigue 0
    if (type == EffectType::persuadable) expected = sigmoid(logit(seg.visit_rate) + world.contact_lift);
    if (type == EffectType::annoyed) expected = sigmoid(logit(seg.visit_rate) - world.annoyance_penalty);
    EXPECT_NEAR(visits_noticed / noticed, expected, tolerance(expected, noticed));
    EXPECT_NEAR(visits_unnoticed / unnoticed, seg.visit_rate, tolerance(seg.visit_rate, unnoticed));
    // The sampler agrees with the world's own expectation.
    const auto e = model.expected_day(0, 0, d.twins[0], d.ledgers[0], d.actions[0]);
    EXPECT_NEAR(e.visit, p_notice * expected + (1 - p_notice) * seg.visit_rate, 1e-12);
  }
}

TEST(GroundTruthWorld, FatigueShrinksTheLift) {
  const auto world = single_segment_world(EffectType::persuadable);
  const auto& seg = world.segments[0];
  GroundTruthWorld model(world, kSeed, 0, 1);
  core::ContactLedger fresh, tired;
  tired.fatigue = 4.0f;
  tired.fatigue_day = 10;
  const auto lift = [&](const core::ContactLedger& l) {
    return model.expected_day(0, 10, core::TwinState{}, l, email()).visit - seg.visit_rate;
  };
  const double p = seg.notice_rate[0];
  EXPECT_NEAR(lift(fresh), p * (sigmoid(logit(seg.visit_rate) + world.contact_lift) - seg.visit_rate), 1e-12);
  EXPECT_NEAR(lift(tired),
              p * (sigmoid(logit(seg.visit_rate) + world.contact_lift * std::exp(-world.fatigue_strength * 4.0)) -
                   seg.visit_rate),
              1e-12);
  EXPECT_LT(lift(tired), 0.5 * lift(fresh));
}

TEST(GroundTruthWorld, OffersRaisePurchasesAndCutTheBasket) {
  auto world = single_segment_world(EffectType::indifferent);
  world.segments[0].notice_rate = {1.0, 1.0, 1.0};
  world.segments[0].visit_rate = 0.5;
  const auto& seg = world.segments[0];
  const int n = 100000;
  GroundTruthWorld model(world, kSeed, 0, n);
  Day d(n);
  const double discount = 0.2;
  for (auto& a : d.actions) a = email(discount);
  double visits = 0, purchases = 0, revenue = 0, margin = 0;
  for (int day = 0; day < 4; ++day) {
    model.step(day, d.twins.data(), d.ledgers.data(), d.actions.data(), d.outcomes.data());
    for (const auto& o : d.outcomes) {
      visits += o.has(DayOutcome::kVisit);
      purchases += o.has(DayOutcome::kPurchase);
      revenue += core::from_micros(o.revenue);
      margin += core::from_micros(o.margin);
    }
  }
  const double p_buy = sigmoid(logit(seg.purchase_rate) + seg.offer_sensitivity * discount);
  EXPECT_NEAR(purchases / visits, p_buy, tolerance(p_buy, visits));
  const double sd = seg.spend_mean * std::sqrt(std::exp(seg.spend_sigma * seg.spend_sigma) - 1);
  EXPECT_NEAR(revenue / purchases, seg.spend_mean * (1 - discount),
              5 * sd * (1 - discount) / std::sqrt(purchases));
  EXPECT_NEAR(margin / revenue, (world.gross_margin - discount) / (1 - discount), 1e-4);
}

TEST(GroundTruthWorld, UnsubscribesAndChurnFollowTheirHazards) {
  for (auto type : {EffectType::indifferent, EffectType::annoyed}) {
    auto world = single_segment_world(type);
    world.segments[0].notice_rate = {1.0, 1.0, 1.0};
    world.segments[0].churn_rate = 0.01;
    const int n = 200000;
    GroundTruthWorld model(world, kSeed, 0, n);
    Day d(n);
    for (auto& a : d.actions) a = email();
    for (auto& l : d.ledgers) {  // fatigue 2 at day 0
      l.fatigue = 2.0f;
      l.fatigue_day = 0;
    }
    model.step(0, d.twins.data(), d.ledgers.data(), d.actions.data(), d.outcomes.data());
    double unsub = 0, churn = 0;
    for (const auto& o : d.outcomes) {
      unsub += o.has(DayOutcome::kUnsubscribe);
      churn += o.has(DayOutcome::kChurn);
    }
    const double mult = type == EffectType::annoyed ? world.annoyed_multiplier : 1.0;
    const double p_unsub = world.unsubscribe_rate[0] * std::exp(world.unsubscribe_fatigue * 2.0) * mult;
    const double p_churn = 0.01 * mult;
    EXPECT_NEAR(unsub / n, p_unsub, tolerance(p_unsub, n));
    EXPECT_NEAR(churn / n, p_churn, tolerance(p_churn, n));
  }
}

TEST(GroundTruthWorld, ChurnedCustomersDoNothing) {
  const auto world = core::default_world();
  GroundTruthWorld model(world, kSeed, 0, 1000);
  Day d(1000);
  for (auto& t : d.twins) t.churn_day = 0;
  for (auto& a : d.actions) a = email(0.1);
  model.step(5, d.twins.data(), d.ledgers.data(), d.actions.data(), d.outcomes.data());
  for (const auto& o : d.outcomes) {
    EXPECT_EQ(o.flags, 0);
    EXPECT_EQ(o.revenue, 0);
  }
}

TEST(GroundTruthWorld, SameSeedSameDrawsAndOtherSeedOtherDraws) {
  const auto world = core::default_world();
  const int n = 5000;
  GroundTruthWorld a(world, kSeed, 0, n), b(world, kSeed, 0, n), c(world, kSeed + 1, 0, n);
  Day da(n), db(n), dc(n);
  int differ = 0;
  for (int day = 0; day < 5; ++day) {
    a.step(day, da.twins.data(), da.ledgers.data(), da.actions.data(), da.outcomes.data());
    b.step(day, db.twins.data(), db.ledgers.data(), db.actions.data(), db.outcomes.data());
    c.step(day, dc.twins.data(), dc.ledgers.data(), dc.actions.data(), dc.outcomes.data());
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(da.outcomes[i].flags, db.outcomes[i].flags);
      ASSERT_EQ(da.outcomes[i].revenue, db.outcomes[i].revenue);
      differ += da.outcomes[i].flags != dc.outcomes[i].flags;
    }
  }
  EXPECT_GT(differ, 100);
}

TEST(GroundTruthWorld, OutcomesDoNotDependOnTheShardSplit) {
  const auto world = core::default_world();
  GroundTruthWorld whole(world, kSeed, 0, 1000), head(world, kSeed, 0, 400),
      tail(world, kSeed, 400, 600);
  Day dw(1000), dh(400), dt(600);
  for (int i = 0; i < 1000; i += 3) dw.actions[i] = email(0.1);
  for (int i = 0; i < 400; ++i) dh.actions[i] = dw.actions[i];
  for (int i = 0; i < 600; ++i) dt.actions[i] = dw.actions[400 + i];
  for (int day = 0; day < 3; ++day) {
    whole.step(day, dw.twins.data(), dw.ledgers.data(), dw.actions.data(), dw.outcomes.data());
    head.step(day, dh.twins.data(), dh.ledgers.data(), dh.actions.data(), dh.outcomes.data());
    tail.step(day, dt.twins.data(), dt.ledgers.data(), dt.actions.data(), dt.outcomes.data());
    for (int i = 0; i < 1000; ++i) {
      const auto& part = i < 400 ? dh.outcomes[i] : dt.outcomes[i - 400];
      ASSERT_EQ(dw.outcomes[i].flags, part.flags) << i;
      ASSERT_EQ(dw.outcomes[i].revenue, part.revenue) << i;
    }
  }
}

// Common random numbers: with an action, a customer who does not notice it behaves exactly
// as without; a persuadable one who notices never visits less (monotone coupling).
TEST(GroundTruthWorld, CommonRandomNumbersAcrossArms) {
  const auto world = core::default_world();
  const int n = 20000;
  GroundTruthWorld model(world, kSeed, 0, n);
  Day with(n), without(n);
  for (auto& a : with.actions) a = email();
  model.step(3, with.twins.data(), with.ledgers.data(), with.actions.data(), with.outcomes.data());
  model.step(3, without.twins.data(), without.ledgers.data(), without.actions.data(), without.outcomes.data());
  int checked = 0;
  for (int i = 0; i < n; ++i) {
    const auto& w = with.outcomes[i];
    const auto& o = without.outcomes[i];
    if (!w.has(DayOutcome::kNotice)) {
      ASSERT_EQ(w.flags, o.flags) << i;
      ASSERT_EQ(w.revenue, o.revenue) << i;
      ++checked;
    } else if (model.traits(i).effect == EffectType::persuadable) {
      ASSERT_GE(w.has(DayOutcome::kVisit), o.has(DayOutcome::kVisit)) << i;
    } else if (model.traits(i).effect == EffectType::annoyed) {
      ASSERT_LE(w.has(DayOutcome::kVisit), o.has(DayOutcome::kVisit)) << i;
    }
  }
  EXPECT_GT(checked, n / 2);
}
