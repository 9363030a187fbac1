// LinUCB, disjoint model (Li, Chu, Langford, Schapire 2010): per arm a ridge regression
// of the day's reward on the customer's features, A_a = ridge I + sum x x', b_a = sum r x,
// and score theta_a' x + alpha sqrt(x' A_a^-1 x) with theta_a = A_a^-1 b_a. The highest
// score wins; exact ties are broken uniformly at random, and with epsilon > 0 a uniform
// arm is taken instead with probability epsilon, so every logged propensity is exact.
// The sums run over the whole arm in customer id order (shards are in customer id order),
// so the learning is bit-identical for any threads and shards.
#include <algorithm>
#include <cmath>
#include <limits>

#include "online_learner.hpp"

namespace mirror::policies::learner {
namespace {

// x = [1, segment one-hot (labels 1 .. S - 1), recency, frequency, monetary,
//      contacts in the last 7 days / 3, consent email, sms, push]
constexpr int kFixedFeatures = 8;

class LinUcb final : public ArmPolicy {
 public:
  LinUcb(const core::PolicySpec& spec, const LearnerContext& ctx)
      : spec_(spec), ctx_(ctx), arms_(spec), dim_(kFixedFeatures + ctx.segment_count - 1) {
    const std::size_t d = dim_;
    models_.resize(arms_.count());
    for (auto& m : models_) {
      m.a.assign(d * d, 0.0);
      for (std::size_t j = 0; j < d; ++j) m.a[j * d + j] = spec_.ridge;
      m.b.assign(d, 0.0);
      m.dirty = true;
    }
    refresh();
  }

  void decide_arm(std::int32_t day, const std::vector<ShardView>& shards,
                  ArmProposals& out) override {
    learn(shards);
    refresh();
    const int k_arms = arms_.count();
    chosen_.resize(shards.size());
    features_.resize(shards.size());
    for (std::size_t k = 0; k < shards.size(); ++k) {
      chosen_[k].assign(shards[k].size, -1);
      features_[k].resize(shards[k].size * dim_);
    }
    out.assign(shards.size(), {});
    if (!due(spec_, day)) return;
    std::vector<double> x(dim_), score(k_arms);
    arms_.decide_each(ctx_.seed, day, shards, chosen_, out,
                      [&](const ShardView& v, std::size_t k, std::size_t i, const std::vector<int>& eligible,
                          std::vector<double>& probs) {
                        float* stored = &features_[k][i * dim_];
                        features(v, i, day, stored);
                        for (int j = 0; j < dim_; ++j) x[j] = stored[j];
                        double best = -std::numeric_limits<double>::infinity();
                        for (int a : eligible) {
                          score[a] = ucb(models_[a], x);
                          best = std::max(best, score[a]);
                        }
                        int tied = 0;
                        for (int a : eligible) tied += score[a] == best ? 1 : 0;
                        const double epsilon = spec_.epsilon_or_default();
                        const double explore = epsilon / static_cast<double>(eligible.size());
                        std::fill(probs.begin(), probs.end(), 0.0);
                        for (int a : eligible)
                          probs[a] = explore + (score[a] == best ? (1.0 - epsilon) / tied : 0.0);
                      });
  }

 private:
  struct ArmModel {
    std::vector<double> a, b;      // A_a (d x d, row-major), b_a
    std::vector<double> inverse;   // A_a^-1
    std::vector<double> theta;     // A_a^-1 b_a
    bool dirty = false;
  };

  // What the CRM observes of a customer on the morning of `day`, rounded to float: the
  // stored copy is what is scored and, tomorrow, learnt from.
  void features(const ShardView& v, std::size_t i, std::int32_t day, float* x) const {
    const auto& t = v.twins[i];
    std::fill(x, x + dim_, 0.0f);
    x[0] = 1.0f;
    const int seg = std::clamp<int>(v.segments[i], 0, ctx_.segment_count - 1);
    int at = 1;
    if (seg > 0) x[at + seg - 1] = 1.0f;
    at += ctx_.segment_count - 1;
    // recency: 1 the day after a purchase, halving over the next week or so; 0 if none
    x[at++] = t.last_purchase_day == core::kNoDay
                  ? 0.0f
                  : static_cast<float>(7.0 / (7.0 + (day - 1 - t.last_purchase_day)));
    x[at++] = static_cast<float>(std::log1p(static_cast<double>(t.conversions)));  // frequency
    x[at++] = static_cast<float>(std::log1p(std::max(0.0, core::from_micros(t.margin))) / 4.0);
    x[at++] = static_cast<float>(v.ledgers[i].contacts.count(day, 7) / 3.0);
    for (int c = 0; c < core::kChannelCount; ++c)
      x[at++] = t.consents(static_cast<core::Channel>(c)) ? 1.0f : 0.0f;
  }

  double ucb(const ArmModel& m, const std::vector<double>& x) const {
    const std::size_t d = dim_;
    double mean = 0.0, q = 0.0;
    for (std::size_t r = 0; r < d; ++r) {
      mean += m.theta[r] * x[r];
      double row = 0.5 * m.inverse[r * d + r] * x[r];
      for (std::size_t c = r + 1; c < d; ++c) row += m.inverse[r * d + c] * x[c];
      q += 2.0 * x[r] * row;
    }
    return mean + spec_.alpha * std::sqrt(std::max(q, 0.0));
  }

  // Yesterday's chosen arms that were delivered add their features and reward, in
  // customer id order.
  void learn(const std::vector<ShardView>& shards) {
    if (chosen_.size() != shards.size()) return;  // first day
    const std::size_t d = dim_;
    for (std::size_t k = 0; k < shards.size(); ++k) {
      const auto& v = shards[k];
      if (v.last_outcomes == nullptr || v.last_actions == nullptr) continue;
      for (std::size_t i = 0; i < v.size && i < chosen_[k].size(); ++i) {
        const int a = chosen_[k][i];
        if (a < 0 || !arms_.delivered(a, v.last_actions[i])) continue;
        const double r = day_reward(v.last_actions[i], v.last_outcomes[i], ctx_.channel_cost);
        const float* x = &features_[k][i * d];
        auto& m = models_[a];
        for (std::size_t p = 0; p < d; ++p) {
          if (x[p] == 0.0f) continue;
          for (std::size_t q = p; q < d; ++q) m.a[p * d + q] += double(x[p]) * double(x[q]);
          m.b[p] += r * x[p];
        }
        m.dirty = true;
      }
    }
  }

  // A_a^-1 and theta_a from the upper triangle of A_a, by Cholesky (A_a = L L').
  void refresh() {
    const std::size_t d = dim_;
    std::vector<double> l(d * d), y(d);
    for (auto& m : models_) {
      if (!m.dirty) continue;
      m.dirty = false;
      std::fill(l.begin(), l.end(), 0.0);
      for (std::size_t r = 0; r < d; ++r)
        for (std::size_t c = 0; c <= r; ++c) {
          double s = m.a[c * d + r];
          for (std::size_t j = 0; j < c; ++j) s -= l[r * d + j] * l[c * d + j];
          l[r * d + c] = r == c ? std::sqrt(s) : s / l[c * d + c];
        }
      m.inverse.assign(d * d, 0.0);
      for (std::size_t col = 0; col < d; ++col) {  // solve L L' z = e_col
        for (std::size_t r = 0; r < d; ++r) {
          double s = r == col ? 1.0 : 0.0;
          for (std::size_t j = 0; j < r; ++j) s -= l[r * d + j] * y[j];
          y[r] = s / l[r * d + r];
        }
        for (std::size_t r = d; r-- > 0;) {
          double s = y[r];
          for (std::size_t j = r + 1; j < d; ++j) s -= l[j * d + r] * m.inverse[j * d + col];
          m.inverse[r * d + col] = s / l[r * d + r];
        }
      }
      m.theta.assign(d, 0.0);
      for (std::size_t r = 0; r < d; ++r)
        for (std::size_t c = 0; c < d; ++c) m.theta[r] += m.inverse[r * d + c] * m.b[c];
    }
  }

  core::PolicySpec spec_;
  LearnerContext ctx_;
  LearnerArms arms_;
  int dim_;
  std::vector<ArmModel> models_;
  // Per shard: yesterday's arm per customer (-1 none) and the features it was chosen on.
  std::vector<std::vector<std::int16_t>> chosen_;
  std::vector<std::vector<float>> features_;
};

}  // namespace

std::unique_ptr<Policy> make_linucb(const core::PolicySpec& spec, const LearnerContext& ctx) {
  return std::make_unique<LinUcb>(spec, ctx);
}

}  // namespace mirror::policies::learner
