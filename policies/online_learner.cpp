#include "online_learner.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "mirror/core/random.hpp"

namespace mirror::policies::learner {

LearnerContext LearnerContext::of(const core::ScenarioSpec& s) {
  LearnerContext c;
  c.seed = s.seed;
  for (const auto& ch : s.channels) c.channel_cost[core::index_of(ch.channel)] = ch.cost;
  c.horizon_days = s.horizon_days;
  c.segment_count = std::max<int>(1, static_cast<int>(s.world.segments.size()));
  return c;
}

LearnerArms::LearnerArms(const core::PolicySpec& spec) : campaigns_(spec.campaigns) {
  count_ = static_cast<int>(campaigns_.size()) + (spec.include_none ? 1 : 0);
  if (count_ < 1) throw std::invalid_argument("online learner: no campaigns");
  if (count_ > 32000) throw std::invalid_argument("online learner: more than 32,000 arms");
}

bool LearnerArms::reachable(int a, const core::TwinState& t) const {
  return is_none(a) || t.consents(campaigns_[a].channel);
}

void LearnerArms::reachable_arms(const core::TwinState& t, std::vector<int>& out) const {
  out.clear();
  for (int a = 0; a < count_; ++a)
    if (reachable(a, t)) out.push_back(a);
}

bool LearnerArms::delivered(int a, const core::DayAction& act) const {
  if (is_none(a)) return !act.any();
  const auto& c = campaigns_[a];
  return act.any() && act.channel_kind() == c.channel && act.offer == c.offer &&
         act.message == c.message;
}

core::ProposedAction LearnerArms::proposal(int a, std::size_t i, double p) const {
  core::ProposedAction out;
  out.index = static_cast<std::uint32_t>(i);
  out.propensity = p;
  if (is_none(a)) {
    out.hold = true;
    return out;
  }
  const auto& c = campaigns_[a];
  out.channel = c.channel;
  out.offer = static_cast<std::int16_t>(c.offer);
  out.message = static_cast<std::int8_t>(c.message);
  return out;
}

int draw(const std::vector<double>& probs, double u) {
  int last_positive = -1;
  double cumulative = 0.0;
  for (std::size_t a = 0; a < probs.size(); ++a) {
    if (probs[a] <= 0.0) continue;
    last_positive = static_cast<int>(a);
    cumulative += probs[a];
    if (u < cumulative) return last_positive;
  }
  return last_positive;
}

double choice_uniform(std::uint64_t seed, std::uint64_t customer, std::int32_t day) {
  return core::RandomStream(seed, customer, day, core::Purpose::policy_choice).uniform();
}

double day_reward(const core::DayAction& act, const core::DayOutcome& o,
                  const core::ChannelArray<double>& channel_cost) {
  double r = o.has(core::DayOutcome::kPurchase) ? core::from_micros(o.margin) : 0.0;
  if (act.any()) r -= core::from_micros(core::to_micros(channel_cost[act.channel]));
  return r;
}

// Newton's method on the Legendre polynomial P_n from the Chebyshev-like first guesses;
// nodes mapped from [-1, 1] to [0, 1].
void gauss_legendre(int n, std::vector<double>& nodes, std::vector<double>& weights) {
  if (n < 1) throw std::invalid_argument("gauss_legendre: n < 1");
  nodes.assign(n, 0.0);
  weights.assign(n, 0.0);
  const double pi = std::acos(-1.0);
  for (int i = 0; i < (n + 1) / 2; ++i) {
    double z = std::cos(pi * (i + 0.75) / (n + 0.5));
    double dp = 1.0;
    for (int iter = 0; iter < 100; ++iter) {
      double p0 = 1.0, p1 = z;  // P_0, P_1
      for (int k = 2; k <= n; ++k) {
        const double p2 = ((2.0 * k - 1.0) * z * p1 - (k - 1.0) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      // P_n = p1, P_{n-1} = p0; derivative from the recurrence.
      dp = n * (z * p1 - p0) / (z * z - 1.0);
      const double step = p1 / dp;
      z -= step;
      if (std::abs(step) < 1e-16) break;
    }
    const double w = 2.0 / ((1.0 - z * z) * dp * dp);
    nodes[i] = 0.5 * (1.0 - z);
    nodes[n - 1 - i] = 0.5 * (1.0 + z);
    weights[i] = weights[n - 1 - i] = 0.5 * w;
  }
}

}  // namespace mirror::policies::learner
