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
