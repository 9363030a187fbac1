#include "mirror/twins/btyd_scores.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "mirror/core/calendar.hpp"

namespace mirror::twins {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using core::kDaysPerWeek;
using core::kDaysPerMonth;

}  // namespace

BtydScoreReport add_btyd_scores(results::Table& profiles, const BtydScoreOptions& options) {
  if (options.model != "bg_nbd" && options.model != "pareto_nbd")
    throw std::invalid_argument("unknown BTYD model '" + options.model +
                                "' (known: bg_nbd, pareto_nbd)");
  if (!(options.horizon_days > 0)) throw std::invalid_argument("the horizon must be > 0 days");
  const auto& x = profiles.numbers("frequency");
  const auto& t_x = profiles.numbers("t_x_weeks");
  const auto& t_cal = profiles.numbers("t_cal_weeks");
  const auto& m_x = profiles.numbers("repeat_monetary");
  const auto& holdout = profiles.numbers("holdout_purchases");
  const std::size_t n = x.size();

  BtydScoreReport report;
  report.model = options.model;
  std::vector<RfSummary> data;
  std::vector<SpendSummary> spend;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(t_cal[i] > 0)) continue;  // no calibration purchase, or it was on the last day
    data.push_back({x[i], t_x[i], t_cal[i]});
    if (x[i] > 0 && m_x[i] > 0) spend.push_back({x[i], m_x[i]});
  }
  if (data.empty())
    throw std::invalid_argument("no customer has a calibration purchase before the calibration end");
  report.customers_fitted = data.size();
  const bool bg = options.model == "bg_nbd";
  if (bg) report.bg_nbd = fit_bg_nbd(data);
  else report.pareto_nbd = fit_pareto_nbd(data);
  report.has_spend = !spend.empty();
  report.spend_customers = spend.size();
  if (report.has_spend) report.gamma_gamma = fit_gamma_gamma(spend);

  const double horizon_weeks = options.horizon_days / kDaysPerWeek;
  ClvHorizon clv_horizon;
  clv_horizon.periods = std::max(1, static_cast<int>(std::lround(options.horizon_days / kDaysPerMonth)));
  clv_horizon.period_length = horizon_weeks / clv_horizon.periods;
  clv_horizon.discount_rate =
      std::pow(1.0 + options.annual_discount_rate, options.horizon_days / 365.25 / clv_horizon.periods) - 1.0;

  const auto& gg = report.gamma_gamma.params;
  const double population_spend = report.has_spend && gg.q > 1 ? gg.p * gg.gamma / (gg.q - 1) : kNaN;
  std::vector<double> p_alive(n, kNaN), expected(n, kNaN), expected_spend(n, kNaN), clv(n, kNaN);
  for (std::size_t i = 0; i < n; ++i) {
    if (!(t_cal[i] > 0)) continue;
    const RfSummary s{x[i], t_x[i], t_cal[i]};
    if (options.holdout_days > 0) {
      const double w = options.holdout_days / kDaysPerWeek;
      report.holdout_actual += holdout[i];
      report.holdout_expected +=
          bg ? bg_nbd_conditional_expected_transactions(report.bg_nbd.params, w, s.x, s.t_x, s.t_cal)
             : pareto_nbd_conditional_expected_transactions(report.pareto_nbd.params, w, s.x, s.t_x,
                                                            s.t_cal);
    }
    p_alive[i] = bg ? bg_nbd_p_alive(report.bg_nbd.params, s.x, s.t_x, s.t_cal)
                    : pareto_nbd_p_alive(report.pareto_nbd.params, s.x, s.t_x, s.t_cal);
    expected[i] = bg ? bg_nbd_conditional_expected_transactions(report.bg_nbd.params, horizon_weeks,
                                                                s.x, s.t_x, s.t_cal)
                     : pareto_nbd_conditional_expected_transactions(report.pareto_nbd.params,
                                                                    horizon_weeks, s.x, s.t_x, s.t_cal);
    if (!report.has_spend) continue;
    // Without an observed repeat spend, the population mean: E[M | x, m] is then exactly it.
    const double m = x[i] > 0 && m_x[i] > 0 ? m_x[i] : population_spend;
    if (!(m > 0) || !std::isfinite(m)) continue;
    const auto& gg = report.gamma_gamma.params;
    expected_spend[i] = gamma_gamma_conditional_expected_average_spend(gg, s.x, m);
    clv[i] = bg ? bg_nbd_clv(report.bg_nbd.params, gg, s, m, clv_horizon)
                : pareto_nbd_clv(report.pareto_nbd.params, gg, s, m, clv_horizon);
  }
  const std::string h = std::to_string(static_cast<long long>(std::lround(options.horizon_days)));
  auto& cols = profiles.columns;
  cols.push_back({"p_alive", std::move(p_alive), {}});
  cols.push_back({"expected_purchases_" + h + "d", std::move(expected), {}});
  cols.push_back({"expected_spend", std::move(expected_spend), {}});
  cols.push_back({"clv_" + h + "d", std::move(clv), {}});
  return report;
}

}  // namespace mirror::twins
