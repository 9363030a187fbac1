// The reward model of DM and the DR family: L2-regularised logistic regression fitted by
// Newton's method (IRLS) for 0/1 rewards, ridge regression for real rewards. Features are a
// shared block (intercept, position, context, (round, action) features) plus one block per
// action (its intercept and, with interactions, the context again: context x action).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "mirror/core/random.hpp"
#include "mirror/policies/ope.hpp"

namespace mirror::policies {

namespace {

// Keeps the unpenalised intercept and the collinear blocks (position one-hot, action
// intercepts and the global intercept) positive definite.
constexpr double kJitter = 1e-9;
constexpr double kStepTolerance = 1e-9;
constexpr std::uint64_t kFoldSalt = 0x5bd1e995ULL;

struct SparseFeature {
  std::size_t index;
  double value;
};

struct Layout {
  std::size_t actions = 0;
  std::size_t positions = 0;
  std::size_t context = 0;
  bool action_context = false;
  bool interactions = false;

  Layout(const BanditLog& log, bool with_interactions)
      : actions(static_cast<std::size_t>(log.actions())),
        positions(static_cast<std::size_t>(std::max(log.positions(), 0))),
        context(log.context_width),
        action_context(!log.action_context.empty()),
        interactions(with_interactions) {}

  std::size_t shared() const { return 1 + positions + context + (action_context ? 1 : 0); }
  std::size_t per_action() const { return 1 + (interactions ? context : 0); }
};

// The shared features of (round i, action a) and the features of a's own block.
void features(const BanditLog& log, const Layout& layout, std::size_t i, std::size_t a,
              std::vector<SparseFeature>& shared, std::vector<SparseFeature>& own) {
  shared.clear();
  own.clear();
  shared.push_back({0, 1.0});
  if (!log.position.empty()) shared.push_back({1 + static_cast<std::size_t>(log.position[i]), 1.0});
  own.push_back({0, 1.0});
  for (std::size_t k = log.context_begin[i]; k < log.context_begin[i + 1]; ++k) {
    const auto& e = log.context[k];
    shared.push_back({1 + layout.positions + e.feature, e.value});
    if (layout.interactions) own.push_back({1 + e.feature, e.value});
  }
  if (layout.action_context) {
    const double v = log.action_context[i * layout.actions + a];
    if (v != 0.0) shared.push_back({layout.shared() - 1, v});
  }
}

// In-place Cholesky factor (lower triangle) of a symmetric p x p matrix; false unless
// positive definite.
bool cholesky_factor(std::vector<double>& h, std::size_t p, std::size_t offset = 0) {
  double* m = h.data() + offset;
  for (std::size_t j = 0; j < p; ++j) {
    double d = m[j * p + j];
    for (std::size_t k = 0; k < j; ++k) d -= m[j * p + k] * m[j * p + k];
    if (!(d > 0.0)) return false;
    d = std::sqrt(d);
    m[j * p + j] = d;
    for (std::size_t i = j + 1; i < p; ++i) {
      double s = m[i * p + j];
      for (std::size_t k = 0; k < j; ++k) s -= m[i * p + k] * m[j * p + k];
      m[i * p + j] = s / d;
    }
  }
  return true;
}

// Solves L L' x = b in place, L from cholesky_factor.
void cholesky_solve(const double* l, double* b, std::size_t p) {
  for (std::size_t i = 0; i < p; ++i) {
    double s = b[i];
    for (std::size_t k = 0; k < i; ++k) s -= l[i * p + k] * b[k];
    b[i] = s / l[i * p + i];
  }
  for (std::size_t i = p; i-- > 0;) {
    double s = b[i];
    for (std::size_t k = i + 1; k < p; ++k) s -= l[k * p + i] * b[k];
    b[i] = s / l[i * p + i];
  }
}

double sigmoid(double z) {
  return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
}

struct Coefficients {
  std::vector<double> shared;
  std::vector<double> own;  // actions x per_action

  double score(const std::vector<SparseFeature>& s, const std::vector<SparseFeature>& t,
               std::size_t a, std::size_t per_action) const {
    double z = 0.0;
    for (const auto& f : s) z += shared[f.index] * f.value;
    for (const auto& f : t) z += own[a * per_action + f.index] * f.value;
    return z;
  }
};

// The Newton system [S C; C' D] [ds; dt] = [gs; gt] with D block-diagonal over actions.
struct NewtonSystem {
  std::size_t ps, pi, actions;
  std::vector<double> s, d, c, gs, gt;  // c: actions x ps x pi

  NewtonSystem(const Layout& l)
      : ps(l.shared()),
        pi(l.per_action()),
        actions(l.actions),
        s(ps * ps, 0.0),
        d(actions * pi * pi, 0.0),
        c(actions * ps * pi, 0.0),
        gs(ps, 0.0),
        gt(actions * pi, 0.0) {}

  void add_row(const std::vector<SparseFeature>& sf, const std::vector<SparseFeature>& tf,
               std::size_t a, double weight, double gradient) {
    double* da = &d[a * pi * pi];
    double* ca = &c[a * ps * pi];
    for (const auto& u : sf) {
      gs[u.index] += gradient * u.value;
      const double wu = weight * u.value;
      for (const auto& v : sf)
        if (v.index <= u.index) s[u.index * ps + v.index] += wu * v.value;
      for (const auto& v : tf) ca[u.index * pi + v.index] += wu * v.value;
    }
    for (const auto& u : tf) {
      gt[a * pi + u.index] += gradient * u.value;
      const double wu = weight * u.value;
      for (const auto& v : tf)
        if (v.index <= u.index) da[u.index * pi + v.index] += wu * v.value;
    }
  }

  // Adds the L2 penalty (not on the global intercept) and solves by the Schur complement
  // of the action blocks: per-action blocks are small, the whole matrix may not be.
  void solve(double l2, std::vector<double>& ds, std::vector<double>& dt) {
    for (std::size_t j = 0; j < ps; ++j) s[j * ps + j] += (j ? l2 : 0.0) + kJitter;
    for (std::size_t a = 0; a < actions; ++a)
      for (std::size_t j = 0; j < pi; ++j) d[a * pi * pi + j * pi + j] += l2 + kJitter;
    for (std::size_t u = 0; u < ps; ++u)
      for (std::size_t v = u + 1; v < ps; ++v) s[u * ps + v] = s[v * ps + u];
    std::vector<double> schur = s;
    std::vector<double> rhs = gs;
    std::vector<double> y(actions * pi * ps);  // D_a^-1 C_a', column by column
    std::vector<double> column(pi);
    for (std::size_t a = 0; a < actions; ++a) {
      if (!cholesky_factor(d, pi, a * pi * pi))
        throw std::runtime_error("reward model: an action block is not positive definite");
      const double* la = &d[a * pi * pi];
      const double* ca = &c[a * ps * pi];
      double* ya = &y[a * pi * ps];
      for (std::size_t u = 0; u < ps; ++u) {
        bool zero = true;
        for (std::size_t v = 0; v < pi; ++v) {
          column[v] = ca[u * pi + v];
          zero = zero && column[v] == 0.0;
        }
        if (!zero) cholesky_solve(la, column.data(), pi);
        for (std::size_t v = 0; v < pi; ++v) ya[v * ps + u] = column[v];
      }
      cholesky_solve(la, &gt[a * pi], pi);  // gt_a becomes D_a^-1 gt_a
      for (std::size_t u = 0; u < ps; ++u) {
        double r = 0.0;
        for (std::size_t v = 0; v < pi; ++v) r += ca[u * pi + v] * gt[a * pi + v];
        rhs[u] -= r;
        for (std::size_t w = 0; w <= u; ++w) {
          double m = 0.0;
          for (std::size_t v = 0; v < pi; ++v) m += ca[u * pi + v] * ya[v * ps + w];
          schur[u * ps + w] -= m;
        }
      }
    }
    if (!cholesky_factor(schur, ps))
      throw std::runtime_error("reward model: the Newton system is not positive definite");
    cholesky_solve(schur.data(), rhs.data(), ps);
    ds = rhs;
    dt.assign(actions * pi, 0.0);
    for (std::size_t a = 0; a < actions; ++a)
      for (std::size_t v = 0; v < pi; ++v) {
        double m = 0.0;
        for (std::size_t u = 0; u < ps; ++u) m += y[a * pi * ps + v * ps + u] * ds[u];
        dt[a * pi + v] = gt[a * pi + v] - m;
      }
  }
};

struct Fit {
  Coefficients beta;
  int iterations = 0;
  bool converged = true;
};

double penalty(const Coefficients& b, double l2) {
  double sum = 0.0;
  for (std::size_t j = 1; j < b.shared.size(); ++j) sum += b.shared[j] * b.shared[j];
  for (const double v : b.own) sum += v * v;
  return 0.5 * l2 * sum;
}

double logistic_objective(const BanditLog& log, const Layout& layout,
                          const std::vector<std::size_t>& train, const Coefficients& beta,
                          double l2) {
  std::vector<SparseFeature> s, t;
  double loss = 0.0;
  for (const auto i : train) {
    const auto a = static_cast<std::size_t>(log.action[i]);
    features(log, layout, i, a, s, t);
    const double z = beta.score(s, t, a, layout.per_action());
    // log(1 + e^z) - y z, without overflow
    loss += (z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z))) - log.reward[i] * z;
  }
  return loss + penalty(beta, l2);
}

// IRLS for logistic (weights mu (1 - mu)); for ridge one Newton step from zero is exact.
Fit fit(const BanditLog& log, const Layout& layout, const std::vector<std::size_t>& train,
        RewardModelKind kind, double l2, int max_iterations) {
  const bool logistic = kind == RewardModelKind::kLogistic;
  Fit f;
  f.beta.shared.assign(layout.shared(), 0.0);
  f.beta.own.assign(layout.actions * layout.per_action(), 0.0);
  if (logistic) {
    double mean = 0.0;
    for (const auto i : train) mean += log.reward[i];
    mean =
        std::clamp(mean / std::max<double>(1.0, static_cast<double>(train.size())), 1e-6, 1 - 1e-6);
    f.beta.shared[0] = std::log(mean / (1 - mean));
  }
  double objective = logistic ? logistic_objective(log, layout, train, f.beta, l2) : 0.0;
  f.converged = !logistic;
  std::vector<SparseFeature> s, t;
  const int steps = logistic ? max_iterations : 1;
  for (f.iterations = 1; f.iterations <= steps; ++f.iterations) {
    NewtonSystem system(layout);
    for (const auto i : train) {
      const auto a = static_cast<std::size_t>(log.action[i]);
      features(log, layout, i, a, s, t);
      if (logistic) {
        const double mu = sigmoid(f.beta.score(s, t, a, layout.per_action()));
        system.add_row(s, t, a, std::max(mu * (1 - mu), 1e-12), log.reward[i] - mu);
      } else {
        system.add_row(s, t, a, 1.0, log.reward[i]);
      }
    }
    // Gradient of the penalty; the system then holds the Newton step.
    for (std::size_t j = 1; j < layout.shared(); ++j) system.gs[j] -= l2 * f.beta.shared[j];
    for (std::size_t j = 0; j < f.beta.own.size(); ++j) system.gt[j] -= l2 * f.beta.own[j];
    std::vector<double> ds, dt;
    system.solve(l2, ds, dt);
    if (!logistic) {
      f.beta.shared = ds;
      f.beta.own = dt;
      break;
    }
    // Newton is almost always right for a penalised logistic loss; halving guards the rest.
    double step = 1.0;
    Coefficients next = f.beta;
    double next_objective = objective;
    for (int halvings = 0; halvings < 30; ++halvings, step *= 0.5) {
      for (std::size_t j = 0; j < ds.size(); ++j) next.shared[j] = f.beta.shared[j] + step * ds[j];
      for (std::size_t j = 0; j < dt.size(); ++j) next.own[j] = f.beta.own[j] + step * dt[j];
      next_objective = logistic_objective(log, layout, train, next, l2);
      if (next_objective <= objective + 1e-12 * std::abs(objective)) break;
    }
    double largest = 0.0;
    for (const double v : ds) largest = std::max(largest, std::abs(step * v));
    for (const double v : dt) largest = std::max(largest, std::abs(step * v));
    f.beta = std::move(next);
    objective = next_objective;
    if (largest < kStepTolerance) {
      f.converged = true;
      break;
    }
  }
  f.iterations = std::min(f.iterations, steps);
  return f;
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

  const Layout layout(log, options.interactions);
  const std::size_t n = log.rounds();
  const std::size_t a_count = layout.actions;
  model.q_hat.assign(n * a_count, 0.0);
  const auto folds = static_cast<std::size_t>(options.folds);
  // Folds by a hash of the round, not i % folds, so that a log written in a periodic
  // order (action = i % A) does not leave an action out of a fold's training rounds.
  std::vector<std::size_t> fold_of(n, 0);
  if (folds > 1)
    for (std::size_t i = 0; i < n; ++i) fold_of[i] = core::mix64(i + kFoldSalt) % folds;
  std::vector<SparseFeature> s, t;
  for (std::size_t fold = 0; fold < folds; ++fold) {
    std::vector<std::size_t> train, predict;
    train.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (folds == 1 || fold_of[i] != fold) train.push_back(i);
      if (fold_of[i] == fold) predict.push_back(i);
    }
    const Fit f = fit(log, layout, train, model.kind, options.l2, options.max_iterations);
    model.iterations = f.iterations;
    model.converged = model.converged && f.converged;
    for (const auto i : predict)
      for (std::size_t a = 0; a < a_count; ++a) {
        features(log, layout, i, a, s, t);
        const double z = f.beta.score(s, t, a, layout.per_action());
        model.q_hat[i * a_count + a] = model.kind == RewardModelKind::kLogistic ? sigmoid(z) : z;
      }
  }
  return model;
}

}  // namespace mirror::policies
