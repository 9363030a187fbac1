// Internal to the policies library: what the per-customer Thompson and LinUCB learners
// share (their arms, how a choice is drawn from exact probabilities and logged, what was
// delivered), and their factories.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "mirror/core/scenario_spec.hpp"
#include "mirror/policies/policy.hpp"

namespace mirror::policies::learner {

// What the learners need from the scenario besides their own spec.
struct LearnerContext {
  std::uint64_t seed = 0;
  core::ChannelArray<double> channel_cost{};  // currency units
  int horizon_days = 0;
  int segment_count = 1;  // observable segment labels 0 .. segment_count - 1

  static LearnerContext of(const core::ScenarioSpec& s);
};

// A learner's arms: the spec's campaigns, then "no action" when include_none.
class LearnerArms {
 public:
  explicit LearnerArms(const core::PolicySpec& spec);

  int count() const { return count_; }
  bool is_none(int a) const { return a >= static_cast<int>(campaigns_.size()); }
  // The customer has consent on the arm's channel ("no action" always reaches).
  bool reachable(int a, const core::TwinState& t) const;
  // Every arm that reaches the customer, in arm order, into `out`.
  void reachable_arms(const core::TwinState& t, std::vector<int>& out) const;
  // Yesterday's delivered action is arm a's (for "no action": nothing was delivered).
  bool delivered(int a, const core::DayAction& act) const;
  // The log record of choosing arm a for shard index i with probability p.
  core::ProposedAction proposal(int a, std::size_t i, double p) const;
  // A learner's day: for each in-arm, active customer whom some arm reaches,
  // fill_probs(view, k, i, eligible, probs) sets the arms' probabilities (count() of them);
  // one arm is drawn with the customer's uniform of the day (choice_uniform), kept in
  // chosen[k][i] and proposed in out[k].
  template <class FillProbs>
  void decide_each(std::uint64_t seed, std::int32_t day, const std::vector<ShardView>& shards,
                   std::vector<std::vector<std::int16_t>>& chosen, ArmProposals& out,
                   FillProbs&& fill_probs) const;

 private:
  std::vector<core::CampaignSpec> campaigns_;
  int count_ = 0;
};

// A policy with `every_days` and `start_day` acts on this day.
inline bool due(const core::PolicySpec& spec, std::int32_t day) {
  return day >= spec.start_day && (day - spec.start_day) % spec.every_days == 0;
}

// The arm whose cumulative probability first exceeds u in [0, 1); arms with probability 0
// are never returned (rounding at the top end falls back to the last positive one).
int draw(const std::vector<double>& probs, double u);

// The day's uniform for a customer's choice: RandomStream(seed, customer, day, policy_choice).
double choice_uniform(std::uint64_t seed, std::uint64_t customer, std::int32_t day);

template <class FillProbs>
void LearnerArms::decide_each(std::uint64_t seed, std::int32_t day, const std::vector<ShardView>& shards,
                              std::vector<std::vector<std::int16_t>>& chosen, ArmProposals& out,
                              FillProbs&& fill_probs) const {
  std::vector<int> eligible;
  std::vector<double> probs(count_);
  for (std::size_t k = 0; k < shards.size(); ++k) {
    const auto& v = shards[k];
    for (std::size_t i = 0; i < v.size; ++i) {
      if (!v.in_arm(i) || !v.twins[i].active()) continue;
      reachable_arms(v.twins[i], eligible);
      if (eligible.empty()) continue;
      fill_probs(v, k, i, eligible, probs);
      const int a = draw(probs, choice_uniform(seed, v.first_customer + i, day));
      chosen[k][i] = static_cast<std::int16_t>(a);
      out[k].push_back(proposal(a, i, probs[a]));
    }
  }
}

// The reward LinUCB and epsilon_greedy learn from: the day's margin minus the contact's cost.
double day_reward(const core::DayAction& act, const core::DayOutcome& o,
                  const core::ChannelArray<double>& channel_cost);

// n-point Gauss-Legendre nodes and weights on [0, 1]: exact for polynomials of degree
// up to 2n - 1.
void gauss_legendre(int n, std::vector<double>& nodes, std::vector<double>& weights);

// Thompson sampling with one Beta-Bernoulli posterior per customer and arm.
std::unique_ptr<Policy> make_customer_thompson(const core::PolicySpec& spec,
                                               const LearnerContext& ctx);
// LinUCB (disjoint model) over the customer features of docs/policies.md.
std::unique_ptr<Policy> make_linucb(const core::PolicySpec& spec, const LearnerContext& ctx);

}  // namespace mirror::policies::learner
