// Pieces shared by the BTYD models: input validation, the Gauss hypergeometric function
// and the CLV sum.
#include <cmath>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "mirror/twins/btyd.hpp"

namespace mirror::twins {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void reject(const char* model, std::size_t row, const std::string& what) {
  std::ostringstream msg;
  msg << model << ": customer " << row << ": " << what;
  throw std::invalid_argument(msg.str());
}

bool is_nonpositive_integer(double v) {
  return v <= 0.0 && v == std::floor(v);
}

// 1 / Gamma(v), zero at the poles instead of a division by infinity.
double reciprocal_gamma(double v) {
  return is_nonpositive_integer(v) ? 0.0 : 1.0 / std::tgamma(v);
}

// The defining power series; converges for |z| < 1, fast for |z| <= 0.5.
double series_2f1(double a, double b, double c, double z) {
  double term = 1.0, sum = 1.0;
  constexpr int kMaxTerms = 2000000;
  for (int n = 0; n < kMaxTerms; ++n) {
    const double ratio = (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
    term *= ratio;
    sum += term;
    if (term == 0.0) return sum;  // a or b is a non-positive integer: a polynomial
    // Once the terms shrink geometrically the tail is below term * r / (1 - r).
    const double r = std::abs(ratio);
    if (r < 1.0 && n > 2 && std::abs(term) * r / (1.0 - r) <= 1e-16 * std::abs(sum)) return sum;
  }
  return kNaN;
}

// 2F1 for 0 <= z < 1.
double positive_2f1(double a, double b, double c, double z) {
  // Near z = 1 the series needs thousands of terms; the connection formula (Abramowitz &
  // Stegun 15.3.6) moves to 1 - z but cancels badly when c - a - b is close to an integer,
  // so it is used only away from those.
  const double d = c - a - b;
  if (z > 0.9 && std::abs(d - std::round(d)) > 0.05) {
    const double gc = std::tgamma(c);
    const double first = gc * std::tgamma(d) * reciprocal_gamma(c - a) * reciprocal_gamma(c - b);
    const double second = gc * std::tgamma(-d) * reciprocal_gamma(a) * reciprocal_gamma(b);
    if (std::isfinite(first) && std::isfinite(second)) {
      const double w = 1.0 - z;
      const double v = first * series_2f1(a, b, 1.0 - d, w) +
                       std::pow(w, d) * second * series_2f1(c - a, c - b, 1.0 + d, w);
      if (std::isfinite(v)) return v;
    }
  }
  return series_2f1(a, b, c, z);
}

}  // namespace

void validate_rf_summaries(const std::vector<RfSummary>& data, const char* model) {
  if (data.empty()) throw std::invalid_argument(std::string(model) + ": no customers to fit");
  for (std::size_t i = 0; i < data.size(); ++i) {
    const auto& c = data[i];
    std::ostringstream values;
    values << " (x=" << c.x << ", t_x=" << c.t_x << ", T=" << c.t_cal << ")";
    if (!std::isfinite(c.x) || !std::isfinite(c.t_x) || !std::isfinite(c.t_cal))
      reject(model, i, "non-finite value" + values.str());
    if (c.x < 0.0 || c.x != std::floor(c.x))
      reject(model, i, "x must be a whole number >= 0" + values.str());
    if (c.t_cal <= 0.0) reject(model, i, "T must be > 0" + values.str());
    if (c.t_x < 0.0 || c.t_x > c.t_cal) reject(model, i, "t_x must lie in [0, T]" + values.str());
    if (c.x == 0.0 && c.t_x != 0.0)
      reject(model, i, "t_x must be 0 when there is no repeat transaction" + values.str());
  }
}

double hypergeometric_2f1(double a, double b, double c, double z) {
  if (!std::isfinite(a) || !std::isfinite(b) || !std::isfinite(c) || !std::isfinite(z) ||
      z >= 1.0 || is_nonpositive_integer(c))
    return kNaN;
  if (z == 0.0) return 1.0;
  if (z > 0.0) return positive_2f1(a, b, c, z);
  // Pfaff: 2F1(a,b;c;z) = (1-z)^-a 2F1(a, c-b; c; z/(z-1)) maps z < 0 into (0, 1).
  const double w = z / (z - 1.0);
  return std::pow(1.0 - z, -a) * positive_2f1(a, c - b, c, w);
}

namespace {

double discounted_clv(const std::function<double(double)>& conditional_transactions, double spend,
                      const ClvHorizon& horizon) {
  if (horizon.periods < 0 || !(horizon.period_length > 0.0) || !(horizon.discount_rate > -1.0))
    throw std::invalid_argument("clv: need periods >= 0, period_length > 0 and discount_rate > -1");
  double value = 0.0, previous = 0.0, discount = 1.0;
  for (int k = 1; k <= horizon.periods; ++k) {
    const double cumulative = conditional_transactions(k * horizon.period_length);
    discount /= 1.0 + horizon.discount_rate;
    value += (cumulative - previous) * discount;
    previous = cumulative;
  }
  return spend * value;
}

}  // namespace

double bg_nbd_clv(const BgNbdParams& transactions, const GammaGammaParams& spend,
                  const RfSummary& customer, double m_x, const ClvHorizon& horizon) {
  validate_rf_summaries({customer}, "bg_nbd_clv");
  return discounted_clv(
      [&](double t) {
        return bg_nbd_conditional_expected_transactions(transactions, t, customer.x, customer.t_x,
                                                        customer.t_cal);
      },
      gamma_gamma_conditional_expected_average_spend(spend, customer.x, m_x), horizon);
}

double pareto_nbd_clv(const ParetoNbdParams& transactions, const GammaGammaParams& spend,
                      const RfSummary& customer, double m_x, const ClvHorizon& horizon) {
  validate_rf_summaries({customer}, "pareto_nbd_clv");
  return discounted_clv(
      [&](double t) {
        return pareto_nbd_conditional_expected_transactions(transactions, t, customer.x,
                                                            customer.t_x, customer.t_cal);
      },
      gamma_gamma_conditional_expected_average_spend(spend, customer.x, m_x), horizon);
}

}  // namespace mirror::twins
