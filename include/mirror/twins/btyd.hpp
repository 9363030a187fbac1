// "Buy 'til you die" customer-base models fitted by maximum likelihood: BG/NBD, Pareto/NBD,
// BG/BB (discrete time) and the Gamma-Gamma spend model, plus a discounted CLV helper.
// Formulas and references: docs/btyd.md.
#pragma once

#include <vector>

namespace mirror::twins {

// One customer's calibration-period summary. Times are in any one unit (weeks, days) used
// consistently; x counts repeat transactions only (the first purchase starts the clock).
struct RfSummary {
  double x = 0.0;      // number of repeat transactions, a whole number >= 0
  double t_x = 0.0;    // time of the last repeat transaction since the first purchase; 0 if x = 0
  double t_cal = 0.0;  // time from the first purchase to the end of calibration ("T"), > 0
};

// Throws std::invalid_argument naming the model, the row and the broken rule (empty data,
// negative or fractional x, t_x outside [0, T], x = 0 with t_x > 0, non-finite values).
void validate_rf_summaries(const std::vector<RfSummary>& data, const char* model);

template <typename Params>
struct FitResult {
  Params params;
  double log_likelihood = 0.0;  // the full likelihood, constants included (as published)
  int iterations = 0;
  bool converged = false;  // gradient in log-parameter space ~ 0 at the reported optimum
};

// ---- BG/NBD (Fader, Hardie & Lee 2005): Poisson purchases at rate lambda ~ Gamma(r, alpha);
// after each repeat purchase the customer drops out with probability p ~ Beta(a, b).
struct BgNbdParams {
  double r = 0.0, alpha = 0.0, a = 0.0, b = 0.0;
};
FitResult<BgNbdParams> fit_bg_nbd(const std::vector<RfSummary>& data);
double bg_nbd_log_likelihood(const BgNbdParams& params, const std::vector<RfSummary>& data);
double bg_nbd_p_alive(const BgNbdParams& params, double x, double t_x, double t_cal);
// E[X(t)]: repeat transactions in (0, t] of a customer whose first purchase was at 0.
double bg_nbd_expected_transactions(const BgNbdParams& params, double t);
// E[Y(t) | x, t_x, T]: transactions in (T, T + t].
double bg_nbd_conditional_expected_transactions(const BgNbdParams& params, double t, double x,
                                                double t_x, double t_cal);

// ---- Pareto/NBD (Schmittlein, Morrison & Colombo 1987; Fader & Hardie 2005 note):
// Poisson purchases at rate lambda ~ Gamma(r, alpha), exponential lifetime at rate
// mu ~ Gamma(s, beta).
struct ParetoNbdParams {
  double r = 0.0, alpha = 0.0, s = 0.0, beta = 0.0;
};
FitResult<ParetoNbdParams> fit_pareto_nbd(const std::vector<RfSummary>& data);
double pareto_nbd_log_likelihood(const ParetoNbdParams& params, const std::vector<RfSummary>& data);
double pareto_nbd_p_alive(const ParetoNbdParams& params, double x, double t_x, double t_cal);
double pareto_nbd_expected_transactions(const ParetoNbdParams& params, double t);
double pareto_nbd_conditional_expected_transactions(const ParetoNbdParams& params, double t,
                                                    double x, double t_x, double t_cal);

// ---- Gamma-Gamma spend (Fader, Hardie & Lee 2005, "RFM and CLV"): transaction values
// ~ Gamma(p, nu) with nu ~ Gamma(q, gamma), independent of the transaction process.
struct SpendSummary {
  double x = 0.0;    // number of repeat transactions whose values are averaged
  double m_x = 0.0;  // their mean value, > 0 when x > 0
};
struct GammaGammaParams {
  double p = 0.0, q = 0.0, gamma = 0.0;
};
// Rows with x = 0 carry no spend information and are skipped; at least one must have x > 0.
FitResult<GammaGammaParams> fit_gamma_gamma(const std::vector<SpendSummary>& data);
double gamma_gamma_log_likelihood(const GammaGammaParams& params,
                                  const std::vector<SpendSummary>& data);
// E[M | x, m_x]; with x = 0 it is the population mean p * gamma / (q - 1) (needs q > 1).
double gamma_gamma_conditional_expected_average_spend(const GammaGammaParams& params, double x,
                                                      double m_x);

// ---- BG/BB (Fader, Hardie & Shang 2010): at each of n discrete opportunities an alive
// customer transacts with probability p ~ Beta(alpha, beta), and dies before the next
// opportunity with probability theta ~ Beta(gamma, delta).
struct BgBbPattern {
  int x = 0;           // transactions in the n calibration opportunities
  int t_x = 0;         // opportunity of the last transaction (0 if none)
  int n = 0;           // number of calibration opportunities
  double count = 1.0;  // customers sharing this pattern
};
struct BgBbParams {
  double alpha = 0.0, beta = 0.0, gamma = 0.0, delta = 0.0;
};
FitResult<BgBbParams> fit_bg_bb(const std::vector<BgBbPattern>& data);
double bg_bb_log_likelihood(const BgBbParams& params, const std::vector<BgBbPattern>& data);
// P(alive at opportunity n + 1 | x, t_x, n), the paper's eq. (11): "alive in 2002" for
// the donations data whose calibration opportunities are 1996..2001.
double bg_bb_p_alive(const BgBbParams& params, int x, int t_x, int n);
// Expected transactions in opportunities n + 1 .. n + n_star.
double bg_bb_conditional_expected_transactions(const BgBbParams& params, int n_star, int x, int t_x,
                                               int n);
// E[X(n)]: expected transactions in opportunities 1..n of a new customer.
double bg_bb_expected_transactions(const BgBbParams& params, int n);

// ---- CLV: discounted expected revenue over `periods` future periods of `period_length`
// time units each, for a customer with calibration summary (x, t_x, T) and mean spend m_x:
//   CLV = E[M | x, m_x] * sum_{k=1..K} (E[Y(k L) | .] - E[Y((k-1) L) | .]) / (1 + d)^k
// with E[Y(t) | .] the conditional expected transactions in (T, T + t], L the period length,
// d the per-period discount rate. Transactions in period k are discounted to the end of it.
struct ClvHorizon {
  int periods = 12;
  double period_length = 1.0;
  double discount_rate = 0.0;  // per period, e.g. 0.01 per month
};
double bg_nbd_clv(const BgNbdParams& transactions, const GammaGammaParams& spend,
                  const RfSummary& customer, double m_x, const ClvHorizon& horizon);
double pareto_nbd_clv(const ParetoNbdParams& transactions, const GammaGammaParams& spend,
                      const RfSummary& customer, double m_x, const ClvHorizon& horizon);

// Gauss hypergeometric 2F1(a, b; c; z) for real z < 1 (NaN outside the domain or at a pole
// of c). Needed by the Pareto/NBD likelihood and the BG/NBD expectations.
double hypergeometric_2f1(double a, double b, double c, double z);

}  // namespace mirror::twins
