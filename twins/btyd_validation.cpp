#include "mirror/twins/btyd_validation.hpp"

#include <cmath>
#include <map>
#include <stdexcept>

#include "mirror/core/calendar.hpp"

namespace mirror::twins {

using core::kDaysPerWeek;

BtydValidation validate_btyd(const results::Table& profiles, const results::CountMatrix& daily,
                             std::int32_t calibration_days, const BtydScoreReport& fit,
                             int frequency_bins) {
  const auto& x = profiles.numbers("frequency");
  const auto& t_x = profiles.numbers("t_x_weeks");
  const auto& t_cal = profiles.numbers("t_cal_weeks");
  const auto& holdout = profiles.numbers("holdout_purchases");
  const std::size_t n = x.size();
  const std::size_t days = daily.steps;
  if (daily.counts.size() != n * days)
    throw std::invalid_argument("the daily sequence does not match the profile table");
  if (calibration_days <= 0 || static_cast<std::size_t>(calibration_days) > days)
    throw std::invalid_argument("the calibration period is outside the data");
  const bool bg = fit.model == "bg_nbd";
  const auto conditional = [&](double t, double xi, double txi, double tcal) {
    return bg ? bg_nbd_conditional_expected_transactions(fit.bg_nbd.params, t, xi, txi, tcal)
              : pareto_nbd_conditional_expected_transactions(fit.pareto_nbd.params, t, xi, txi, tcal);
  };
  const auto unconditional = [&](double t) {
    return bg ? bg_nbd_expected_transactions(fit.bg_nbd.params, t)
              : pareto_nbd_expected_transactions(fit.pareto_nbd.params, t);
  };

  BtydValidation v;
  v.holdout_days = static_cast<double>(days) - calibration_days;
  const double holdout_weeks = v.holdout_days / kDaysPerWeek;
  const std::size_t weeks = (days + 6) / 7;
  v.calibration_weeks = static_cast<std::int32_t>(std::lround(calibration_days / kDaysPerWeek));
  v.tracking_actual.assign(weeks, 0.0);
  v.tracking_model.assign(weeks, 0.0);
  v.by_x_customers.assign(frequency_bins, 0.0);
  v.by_x_actual.assign(frequency_bins, 0.0);
  v.by_x_expected.assign(frequency_bins, 0.0);
  std::map<std::size_t, double> births;  // first purchase day -> customers
  double squared = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(t_cal[i] > 0)) continue;
    const auto* row = &daily.counts[i * days];
    std::size_t birth = 0;
    while (birth < days && !row[birth]) ++birth;
    births[birth] += 1;
    for (std::size_t d = birth + 1; d < days; ++d)
      if (row[d]) v.tracking_actual[d / 7] += 1;
    ++v.customers;
    const double expected = conditional(holdout_weeks, x[i], t_x[i], t_cal[i]);
    v.holdout_actual += holdout[i];
    v.holdout_expected += expected;
    v.mae += std::abs(expected - holdout[i]);
    squared += (expected - holdout[i]) * (expected - holdout[i]);
    const int bin = std::min<int>(frequency_bins - 1, static_cast<int>(x[i]));
    v.by_x_customers[bin] += 1;
    v.by_x_actual[bin] += holdout[i];
    v.by_x_expected[bin] += expected;
  }
  if (v.customers == 0) throw std::invalid_argument("no customer to validate");
  v.mae /= static_cast<double>(v.customers);
  v.rmse = std::sqrt(squared / static_cast<double>(v.customers));
  for (int b = 0; b < frequency_bins; ++b)
    if (v.by_x_customers[b] > 0) {
      v.by_x_actual[b] /= v.by_x_customers[b];
      v.by_x_expected[b] /= v.by_x_customers[b];
    }
  for (std::size_t w = 1; w < weeks; ++w) v.tracking_actual[w] += v.tracking_actual[w - 1];
  // Customers born on the same day share E[X(t)]: one evaluation per birth day and week.
  for (std::size_t w = 0; w < weeks; ++w) {
    const double end_day = std::min<double>(static_cast<double>(days), 7.0 * (w + 1));
    for (const auto& [birth, count] : births)
      if (end_day > static_cast<double>(birth) + 1)
        v.tracking_model[w] += count * unconditional((end_day - birth - 1) / kDaysPerWeek);
  }
  return v;
}

}  // namespace mirror::twins
