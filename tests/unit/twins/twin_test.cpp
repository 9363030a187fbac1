#include "mirror/twins/twin.hpp"

#include <caf/test/dsl.hpp>
#include <gtest/gtest.h>

#include "mirror/core/messages.hpp"

using namespace mirror;
using core::DayOutcome;

namespace {

core::TwinDay contact(std::int32_t day, core::Channel c, std::uint8_t flags = 0) {
  core::TwinDay d;
  d.day = day;
  d.action.channel = static_cast<std::int8_t>(core::index_of(c));
  d.outcome.flags = flags;
  return d;
}

}  // namespace

TEST(ApplyDay, PurchaseAddsToTotals) {
  core::TwinState t;
  core::TwinDay d;
  d.day = 4;
  d.outcome.flags = DayOutcome::kVisit | DayOutcome::kPurchase;
  d.outcome.revenue = core::to_micros(40.0);
  d.outcome.margin = core::to_micros(12.0);
  twins::apply_day(t, d);
  EXPECT_EQ(t.visits, 1u);
  EXPECT_EQ(t.conversions, 1u);
  EXPECT_EQ(t.revenue, core::to_micros(40.0));
  EXPECT_EQ(t.margin, core::to_micros(12.0));
  EXPECT_EQ(t.last_purchase_day, 4);
}

// The days triggered actions wait for: a visit without a purchase is the abandoned cart, a
// purchase is a visit, and the first purchase day stays.
TEST(ApplyDay, RecordsVisitAbandonAndFirstPurchaseDays) {
  core::TwinState t;
  EXPECT_EQ(t.last_visit_day, core::kNoDay);
  EXPECT_EQ(t.last_abandon_day, core::kNoDay);
  EXPECT_EQ(t.first_purchase_day, core::kNoDay);
  core::TwinDay d;
  d.day = 3;
  d.outcome.flags = DayOutcome::kVisit;
  twins::apply_day(t, d);
  EXPECT_EQ(t.last_visit_day, 3);
  EXPECT_EQ(t.last_abandon_day, 3);
  EXPECT_EQ(t.first_purchase_day, core::kNoDay);
  d.day = 5;
  d.outcome.flags = DayOutcome::kVisit | DayOutcome::kPurchase;
  twins::apply_day(t, d);
  EXPECT_EQ(t.last_visit_day, 5);
  EXPECT_EQ(t.last_abandon_day, 3);
  EXPECT_EQ(t.first_purchase_day, 5);
  d.day = 8;
  d.outcome.flags = DayOutcome::kPurchase;  // a model that reports the purchase alone
  twins::apply_day(t, d);
  EXPECT_EQ(t.last_visit_day, 8);
  EXPECT_EQ(t.first_purchase_day, 5);
  d.day = 9;
  d.outcome.flags = DayOutcome::kNotice;  // a noticed contact is not a visit
  twins::apply_day(t, d);
  EXPECT_EQ(t.last_visit_day, 8);
  EXPECT_EQ(t.last_abandon_day, 3);
}

TEST(ContactLedger, ContactsBuildFatigueThatDecays) {
  core::ContactLedger l;
  l.record(0, core::Channel::email, core::to_micros(0.02), 7.0);
  EXPECT_DOUBLE_EQ(l.fatigue_at(0, 7.0), 1.0);
  EXPECT_NEAR(l.fatigue_at(7, 7.0), 0.5, 1e-6);
  l.record(7, core::Channel::email, core::to_micros(0.02), 7.0);
  EXPECT_NEAR(l.fatigue_at(7, 7.0), 1.5, 1e-6);
  EXPECT_EQ(l.contacts_by_channel[0], 2u);
  EXPECT_EQ(l.contacts_total(), 2u);
  EXPECT_EQ(l.cost, 2 * core::to_micros(0.02));
  EXPECT_EQ(l.contacts.count(7, 7), 1);
  EXPECT_EQ(l.contacts.count(7, 8), 2);
}

TEST(ApplyDay, UnsubscribeRevokesOnlyThatChannelAndCountsOnce) {
  core::TwinState t;
  twins::apply_day(t, contact(1, core::Channel::sms, DayOutcome::kNotice | DayOutcome::kUnsubscribe));
  EXPECT_FALSE(t.consents(core::Channel::sms));
  EXPECT_TRUE(t.consents(core::Channel::email));
  EXPECT_TRUE(t.consents(core::Channel::push));
  EXPECT_EQ(t.unsubscribes, 1u);
  EXPECT_EQ(t.notices, 1u);
}

TEST(ApplyDay, ChurnIsForGood) {
  core::TwinState t;
  core::TwinDay d;
  d.day = 9;
  d.outcome.flags = DayOutcome::kChurn;
  twins::apply_day(t, d);
  EXPECT_FALSE(t.active());
  EXPECT_EQ(t.churn_day, 9);
  d.day = 12;
  twins::apply_day(t, d);
  EXPECT_EQ(t.churn_day, 9);
}

// The twin actor under CAF's deterministic coordinator: one message at a time, no threads.
// Two twins share a day barrier of 2: only the second to finish tells the shard.
TEST(TwinActor, UpdatesItsStateAndTheLastOneOfTheDayReports) {
  test_coordinator_fixture<> fix;
  core::TwinState first, second;
  twins::DayBarrier barrier;
  barrier.pending = 2;
  auto a = fix.sys.spawn<caf::lazy_init>(twins::twin_actor, &first, &barrier, nullptr);
  auto b = fix.sys.spawn<caf::lazy_init>(twins::twin_actor, &second, &barrier, nullptr);
  int reports = 0;
  const auto count_reports = [&] {
    bool more = true;
    while (more)
      fix.self->receive([&](twin_done_atom) { ++reports; },
                        caf::after(std::chrono::seconds(0)) >> [&] { more = false; });
  };

  fix.self->send(a, contact(3, core::Channel::push, DayOutcome::kNotice | DayOutcome::kVisit));
  fix.run();
  count_reports();
  EXPECT_EQ(reports, 0);
  EXPECT_EQ(barrier.pending.load(), 1);
  EXPECT_EQ(first.visits, 1u);
  EXPECT_EQ(first.notices, 1u);

  core::TwinDay buy;
  buy.day = 3;
  buy.outcome.flags = DayOutcome::kVisit | DayOutcome::kPurchase;
  buy.outcome.revenue = core::to_micros(10.0);
  fix.self->send(b, buy);
  fix.run();
  count_reports();
  EXPECT_EQ(reports, 1);
  EXPECT_EQ(barrier.pending.load(), 0);
  EXPECT_EQ(second.revenue, core::to_micros(10.0));
  EXPECT_EQ(second.visits, 1u);
  EXPECT_EQ(first.revenue, 0);  // each twin writes only its own state
}
