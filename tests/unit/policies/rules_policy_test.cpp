// The rules policy on hand-built customers: each rule and trigger fires exactly on the days
// it should, and not otherwise; priorities and list order decide between matching rules.
#include "mirror/policies/rules_policy.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

#include "policy_shard.hpp"

using namespace mirror;
using core::Channel;
using core::RuleSpec;

namespace {

// Customers are in segment 0 ("loyal") unless a test says otherwise.
using Shard = test_support::PolicyShard;

RuleSpec rule(const std::string& when, Channel c, int priority = 0) {
  RuleSpec r;
  r.when = when;
  r.campaign.channel = c;
  r.priority = priority;
  return r;
}

RuleSpec trigger(RuleSpec::Trigger t, Channel c, int within_days = 1) {
  RuleSpec r;
  r.trigger = t;
  r.within_days = within_days;
  r.campaign.channel = c;
  return r;
}

std::unique_ptr<policies::Policy> make(std::vector<RuleSpec> rules) {
  core::ScenarioSpec s;
  s.horizon_days = 800;
  s.world = core::default_world();
  s.world.segments.resize(2);
  s.world.segments[0].name = "loyal";
  s.world.segments[1].name = "lapsed";
  s.channels = {{Channel::email, 0.01}, {Channel::sms, 0.05}, {Channel::push, 0.0}};
  s.offers = {{"ten_off", 0.10}};
  core::PolicySpec p;
  p.kind = core::PolicySpec::Kind::rules;
  p.rules = std::move(rules);
  s.experiment.arms = {{"arm", p}};
  return policies::make_policy(s, 0);
}

// The day's proposals: customer index -> channel.
std::map<std::uint32_t, Channel> decide(policies::Policy& policy, std::int32_t day, const Shard& shard) {
  std::vector<core::ProposedAction> out;
  policy.decide(day, shard.view(), out);
  std::map<std::uint32_t, Channel> by_customer;
  for (const auto& a : out) {
    EXPECT_EQ(a.propensity, 1.0);
    EXPECT_FALSE(a.hold);
    EXPECT_TRUE(by_customer.emplace(a.index, a.channel).second) << "two proposals for " << a.index;
  }
  return by_customer;
}

// Tells the policy, through the next day's view, that its proposals of `day` were delivered
// to these customers (and nothing to the others).
void deliver(Shard& shard, const std::map<std::uint32_t, Channel>& proposals,
             const std::vector<std::uint32_t>& delivered) {
  for (auto& a : shard.actions) a = core::DayAction{};
  for (auto i : delivered) shard.actions[i].channel = static_cast<std::int8_t>(core::index_of(proposals.at(i)));
}

using Proposals = std::map<std::uint32_t, Channel>;

}  // namespace

TEST(RulesPolicy, HighestPriorityThenListOrderWins) {
  Shard s(0, 5);
  s.twins[0].revenue = core::to_micros(200);  // big spender, loyal
  s.twins[0].conversions = 2;
  s.twins[1].revenue = core::to_micros(200);  // big spender, lapsed
  s.twins[1].conversions = 3;
  s.segments[1] = 1;
  s.segments[2] = 1;                          // lapsed without purchases
  s.twins[3].revenue = core::to_micros(50);   // matches nothing
  s.twins[3].conversions = 1;
  s.twins[4].revenue = core::to_micros(150);  // two rules of equal priority
  s.twins[4].conversions = 1;
  RuleSpec hold = rule("purchases == 0", Channel::email, 10);
  hold.act = false;
  auto policy = make({rule("total_spend > 100", Channel::email),
                      rule("segment == 'lapsed'", Channel::sms, 5), hold,
                      rule("total_spend >= 150", Channel::push)});
  EXPECT_EQ(decide(*policy, 0, s),
            (Proposals{{0, Channel::email}, {1, Channel::sms}, {4, Channel::email}}));
}

TEST(RulesPolicy, FieldsAreWhatTheCrmSawByTheMorning) {
  Shard s(0, 4);
  s.twins[0].last_purchase_day = 3;
  s.twins[0].first_purchase_day = 1;
  s.ledgers[1].record(5, Channel::email, 0, 7.0);
  s.ledgers[1].record(8, Channel::sms, 0, 7.0);
  s.twins[2].consent_mask &= static_cast<std::uint8_t>(~(1u << core::index_of(Channel::sms)));
  // customer 3: no purchase, no contact, consents everywhere
  auto recency = make({rule("recency_days == 7 and tenure_days == 9", Channel::email)});
  EXPECT_EQ(decide(*recency, 9, s), Proposals{});
  EXPECT_EQ(decide(*recency, 10, s), (Proposals{{0, Channel::email}}));
  EXPECT_EQ(decide(*recency, 11, s), Proposals{});
  // Contacts on days 5 and 8: on day 10, 2 days since the last, 2 in the last 7 days, and
  // on day 13 only the one of day 8 is within 7 days.
  auto contacts = make({rule("days_since_contact == 2 and contacts_7d == 2 and contacts == 2", Channel::push),
                        rule("contacts_7d == 1 and contacts_30d == 2", Channel::sms)});
  EXPECT_EQ(decide(*contacts, 10, s), (Proposals{{1, Channel::push}}));
  EXPECT_EQ(decide(*contacts, 13, s), (Proposals{{1, Channel::sms}}));
  auto consent = make({rule("consent_sms == 0", Channel::email)});
  EXPECT_EQ(decide(*consent, 0, s), (Proposals{{2, Channel::email}}));
  // A missing value (no purchase yet) fails every comparison; `not` selects it.
  auto missing = make({rule("recency_days >= 0", Channel::email),
                       rule("not (recency_days >= 0) and not (days_since_contact >= 0)", Channel::sms)});
  EXPECT_EQ(decide(*missing, 12, s), (Proposals{{0, Channel::email}, {2, Channel::sms}, {3, Channel::sms}}));
}

TEST(RulesPolicy, EveryDaysAndCooldown) {
  Shard s(0, 2);
  RuleSpec weekly = rule("segment == 'loyal'", Channel::email);
  weekly.every_days = 7;
  auto policy = make({weekly});
  for (int day = 0; day < 22; ++day) {
    const auto out = decide(*policy, day, s);
    EXPECT_EQ(out.size(), day % 7 == 0 ? 2u : 0u) << day;
  }
  // Cooldown 3: customer 0's message is delivered on day 0, so nothing on days 1 and 2;
  // customer 1's is blocked every time, so it is proposed again every day.
  RuleSpec cool = rule("", Channel::sms);
  cool.cooldown_days = 3;
  policy = make({cool});
  std::vector<std::vector<std::uint32_t>> got(7);
  for (int day = 0; day < 7; ++day) {
    const auto out = decide(*policy, day, s);
    for (const auto& [i, c] : out) got[day].push_back(i);
    deliver(s, out, out.count(0) ? std::vector<std::uint32_t>{0} : std::vector<std::uint32_t>{});
  }
  const std::vector<std::vector<std::uint32_t>> want{{0, 1}, {1}, {1}, {0, 1}, {1}, {1}, {0, 1}};
  EXPECT_EQ(got, want);
}

TEST(RulesPolicy, CartAbandonFiresOncePerAbandonWithinItsWindow) {
  Shard s(0, 4);
  for (auto& t : s.twins) t.last_abandon_day = 4;
  auto policy = make({trigger(RuleSpec::Trigger::cart_abandon, Channel::push, 3)});
  // Day 4: the cart is abandoned during the day, nothing yet.
  EXPECT_EQ(decide(*policy, 4, s), Proposals{});
  auto day5 = decide(*policy, 5, s);
  EXPECT_EQ(day5.size(), 4u);
  deliver(s, day5, {0});  // customer 0 got it; the others were blocked (caps, consent)
  s.twins[3].last_abandon_day = 5;  // customer 3 abandoned again on day 5: a new occasion
  auto day6 = decide(*policy, 6, s);
  EXPECT_EQ(day6, (Proposals{{1, Channel::push}, {2, Channel::push}, {3, Channel::push}}));
  deliver(s, day6, {3});
  s.twins[2].last_purchase_day = 6;  // bought on day 6, after the abandon: closed
  EXPECT_EQ(decide(*policy, 7, s), (Proposals{{1, Channel::push}}));  // 2 bought, 3 has it
  deliver(s, {}, {});
  EXPECT_EQ(decide(*policy, 8, s), Proposals{});  // the window of 3 days is over
  s.twins[0].last_abandon_day = 10;
  EXPECT_EQ(decide(*policy, 11, s), (Proposals{{0, Channel::push}}));
}

TEST(RulesPolicy, InactiveDaysFiresOncePerLapse) {
  Shard s(0, 3);
  s.twins[0].last_visit_day = 2;  // reaches 10 days without a visit on day 12
  s.twins[1].last_visit_day = 2;
  // customer 2 never visited: counted from the day before the run, 10 days on day 9
  RuleSpec lapse = trigger(RuleSpec::Trigger::inactive_days, Channel::email, 2);
  lapse.inactive_days = 10;
  auto policy = make({lapse});
  std::map<int, Proposals> got;
  for (int day = 0; day < 30; ++day) {
    if (day == 15) s.twins[1].last_visit_day = 14;  // came back: a new lapse
    const auto out = decide(*policy, day, s);
    if (!out.empty()) got[day] = out;
    // Delivered to 0 and 2 whenever proposed, never to 1 (so 1 gets the second day too).
    std::vector<std::uint32_t> to;
    for (const auto& [i, c] : out)
      if (i != 1) to.push_back(i);
    deliver(s, out, to);
  }
  const std::map<int, Proposals> want{{9, {{2, Channel::email}}},
                                      {12, {{0, Channel::email}, {1, Channel::email}}},
                                      {13, {{1, Channel::email}}},
                                      {24, {{1, Channel::email}}},
                                      {25, {{1, Channel::email}}}};
  EXPECT_EQ(got, want);
}

TEST(RulesPolicy, PurchaseAnniversaryIsYearly) {
  Shard s(0, 2);
  s.twins[0].first_purchase_day = 3;
  auto policy = make({trigger(RuleSpec::Trigger::purchase_anniversary, Channel::email)});
  std::vector<int> days;
  for (int day = 0; day < 800; ++day) {
    const auto out = decide(*policy, day, s);
    if (!out.empty()) days.push_back(day);
    EXPECT_EQ(out.count(1), 0u);  // never bought: no anniversary
    deliver(s, out, {});
  }
  EXPECT_EQ(days, (std::vector<int>{368, 733}));
}

// A trigger above a rule takes the customer on its day; a condition narrows a trigger; a
// `none` entry above everything holds customers back from both.
TEST(RulesPolicy, TriggersAndRulesShareOnePriorityOrder) {
  Shard s(0, 3);
  for (auto& t : s.twins) t.last_abandon_day = 0;
  s.segments[1] = 1;
  s.twins[2].conversions = 1;
  RuleSpec cart = trigger(RuleSpec::Trigger::cart_abandon, Channel::push);
  cart.when = "segment == 'loyal'";
  cart.priority = 5;
  RuleSpec buyers = rule("purchases > 0", Channel::email, 10);
  buyers.act = false;
  auto policy = make({rule("", Channel::sms), cart, buyers});
  EXPECT_EQ(decide(*policy, 1, s), (Proposals{{0, Channel::push}, {1, Channel::sms}}));
  EXPECT_EQ(decide(*policy, 2, s), (Proposals{{0, Channel::sms}, {1, Channel::sms}}));
}

// Decisions depend on each customer alone: the same customers in one shard or in three
// get the same proposals day after day, deliveries included.
TEST(RulesPolicy, SameDecisionsForAnySharding) {
  const std::size_t n = 30;
  Shard whole(0, n);
  std::vector<Shard> parts{Shard(0, 7), Shard(7, 11), Shard(18, 12)};
  const auto at = [&](std::size_t c) -> std::pair<Shard*, std::size_t> {
    for (auto& p : parts)
      if (c < p.first_customer + p.twins.size()) return {&p, c - p.first_customer};
    return {nullptr, 0};
  };
  RuleSpec lapse = trigger(RuleSpec::Trigger::inactive_days, Channel::email, 3);
  lapse.inactive_days = 4;
  RuleSpec cart = trigger(RuleSpec::Trigger::cart_abandon, Channel::push, 2);
  cart.priority = 1;
  RuleSpec spender = rule("total_spend > 20 and contacts_7d < 2", Channel::sms);
  spender.cooldown_days = 3;
  auto one = make({lapse, cart, spender});
  auto three = make({lapse, cart, spender});
  for (int day = 0; day < 40; ++day) {
    // The same made-up history for both layouts.
    for (std::size_t c = 0; c < n; ++c) {
      auto [p, i] = at(c);
      for (auto* t : {&whole.twins[c], &p->twins[i]}) {
        if ((c * 7 + day) % 5 == 0) t->last_visit_day = day - 1;
        if ((c * 3 + day) % 9 == 0) t->last_abandon_day = day - 1;
        if ((c + day) % 6 == 0) t->revenue += core::to_micros(7);
      }
    }
    policies::ArmProposals a, b;
    one->decide_arm(day, {whole.view()}, a);
    std::vector<policies::ShardView> views;
    for (const auto& p : parts) views.push_back(p.view());
    three->decide_arm(day, views, b);
    std::vector<std::pair<std::uint64_t, int>> x, y;
    for (const auto& p : a[0]) x.emplace_back(p.index, static_cast<int>(p.channel));
    for (std::size_t k = 0; k < parts.size(); ++k)
      for (const auto& p : b[k]) y.emplace_back(parts[k].first_customer + p.index, static_cast<int>(p.channel));
    ASSERT_EQ(x, y) << "day " << day;
    // Deliver every other proposal (by customer id), in both layouts.
    for (auto& t : whole.actions) t = core::DayAction{};
    for (auto& p : parts)
      for (auto& t : p.actions) t = core::DayAction{};
    for (const auto& [c, ch] : x) {
      if (c % 2 != 0) continue;
      auto [p, i] = at(c);
      whole.actions[c].channel = static_cast<std::int8_t>(ch);
      p->actions[i].channel = static_cast<std::int8_t>(ch);
      whole.ledgers[c].record(day, static_cast<Channel>(ch), 0, 7.0);
      p->ledgers[i].record(day, static_cast<Channel>(ch), 0, 7.0);
    }
  }
}

TEST(RulesPolicy, FieldListAndBadConditions) {
  const auto fields = policies::crm_rule_fields();
  ASSERT_FALSE(fields.empty());
  EXPECT_EQ(fields.front().name, "segment");
  EXPECT_EQ(fields.front().kind, ingest::FieldKind::kText);
  for (std::size_t k = 1; k < fields.size(); ++k) EXPECT_EQ(fields[k].kind, ingest::FieldKind::kNumber);
  EXPECT_THROW(make({rule("recncy_days > 3", Channel::email)}), std::invalid_argument);
  EXPECT_THROW(make({rule("recency_days >", Channel::email)}), std::invalid_argument);
}
