// Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves
// for customer base analysis"; likelihood as in Fader & Hardie's 2013 note on it).
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

bool valid(const GammaGammaParams& p) {
  return p.p > 0.0 && p.q > 0.0 && p.gamma > 0.0 && std::isfinite(p.p) && std::isfinite(p.q) &&
         std::isfinite(p.gamma);
}

void require_valid(const GammaGammaParams& p, const char* where) {
  if (!valid(p))
    throw std::invalid_argument(std::string(where) +
                                ": Gamma-Gamma parameters p, q, gamma must be finite and > 0");
}

void check_row(const SpendSummary& c, std::size_t i, const char* where) {
  if (!std::isfinite(c.x) || !std::isfinite(c.m_x) || c.x < 0.0 || c.x != std::floor(c.x) ||
      (c.x > 0.0 && !(c.m_x > 0.0))) {
    std::ostringstream msg;
    msg << where << ": customer " << i << ": need a whole x >= 0 and m_x > 0 when x > 0 (x=" << c.x
        << ", m_x=" << c.m_x << ")";
    throw std::invalid_argument(msg.str());
  }
}

// The rows with spend information, checked; x = 0 rows are dropped.
std::vector<SpendSummary> spenders(const std::vector<SpendSummary>& data, const char* where) {
  std::vector<SpendSummary> kept;
  for (std::size_t i = 0; i < data.size(); ++i) {
    check_row(data[i], i, where);
    if (data[i].x > 0.0) kept.push_back(data[i]);
  }
  if (kept.empty())
    throw std::invalid_argument(std::string(where) + ": no customer with a repeat transaction");
  return kept;
}

// log density of the mean m_x of x transaction values.
double customer_log_likelihood(const GammaGammaParams& p, const SpendSummary& c) {
  const double px = p.p * c.x;
  return std::lgamma(px + p.q) - std::lgamma(px) - std::lgamma(p.q) + p.q * std::log(p.gamma) +
         (px - 1.0) * std::log(c.m_x) + px * std::log(c.x) -
         (px + p.q) * std::log(p.gamma + c.m_x * c.x);
}

double unchecked_log_likelihood(const GammaGammaParams& p, const std::vector<SpendSummary>& data) {
  double ll = 0.0;
  for (const auto& c : data) ll += customer_log_likelihood(p, c);
  return ll;
}

}  // namespace

double gamma_gamma_log_likelihood(const GammaGammaParams& params,
                                  const std::vector<SpendSummary>& data) {
  require_valid(params, "gamma_gamma_log_likelihood");
  return unchecked_log_likelihood(params, spenders(data, "gamma_gamma_log_likelihood"));
}

FitResult<GammaGammaParams> fit_gamma_gamma(const std::vector<SpendSummary>& data) {
  const auto kept = spenders(data, "fit_gamma_gamma");
  double mean_m = 0.0;
  for (const auto& c : kept) mean_m += c.m_x / static_cast<double>(kept.size());
  auto to_params = [](const std::vector<double>& theta) {
    return GammaGammaParams{std::exp(theta[0]), std::exp(theta[1]), std::exp(theta[2])};
  };
  const auto objective = [&](const std::vector<double>& theta) {
    const auto p = to_params(theta);
    return valid(p) ? -unchecked_log_likelihood(p, kept) : kNaN;
  };
  // A neutral start and one whose population mean p gamma / (q - 1) is the data's mean.
  const auto run = detail::minimize_from_starts(
      objective, {{0.0, 0.0, 0.0}, {0.0, std::log(2.0), std::log(mean_m)}});
  FitResult<GammaGammaParams> fit;
  fit.params = to_params(run.x);
  fit.log_likelihood = -run.value;
  fit.iterations = run.iterations;
  fit.converged = run.converged;
  return fit;
}

double gamma_gamma_conditional_expected_average_spend(const GammaGammaParams& params, double x,
                                                      double m_x) {
  require_valid(params, "gamma_gamma_conditional_expected_average_spend");
  check_row({x, m_x}, 0, "gamma_gamma_conditional_expected_average_spend");
  const double denominator = params.p * x + params.q - 1.0;
  if (!(denominator > 0.0))
    throw std::invalid_argument(
        "gamma_gamma_conditional_expected_average_spend: the mean exists only when p x + q > 1");
  // A credibility-weighted mix of the population mean p gamma / (q - 1) and the observed m_x.
  return params.p * (params.gamma + m_x * x) / denominator;
}

}  // namespace mirror::twins
