#include "mirror/policies/contact_caps.hpp"

#include <gtest/gtest.h>

using namespace mirror;
using core::Channel;
using Verdict = policies::ContactCaps::Verdict;

namespace {
core::ContactCapsSpec caps(int per_day, int per_week, core::ChannelArray<int> by_channel = {-1, -1, -1}) {
  core::ContactCapsSpec c;
  c.max_per_day = per_day;
  c.max_per_week = per_week;
  c.max_per_week_by_channel = by_channel;
  return c;
}
const std::vector<core::OfferSpec> kOffers{{"ten", 0.10}, {"twenty", 0.20}};
}  // namespace

TEST(ContactCaps, WeeklyCapCountsTheLastSevenDays) {
  policies::ContactCaps c(caps(1, 2), kOffers);
  core::ContactLedger l;
  const core::TwinState t;
  l.contacts.record(0, Channel::email);
  l.contacts.record(3, Channel::sms);
  EXPECT_EQ(c.check(5, l, t, Channel::email, 0), Verdict::blocked_by_caps);  // 2 in days 0..5
  EXPECT_EQ(c.check(6, l, t, Channel::email, 0), Verdict::blocked_by_caps);  // days 0..6 still hold 2
  EXPECT_EQ(c.check(7, l, t, Channel::email, 0), Verdict::delivered); // day 0 left the window
}

TEST(ContactCaps, ChannelCapIsPerChannel) {
  policies::ContactCaps c(caps(1, -1, {-1, 1, -1}), kOffers);
  core::ContactLedger l;
  const core::TwinState t;
  l.contacts.record(2, Channel::sms);
  EXPECT_EQ(c.check(4, l, t, Channel::sms, 0), Verdict::blocked_by_caps);
  EXPECT_EQ(c.check(4, l, t, Channel::email, 0), Verdict::delivered);
  EXPECT_EQ(c.check(9, l, t, Channel::sms, 0), Verdict::delivered);
}

TEST(ContactCaps, ConsentComesFirst) {
  policies::ContactCaps c(caps(1, -1), kOffers);
  core::TwinState t;
  const core::ContactLedger l;
  t.consent_mask = 0b110;  // unsubscribed from email
  EXPECT_EQ(c.check(0, l, t, Channel::email, 0), Verdict::blocked_by_consent);
  EXPECT_EQ(c.check(0, l, t, Channel::sms, 0), Verdict::delivered);
}

TEST(ContactCaps, ZeroPerDayBlocksEverything) {
  policies::ContactCaps c(caps(0, -1), kOffers);
  EXPECT_EQ(c.check(0, core::ContactLedger{}, core::TwinState{}, Channel::push, 0), Verdict::blocked_by_caps);
}

TEST(ContactCaps, EnforceTriesToExceedEveryCapAndFails) {
  policies::ContactCaps c(caps(1, 3, {-1, -1, 2}), kOffers);
  std::vector<core::TwinState> twins(4);
  std::vector<core::ContactLedger> ledgers(4);
  twins[1].consent_mask = 0b101;  // no sms
  for (int d = 1; d <= 3; ++d) ledgers[2].contacts.record(d, Channel::email);  // 3 this week
  ledgers[3].contacts.record(2, Channel::push);
  ledgers[3].contacts.record(3, Channel::push);  // push cap of 2 reached
  const std::vector<core::ProposedAction> proposals{
      {0, Channel::email, 0, 1.0f}, {0, Channel::sms, 1, 1.0f},  // second one today
      {1, Channel::sms, -1, 1.0f},                                 // no consent
      {2, Channel::push, -1, 1.0f},                                // weekly cap
      {3, Channel::push, -1, 1.0f}, {3, Channel::email, 1, 1.0f},  // channel cap, then ok
  };
  std::vector<core::DayAction> actions(4);
  policies::CapCounts counts;
  c.enforce(4, proposals, ledgers.data(), twins.data(), nullptr, twins.size(), actions.data(), counts);
  EXPECT_EQ(counts.blocked_by_consent, 1);
  EXPECT_EQ(counts.blocked_by_caps, 3);
  EXPECT_EQ(actions[0].channel, core::index_of(Channel::email));
  EXPECT_FLOAT_EQ(actions[0].discount, 0.10f);
  EXPECT_FALSE(actions[1].any());
  EXPECT_FALSE(actions[2].any());
  EXPECT_EQ(actions[3].channel, core::index_of(Channel::email));
  EXPECT_EQ(actions[3].offer, 1);
  EXPECT_FLOAT_EQ(actions[3].discount, 0.20f);
}

TEST(ContactCaps, IneligibleCustomersAreIgnoredNotCounted) {
  policies::ContactCaps c(caps(1, -1), kOffers);
  std::vector<core::TwinState> twins(2);
  std::vector<core::ContactLedger> ledgers(2);
  const std::uint8_t eligible[] = {0, 1};
  std::vector<core::DayAction> actions(2);
  policies::CapCounts counts;
  c.enforce(0, {{0, Channel::email, -1, 1.0f}, {1, Channel::email, -1, 1.0f}}, ledgers.data(),
            twins.data(), eligible, 2, actions.data(), counts);
  EXPECT_FALSE(actions[0].any());
  EXPECT_TRUE(actions[1].any());
  EXPECT_EQ(counts.blocked_by_caps + counts.blocked_by_consent, 0);
}

TEST(ContactCaps, RejectsProposalsOutsideTheShard) {
  policies::ContactCaps c(caps(1, -1), kOffers);
  std::vector<core::TwinState> twins(2);
  std::vector<core::ContactLedger> ledgers(2);
  std::vector<core::DayAction> actions(2);
  policies::CapCounts counts;
  EXPECT_THROW(c.enforce(0, {{5, Channel::email, -1, 1.0f}}, ledgers.data(), twins.data(),
                         nullptr, 2, actions.data(), counts),
               std::out_of_range);
  EXPECT_THROW(c.enforce(0, {{0, Channel::email, 7, 1.0f}}, ledgers.data(), twins.data(),
                         nullptr, 2, actions.data(), counts),
               std::out_of_range);
}

TEST(ContactCaps, MonthlyCapsOverallAndPerChannel) {
  auto spec = caps(1, -1);
  spec.max_per_month = 3;
  spec.max_per_month_by_channel = {-1, 1, -1};
  policies::ContactCaps c(spec, kOffers);
  core::ContactLedger l;
  const core::TwinState t;
  l.contacts.record(1, Channel::email);
  l.contacts.record(10, Channel::sms);
  EXPECT_EQ(c.check(20, l, t, Channel::sms, 0), Verdict::blocked_by_caps);   // 1 sms in 30 days
  EXPECT_EQ(c.check(20, l, t, Channel::email, 0), Verdict::delivered);
  l.contacts.record(20, Channel::email);
  EXPECT_EQ(c.check(25, l, t, Channel::email, 0), Verdict::blocked_by_caps); // 3 in days 0..25
  EXPECT_EQ(c.check(31, l, t, Channel::email, 0), Verdict::delivered);       // day 1 left
  EXPECT_EQ(c.check(40, l, t, Channel::sms, 0), Verdict::delivered);         // day 10 left
}

TEST(ContactCaps, QuietWeekdaysAndDays) {
  auto spec = caps(1, -1);
  spec.quiet_weekdays = (1u << 5) | (1u << 6);  // Saturday, Sunday; day 0 is a Monday
  spec.quiet_days = {10, 2};
  policies::ContactCaps c(spec, kOffers);
  const core::ContactLedger l;
  const core::TwinState t;
  for (int d = 0; d < 21; ++d) {
    const bool quiet = d % 7 == 5 || d % 7 == 6 || d == 2 || d == 10;
    EXPECT_EQ(c.check(d, l, t, Channel::email, 0),
              quiet ? Verdict::blocked_quiet_day : Verdict::delivered) << d;
  }
}

TEST(ContactCaps, NotTheSameOfferTwiceWithinNDays) {
  auto spec = caps(1, -1);
  spec.offer_repeat_days = 14;
  policies::ContactCaps c(spec, kOffers);
  ASSERT_TRUE(c.tracks_offers());
  std::vector<core::TwinState> twins(1);
  std::vector<core::ContactLedger> ledgers(1);
  std::vector<std::int32_t> offer_days(kOffers.size(), core::kNoDay);
  std::vector<core::DayAction> actions(1);
  policies::CapCounts counts;
  const auto send = [&](int day, std::int16_t offer) {
    c.enforce(day, {{0, Channel::email, offer, 1.0f}}, ledgers.data(), twins.data(), nullptr, 1,
              actions.data(), counts, nullptr, offer_days.data());
    return actions[0].any();
  };
  EXPECT_TRUE(send(0, 0));
  EXPECT_FALSE(send(13, 0));  // 13 days later: still within 14
  EXPECT_TRUE(send(13, 1));   // another offer is fine
  EXPECT_TRUE(send(13, -1));  // and so is a contact without offer
  EXPECT_TRUE(send(14, 0));
  EXPECT_EQ(counts.blocked_by_rules, 1);
}

TEST(ContactCaps, BudgetStopsContactingWhenSpentInProposalOrder) {
  auto spec = caps(1, -1);
  spec.budget = 0.10;                         // total
  spec.budget_by_channel = {-1.0, 0.06, -1.0};  // sms
  const core::ChannelArray<core::Micros> cost{core::to_micros(0.01), core::to_micros(0.03), 0};
  policies::ContactCaps c(spec, kOffers, cost);
  std::vector<core::TwinState> twins(10);
  std::vector<core::ContactLedger> ledgers(10);
  std::vector<core::DayAction> actions(10);
  policies::CapCounts counts;
  policies::BudgetLedger budget;
  std::vector<core::DecisionRecord> log;
  std::vector<core::ProposedAction> day0;
  for (std::uint32_t i = 0; i < 3; ++i) day0.push_back({i, Channel::sms, -1, 1.0f});  // 3rd: sms budget
  for (std::uint32_t i = 3; i < 10; ++i) day0.push_back({i, Channel::email, -1, 1.0f});
  c.enforce(0, day0, ledgers.data(), twins.data(), nullptr, 10, actions.data(), counts, &budget,
            nullptr, &log, 100);
  // sms: 2 x 0.03 = 0.06; email: 0.04 more reaches 0.10, so 4 of the 7 email contacts.
  EXPECT_TRUE(actions[0].any());
  EXPECT_TRUE(actions[1].any());
  EXPECT_FALSE(actions[2].any());
  int email = 0;
  for (int i = 3; i < 10; ++i) email += actions[i].any() ? 1 : 0;
  EXPECT_EQ(email, 4);
  EXPECT_EQ(budget.spent, core::to_micros(0.10));
  EXPECT_EQ(counts.blocked_by_budget, 4);
  EXPECT_EQ(budget.exhausted_day, 0);
  ASSERT_EQ(log.size(), 10u);
  EXPECT_EQ(log[2].status, core::DecisionStatus::blocked_by_budget);
  EXPECT_EQ(log[2].cost, 0);
  EXPECT_EQ(log[0].cost, core::to_micros(0.03));
  EXPECT_EQ(log[0].customer_id, 100u);
  // Spent: nothing more is delivered on later days, not even a free channel's contact... 
  // unless it costs nothing (push is free here).
  c.enforce(1, {{0, Channel::email, -1, 1.0f}, {1, Channel::push, -1, 1.0f}}, ledgers.data(),
            twins.data(), nullptr, 10, actions.data(), counts, &budget);
  EXPECT_FALSE(actions[0].any());
  EXPECT_TRUE(actions[1].any());
  EXPECT_EQ(budget.spent, core::to_micros(0.10));
}

TEST(ContactCaps, HoldsAreLoggedAndNeverDelivered) {
  policies::ContactCaps c(caps(1, -1), kOffers);
  std::vector<core::TwinState> twins(2);
  std::vector<core::ContactLedger> ledgers(2);
  std::vector<core::DayAction> actions(2);
  policies::CapCounts counts;
  std::vector<core::DecisionRecord> log;
  core::ProposedAction hold;
  hold.index = 1;
  hold.hold = true;
  hold.propensity = 0.25f;
  c.enforce(3, {hold}, ledgers.data(), twins.data(), nullptr, 2, actions.data(), counts, nullptr,
            nullptr, &log);
  EXPECT_FALSE(actions[1].any());
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].channel, -1);
  EXPECT_EQ(log[0].status, core::DecisionStatus::delivered);
  EXPECT_FLOAT_EQ(log[0].propensity, 0.25f);
}
