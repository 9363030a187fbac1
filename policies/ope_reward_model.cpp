// The reward model of DM and the DR family: L2-regularised logistic regression fitted by
// Newton's method (IRLS) for 0/1 rewards, ridge regression for real rewards.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "mirror/core/random.hpp"
#include "mirror/policies/ope.hpp"

namespace mirror::policies {

namespace {

// Keeps the intercept's diagonal (which has no L2 penalty) and collinear one-hot blocks
// (actions and positions both sum to the intercept) positive definite.
constexpr double kJitter = 1e-9;
constexpr double kStepTolerance = 1e-9;
constexpr std::uint64_t kFoldSalt = 0x5bd1e995ULL;

// The additive feature layout: intercept, action one-hot, position one-hot, round context,
// (round, action) context. A model with interactions would need A times the coefficients,
// and OPE only needs q_hat good enough for DR's correction to do the rest.
struct FeatureLayout {
  std::size_t actions = 0;
  std::size_t positions = 0;
  std::size_t context = 0;
  std::size_t action_context = 0;

  explicit FeatureLayout(const BanditLog& log)
      : actions(static_cast<std::size_t>(log.actions())),
        positions(static_cast<std::size_t>(std::max(log.positions(), 0))),
        context(log.context_width),
        action_context(log.action_context.empty() ? 0 : 1) {}

  std::size_t action_offset() const { return 1; }
  std::size_t position_offset() const { return 1 + actions; }
  std::size_t context_offset() const { return 1 + actions + positions; }
  std::size_t action_context_offset() const { return context_offset() + context; }
  std::size_t size() const { return action_context_offset() + action_context; }
};

struct SparseFeature {
  std::size_t index;
  double value;
};

void features(const BanditLog& log, const FeatureLayout& layout, std::size_t i, std::int32_t a,
              std::vector<SparseFeature>& out) {
  out.clear();
  out.push_back({0, 1.0});
  out.push_back({layout.action_offset() + static_cast<std::size_t>(a), 1.0});
  if (!log.position.empty())
    out.push_back({layout.position_offset() + static_cast<std::size_t>(log.position[i]), 1.0});
  for (std::size_t k = log.context_begin[i]; k < log.context_begin[i + 1]; ++k)
    out.push_back({layout.context_offset() + log.context[k].feature, log.context[k].value});
  if (layout.action_context) {
    const double v = log.action_context[i * layout.actions + static_cast<std::size_t>(a)];
    if (v != 0.0) out.push_back({layout.action_context_offset(), v});
  }
}

// Solves H x = g in place (H symmetric positive definite, row-major p x p) by Cholesky.
// Returns false when H is not positive definite.
bool cholesky_solve(std::vector<double>& h, std::vector<double>& g, std::size_t p) {
  for (std::size_t j = 0; j < p; ++j) {
    double d = h[j * p + j];
    for (std::size_t k = 0; k < j; ++k) d -= h[j * p + k] * h[j * p + k];
    if (!(d > 0.0)) return false;
    d = std::sqrt(d);
    h[j * p + j] = d;
    for (std::size_t i = j + 1; i < p; ++i) {
      double s = h[i * p + j];
      for (std::size_t k = 0; k < j; ++k) s -= h[i * p + k] * h[j * p + k];
      h[i * p + j] = s / d;
    }
  }
  for (std::size_t i = 0; i < p; ++i) {
    double s = g[i];
    for (std::size_t k = 0; k < i; ++k) s -= h[i * p + k] * g[k];
    g[i] = s / h[i * p + i];
  }
  for (std::size_t i = p; i-- > 0;) {
    double s = g[i];
    for (std::size_t k = i + 1; k < p; ++k) s -= h[k * p + i] * g[k];
    g[i] = s / h[i * p + i];
  }
  return true;
}

double sigmoid(double z) {
  return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
}

double linear_score(const std::vector<SparseFeature>& x, const std::vector<double>& beta) {
  double s = 0.0;
  for (const auto& f : x) s += beta[f.index] * f.value;
  return s;
}

struct Fit {
  std::vector<double> beta;
  int iterations = 0;
  bool converged = true;
};

// Accumulates the lower triangle of X' diag(weight) X and X' target over the training rounds.
template <class RowWeight>
void accumulate(const BanditLog& log, const FeatureLayout& layout,
                const std::vector<std::size_t>& train, const RowWeight& row_weight,
                std::vector<double>& h, std::vector<double>& g) {
  const std::size_t p = layout.size();
  std::vector<SparseFeature> x;
  for (const auto i : train) {
    features(log, layout, i, log.action[i], x);
    const auto [weight, target] = row_weight(i, x);
    for (std::size_t u = 0; u < x.size(); ++u) {
      g[x[u].index] += target * x[u].value;
      const double wu = weight * x[u].value;
      for (std::size_t v = 0; v < x.size(); ++v)
        if (x[v].index <= x[u].index) h[x[u].index * p + x[v].index] += wu * x[v].value;
    }
  }
}

void add_penalty(std::vector<double>& h, std::size_t p, double l2) {
  h[0] += kJitter;
  for (std::size_t j = 1; j < p; ++j) h[j * p + j] += l2 + kJitter;
}

Fit fit_ridge(const BanditLog& log, const FeatureLayout& layout,
              const std::vector<std::size_t>& train, double l2) {
  const std::size_t p = layout.size();
  std::vector<double> h(p * p, 0.0), g(p, 0.0);
  accumulate(log, layout, train,
             [&](std::size_t i, const std::vector<SparseFeature>&) {
               return std::pair<double, double>(1.0, log.reward[i]);
             },
             h, g);
  add_penalty(h, p, l2);
  if (!cholesky_solve(h, g, p))
    throw std::runtime_error("ridge reward model: normal equations are not positive definite");
  return {g, 0, true};
}

double logistic_objective(const BanditLog& log, const FeatureLayout& layout,
                          const std::vector<std::size_t>& train, const std::vector<double>& beta,
                          double l2) {
  std::vector<SparseFeature> x;
  double loss = 0.0;
  for (const auto i : train) {
    features(log, layout, i, log.action[i], x);
    const double z = linear_score(x, beta);
    // log(1 + e^z) - y z, computed without overflow
    loss += (z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z))) - log.reward[i] * z;
  }
  for (std::size_t j = 1; j < beta.size(); ++j) loss += 0.5 * l2 * beta[j] * beta[j];
  return loss;
}

Fit fit_logistic(const BanditLog& log, const FeatureLayout& layout,
                 const std::vector<std::size_t>& train, double l2, int max_iterations) {
  const std::size_t p = layout.size();
  Fit fit;
  fit.beta.assign(p, 0.0);
  double mean = 0.0;
  for (const auto i : train) mean += log.reward[i];
  mean = std::clamp(mean / std::max<double>(1.0, static_cast<double>(train.size())), 1e-6, 1 - 1e-6);
  fit.beta[0] = std::log(mean / (1 - mean));
  double objective = logistic_objective(log, layout, train, fit.beta, l2);
  fit.converged = false;
  for (fit.iterations = 1; fit.iterations <= max_iterations; ++fit.iterations) {
    std::vector<double> h(p * p, 0.0), g(p, 0.0);
    // IRLS: H = X' diag(mu (1 - mu)) X + l2 I, gradient X'(y - mu) - l2 beta.
    accumulate(log, layout, train,
               [&](std::size_t i, const std::vector<SparseFeature>& x) {
                 const double mu = sigmoid(linear_score(x, fit.beta));
                 return std::pair<double, double>(std::max(mu * (1 - mu), 1e-12),
                                                  log.reward[i] - mu);
               },
               h, g);
    for (std::size_t j = 1; j < p; ++j) g[j] -= l2 * fit.beta[j];
    add_penalty(h, p, l2);
    if (!cholesky_solve(h, g, p))
      throw std::runtime_error("logistic reward model: Hessian is not positive definite");
    // Newton is almost always right for a penalised logistic loss; halving guards the rest.
    double step = 1.0;
    std::vector<double> next(p);
    double next_objective = objective;
    for (int halvings = 0; halvings < 30; ++halvings, step *= 0.5) {
      for (std::size_t j = 0; j < p; ++j) next[j] = fit.beta[j] + step * g[j];
      next_objective = logistic_objective(log, layout, train, next, l2);
      if (next_objective <= objective + 1e-12 * std::abs(objective)) break;
    }
    double largest = 0.0;
    for (std::size_t j = 0; j < p; ++j) largest = std::max(largest, std::abs(step * g[j]));
    fit.beta = next;
    objective = next_objective;
    if (largest < kStepTolerance) {
      fit.converged = true;
      break;
    }
  }
  fit.iterations = std::min(fit.iterations, max_iterations);
  return fit;
}

bool binary_rewards(const BanditLog& log) {
  return std::all_of(log.reward.begin(), log.reward.end(),
                     [](double r) { return r == 0.0 || r == 1.0; });
}

}  // namespace

RewardModel fit_reward_model(const BanditLog& log, const RewardModelOptions& options) {
  if (options.folds < 1) throw std::invalid_argument("reward model: folds must be >= 1");
  if (!(options.l2 >= 0.0)) throw std::invalid_argument("reward model: l2 must be >= 0");
  RewardModel model;
  model.kind = options.kind;
  if (model.kind == RewardModelKind::kAuto)
    model.kind = binary_rewards(log) ? RewardModelKind::kLogistic : RewardModelKind::kRidge;
  if (model.kind == RewardModelKind::kLogistic && !binary_rewards(log))
    throw std::invalid_argument("logistic reward model needs rewards of 0 or 1; use ridge");

  const FeatureLayout layout(log);
  const std::size_t n = log.rounds();
  const auto a_count = static_cast<std::size_t>(log.actions());
  model.q_hat.assign(n * a_count, 0.0);
  const auto folds = static_cast<std::size_t>(options.folds);
  std::vector<SparseFeature> x;
  // Folds by a hash of the round, not i % folds, so that a log written in a periodic
  // order (action = i % A) does not leave an action out of a fold's training rounds.
  std::vector<std::size_t> fold_of(n, 0);
  if (folds > 1)
    for (std::size_t i = 0; i < n; ++i) fold_of[i] = core::mix64(i + kFoldSalt) % folds;
  for (std::size_t fold = 0; fold < folds; ++fold) {
    std::vector<std::size_t> train;
    std::vector<std::size_t> predict;
    train.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (folds == 1 || fold_of[i] != fold) train.push_back(i);
      if (fold_of[i] == fold) predict.push_back(i);
    }
    const Fit fit = model.kind == RewardModelKind::kLogistic
                        ? fit_logistic(log, layout, train, options.l2, options.max_iterations)
                        : fit_ridge(log, layout, train, options.l2);
    model.iterations = fit.iterations;
    model.converged = model.converged && fit.converged;
    for (const auto i : predict) {
      // The score is additive, so the round's part is computed once for all actions.
      features(log, layout, i, 0, x);
      const double base = linear_score(x, fit.beta) - fit.beta[layout.action_offset()] -
                          (layout.action_context && x.back().index == layout.action_context_offset()
                               ? fit.beta.back() * x.back().value
                               : 0.0);
      for (std::size_t a = 0; a < a_count; ++a) {
        double z = base + fit.beta[layout.action_offset() + a];
        if (layout.action_context) z += fit.beta.back() * log.action_context[i * a_count + a];
        model.q_hat[i * a_count + a] = model.kind == RewardModelKind::kLogistic ? sigmoid(z) : z;
      }
    }
  }
  return model;
}

}  // namespace mirror::policies
