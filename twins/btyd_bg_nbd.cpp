// BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way").
#include <cmath>
#include <limits>
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

// log(1 + e^v) without overflow.
double softplus(double v) {
  return v > 0.0 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v));
}

bool valid(const BgNbdParams& p) {
  return p.r > 0.0 && p.alpha > 0.0 && p.a > 0.0 && p.b > 0.0 && std::isfinite(p.r) &&
         std::isfinite(p.alpha) && std::isfinite(p.a) && std::isfinite(p.b);
}

void require_valid(const BgNbdParams& p, const char* where) {
  if (!valid(p))
    throw std::invalid_argument(std::string(where) +
                                ": BG/NBD parameters r, alpha, a, b must be finite and > 0");
}

// log of the odds that a customer with x > 0 is dead: the second likelihood term over the first.
double log_dead_odds(const BgNbdParams& p, double x, double t_x, double t_cal) {
  return std::log(p.a / (p.b + x - 1.0)) +
         (p.r + x) * (std::log(p.alpha + t_cal) - std::log(p.alpha + t_x));
}

double customer_log_likelihood(const BgNbdParams& p, const RfSummary& c) {
  double ll = std::lgamma(p.r + c.x) - std::lgamma(p.r) + p.r * std::log(p.alpha) +
              log_beta(p.a, p.b + c.x) - log_beta(p.a, p.b) -
              (p.r + c.x) * std::log(p.alpha + c.t_cal);
  if (c.x > 0.0) ll += softplus(log_dead_odds(p, c.x, c.t_x, c.t_cal));
  return ll;
}

double unchecked_log_likelihood(const BgNbdParams& p, const std::vector<RfSummary>& data) {
  double ll = 0.0;
  for (const auto& c : data) ll += customer_log_likelihood(p, c);
  return ll;
}

// The expectations divide by (a - 1); the limit at a = 1 is finite, so step around it.
template <typename F>
double around_a_equals_one(const BgNbdParams& p, F&& f) {
  constexpr double kGap = 1e-7;
  if (std::abs(p.a - 1.0) > kGap) return f(p);
  BgNbdParams lo = p, hi = p;
  lo.a = 1.0 - kGap;
  hi.a = 1.0 + kGap;
  return 0.5 * (f(lo) + f(hi));
}

}  // namespace

double bg_nbd_log_likelihood(const BgNbdParams& params, const std::vector<RfSummary>& data) {
  require_valid(params, "bg_nbd_log_likelihood");
  validate_rf_summaries(data, "bg_nbd_log_likelihood");
  return unchecked_log_likelihood(params, data);
}

FitResult<BgNbdParams> fit_bg_nbd(const std::vector<RfSummary>& data) {
  validate_rf_summaries(data, "fit_bg_nbd");
  double mean_x = 0.0, mean_t = 0.0;
  for (const auto& c : data) {
    mean_x += c.x / static_cast<double>(data.size());
    mean_t += c.t_cal / static_cast<double>(data.size());
  }
  auto to_params = [](const std::vector<double>& theta) {
    return BgNbdParams{std::exp(theta[0]), std::exp(theta[1]), std::exp(theta[2]),
                       std::exp(theta[3])};
  };
  const auto objective = [&](const std::vector<double>& theta) {
    const auto p = to_params(theta);
    return valid(p) ? -unchecked_log_likelihood(p, data) : kNaN;
  };
  // A neutral start and one whose purchase rate r / alpha matches the data's average.
  const double alpha0 = mean_t / std::max(mean_x, 0.1);
  const auto run = detail::minimize_from_starts(
      objective, {{0.0, 0.0, 0.0, 0.0}, {0.0, std::log(alpha0), 0.0, std::log(3.0)}});
  FitResult<BgNbdParams> fit;
  fit.params = to_params(run.x);
  fit.log_likelihood = -run.value;
  fit.iterations = run.iterations;
  fit.converged = run.converged;
  return fit;
}

double bg_nbd_p_alive(const BgNbdParams& params, double x, double t_x, double t_cal) {
  require_valid(params, "bg_nbd_p_alive");
  validate_rf_summaries({{x, t_x, t_cal}}, "bg_nbd_p_alive");
  if (x == 0.0) return 1.0;  // no repeat purchase, so no chance yet to drop out
  return 1.0 / (1.0 + std::exp(log_dead_odds(params, x, t_x, t_cal)));
}

double bg_nbd_expected_transactions(const BgNbdParams& params, double t) {
  require_valid(params, "bg_nbd_expected_transactions");
  if (!(t >= 0.0) || !std::isfinite(t))
    throw std::invalid_argument("bg_nbd_expected_transactions: t must be finite and >= 0");
  if (t == 0.0) return 0.0;
  return around_a_equals_one(params, [t](const BgNbdParams& p) {
    const double z = t / (p.alpha + t);
    return (p.a + p.b - 1.0) / (p.a - 1.0) *
           (1.0 - std::pow(p.alpha / (p.alpha + t), p.r) *
                      hypergeometric_2f1(p.r, p.b, p.a + p.b - 1.0, z));
  });
}

double bg_nbd_conditional_expected_transactions(const BgNbdParams& params, double t, double x,
                                                double t_x, double t_cal) {
  require_valid(params, "bg_nbd_conditional_expected_transactions");
  validate_rf_summaries({{x, t_x, t_cal}}, "bg_nbd_conditional_expected_transactions");
  if (!(t >= 0.0) || !std::isfinite(t))
    throw std::invalid_argument(
        "bg_nbd_conditional_expected_transactions: t must be finite and >= 0");
  if (t == 0.0) return 0.0;
  return around_a_equals_one(params, [&](const BgNbdParams& p) {
    const double big_t = p.alpha + t_cal;
    const double z = t / (big_t + t);
    const double alive_part =
        (p.a + p.b + x - 1.0) / (p.a - 1.0) *
        (1.0 - std::pow(big_t / (big_t + t), p.r + x) *
                   hypergeometric_2f1(p.r + x, p.b + x, p.a + p.b + x - 1.0, z));
    const double dead_odds = x > 0.0 ? std::exp(log_dead_odds(p, x, t_x, t_cal)) : 0.0;
    return alive_part / (1.0 + dead_odds);
  });
}

}  // namespace mirror::twins
