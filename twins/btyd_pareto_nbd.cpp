// Pareto/NBD (Schmittlein, Morrison & Colombo 1987), with the likelihood and expectations
// of Fader & Hardie (2005), "A note on deriving the Pareto/NBD model and related expressions".
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "mirror/twins/btyd.hpp"
#include "optimizer.hpp"

namespace mirror::twins {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMinusInf = -std::numeric_limits<double>::infinity();

double log_add_exp(double u, double v) {
  if (u < v) std::swap(u, v);
  if (v == kMinusInf) return u;
  return u + std::log1p(std::exp(v - u));
}

bool valid(const ParetoNbdParams& p) {
  return p.r > 0.0 && p.alpha > 0.0 && p.s > 0.0 && p.beta > 0.0 && std::isfinite(p.r) &&
         std::isfinite(p.alpha) && std::isfinite(p.s) && std::isfinite(p.beta);
}

void require_valid(const ParetoNbdParams& p, const char* where) {
  if (!valid(p))
    throw std::invalid_argument(std::string(where) +
                                ": Pareto/NBD parameters r, alpha, s, beta must be finite and > 0");
}

// The two parts of the individual likelihood without the factor
// Gamma(r+x) alpha^r beta^s / Gamma(r), in logs:
//   alive: the customer is still alive at T, 1 / ((alpha+T)^(r+x) (beta+T)^s);
//   died:  the customer died in (t_x, T], s / (r+s+x) * A0.
struct LogParts {
  double alive;
  double died;
};

LogParts log_parts(const ParetoNbdParams& p, double x, double t_x, double t_cal) {
  const double rho = p.r + p.s + x;
  LogParts parts;
  parts.alive = -(p.r + x) * std::log(p.alpha + t_cal) - p.s * std::log(p.beta + t_cal);
  // A0 integrates the death time over (t_x, T]; the 2F1 form is written around the larger
  // of alpha and beta so that its argument stays in [0, 1).
  const bool alpha_larger = p.alpha >= p.beta;
  const double big = alpha_larger ? p.alpha : p.beta;
  const double gap = std::abs(p.alpha - p.beta);
  const double second = alpha_larger ? p.s + 1.0 : p.r + x;
  auto log_term = [&](double t) {
    return std::log(hypergeometric_2f1(rho, second, rho + 1.0, gap / (big + t))) -
           rho * std::log(big + t);
  };
  const double l_tx = log_term(t_x);
  const double l_t = log_term(t_cal);
  // A0 = e^l_tx - e^l_t >= 0; it is exactly 0 when the last purchase is at T.
  const double log_a0 = l_t >= l_tx ? kMinusInf : l_tx + std::log1p(-std::exp(l_t - l_tx));
  parts.died = std::log(p.s / rho) + log_a0;
  return parts;
}

double customer_log_likelihood(const ParetoNbdParams& p, const RfSummary& c) {
  const auto parts = log_parts(p, c.x, c.t_x, c.t_cal);
  return std::lgamma(p.r + c.x) - std::lgamma(p.r) + p.r * std::log(p.alpha) +
         p.s * std::log(p.beta) + log_add_exp(parts.alive, parts.died);
}

double unchecked_log_likelihood(const ParetoNbdParams& p, const std::vector<RfSummary>& data) {
  double ll = 0.0;
  for (const auto& c : data) ll += customer_log_likelihood(p, c);
  return ll;
}

// (1 - (b / (b + t))^(s - 1)) / (s - 1), continuous through s = 1 where it is log(1 + t / b).
double lifetime_integral(double s, double b, double t) {
  const double log_ratio = -std::log1p(t / b);
  const double u = (s - 1.0) * log_ratio;
  const double expm1_over_u = std::abs(u) < 1e-12 ? 1.0 : std::expm1(u) / u;
  return -log_ratio * expm1_over_u;
}

void require_time(double t, const char* where) {
  if (!(t >= 0.0) || !std::isfinite(t))
    throw std::invalid_argument(std::string(where) + ": t must be finite and >= 0");
}

}  // namespace

double pareto_nbd_log_likelihood(const ParetoNbdParams& params,
                                 const std::vector<RfSummary>& data) {
  require_valid(params, "pareto_nbd_log_likelihood");
  validate_rf_summaries(data, "pareto_nbd_log_likelihood");
  return unchecked_log_likelihood(params, data);
}

FitResult<ParetoNbdParams> fit_pareto_nbd(const std::vector<RfSummary>& data) {
  validate_rf_summaries(data, "fit_pareto_nbd");
  double mean_x = 0.0, mean_t = 0.0;
  for (const auto& c : data) {
    mean_x += c.x / static_cast<double>(data.size());
    mean_t += c.t_cal / static_cast<double>(data.size());
  }
  auto to_params = [](const std::vector<double>& theta) {
    return ParetoNbdParams{std::exp(theta[0]), std::exp(theta[1]), std::exp(theta[2]),
                           std::exp(theta[3])};
  };
  const auto objective = [&](const std::vector<double>& theta) {
    const auto p = to_params(theta);
    return valid(p) ? -unchecked_log_likelihood(p, data) : kNaN;
  };
  // A neutral start and one with the data's purchase rate and a lifetime of about T.
  const double alpha0 = mean_t / std::max(mean_x, 0.1);
  const auto run = detail::minimize_from_starts(
      objective,
      {{0.0, 0.0, 0.0, 0.0}, {0.0, std::log(alpha0), 0.0, std::log(std::max(mean_t, 1e-3))}});
  FitResult<ParetoNbdParams> fit;
  fit.params = to_params(run.x);
  fit.log_likelihood = -run.value;
  fit.iterations = run.iterations;
  fit.converged = run.converged;
  return fit;
}

double pareto_nbd_p_alive(const ParetoNbdParams& params, double x, double t_x, double t_cal) {
  require_valid(params, "pareto_nbd_p_alive");
  validate_rf_summaries({{x, t_x, t_cal}}, "pareto_nbd_p_alive");
  const auto parts = log_parts(params, x, t_x, t_cal);
  return std::exp(parts.alive - log_add_exp(parts.alive, parts.died));
}

double pareto_nbd_expected_transactions(const ParetoNbdParams& params, double t) {
  require_valid(params, "pareto_nbd_expected_transactions");
  require_time(t, "pareto_nbd_expected_transactions");
  const auto& p = params;
  return p.r * p.beta / p.alpha * lifetime_integral(p.s, p.beta, t);
}

double pareto_nbd_conditional_expected_transactions(const ParetoNbdParams& params, double t,
                                                    double x, double t_x, double t_cal) {
  const double alive = pareto_nbd_p_alive(params, x, t_x, t_cal);
  require_time(t, "pareto_nbd_conditional_expected_transactions");
  const auto& p = params;
  return (p.r + x) * (p.beta + t_cal) / (p.alpha + t_cal) *
         lifetime_integral(p.s, p.beta + t_cal, t) * alive;
}

}  // namespace mirror::twins
