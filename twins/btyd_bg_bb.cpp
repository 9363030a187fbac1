// BG/BB for discrete transaction opportunities (Fader, Hardie & Shang 2010, "Customer-base
// analysis in a discrete-time noncontractual setting").
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include "mirror/twins/btyd.hpp"
#include "optimizer.hpp"

namespace mirror::twins {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double log_beta(double a, double b) {
  return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
}

double log_add_exp(double u, double v) {
  if (u < v) std::swap(u, v);
  return u + std::log1p(std::exp(v - u));
}

bool valid(const BgBbParams& p) {
  return p.alpha > 0.0 && p.beta > 0.0 && p.gamma > 0.0 && p.delta > 0.0 &&
         std::isfinite(p.alpha) && std::isfinite(p.beta) && std::isfinite(p.gamma) &&
         std::isfinite(p.delta);
}

void require_valid(const BgBbParams& p, const char* where) {
  if (!valid(p))
    throw std::invalid_argument(
        std::string(where) + ": BG/BB parameters alpha, beta, gamma, delta must be finite and > 0");
}

void check_pattern(const BgBbPattern& c, std::size_t i, const char* where) {
  const bool ok = c.n >= 1 && c.x >= 0 && c.x <= c.t_x && c.t_x <= c.n && (c.x > 0 || c.t_x == 0) &&
                  std::isfinite(c.count) && c.count >= 0.0;
  if (!ok) {
    std::ostringstream msg;
    msg << where << ": pattern " << i << " (x=" << c.x << ", t_x=" << c.t_x << ", n=" << c.n
        << ", count=" << c.count
        << "): need n >= 1, x <= t_x <= n, t_x = 0 exactly when x = 0, count >= 0";
    throw std::invalid_argument(msg.str());
  }
}

void validate(const std::vector<BgBbPattern>& data, const char* where) {
  if (data.empty()) throw std::invalid_argument(std::string(where) + ": no patterns to fit");
  double total = 0.0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    check_pattern(data[i], i, where);
    total += data[i].count;
  }
  if (!(total > 0.0))
    throw std::invalid_argument(std::string(where) + ": the pattern counts sum to zero");
}

// log P(alive through n and x transactions in n) - the part of the likelihood in which the
// customer is still alive at opportunity `alive_through`.
double log_alive_part(const BgBbParams& p, int x, int n, int alive_through) {
  return log_beta(p.alpha + x, p.beta + n - x) - log_beta(p.alpha, p.beta) +
         log_beta(p.gamma, p.delta + alive_through) - log_beta(p.gamma, p.delta);
}

double pattern_log_likelihood(const BgBbParams& p, int x, int t_x, int n) {
  double ll = log_alive_part(p, x, n, n);
  // Death after opportunity t_x + i, for each i with t_x + i < n.
  for (int i = 0; i < n - t_x; ++i) {
    ll = log_add_exp(ll, log_beta(p.alpha + x, p.beta + t_x - x + i) - log_beta(p.alpha, p.beta) +
                             log_beta(p.gamma + 1.0, p.delta + t_x + i) -
                             log_beta(p.gamma, p.delta));
  }
  return ll;
}

double unchecked_log_likelihood(const BgBbParams& p, const std::vector<BgBbPattern>& data) {
  double ll = 0.0;
  for (const auto& c : data)
    if (c.count > 0.0) ll += c.count * pattern_log_likelihood(p, c.x, c.t_x, c.n);
  return ll;
}

}  // namespace

double bg_bb_log_likelihood(const BgBbParams& params, const std::vector<BgBbPattern>& data) {
  require_valid(params, "bg_bb_log_likelihood");
  validate(data, "bg_bb_log_likelihood");
  return unchecked_log_likelihood(params, data);
}

FitResult<BgBbParams> fit_bg_bb(const std::vector<BgBbPattern>& data) {
  validate(data, "fit_bg_bb");
  auto to_params = [](const std::vector<double>& theta) {
    return BgBbParams{std::exp(theta[0]), std::exp(theta[1]), std::exp(theta[2]),
                      std::exp(theta[3])};
  };
  const auto objective = [&](const std::vector<double>& theta) {
    const auto p = to_params(theta);
    return valid(p) ? -unchecked_log_likelihood(p, data) : kNaN;
  };
  // A neutral start and one with a long mean lifetime, where such data usually ends up.
  const auto run = detail::minimize_from_starts(
      objective, {{0.0, 0.0, 0.0, 0.0}, {0.0, 0.0, std::log(0.5), std::log(3.0)}});
  FitResult<BgBbParams> fit;
  fit.params = to_params(run.x);
  fit.log_likelihood = -run.value;
  fit.iterations = run.iterations;
  fit.converged = run.converged;
  return fit;
}

double bg_bb_p_alive(const BgBbParams& params, int x, int t_x, int n) {
  require_valid(params, "bg_bb_p_alive");
  check_pattern({x, t_x, n, 1.0}, 0, "bg_bb_p_alive");
  return std::exp(log_alive_part(params, x, n, n + 1) - pattern_log_likelihood(params, x, t_x, n));
}

double bg_bb_conditional_expected_transactions(const BgBbParams& params, int n_star, int x, int t_x,
                                               int n) {
  require_valid(params, "bg_bb_conditional_expected_transactions");
  check_pattern({x, t_x, n, 1.0}, 0, "bg_bb_conditional_expected_transactions");
  if (n_star < 0)
    throw std::invalid_argument("bg_bb_conditional_expected_transactions: n_star must be >= 0");
  // Summed period by period rather than by the paper's closed form (its eq. 13), which
  // divides by gamma - 1 and so needs care at gamma = 1; the two agree (see the tests).
  const double log_l = pattern_log_likelihood(params, x, t_x, n);
  double expected = 0.0;
  for (int k = 1; k <= n_star; ++k)
    expected += std::exp(log_alive_part(params, x + 1, n + 1, n + k) - log_l);
  return expected;
}

double bg_bb_expected_transactions(const BgBbParams& params, int n) {
  require_valid(params, "bg_bb_expected_transactions");
  if (n < 0) throw std::invalid_argument("bg_bb_expected_transactions: n must be >= 0");
  const auto& p = params;
  double alive = 0.0;
  for (int t = 1; t <= n; ++t)
    alive += std::exp(log_beta(p.gamma, p.delta + t) - log_beta(p.gamma, p.delta));
  return p.alpha / (p.alpha + p.beta) * alive;
}

}  // namespace mirror::twins
