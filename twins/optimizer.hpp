// Derivative-free minimisation for the BTYD maximum-likelihood fits (private to twins).
#pragma once

#include <functional>
#include <vector>

namespace mirror::twins::detail {

struct MinimizeOptions {
  int max_evaluations = 200000;
  int restarts = 4;            // Nelder-Mead restarts from the best point with a fresh simplex
  double initial_step = 0.5;   // simplex edge; in log-parameter space 0.5 is a factor of ~1.6
  double f_tolerance = 1e-12;  // relative spread of simplex values that ends a Nelder-Mead run
  double gradient_tolerance = 1e-6;  // converged when |grad|_inf <= this * max(1, |f|)
};

struct MinimizeResult {
  std::vector<double> x;
  double value = 0.0;
  int iterations = 0;  // Nelder-Mead iterations plus BFGS iterations
  int evaluations = 0;
  bool converged = false;
  double gradient_norm = 0.0;  // |grad|_inf at x, by central differences
};

using Objective = std::function<double(const std::vector<double>&)>;

// Nelder-Mead with restarts to get into the basin without gradients, then BFGS with
// central-difference gradients to polish and to certify convergence by the gradient.
// Non-finite objective values are treated as +infinity, so the objective may return NaN
// outside its domain instead of throwing.
MinimizeResult minimize(const Objective& f, const std::vector<double>& x0,
                        const MinimizeOptions& options = {});

// minimize() from each start; the best result wins. Likelihood surfaces of these models
// have long flat ridges, so a second start is cheap insurance against stopping early.
MinimizeResult minimize_from_starts(const Objective& f,
                                    const std::vector<std::vector<double>>& starts,
                                    const MinimizeOptions& options = {});

// Central-difference gradient with a step scaled to each coordinate.
std::vector<double> numeric_gradient(const Objective& f, const std::vector<double>& x);

}  // namespace mirror::twins::detail
