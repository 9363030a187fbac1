// Thompson sampling with one Beta(1 + purchases, 1 + non-purchases) posterior per customer
// and arm, on "bought that day" after the arm's delivered action.
//
// The probability that arm a's posterior draw is the largest,
//   P(a) = integral over [0, 1] of f_a(x) prod_{b != a} F_b(x) dx,
// has integer Beta parameters, so f_a is a polynomial of degree n_a (the arm's trials) and
// F_b one of degree n_b + 1: the integrand is a polynomial of degree N + K - 1 (N the
// customer's trials, K the arms it may get), and Gauss-Legendre quadrature with
// (N + K) / 2 + 1 nodes computes it exactly up to rounding. The Beta pdf and cdf at the
// nodes are tabled once per (purchases, non-purchases) pair, so a customer costs
// O(nodes x arms) multiplications (race_at_nodes, shared with the per-segment Thompson). Each customer's arm is drawn from exactly these
// probabilities, and the chosen one is logged.
#include <boost/math/distributions/beta.hpp>

#include <algorithm>
#include <unordered_map>

#include "beta_race.hpp"
#include "online_learner.hpp"

namespace mirror::policies::learner {
namespace {

class CustomerThompson final : public ArmPolicy {
 public:
  CustomerThompson(const core::PolicySpec& spec, const LearnerContext& ctx)
      : spec_(spec), ctx_(ctx), arms_(spec) {
    int due_days = 0;
    for (int d = spec.start_day; d < ctx.horizon_days; d += spec.every_days) ++due_days;
    set_capacity(std::max(due_days, 1));
  }

  void decide_arm(std::int32_t day, const std::vector<ShardView>& shards,
                  ArmProposals& out) override {
    const int k_arms = arms_.count();
    learn(shards);
    if (counts_.size() != shards.size()) {
      counts_.resize(shards.size());
      for (std::size_t k = 0; k < shards.size(); ++k)
        counts_[k].assign(shards[k].size * k_arms * 2, 0);
    }
    chosen_.resize(shards.size());
    for (std::size_t k = 0; k < shards.size(); ++k) chosen_[k].assign(shards[k].size, -1);
    out.assign(shards.size(), {});
    if (!due(spec_, day)) return;
    arms_.decide_each(ctx_.seed, day, shards, chosen_, out,
                      [&](const ShardView&, std::size_t k, std::size_t i, const std::vector<int>& eligible,
                          std::vector<double>& probs) {
                        win_probabilities(&counts_[k][i * k_arms * 2], eligible, probs);
                      });
  }

 private:
  // Yesterday's chosen arms that were delivered gain one trial each.
  void learn(const std::vector<ShardView>& shards) {
    if (chosen_.size() != shards.size()) return;  // first day
    const int k_arms = arms_.count();
    for (std::size_t k = 0; k < shards.size(); ++k) {
      const auto& v = shards[k];
      if (v.last_outcomes == nullptr || v.last_actions == nullptr) continue;
      for (std::size_t i = 0; i < v.size && i < chosen_[k].size(); ++i) {
        const int a = chosen_[k][i];
        if (a < 0 || !arms_.delivered(a, v.last_actions[i])) continue;
        const bool bought = v.last_outcomes[i].has(core::DayOutcome::kPurchase);
        auto& c = counts_[k][(i * k_arms + a) * 2 + (bought ? 0 : 1)];
        if (c < 65535) ++c;
      }
    }
  }

  // probs[a] for the eligible arms (0 for the others), summing to 1. `sf` holds the
  // customer's (purchases, non-purchases) per arm.
  void win_probabilities(const std::uint16_t* sf, const std::vector<int>& eligible,
                         std::vector<double>& probs) {
    std::fill(probs.begin(), probs.end(), 0.0);
    const std::size_t m = eligible.size();
    if (m == 1) {
      probs[eligible[0]] = 1.0;
      return;
    }
    int trials = 0;
    for (int a : eligible) trials += sf[2 * a] + sf[2 * a + 1];
    if (trials > capacity_) set_capacity(2 * trials);
    const std::size_t n = nodes_.size();
    rows_.resize(m);
    for (std::size_t e = 0; e < m; ++e) rows_[e] = row(sf[2 * eligible[e]], sf[2 * eligible[e] + 1]);
    const double* table = table_.data();  // rows are only added above
    pdf_.resize(m);
    cdf_.resize(m);
    for (std::size_t e = 0; e < m; ++e) {
      pdf_[e] = table + rows_[e];
      cdf_[e] = pdf_[e] + n;
    }
    race_.resize(m);
    race_at_nodes(m, n, pdf_.data(), cdf_.data(), weights_.data(), race_.data(), scratch_);
    for (std::size_t e = 0; e < m; ++e) probs[eligible[e]] = race_[e];
  }

  // Where the table holds the Beta(1 + s, 1 + f) pdf at every node, then its cdf.
  std::size_t row(std::uint32_t s, std::uint32_t f) {
    const std::uint32_t key = (s << 16) | f;
    const auto [at, fresh] = rows_at_.try_emplace(key, table_.size());
    if (fresh) {
      const boost::math::beta_distribution<double> d(1.0 + s, 1.0 + f);
      for (double x : nodes_) table_.push_back(boost::math::pdf(d, x));
      for (double x : nodes_) table_.push_back(boost::math::cdf(d, x));
    }
    return at->second;
  }

  // Enough nodes to integrate customers with up to `trials` trials exactly.
  void set_capacity(int trials) {
    capacity_ = trials;
    gauss_legendre((trials + arms_.count()) / 2 + 1, nodes_, weights_);
    table_.clear();
    rows_at_.clear();
  }

  core::PolicySpec spec_;
  LearnerContext ctx_;
  LearnerArms arms_;
  // Per shard: (purchases, non-purchases) per customer and arm; yesterday's arm, -1 none.
  std::vector<std::vector<std::uint16_t>> counts_;
  std::vector<std::vector<std::int16_t>> chosen_;
  int capacity_ = 0;
  std::vector<double> nodes_, weights_;
  std::vector<double> table_;  // rows of pdf then cdf at the nodes
  std::unordered_map<std::uint32_t, std::size_t> rows_at_;
  std::vector<std::size_t> rows_;  // scratch: the eligible arms' rows
  std::vector<const double*> pdf_, cdf_;
  std::vector<double> race_, scratch_;
};

}  // namespace

std::unique_ptr<Policy> make_customer_thompson(const core::PolicySpec& spec,
                                               const LearnerContext& ctx) {
  return std::make_unique<CustomerThompson>(spec, ctx);
}

}  // namespace mirror::policies::learner
