// Per-customer Thompson sampling and LinUCB: logged propensities against hand-computed and
// closed-form values, learning in a synthetic world whose best arms are known, and the same
// decisions for any sharding.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>

#include "mirror/policies/policy.hpp"
#include "beta_closed_form.hpp"
#include "policy_shard.hpp"

using namespace mirror;
using core::Channel;

namespace {

using Shard = test_support::PolicyShard;

core::ScenarioSpec scenario(const core::PolicySpec& p, int segments = 0) {
  core::ScenarioSpec s;
  s.seed = 9;
  s.horizon_days = 30;
  s.channels = {{Channel::email, 0.01}, {Channel::sms, 0.05}};
  s.offers = {{"ten_off", 0.10}};
  s.world.segments.resize(segments);
  s.experiment.arms = {{"arm", p}};
  return s;
}

core::PolicySpec learner(core::PolicySpec::Kind kind, bool include_none = false) {
  core::PolicySpec p;
  p.kind = kind;
  p.every_days = 1;
  p.include_none = include_none;
  p.campaigns = {{Channel::email, -1, -1}, {Channel::sms, -1, -1}};
  if (kind == core::PolicySpec::Kind::thompson) p.per = core::PolicySpec::LearnPer::customer;
  return p;
}

// Arm index of a proposal with campaigns {email, sms} (+ none = 2).
int arm_of(const core::ProposedAction& a) {
  return a.hold ? 2 : (a.channel == Channel::email ? 0 : 1);
}

double uniform(std::uint64_t customer, std::int32_t day, int salt) {
  std::uint64_t z = customer * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(day) * 0xBF58476D1CE4E5B9ull +
                    static_cast<std::uint64_t>(salt) * 0x94D049BB133111EBull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

struct Decision {
  std::uint64_t customer;
  std::int32_t day;
  int arm;
  double propensity;
  bool operator==(const Decision& o) const {
    return customer == o.customer && day == o.day && arm == o.arm && propensity == o.propensity;
  }
};

// Runs a policy for `days` days on customers split as `layout`; each day's proposals are
// delivered unless blocked(customer, day), and bought(customer, day, arm) decides the
// purchase (margin 5).
using Bought = std::function<bool(std::uint64_t, std::int32_t, int)>;
using Blocked = std::function<bool(std::uint64_t, std::int32_t)>;
std::vector<Decision> run(const core::ScenarioSpec& s, const std::vector<std::size_t>& layout,
                          int days, const Bought& bought, const Blocked& blocked = nullptr,
                          const std::function<void(std::vector<Shard>&)>& setup = nullptr) {
  std::vector<Shard> shards;
  std::uint64_t first = 0;
  for (std::size_t n : layout) {
    shards.emplace_back(first, n);
    first += n;
  }
  if (setup) setup(shards);
  auto policy = policies::make_policy(s, 0);
  std::vector<Decision> log;
  for (int day = 0; day < days; ++day) {
    std::vector<policies::ShardView> views;
    for (auto& sh : shards) views.push_back(sh.view());
    policies::ArmProposals out;
    policy->decide_arm(day, views, out);
    for (std::size_t k = 0; k < shards.size(); ++k) {
      auto& sh = shards[k];
      std::fill(sh.actions.begin(), sh.actions.end(), core::DayAction{});
      std::fill(sh.outcomes.begin(), sh.outcomes.end(), core::DayOutcome{});
      for (const auto& a : out[k]) {
        const std::uint64_t id = sh.first_customer + a.index;
        log.push_back({id, day, arm_of(a), a.propensity});
        if (blocked && blocked(id, day)) continue;
        if (!a.hold) {
          sh.actions[a.index].channel = static_cast<std::int8_t>(core::index_of(a.channel));
          sh.actions[a.index].offer = a.offer;
          sh.actions[a.index].message = a.message;
        }
        if (bought(id, day, arm_of(a))) {
          sh.outcomes[a.index].flags = core::DayOutcome::kPurchase;
          sh.outcomes[a.index].margin = core::to_micros(5.0);
        }
      }
    }
  }
  return log;
}

using test_support::p_first_wins;

}  // namespace

TEST(CustomerThompson, ClosedFormHelperAgreesWithHandValues) {
  EXPECT_NEAR(p_first_wins(2, 1, 1, 1), 2.0 / 3.0, 1e-14);
  EXPECT_NEAR(p_first_wins(1, 2, 1, 1), 1.0 / 3.0, 1e-14);
  EXPECT_NEAR(p_first_wins(2, 1, 1, 2), 5.0 / 6.0, 1e-14);
}

// One customer, two arms: Beta(1, 1) twice (1/2); after a purchase Beta(2, 1) against
// Beta(1, 1) (2/3 : 1/3); after a non-purchase either Beta(2, 2) against Beta(1, 1) (1/2)
// or Beta(2, 1) against Beta(1, 2) (5/6 : 1/6). A blocked action teaches nothing.
TEST(CustomerThompson, HandComputedProbabilities) {
  const auto s = scenario(learner(core::PolicySpec::Kind::thompson));
  const auto log = run(
      s, {1}, 4, [](std::uint64_t, std::int32_t day, int) { return day == 0; },
      [](std::uint64_t, std::int32_t day) { return day == 2; });
  ASSERT_EQ(log.size(), 4u);
  EXPECT_NEAR(log[0].propensity, 0.5, 1e-14);
  const int first = log[0].arm;
  EXPECT_NEAR(log[1].propensity, log[1].arm == first ? 2.0 / 3.0 : 1.0 / 3.0, 1e-14);
  double expected = 0.5;  // the same arm again: Beta(2, 2) against Beta(1, 1)
  if (log[1].arm != first) expected = log[2].arm == first ? 5.0 / 6.0 : 1.0 / 6.0;
  EXPECT_NEAR(log[2].propensity, expected, 1e-14);
  // Day 2's action was blocked: day 3 draws from day 2's posteriors.
  const double day3 = log[3].arm == log[2].arm ? log[2].propensity : 1.0 - log[2].propensity;
  EXPECT_NEAR(log[3].propensity, day3, 1e-14);
}

// Three arms (email, sms, none): after a purchase on one, Beta(2, 1) against two
// Beta(1, 1): integral of 2x * x^2 = 1/2 for it, 1/4 for each other arm. Without consent on
// sms, only email and none are drawn from.
TEST(CustomerThompson, ThreeArmsAndConsent) {
  const auto s = scenario(learner(core::PolicySpec::Kind::thompson, true));
  const auto log = run(s, {2}, 2, [](std::uint64_t id, std::int32_t day, int) { return id == 0 && day == 0; },
                       nullptr, [](std::vector<Shard>& sh) { sh[0].twins[1].consent_mask = 0b001; });
  ASSERT_EQ(log.size(), 4u);
  EXPECT_NEAR(log[0].propensity, 1.0 / 3.0, 1e-14);
  EXPECT_NEAR(log[1].propensity, 0.5, 1e-14);
  EXPECT_NE(log[1].arm, 1) << "no consent on sms";
  EXPECT_NEAR(log[2].propensity, log[2].arm == log[0].arm ? 0.5 : 0.25, 1e-14);
  // Customer 1 did not buy: Beta(1, 2) against Beta(1, 1): 1/3 : 2/3.
  EXPECT_NEAR(log[3].propensity, log[3].arm == log[1].arm ? 1.0 / 3.0 : 2.0 / 3.0, 1e-14);
}

// Every logged propensity of 400 customers over 30 days against the closed form for the
// customer's own counts, which the test keeps; sms sells far better and is learnt.
TEST(CustomerThompson, EveryPropensityIsExactAndTheBetterArmIsLearnt) {
  const auto s = scenario(learner(core::PolicySpec::Kind::thompson));
  const auto bought = [](std::uint64_t id, std::int32_t day, int arm) {
    return uniform(id, day, 1) < (arm == 1 ? 0.7 : 0.1);
  };
  const auto blocked = [](std::uint64_t id, std::int32_t day) { return uniform(id, day, 2) < 0.2; };
  const auto log = run(s, {400}, 30, bought, blocked);
  ASSERT_EQ(log.size(), 400u * 30u);
  std::map<std::uint64_t, std::array<int, 4>> counts;  // s0, f0, s1, f1
  int late_sms = 0, late = 0;
  double worst = 0.0;
  for (const auto& d : log) {
    auto& c = counts[d.customer];
    const double p_email = p_first_wins(1 + c[0], 1 + c[1], 1 + c[2], 1 + c[3]);
    worst = std::max(worst, std::abs(d.propensity - (d.arm == 0 ? p_email : 1.0 - p_email)));
    if (!blocked(d.customer, d.day)) ++c[2 * d.arm + (bought(d.customer, d.day, d.arm) ? 0 : 1)];
    if (d.day >= 25) {
      ++late;
      late_sms += d.arm == 1;
    }
  }
  EXPECT_LT(worst, 1e-12);
  EXPECT_GT(late_sms, 0.9 * late);
}

// x = [1, recency, frequency, monetary, contacts, consent x 3] = [1, 0, 0, 0, 0, 1, 1, 1]
// for an untouched customer (|x|^2 = 4). Untried arms score alpha |x| / sqrt(ridge) = 2
// and tie (1/2 each). After one delivered reward r on arm a (ridge 1):
// theta_a' x = r |x|^2 / (1 + |x|^2) = 0.8 r and x' A^-1 x = 0.8, so arm a scores
// 0.8 r + 0.894 and wins iff r > 1.382; with epsilon 0.2 the winner has 0.9, the other 0.1.
TEST(LinUcb, HandComputedScoresTiesAndEpsilon) {
  for (const double r : {1.39, 1.37}) {
    auto p = learner(core::PolicySpec::Kind::linucb);
    p.epsilon = 0.2;
    p.alpha = 1.0;
    p.ridge = 1.0;
    auto s = scenario(p);
    s.channels = {{Channel::email, 0.0}, {Channel::sms, 0.0}};
    std::vector<Shard> shards{Shard(0, 1)};
    auto policy = policies::make_policy(s, 0);
    policies::ArmProposals out;
    policy->decide_arm(0, {shards[0].view()}, out);
    ASSERT_EQ(out[0].size(), 1u);
    EXPECT_DOUBLE_EQ(out[0][0].propensity, 0.5);
    const int first = arm_of(out[0][0]);
    shards[0].actions[0].channel = static_cast<std::int8_t>(core::index_of(out[0][0].channel));
    shards[0].outcomes[0].flags = core::DayOutcome::kPurchase;
    shards[0].outcomes[0].margin = core::to_micros(r);
    policy->decide_arm(1, {shards[0].view()}, out);
    const bool first_wins = r > 1.382;
    const int now = arm_of(out[0][0]);
    EXPECT_DOUBLE_EQ(out[0][0].propensity, (now == first) == first_wins ? 0.9 : 0.1) << r;
  }
}

// Two segments with different best arms (segment 0 buys after email, 1 after sms): the
// segment one-hot lets LinUCB learn each segment's arm.
TEST(LinUcb, LearnsEachSegmentsBestArm) {
  auto p = learner(core::PolicySpec::Kind::linucb);
  p.epsilon = 0.05;
  p.alpha = 0.5;
  const auto s = scenario(p, 2);
  const auto bought = [](std::uint64_t id, std::int32_t day, int arm) {
    const int best = id % 2 == 0 ? 0 : 1;
    return uniform(id, day, 3) < (arm == best ? 0.6 : 0.1);
  };
  const auto log = run(s, {200, 200}, 20, bought, nullptr, [](std::vector<Shard>& sh) {
    for (auto& shard : sh)
      for (std::size_t i = 0; i < shard.segments.size(); ++i)
        shard.segments[i] = static_cast<std::int32_t>((shard.first_customer + i) % 2);
  });
  int right = 0, late = 0;
  for (const auto& d : log)
    if (d.day >= 15) {
      ++late;
      right += d.arm == static_cast<int>(d.customer % 2);
      EXPECT_TRUE(d.propensity == 0.025 || d.propensity == 0.975 || d.propensity == 0.5) << d.propensity;
    }
  EXPECT_GT(right, 0.9 * late);
}

// The same decisions and propensities, bit for bit, whatever the sharding.
TEST(OnlineLearners, SameDecisionsForAnySharding) {
  for (const auto kind : {core::PolicySpec::Kind::thompson, core::PolicySpec::Kind::linucb}) {
    auto p = learner(kind, true);
    p.epsilon = 0.1;
    const auto s = scenario(p, 3);
    const auto bought = [](std::uint64_t id, std::int32_t day, int arm) {
      return uniform(id, day, 4) < 0.1 + 0.2 * arm;
    };
    const auto blocked = [](std::uint64_t id, std::int32_t day) { return uniform(id, day, 5) < 0.1; };
    const auto setup = [](std::vector<Shard>& sh) {
      for (auto& shard : sh)
        for (std::size_t i = 0; i < shard.segments.size(); ++i)
          shard.segments[i] = static_cast<std::int32_t>((shard.first_customer + i) % 3);
    };
    const auto one = run(s, {60}, 12, bought, blocked, setup);
    EXPECT_EQ(one.size(), 60u * 12u);
    for (const auto& layout : std::vector<std::vector<std::size_t>>{{25, 35}, {1, 9, 50}})
      EXPECT_TRUE(run(s, layout, 12, bought, blocked, setup) == one)
          << core::policy_kind_name(kind) << " " << layout.size() << " shards";
  }
}
