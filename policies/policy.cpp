#include "mirror/policies/policy.hpp"

#include <caf/event_based_actor.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "mirror/core/messages.hpp"
#include "mirror/core/random.hpp"
#include "mirror/policies/rules_policy.hpp"
#include "beta_race.hpp"
#include "online_learner.hpp"

namespace mirror::policies {

void Policy::decide_arm(std::int32_t day, const std::vector<ShardView>& shards,
                        ArmProposals& out) {
  out.resize(shards.size());
  for (std::size_t k = 0; k < shards.size(); ++k) decide(day, shards[k], out[k]);
}

namespace {

using core::PolicySpec;

using learner::due;

// What a policy needs from the scenario besides its own spec.
struct Context {
  std::uint64_t seed = 0;
  std::vector<float> discounts;               // by offer
  core::ChannelArray<double> channel_cost{};  // currency units
  int horizon_days = 0;

  static Context of(const core::ScenarioSpec& s) {
    Context c;
    c.seed = s.seed;
    for (const auto& o : s.offers) c.discounts.push_back(static_cast<float>(o.discount));
    for (const auto& ch : s.channels) c.channel_cost[core::index_of(ch.channel)] = ch.cost;
    c.horizon_days = s.horizon_days;
    return c;
  }
  core::DayAction action(core::Channel channel, int offer, int message) const {
    core::DayAction a;
    a.channel = static_cast<std::int8_t>(core::index_of(channel));
    a.message = static_cast<std::int8_t>(message);
    a.offer = static_cast<std::int16_t>(offer);
    a.discount = offer >= 0 ? discounts.at(offer) : 0.0f;
    return a;
  }
  core::DayAction action(const core::CampaignSpec& c) const {
    return action(c.channel, c.offer, c.message);
  }
};

core::ProposedAction proposal(std::size_t i, core::Channel channel, int offer, int message,
                              double propensity) {
  core::ProposedAction a;
  a.index = static_cast<std::uint32_t>(i);
  a.channel = channel;
  a.offer = static_cast<std::int16_t>(offer);
  a.message = static_cast<std::int8_t>(message);
  a.propensity = propensity;
  return a;
}

core::ExpectedOutcome predict(const ShardView& v, std::size_t i, std::int32_t day,
                              const core::DayAction& a, const char* who) {
  core::ExpectedOutcome e;
  if (v.model == nullptr ||
      !v.model->expected_outcome(i, day, v.twins[i], v.ledgers[i], a, e))
    throw std::runtime_error(std::string("policy '") + who +
                             "' needs a behaviour model that predicts outcomes under actions "
                             "(model: { kind: ground_truth })");
  return e;
}

class NoAction final : public Policy {
 public:
  void decide(std::int32_t, const ShardView&, std::vector<core::ProposedAction>&) override {}
};

// Contacts the whole audience (optionally some segments) on one channel every N days. It
// does not filter by consent or caps itself: those are enforced centrally and counted.
class BatchAndBlast final : public Policy {
 public:
  explicit BatchAndBlast(const PolicySpec& spec) : spec_(spec) {
    if (spec_.every_days < 1) throw std::invalid_argument("batch_and_blast: every_days < 1");
    for (int s : spec_.segments) {
      if (s < 0) throw std::invalid_argument("batch_and_blast: negative segment index");
      if (static_cast<std::size_t>(s) >= in_audience_.size()) in_audience_.resize(s + 1, 0);
      in_audience_[s] = 1;
    }
  }

  void decide(std::int32_t day, const ShardView& view,
              std::vector<core::ProposedAction>& out) override {
    if (!due(spec_, day)) return;
    for (std::size_t i = 0; i < view.size; ++i) {
      if (!view.in_arm(i)) continue;
      if (!in_audience(view.segments[i])) continue;
      out.push_back(proposal(i, spec_.channel, spec_.offer, spec_.message, 1.0));
    }
  }

 private:
  bool in_audience(std::int32_t segment) const {
    if (spec_.segments.empty()) return true;
    return segment >= 0 && static_cast<std::size_t>(segment) < in_audience_.size() &&
           in_audience_[segment] != 0;
  }

  PolicySpec spec_;
  std::vector<std::uint8_t> in_audience_;  // by segment index
};

// A customer of the arm, by shard and index; ordered by customer id for ties.
struct Ranked {
  double score;
  std::uint32_t shard;
  std::uint32_t index;
  std::uint64_t customer;
  std::int32_t campaign = 0;
};
bool ranks_before(const Ranked& a, const Ranked& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.customer != b.customer) return a.customer < b.customer;
  return a.campaign < b.campaign;
}

// seed 002's "purchase propensity now": every customer of the arm is scored with the
// model's probability of buying today without marketing, and the top share (or top k) is
// contacted with the arm's campaign. Deterministic (propensity 1); ties by customer id.
class PropensityTopK final : public ArmPolicy {
 public:
  PropensityTopK(const PolicySpec& spec, Context ctx) : spec_(spec), ctx_(std::move(ctx)) {}

  void decide_arm(std::int32_t day, const std::vector<ShardView>& shards,
                  ArmProposals& out) override {
    out.assign(shards.size(), {});
    if (!due(spec_, day)) return;
    std::vector<Ranked> ranked;
    std::int64_t members = 0;
    for (std::uint32_t k = 0; k < shards.size(); ++k) {
      const auto& v = shards[k];
      for (std::size_t i = 0; i < v.size; ++i) {
        if (!v.in_arm(i)) continue;
        ++members;
        if (!v.twins[i].active() || !v.twins[i].consents(spec_.channel)) continue;
        const auto e = predict(v, i, day, core::DayAction{}, "propensity_top_k");
        ranked.push_back({e.purchase, k, static_cast<std::uint32_t>(i), v.first_customer + i});
      }
    }
    const std::int64_t k = spec_.top_k >= 0
                               ? spec_.top_k
                               : static_cast<std::int64_t>(std::llround(spec_.share * members));
    const auto n = static_cast<std::size_t>(std::clamp<std::int64_t>(k, 0, ranked.size()));
    std::partial_sort(ranked.begin(), ranked.begin() + n, ranked.end(), ranks_before);
    for (std::size_t r = 0; r < n; ++r)
      out[ranked[r].shard].push_back(
          proposal(ranked[r].index, spec_.channel, spec_.offer, spec_.message, 1.0));
    for (auto& v : out)
      std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  }

 private:
  PolicySpec spec_;
  Context ctx_;
};

// For each customer the campaign with the highest expected incremental profit today
// (margin with the campaign minus margin without, minus the contact's cost and the value
// of the expected unsubscribes); nothing when no campaign gains more than min_score.
class Uplift final : public Policy {
 public:
  Uplift(const PolicySpec& spec, Context ctx) : spec_(spec), ctx_(std::move(ctx)) {}

  void decide(std::int32_t day, const ShardView& v,
              std::vector<core::ProposedAction>& out) override {
    if (!due(spec_, day)) return;
    for (std::size_t i = 0; i < v.size; ++i) {
      if (!v.in_arm(i) || !v.twins[i].active()) continue;
      const double base = predict(v, i, day, core::DayAction{}, "uplift").margin;
      int best = -1;
      double best_gain = spec_.min_score;
      for (std::size_t c = 0; c < spec_.campaigns.size(); ++c) {
        const auto& camp = spec_.campaigns[c];
        if (!v.twins[i].consents(camp.channel)) continue;
        const auto e = predict(v, i, day, ctx_.action(camp), "uplift");
        const double gain = e.margin - base - ctx_.channel_cost[core::index_of(camp.channel)] -
                            spec_.unsubscribe_cost * e.unsubscribe;
        if (gain > best_gain) {
          best_gain = gain;
          best = static_cast<int>(c);
        }
      }
      if (best < 0) continue;
      const auto& camp = spec_.campaigns[best];
      out.push_back(proposal(i, camp.channel, camp.offer, camp.message, 1.0));
    }
  }

 private:
  PolicySpec spec_;
  Context ctx_;
};

// seed 002's audience builder. Every day, each customer who has had fewer than
// max_per_week contacts in the last 7 days (and none today) is scored for every campaign
// (channel x offer x message) with the model's purchase propensity under it; customers go
// to their highest-propensity campaign, at or above min_score, within each campaign's
// daily volume. Solved greedily over all (customer, campaign) pairs in descending
// propensity: optimal when no volume limit binds (each customer takes its best campaign),
// otherwise at least half of the best total propensity (greedy b-matching), see
// docs/policies.md.
class FatigueAware final : public ArmPolicy {
 public:
  FatigueAware(const PolicySpec& spec, Context ctx) : spec_(spec), ctx_(std::move(ctx)) {}

  void decide_arm(std::int32_t day, const std::vector<ShardView>& shards,
                  ArmProposals& out) override {
    out.assign(shards.size(), {});
    if (!due(spec_, day)) return;
    std::vector<Ranked> pairs;
    const bool limited = spec_.campaign_daily_limit >= 0;
    for (std::uint32_t k = 0; k < shards.size(); ++k) {
      const auto& v = shards[k];
      for (std::size_t i = 0; i < v.size; ++i) {
        if (!v.in_arm(i) || !v.twins[i].active()) continue;
        if (v.ledgers[i].contacts.count(day, 7) >= spec_.max_per_week) continue;
        Ranked best{-1.0, k, static_cast<std::uint32_t>(i), v.first_customer + i, -1};
        for (std::size_t c = 0; c < spec_.campaigns.size(); ++c) {
          const auto& camp = spec_.campaigns[c];
          if (!v.twins[i].consents(camp.channel)) continue;
          const double p = predict(v, i, day, ctx_.action(camp), "fatigue_aware").purchase;
          if (p < spec_.min_score) continue;
          Ranked r{p, k, static_cast<std::uint32_t>(i), v.first_customer + i,
                   static_cast<std::int32_t>(c)};
          if (limited) pairs.push_back(r);
          else if (best.campaign < 0 || ranks_before(r, best)) best = r;
        }
        if (!limited && best.campaign >= 0) pairs.push_back(best);
      }
    }
    if (limited) std::sort(pairs.begin(), pairs.end(), ranks_before);
    std::vector<std::int64_t> volume(spec_.campaigns.size(), 0);
    std::vector<std::vector<std::uint8_t>> taken(shards.size());
    for (std::size_t k = 0; k < shards.size(); ++k) taken[k].assign(shards[k].size, 0);
    for (const auto& r : pairs) {
      if (taken[r.shard][r.index]) continue;
      if (limited && volume[r.campaign] >= spec_.campaign_daily_limit) continue;
      taken[r.shard][r.index] = 1;
      ++volume[r.campaign];
      const auto& camp = spec_.campaigns[r.campaign];
      out[r.shard].push_back(proposal(r.index, camp.channel, camp.offer, camp.message, 1.0));
    }
    for (auto& v : out)
      std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  }

 private:
  PolicySpec spec_;
  Context ctx_;
};

// seed 004: customers at churn risk get a discount whose size grows with their predicted
// value. Value = the model's expected margin per day without marketing, summed over
// value_horizon_days with the churn hazard's survival; risk = today's churn hazard.
class ClvTieredDiscount final : public Policy {
 public:
  ClvTieredDiscount(const PolicySpec& spec, Context ctx) : spec_(spec), ctx_(std::move(ctx)) {}

  // Expected margin over `days` days of a customer with daily margin m and hazard h.
  static double value(double m, double h, int days) {
    if (h <= 0.0) return m * days;
    return m * (1.0 - std::pow(1.0 - h, days)) / h;
  }

  void decide(std::int32_t day, const ShardView& v,
              std::vector<core::ProposedAction>& out) override {
    if (!due(spec_, day)) return;
    for (std::size_t i = 0; i < v.size; ++i) {
      if (!v.in_arm(i) || !v.twins[i].active()) continue;
      const auto e = predict(v, i, day, core::DayAction{}, "clv_tiered_discount");
      if (e.churn < spec_.min_churn_risk) continue;
      const double clv = value(e.margin, e.churn, spec_.value_horizon_days);
      int offer = -2;
      for (const auto& t : spec_.tiers)
        if (clv >= t.min_value) offer = t.offer;
      if (offer == -2) continue;
      out.push_back(proposal(i, spec_.channel, offer, spec_.message, 1.0));
    }
  }

 private:
  PolicySpec spec_;
  Context ctx_;
};

// Online learners: per segment, one arm per campaign (and "no action"). They learn from
// what their own choices of the previous day earned (read from the shards' last actions
// and outcomes), with integer sums so the learning does not depend on the sharding, and
// draw each customer's choice from RandomStream(seed, customer, day, policy_choice) with
// the exact probability they log.
class SegmentLearner : public ArmPolicy {
 public:
  SegmentLearner(const PolicySpec& spec, Context ctx, const char* name)
      : spec_(spec), ctx_(std::move(ctx)), name_(name) {
    arms_ = static_cast<int>(spec_.campaigns.size()) + (spec_.include_none ? 1 : 0);
    if (arms_ < 1) throw std::invalid_argument(std::string(name) + ": no campaigns");
  }

  int arm_count() const { return arms_; }
  // Arm a is campaign a, or "no action" for the last arm when include_none.
  bool is_none(int a) const { return a >= static_cast<int>(spec_.campaigns.size()); }

  void decide_arm(std::int32_t day, const std::vector<ShardView>& shards,
                  ArmProposals& out) override {
    learn(shards);
    out.assign(shards.size(), {});
    chosen_.resize(shards.size());
    for (std::size_t k = 0; k < shards.size(); ++k) chosen_[k].assign(shards[k].size, -1);
    if (!due(spec_, day)) return;
    std::vector<double> probs(arms_);
    for (std::size_t k = 0; k < shards.size(); ++k) {
      const auto& v = shards[k];
      for (std::size_t i = 0; i < v.size; ++i) {
        if (!v.in_arm(i) || !v.twins[i].active()) continue;
        const int seg = std::max(0, v.segments[i]);
        probabilities(seg, probs);
        const double u =
            core::RandomStream(ctx_.seed, v.first_customer + i, day, core::Purpose::policy_choice)
                .uniform();
        int a = arms_ - 1;
        double cumulative = 0.0;
        for (int b = 0; b < arms_; ++b) {
          cumulative += probs[b];
          if (u < cumulative) {
            a = b;
            break;
          }
        }
        while (probs[a] <= 0.0 && a > 0) --a;  // rounding at the top end
        chosen_[k][i] = a;
        if (is_none(a)) {
          core::ProposedAction hold;
          hold.index = static_cast<std::uint32_t>(i);
          hold.hold = true;
          hold.propensity = probs[a];
          out[k].push_back(hold);
        } else {
          const auto& c = spec_.campaigns[a];
          out[k].push_back(proposal(i, c.channel, c.offer, c.message, probs[a]));
        }
      }
    }
  }

  // The probability of each arm for a customer of segment `seg` today; sums to 1.
  virtual void probabilities(int seg, std::vector<double>& out) const = 0;

 protected:
  struct ArmStats {
    std::int64_t trials = 0;
    std::int64_t successes = 0;   // purchases on the day of the choice
    core::Micros reward = 0;      // margin that day minus the contact's cost
  };
  const ArmStats& stats(int seg, int a) const {
    static const ArmStats kNone;
    const std::size_t at = static_cast<std::size_t>(seg) * arms_ + a;
    return at < stats_.size() ? stats_[at] : kNone;
  }

  PolicySpec spec_;
  Context ctx_;

 private:
  void learn(const std::vector<ShardView>& shards) {
    if (chosen_.size() != shards.size()) return;  // first day
    for (std::size_t k = 0; k < shards.size(); ++k) {
      const auto& v = shards[k];
      if (v.last_outcomes == nullptr || v.last_actions == nullptr) continue;
      for (std::size_t i = 0; i < v.size && i < chosen_[k].size(); ++i) {
        const int a = chosen_[k][i];
        if (a < 0) continue;
        const std::size_t seg = static_cast<std::size_t>(std::max(0, v.segments[i]));
        if (stats_.size() < (seg + 1) * arms_) stats_.resize((seg + 1) * arms_);
        auto& s = stats_[seg * arms_ + a];
        const auto& o = v.last_outcomes[i];
        const auto& act = v.last_actions[i];
        ++s.trials;
        if (o.has(core::DayOutcome::kPurchase)) {
          ++s.successes;
          s.reward += o.margin;
        }
        if (act.any()) s.reward -= core::to_micros(ctx_.channel_cost[act.channel]);
      }
    }
  }

  const char* name_;
  int arms_ = 0;
  std::vector<ArmStats> stats_;               // segment x arm
  std::vector<std::vector<std::int32_t>> chosen_;  // yesterday's arm per customer, -1 none
};

// epsilon-greedy on the mean reward (margin minus cost) per segment and arm: the greedy
// arm (untried arms first, ties to the lower index) with 1 - epsilon + epsilon / K, every
// other arm with epsilon / K.
class EpsilonGreedy final : public SegmentLearner {
 public:
  EpsilonGreedy(const PolicySpec& spec, Context ctx)
      : SegmentLearner(spec, std::move(ctx), "epsilon_greedy") {}

  void probabilities(int seg, std::vector<double>& out) const override {
    const int k = arm_count();
    int greedy = 0;
    double best = -std::numeric_limits<double>::infinity();
    for (int a = 0; a < k; ++a) {
      const auto& s = stats(seg, a);
      const double mean = s.trials == 0 ? std::numeric_limits<double>::infinity()
                                        : core::from_micros(s.reward) / s.trials;
      if (mean > best) {
        best = mean;
        greedy = a;
      }
    }
    const double eps = spec_.epsilon_or_default();
    for (int a = 0; a < k; ++a) out[a] = eps / k + (a == greedy ? 1.0 - eps : 0.0);
  }
};

// Thompson sampling with a Beta(1 + purchases, 1 + non-purchases) posterior per segment
// and arm. Each customer's arm is drawn from the probability that the arm's posterior
// draw is the largest, P(a) = integral of f_a(x) prod_{b != a} F_b(x) dx, computed by
// Gauss-Legendre quadrature (beta_race.hpp: exact while the segment's trials are few, within
// about 1e-12 beyond); that distribution is exactly the one sampled from and logged.
class Thompson final : public SegmentLearner {
 public:
  Thompson(const PolicySpec& spec, Context ctx) : SegmentLearner(spec, std::move(ctx), "thompson") {}

  void probabilities(int seg, std::vector<double>& out) const override {
    if (static_cast<std::size_t>(seg) < cache_.size() && !cache_[seg].empty() &&
        cache_key_[seg] == key(seg)) {
      out = cache_[seg];
      return;
    }
    out = learner::beta_race(posteriors(seg));
    if (cache_.size() <= static_cast<std::size_t>(seg)) {
      cache_.resize(seg + 1);
      cache_key_.resize(seg + 1);
    }
    cache_[seg] = out;
    cache_key_[seg] = key(seg);
  }

 private:
  std::vector<std::pair<double, double>> posteriors(int seg) const {
    std::vector<std::pair<double, double>> ab;
    for (int a = 0; a < arm_count(); ++a) {
      const auto& s = stats(seg, a);
      ab.emplace_back(1.0 + s.successes, 1.0 + (s.trials - s.successes));
    }
    return ab;
  }
  std::vector<std::int64_t> key(int seg) const {
    std::vector<std::int64_t> k;
    for (int a = 0; a < arm_count(); ++a) {
      k.push_back(stats(seg, a).trials);
      k.push_back(stats(seg, a).successes);
    }
    return k;
  }
  mutable std::vector<std::vector<double>> cache_;  // per segment, for the current stats
  mutable std::vector<std::vector<std::int64_t>> cache_key_;
};

}  // namespace

void ArmPolicy::decide(std::int32_t day, const ShardView& view, std::vector<core::ProposedAction>& out) {
  ArmProposals arm;
  decide_arm(day, {view}, arm);
  out.insert(out.end(), arm[0].begin(), arm[0].end());
}

std::unique_ptr<Policy> make_policy(const PolicySpec& spec) {
  switch (spec.kind) {
    case PolicySpec::Kind::none: return std::make_unique<NoAction>();
    case PolicySpec::Kind::batch_and_blast: return std::make_unique<BatchAndBlast>(spec);
    default: break;
  }
  core::ScenarioSpec s;
  s.horizon_days = 1;
  s.experiment.arms.push_back({"arm", spec});
  return make_policy(s, 0);
}

std::unique_ptr<Policy> make_policy(const core::ScenarioSpec& scenario, int arm) {
  const auto& spec = scenario.experiment.arms.at(arm).policy;
  if (spec.every_days < 1) throw std::invalid_argument("policy: every_days < 1");
  auto ctx = Context::of(scenario);
  switch (spec.kind) {
    case PolicySpec::Kind::none: return std::make_unique<NoAction>();
    case PolicySpec::Kind::batch_and_blast: return std::make_unique<BatchAndBlast>(spec);
    case PolicySpec::Kind::propensity_top_k: return std::make_unique<PropensityTopK>(spec, ctx);
    case PolicySpec::Kind::uplift: return std::make_unique<Uplift>(spec, ctx);
    case PolicySpec::Kind::fatigue_aware: return std::make_unique<FatigueAware>(spec, ctx);
    case PolicySpec::Kind::clv_tiered_discount:
      return std::make_unique<ClvTieredDiscount>(spec, ctx);
    case PolicySpec::Kind::epsilon_greedy: return std::make_unique<EpsilonGreedy>(spec, ctx);
    case PolicySpec::Kind::thompson:
      if (spec.per == PolicySpec::LearnPer::customer)
        return learner::make_customer_thompson(spec, learner::LearnerContext::of(scenario));
      return std::make_unique<Thompson>(spec, ctx);
    case PolicySpec::Kind::linucb:
      return learner::make_linucb(spec, learner::LearnerContext::of(scenario));
    case PolicySpec::Kind::rules: return make_rules_policy(scenario, arm);
  }
  throw std::invalid_argument("unknown policy kind");
}

caf::behavior policy_actor(caf::event_based_actor*, std::shared_ptr<Policy> policy,
                           std::vector<ShardView> shards, std::shared_ptr<const void> keep_alive) {
  return {
    [policy, shards, keep_alive](decide_atom, std::int32_t day) {
      ArmProposals out;
      policy->decide_arm(day, shards, out);
      return out;
    },
  };
}

}  // namespace mirror::policies
