// The rules policy inside the engine: every delivered triggered message meets its trigger
// in the twin's state as the engine kept it, and the decisions are the same for any
// threads and shards.
#include <gtest/gtest.h>

#include <atomic>

#include "mirror/core/decision_record.hpp"
#include "mirror/engine/engine.hpp"
#include "test_scenarios.hpp"

using namespace mirror;
using core::Channel;
using core::RuleSpec;

TEST(Engine, RulesAndTriggersFireOnTheirDaysForAnySharding) {
  auto spec = test_support::small_scenario(1500, 60);
  spec.channels.push_back({Channel::push, 0.0});
  core::PolicySpec p;
  p.kind = core::PolicySpec::Kind::rules;
  RuleSpec cart;  // push the day after a visit without a purchase
  cart.trigger = RuleSpec::Trigger::cart_abandon;
  cart.campaign.channel = Channel::push;
  cart.priority = 10;
  RuleSpec lapse;  // sms on the day a customer reaches 20 days without a visit
  lapse.trigger = RuleSpec::Trigger::inactive_days;
  lapse.inactive_days = 20;
  lapse.campaign.channel = Channel::sms;
  RuleSpec spenders;  // email every 14 days to customers who spent over 100
  spenders.when = "total_spend > 100";
  spenders.every_days = 14;
  spenders.campaign.channel = Channel::email;
  p.rules = {cart, lapse, spenders};
  spec.experiment.arms = {{"control", {}}, {"rules", p}};

  std::atomic<int> pushes{0}, smses{0}, emails{0}, wrong{0};
  engine::RunOptions options;
  options.threads = 2;
  options.shards = 7;
  options.on_delivered = [&](std::int32_t day, std::uint64_t, const core::ContactLedger&,
                             const core::TwinState& t, const core::DayAction& a) {
    switch (a.channel_kind()) {
      case Channel::push:
        ++pushes;
        if (t.last_abandon_day != day - 1 || t.last_purchase_day >= t.last_abandon_day) ++wrong;
        break;
      case Channel::sms:
        ++smses;
        if ((t.last_visit_day == core::kNoDay ? -1 : t.last_visit_day) + 20 != day) ++wrong;
        break;
      case Channel::email:
        ++emails;
        if (day % 14 != 0 || t.revenue <= core::to_micros(100)) ++wrong;
        break;
    }
  };
  const auto many = engine::run_scenario(spec, options);
  EXPECT_GT(pushes.load(), 100);
  EXPECT_GT(smses.load(), 100);
  EXPECT_GT(emails.load(), 10);
  EXPECT_EQ(wrong.load(), 0);
  // Every delivered decision is one of the deliveries above; without caps, only consent
  // (unsubscribes) blocks.
  std::size_t delivered = 0;
  for (const auto& d : many.arms[1].decisions) {
    if (d.status == core::DecisionStatus::delivered) ++delivered;
    else EXPECT_EQ(d.status, core::DecisionStatus::blocked_by_consent);
  }
  EXPECT_EQ(delivered, static_cast<std::size_t>(pushes.load() + smses.load() + emails.load()));

  engine::RunOptions one;
  one.threads = 1;
  one.shards = 1;
  const auto single = engine::run_scenario(spec, one);
  const auto& x = single.arms[1].decisions;
  const auto& y = many.arms[1].decisions;
  ASSERT_EQ(x.size(), y.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    ASSERT_TRUE(x[i].customer_id == y[i].customer_id && x[i].day == y[i].day &&
                x[i].channel == y[i].channel && x[i].status == y[i].status)
        << i;
}
