#include "mirror/engine/shard.hpp"

#include <gtest/gtest.h>

#include "test_scenarios.hpp"

using namespace mirror;

TEST(ShardSimulator, OnlyTouchedTwinsGetMessages) {
  auto spec = test_support::small_scenario(300, 10);
  engine::ShardSimulator sim(spec, 0, 0, 300);  // control arm: no actions
  std::vector<std::pair<std::uint32_t, core::TwinDay>> messages;
  const auto totals = sim.simulate_day(0, {}, messages);
  EXPECT_EQ(totals.contacts, 0);
  EXPECT_LT(messages.size(), 300u / 2);  // a day's visits, not one message per twin
  for (const auto& [i, msg] : messages) EXPECT_NE(msg.outcome.flags, 0) << i;
  EXPECT_EQ(static_cast<std::int64_t>(messages.size()) >= totals.visits, true);
}

TEST(ShardSimulator, DeliveredActionsReachTheirTwinWithTheirCost) {
  auto spec = test_support::small_scenario(50, 10);
  engine::ShardSimulator sim(spec, 1, 100, 50);
  std::vector<core::ProposedAction> proposals;
  for (std::uint32_t i = 0; i < 50; i += 5) proposals.push_back({i, core::Channel::sms, 0, 1.0f});
  std::vector<std::pair<std::uint32_t, core::TwinDay>> messages;
  const auto totals = sim.simulate_day(0, proposals, messages);
  EXPECT_EQ(totals.contacts, 10);
  EXPECT_EQ(totals.contacts_by_channel[core::index_of(core::Channel::sms)], 10);
  EXPECT_EQ(totals.cost, 10 * core::to_micros(0.03));
  // Every contacted customer's ledger holds the contact and its cost; only those whom
  // something reached (here: sms is noticed often) get a message.
  for (std::uint32_t i = 0; i < 50; ++i) {
    EXPECT_EQ(sim.ledger(i).contacts_total(), i % 5 == 0 ? 1u : 0u) << i;
    EXPECT_EQ(sim.ledger(i).cost, i % 5 == 0 ? core::to_micros(0.03) : 0) << i;
  }
  int with_action = 0;
  for (const auto& [i, msg] : messages) {
    EXPECT_NE(msg.outcome.flags, 0);
    if (msg.action.any()) {
      ++with_action;
      EXPECT_EQ(i % 5, 0u);
      EXPECT_FLOAT_EQ(msg.action.discount, 0.10f);
    }
  }
  EXPECT_GE(with_action, static_cast<int>(totals.notices));
  EXPECT_GT(with_action, 0);
  EXPECT_LE(with_action, 10);
}

TEST(ArmMembership, PairedIsEveryoneAndSplitIsAPartition) {
  auto spec = test_support::small_scenario(1000, 5);
  EXPECT_TRUE(engine::arm_membership(spec, 1, 0, 1000).empty());
  spec.experiment.design = core::ExperimentSpec::Design::split;
  spec.experiment.holdout_share = 0.5;
  std::vector<int> count(1000, 0);
  for (int arm = 0; arm < 3; ++arm) {
    const auto m = engine::arm_membership(spec, arm, 0, 1000);
    for (std::size_t i = 0; i < m.size(); ++i) count[i] += m[i];
  }
  for (int c : count) ASSERT_EQ(c, 1);
  // The same customer gets the same arm whatever shard it is in.
  const auto whole = engine::arm_membership(spec, 2, 0, 1000);
  const auto tail = engine::arm_membership(spec, 2, 600, 400);
  for (std::size_t i = 0; i < 400; ++i) ASSERT_EQ(whole[600 + i], tail[i]);
}
