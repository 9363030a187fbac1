// Nelder-Mead with restarts followed by a BFGS polish, for small smooth ML problems.
#include "optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace mirror::twins::detail {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Counts evaluations and maps NaN to +inf so comparisons stay total.
class CountedObjective {
 public:
  explicit CountedObjective(const Objective& f) : f_(f) {}
  double operator()(const std::vector<double>& x) {
    ++evaluations_;
    const double v = f_(x);
    return std::isfinite(v) ? v : kInf;
  }
  int evaluations() const { return evaluations_; }

 private:
  const Objective& f_;
  int evaluations_ = 0;
};

struct NelderMeadRun {
  std::vector<double> x;
  double value = kInf;
  int iterations = 0;
};

NelderMeadRun nelder_mead(CountedObjective& f, const std::vector<double>& x0, double step,
                          const MinimizeOptions& options) {
  const std::size_t n = x0.size();
  std::vector<std::vector<double>> simplex(n + 1, x0);
  for (std::size_t i = 0; i < n; ++i) simplex[i + 1][i] += step;
  std::vector<double> values(n + 1);
  for (std::size_t i = 0; i <= n; ++i) values[i] = f(simplex[i]);

  std::vector<std::size_t> order(n + 1);
  NelderMeadRun run;
  const int max_iterations = 2000 * static_cast<int>(n);
  auto point = [n](const std::vector<double>& c, const std::vector<double>& w, double t) {
    std::vector<double> p(n);
    for (std::size_t j = 0; j < n; ++j) p[j] = c[j] + t * (w[j] - c[j]);
    return p;
  };
  for (; run.iterations < max_iterations && f.evaluations() < options.max_evaluations;
       ++run.iterations) {
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t i, std::size_t j) { return values[i] < values[j]; });
    const std::size_t best = order.front(), worst = order.back(), second = order[n - 1];

    // Stop when values agree and the simplex has shrunk: both are needed, since a simplex
    // straddling a valley floor can have equal values at distinct, far-apart points.
    double size = 0.0;
    for (std::size_t i = 0; i <= n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        size = std::max(size, std::abs(simplex[i][j] - simplex[best][j]));
    const double spread = values[worst] - values[best];
    if (std::isfinite(spread) && spread <= options.f_tolerance * (1.0 + std::abs(values[best])) &&
        size < 1e-8)
      break;

    std::vector<double> centroid(n, 0.0);
    for (std::size_t i = 0; i <= n; ++i)
      if (i != worst)
        for (std::size_t j = 0; j < n; ++j) centroid[j] += simplex[i][j] / static_cast<double>(n);

    const auto reflected = point(centroid, simplex[worst], -1.0);
    const double f_reflected = f(reflected);
    if (f_reflected < values[best]) {
      const auto expanded = point(centroid, simplex[worst], -2.0);
      const double f_expanded = f(expanded);
      if (f_expanded < f_reflected) {
        simplex[worst] = expanded;
        values[worst] = f_expanded;
      } else {
        simplex[worst] = reflected;
        values[worst] = f_reflected;
      }
      continue;
    }
    if (f_reflected < values[second]) {
      simplex[worst] = reflected;
      values[worst] = f_reflected;
      continue;
    }
    const bool outside = f_reflected < values[worst];
    const auto contracted = point(centroid, simplex[worst], outside ? -0.5 : 0.5);
    const double f_contracted = f(contracted);
    if (f_contracted < (outside ? f_reflected : values[worst])) {
      simplex[worst] = contracted;
      values[worst] = f_contracted;
      continue;
    }
    for (std::size_t i = 0; i <= n; ++i) {
      if (i == best) continue;
      simplex[i] = point(simplex[best], simplex[i], 0.5);
      values[i] = f(simplex[i]);
    }
  }
  const auto best =
      static_cast<std::size_t>(std::min_element(values.begin(), values.end()) - values.begin());
  run.x = simplex[best];
  run.value = values[best];
  return run;
}

std::vector<double> gradient_of(CountedObjective& f, const std::vector<double>& x) {
  // cbrt(eps) balances truncation (h^2) against rounding (eps/h) for central differences.
  const double base_step = std::cbrt(std::numeric_limits<double>::epsilon());
  std::vector<double> g(x.size());
  std::vector<double> probe = x;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double h = base_step * std::max(1.0, std::abs(x[i]));
    probe[i] = x[i] + h;
    const double up = f(probe);
    probe[i] = x[i] - h;
    const double down = f(probe);
    probe[i] = x[i];
    g[i] = (up - down) / (2.0 * h);
  }
  return g;
}

double inf_norm(const std::vector<double>& v) {
  double m = 0.0;
  for (double e : v) m = std::max(m, std::abs(e));
  return m;
}

struct BfgsRun {
  std::vector<double> x;
  double value;
  int iterations = 0;
  double gradient_norm = kInf;
};

BfgsRun bfgs(CountedObjective& f, std::vector<double> x, double value,
             const MinimizeOptions& options) {
  const std::size_t n = x.size();
  auto identity = [n] {
    std::vector<std::vector<double>> h(n, std::vector<double>(n, 0.0));
    for (std::size_t i = 0; i < n; ++i) h[i][i] = 1.0;
    return h;
  };
  auto inverse_hessian = identity();
  bool fresh = true;
  BfgsRun run{x, value};
  auto g = gradient_of(f, x);
  for (; run.iterations < 500 && f.evaluations() < options.max_evaluations; ++run.iterations) {
    run.gradient_norm = inf_norm(g);
    if (!std::isfinite(run.gradient_norm)) break;
    if (run.gradient_norm <= options.gradient_tolerance * std::max(1.0, std::abs(value))) break;

    std::vector<double> direction(n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) direction[i] -= inverse_hessian[i][j] * g[j];
    double slope = 0.0;
    for (std::size_t i = 0; i < n; ++i) slope += direction[i] * g[i];
    if (!(slope < 0.0)) {
      if (fresh) break;
      inverse_hessian = identity();
      fresh = true;
      continue;
    }
    // A first step along the raw gradient can be huge; cap it at one log-unit.
    double step = 1.0;
    if (fresh) step = std::min(1.0, 1.0 / std::max(inf_norm(direction), 1e-300));

    std::vector<double> candidate(n);
    double f_candidate = kInf;
    bool accepted = false;
    for (int k = 0; k < 60; ++k, step *= 0.5) {
      for (std::size_t i = 0; i < n; ++i) candidate[i] = x[i] + step * direction[i];
      f_candidate = f(candidate);
      if (f_candidate <= value + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
    }
    if (!accepted) {
      if (fresh) break;  // no descent even along the gradient: at the noise floor
      inverse_hessian = identity();
      fresh = true;
      continue;
    }
    const auto g_new = gradient_of(f, candidate);
    std::vector<double> s(n), y(n);
    for (std::size_t i = 0; i < n; ++i) {
      s[i] = candidate[i] - x[i];
      y[i] = g_new[i] - g[i];
    }
    const double sy = std::inner_product(s.begin(), s.end(), y.begin(), 0.0);
    if (sy > 1e-12 * std::sqrt(std::inner_product(s.begin(), s.end(), s.begin(), 0.0) *
                               std::inner_product(y.begin(), y.end(), y.begin(), 0.0))) {
      if (fresh) {
        // Scale the identity to the curvature seen, the usual Shanno-Phua start.
        const double yy = std::inner_product(y.begin(), y.end(), y.begin(), 0.0);
        for (std::size_t i = 0; i < n; ++i) inverse_hessian[i][i] = sy / yy;
      }
      std::vector<double> hy(n, 0.0);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) hy[i] += inverse_hessian[i][j] * y[j];
      const double yhy = std::inner_product(y.begin(), y.end(), hy.begin(), 0.0);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
          inverse_hessian[i][j] +=
              ((sy + yhy) * s[i] * s[j]) / (sy * sy) - (hy[i] * s[j] + s[i] * hy[j]) / sy;
      fresh = false;
    }
    x = candidate;
    value = f_candidate;
    g = g_new;
  }
  run.x = x;
  run.value = value;
  run.gradient_norm = inf_norm(g);
  return run;
}

}  // namespace

std::vector<double> numeric_gradient(const Objective& f, const std::vector<double>& x) {
  CountedObjective counted(f);
  return gradient_of(counted, x);
}

MinimizeResult minimize(const Objective& f, const std::vector<double>& x0,
                        const MinimizeOptions& options) {
  CountedObjective counted(f);
  MinimizeResult result;
  if (x0.empty()) {
    result.value = counted(x0);
    result.converged = std::isfinite(result.value);
    return result;
  }
  result.x = x0;
  result.value = counted(x0);
  double step = options.initial_step;
  for (int restart = 0; restart <= options.restarts; ++restart) {
    const auto run = nelder_mead(counted, result.x, step, options);
    result.iterations += run.iterations;
    const double previous = result.value;
    if (run.value <= result.value) {
      result.x = run.x;
      result.value = run.value;
    }
    // A restart that finds nothing new means the simplex was not stuck on a false minimum.
    if (restart > 0 && previous - result.value <= options.f_tolerance * (1.0 + std::abs(previous)))
      break;
    step = std::max(step * 0.5, 0.05);
  }
  const auto polish = bfgs(counted, result.x, result.value, options);
  result.iterations += polish.iterations;
  if (polish.value <= result.value) {
    result.x = polish.x;
    result.value = polish.value;
  }
  result.gradient_norm = inf_norm(gradient_of(counted, result.x));
  result.converged =
      std::isfinite(result.value) &&
      result.gradient_norm <= options.gradient_tolerance * std::max(1.0, std::abs(result.value));
  result.evaluations = counted.evaluations();
  return result;
}

MinimizeResult minimize_from_starts(const Objective& f,
                                    const std::vector<std::vector<double>>& starts,
                                    const MinimizeOptions& options) {
  MinimizeResult best;
  best.value = kInf;
  int iterations = 0, evaluations = 0;
  for (const auto& start : starts) {
    auto run = minimize(f, start, options);
    iterations += run.iterations;
    evaluations += run.evaluations;
    if (best.x.empty() || run.value < best.value) best = std::move(run);
  }
  best.iterations = iterations;
  best.evaluations = evaluations;
  return best;
}

}  // namespace mirror::twins::detail
