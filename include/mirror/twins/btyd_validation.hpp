// Holdout validation of a fitted BTYD model: totals, the weekly cumulative tracking curve,
// per-customer error and conditional expectations by calibration frequency.
#pragma once

#include <cstdint>
#include <vector>

#include "mirror/results/customer_store.hpp"
#include "mirror/twins/btyd_scores.hpp"

namespace mirror::twins {

struct BtydValidation {
  std::int64_t customers = 0;          // fitted customers (a calibration purchase, T > 0)
  double holdout_days = 0;
  double holdout_actual = 0;           // repeat purchase days in the holdout
  double holdout_expected = 0;         // sum of conditional expectations
  double mae = 0;                      // mean |expected - actual| per customer
  double rmse = 0;
  // Cumulative repeat purchase days, week by week from the first day of the data.
  std::vector<double> tracking_actual;
  std::vector<double> tracking_model;  // sum over customers of E[X(t - birth)]
  std::int32_t calibration_weeks = 0;  // weeks of the tracking curve in the calibration
  // By calibration frequency x = 0, 1, ..., with the last bin "x or more".
  std::vector<double> by_x_customers, by_x_actual, by_x_expected;
};

// `profiles` must hold the BTYD inputs (frequency, t_x_weeks, t_cal_weeks,
// holdout_purchases); `daily` is the customers x days purchase-count sequence whose step 0
// is the first day of the data; `calibration_days` the number of its steps in the
// calibration period. Uses the model and parameters of `fit`.
BtydValidation validate_btyd(const results::Table& profiles, const results::CountMatrix& daily,
                             std::int32_t calibration_days, const BtydScoreReport& fit,
                             int frequency_bins = 8);

}  // namespace mirror::twins
