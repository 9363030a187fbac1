#include "mirror/engine/engine.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include <atomic>
#include <cstring>

#include "test_scenarios.hpp"

using namespace mirror;

namespace {

void expect_same_customers(const results::ArmResult& a, const results::ArmResult& b) {
  ASSERT_EQ(a.customers.size(), b.customers.size());
  for (std::size_t i = 0; i < a.customers.size(); ++i) {
    const auto& x = a.customers[i];
    const auto& y = b.customers[i];
    ASSERT_EQ(x.customer_id, y.customer_id);
    ASSERT_EQ(x.revenue, y.revenue) << "customer " << x.customer_id;
    ASSERT_EQ(x.margin, y.margin);
    ASSERT_EQ(x.cost, y.cost);
    ASSERT_EQ(x.visits, y.visits);
    ASSERT_EQ(x.conversions, y.conversions);
    ASSERT_EQ(x.contacts, y.contacts);
    ASSERT_EQ(x.unsubscribes, y.unsubscribes);
    ASSERT_EQ(x.active_at_end, y.active_at_end);
  }
}

void expect_same_daily(const results::ArmResult& a, const results::ArmResult& b) {
  ASSERT_EQ(a.daily.size(), b.daily.size());
  for (std::size_t d = 0; d < a.daily.size(); ++d)
    ASSERT_EQ(std::memcmp(&a.daily[d], &b.daily[d], sizeof(results::DailyTotals)), 0)
        << "day " << d;
}

engine::RunOptions layout(int threads, int shards) {
  engine::RunOptions o;
  o.threads = threads;
  o.shards = shards;
  return o;
}

}  // namespace

TEST(Engine, ResultsDoNotDependOnThreadsOrShards) {
  const auto spec = test_support::small_scenario(700, 40);
  const auto one = engine::run_scenario(spec, layout(1, 1));
  const auto many = engine::run_scenario(spec, layout(2, 7));
  ASSERT_EQ(one.arms.size(), 3u);
  for (std::size_t a = 0; a < one.arms.size(); ++a) {
    expect_same_customers(one.arms[a], many.arms[a]);
    expect_same_daily(one.arms[a], many.arms[a]);
  }
  ASSERT_EQ(one.summary.size(), many.summary.size());
  for (std::size_t r = 0; r < one.summary.size(); ++r) {
    EXPECT_EQ(one.summary[r].mean, many.summary[r].mean);
    EXPECT_EQ(one.summary[r].uplift_ci_low, many.summary[r].uplift_ci_low);
  }
}

TEST(Engine, ActorEngineMatchesThePlainLoop) {
  const auto spec = test_support::small_scenario(600, 30);
  const auto actors = engine::run_scenario(spec, layout(2, 5));
  for (int a = 0; a < 3; ++a) {
    const auto plain = engine::run_arm_plain(spec, a, 3);
    expect_same_customers(actors.arms[a], plain);
    expect_same_daily(actors.arms[a], plain);
  }
}

TEST(Engine, DailyTotalsAddUpToCustomerTotals) {
  const auto spec = test_support::small_scenario(400, 25);
  const auto run = engine::run_scenario(spec, layout(2, 3));
  for (const auto& arm : run.arms) {
    core::Micros revenue = 0, cost = 0;
    std::int64_t contacts = 0, conversions = 0, active = 0;
    for (const auto& c : arm.customers) {
      revenue += c.revenue;
      cost += c.cost;
      contacts += c.contacts;
      conversions += c.conversions;
      active += c.active_at_end;
    }
    core::Micros daily_revenue = 0, daily_cost = 0;
    std::int64_t daily_contacts = 0, daily_conversions = 0;
    for (const auto& d : arm.daily) {
      daily_revenue += d.revenue;
      daily_cost += d.cost;
      daily_contacts += d.contacts;
      daily_conversions += d.conversions;
    }
    EXPECT_EQ(revenue, daily_revenue) << arm.name;
    EXPECT_EQ(cost, daily_cost) << arm.name;
    EXPECT_EQ(contacts, daily_contacts) << arm.name;
    EXPECT_EQ(conversions, daily_conversions) << arm.name;
    EXPECT_EQ(active, arm.daily.back().active) << arm.name;
  }
}

TEST(Engine, ContactedArmsSpendAndControlDoesNot) {
  const auto spec = test_support::small_scenario(500, 28);
  const auto run = engine::run_scenario(spec, layout(2, 4));
  const auto contacts = [&](int arm) {
    std::int64_t n = 0;
    for (const auto& d : run.arms[arm].daily) n += d.contacts;
    return n;
  };
  EXPECT_EQ(contacts(0), 0);
  // Weekly email on days 0, 7, 14, 21 to 500 customers, less those who unsubscribed.
  EXPECT_GT(contacts(1), 4 * 500 * 9 / 10);
  EXPECT_LE(contacts(1), 4 * 500);
}

// Caps and consent: a policy that contacts everyone every day on sms and email must never
// get past max_per_week, max_per_week_by_channel or an unsubscribe.
TEST(Engine, CapsAndConsentAreNeverViolated) {
  auto spec = test_support::small_scenario(800, 45);
  spec.constraints.max_per_day = 1;
  spec.constraints.max_per_week = 3;
  spec.constraints.max_per_week_by_channel = {-1, 2, -1};  // sms at most 2 a week
  spec.world.unsubscribe_rate = {0.05, 0.08, 0.05};        // many unsubscribes to respect
  spec.experiment.arms = {{"control", {}},
                          {"daily_sms", test_support::blast(core::Channel::sms, 1)},
                          {"daily_email", test_support::blast(core::Channel::email, 1)}};
  std::atomic<std::int64_t> delivered{0}, violations{0};
  engine::RunOptions options = layout(2, 6);
  options.on_delivered = [&](std::int32_t day, std::uint64_t, const core::ContactLedger& before,
                             const core::TwinState& twin, const core::DayAction& action) {
    ++delivered;
    const auto c = action.channel_kind();
    if (!twin.consents(c)) ++violations;
    if (before.contacts.count(day, 7) + 1 > 3) ++violations;
    if (c == core::Channel::sms && before.contacts.count(day, 7, c) + 1 > 2) ++violations;
  };
  const auto run = engine::run_scenario(spec, options);
  EXPECT_GT(delivered.load(), 0);
  EXPECT_EQ(violations.load(), 0);
  std::int64_t capped = 0, no_consent = 0, unsubscribes = 0;
  for (const auto& arm : run.arms)
    for (const auto& d : arm.daily) {
      capped += d.blocked_by_caps;
      no_consent += d.blocked_by_consent;
      unsubscribes += d.unsubscribes;
    }
  EXPECT_GT(capped, 0) << "the test policy should have tried to exceed the caps";
  EXPECT_GT(unsubscribes, 0);
  EXPECT_GT(no_consent, 0) << "the test policy should have tried to contact unsubscribers";
}

// Every constraint at once, against policies that try to break them daily: the observer
// sees every delivered action and checks it; the budget is never exceeded, whatever the
// sharding, and the run stops contacting once it is spent.
TEST(Engine, NoConstraintCanBeViolated) {
  auto spec = test_support::small_scenario(1500, 45);
  auto& c = spec.constraints;
  c.max_per_week = 3;
  c.max_per_week_by_channel = {-1, 2, -1};
  c.max_per_month = 8;
  c.max_per_month_by_channel = {6, -1, -1};
  c.quiet_weekdays = 1u << 6;  // Sundays
  c.quiet_days = {9, 10};
  c.offer_repeat_days = 5;
  c.budget = 60.0;
  c.budget_by_channel = {-1.0, 40.0, -1.0};
  spec.experiment.arms = {{"control", {}},
                          {"daily_sms", test_support::blast(core::Channel::sms, 1, 0)},
                          {"daily_email", test_support::blast(core::Channel::email, 1, 0)}};
  std::atomic<std::int64_t> delivered{0}, violations{0};
  engine::RunOptions options = layout(2, 6);
  options.on_delivered = [&](std::int32_t day, std::uint64_t, const core::ContactLedger& before,
                             const core::TwinState& twin, const core::DayAction& action) {
    ++delivered;
    const auto ch = action.channel_kind();
    const bool sms = ch == core::Channel::sms;
    if (!twin.consents(ch)) ++violations;
    if (day % 7 == 6 || day == 9 || day == 10) ++violations;
    if (before.contacts.count(day, 1) > 0) ++violations;
    if (before.contacts.count(day, 7) + 1 > 3) ++violations;
    if (sms && before.contacts.count(day, 7, ch) + 1 > 2) ++violations;
    if (before.contacts.count(day, 30) + 1 > 8) ++violations;
    if (!sms && before.contacts.count(day, 30, ch) + 1 > 6) ++violations;
    // Every contact carries the offer: the offer-repeat rule allows one per 5 days.
    if (before.contacts.count(day, 5) > 0) ++violations;
  };
  const auto run = engine::run_scenario(spec, options);
  EXPECT_GT(delivered.load(), 0);
  EXPECT_EQ(violations.load(), 0);
  std::int64_t rules = 0, budget = 0;
  for (const auto& arm : run.arms) {
    core::Micros spent = 0;
    for (const auto& d : arm.daily) {
      spent += d.cost;
      rules += d.blocked_by_rules;
      budget += d.blocked_by_budget;
    }
    EXPECT_LE(spent, core::to_micros(60.0)) << arm.name;
    if (arm.name == "daily_sms") {
      EXPECT_LE(spent, core::to_micros(40.0));
      EXPECT_GT(spent, core::to_micros(40.0 - 0.03));  // it stopped because it was spent
      ASSERT_NE(arm.budget_exhausted_day, core::kNoDay);
      for (const auto& d : arm.daily) {
        if (d.day > arm.budget_exhausted_day) {
          EXPECT_EQ(d.contacts, 0) << d.day;
        }
      }
    }
  }
  EXPECT_GT(rules, 0);
  EXPECT_GT(budget, 0);
  // The same decisions for another sharding.
  const auto again = engine::run_scenario(spec, layout(1, 1));
  for (std::size_t a = 0; a < run.arms.size(); ++a) {
    ASSERT_EQ(run.arms[a].decisions.size(), again.arms[a].decisions.size());
    for (std::size_t i = 0; i < run.arms[a].decisions.size(); ++i) {
      const auto& x = run.arms[a].decisions[i];
      const auto& y = again.arms[a].decisions[i];
      ASSERT_TRUE(x.customer_id == y.customer_id && x.day == y.day && x.status == y.status &&
                  x.cost == y.cost)
          << i;
    }
  }
}

// The decision log stops at the last whole day that fits its row limit, the same way for
// any sharding.
TEST(Engine, DecisionLogKeepsWholeDaysUpToItsLimit) {
  auto spec = test_support::small_scenario(500, 12);
  spec.outputs.decisions_max_rows = 1200;
  for (const auto& l : {layout(1, 1), layout(2, 5)}) {
    const auto run = engine::run_scenario(spec, l);
    const auto& sms = run.arms[2];  // every 3 days: 500 proposals on days 0, 3, 6, 9
    EXPECT_EQ(sms.decisions.size(), 1000u);
    EXPECT_TRUE(sms.decisions_truncated);
    EXPECT_EQ(sms.decisions_days_logged, 6);
    EXPECT_EQ(sms.decisions.back().day, 3);
    const auto& email = run.arms[1];  // every 7 days: days 0 and 7
    EXPECT_EQ(email.decisions.size(), 1000u);
    EXPECT_FALSE(email.decisions_truncated);
    EXPECT_EQ(email.decisions_days_logged, 12);
  }
}

// outputs.expected_value: each customer's expected profit along its path (the day's draws
// averaged out) agrees with the realized profit on average, with less spread, and is the
// same for any sharding.
TEST(Engine, ExpectedProfitAgreesWithTheRealizedProfit) {
  auto spec = test_support::small_scenario(3000, 40);
  spec.outputs.expected_value = true;
  const auto run = engine::run_scenario(spec, layout(2, 5));
  const auto again = engine::run_scenario(spec, layout(1, 1));
  for (std::size_t a = 0; a < run.arms.size(); ++a) {
    double diff = 0, diff2 = 0, var_realized = 0, var_expected = 0, mr = 0, me = 0;
    const auto& cs = run.arms[a].customers;
    const double n = static_cast<double>(cs.size());
    for (std::size_t i = 0; i < cs.size(); ++i) {
      ASSERT_EQ(cs[i].expected_margin, again.arms[a].customers[i].expected_margin);
      const double d = cs[i].profit() - cs[i].expected_profit();
      diff += d;
      diff2 += d * d;
      mr += cs[i].profit();
      me += cs[i].expected_profit();
    }
    mr /= n;
    me /= n;
    for (const auto& c : cs) {
      var_realized += (c.profit() - mr) * (c.profit() - mr);
      var_expected += (c.expected_profit() - me) * (c.expected_profit() - me);
    }
    const double mean = diff / n;
    const double se = std::sqrt((diff2 / n - mean * mean) / n);
    EXPECT_LT(std::fabs(mean), 4 * se) << run.arms[a].name << " " << mean << " +- " << se;
    EXPECT_LT(var_expected, var_realized) << run.arms[a].name;
  }
}

TEST(Engine, SplitDesignPutsEachCustomerInOneArm) {
  auto spec = test_support::small_scenario(4000, 5);
  spec.experiment.design = core::ExperimentSpec::Design::split;
  spec.experiment.holdout_share = 0.2;
  const auto run = engine::run_scenario(spec, layout(2, 3));
  std::vector<int> seen(spec.population.size, 0);
  for (const auto& arm : run.arms)
    for (const auto& c : arm.customers) ++seen[c.customer_id];
  for (int n : seen) ASSERT_EQ(n, 1);
  // Control ~20%, the two other arms ~40% each (binomial sd ~ 0.6-0.8 percentage points).
  const double n = spec.population.size;
  EXPECT_NEAR(run.arms[0].customers.size() / n, 0.2, 0.03);
  EXPECT_NEAR(run.arms[1].customers.size() / n, 0.4, 0.03);
  EXPECT_NEAR(run.arms[2].customers.size() / n, 0.4, 0.03);
}

TEST(Engine, DefaultShardsStayWithinThePopulation) {
  EXPECT_EQ(engine::default_shards(3, 2), 3);
  EXPECT_EQ(engine::default_shards(1000000, 2), 16);
  EXPECT_GE(engine::resolve_threads(0), 1);
  EXPECT_EQ(engine::resolve_threads(3), 3);
}

// A failing shard ends the run with its error instead of leaving the caller waiting.
TEST(Engine, AFailingShardFailsTheRunWithItsReason) {
  auto spec = test_support::small_scenario(300, 10);
  spec.experiment.arms[1].policy.offer = 5;  // no such offer: the constraints throw
  try {
    engine::run_scenario(spec, layout(2, 3));
    FAIL() << "the run should have failed";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown offer"), std::string::npos) << e.what();
  }
}
