// Holdout validation of the LCM beside the BTYD baseline: per-customer forecasts from
// Monte Carlo rollouts of the fitted model, scored against what customers did.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "mirror/twins/btyd_scores.hpp"
#include "mirror/twins/lcm.hpp"

namespace mirror::twins {

// Per-customer holdout forecasts of one model.
struct HoldoutForecast {
  std::vector<double> purchases;        // expected purchase days in the holdout
  std::vector<double> purchase_30d;     // P(a purchase in the first 30 holdout days; lcm_window_steps)
  std::vector<double> silent_90d;       // P(no purchase in the first 90 holdout days)
};

// The rows `rows` of a forecast (a sample's, from one of the whole store).
HoldoutForecast holdout_rows(const HoldoutForecast& f, const std::vector<std::size_t>& rows);

// The scores of a forecast against the actual holdout of the same customers.
struct HoldoutScores {
  double customers = 0, actual_total = 0, forecast_total = 0;
  double mae = 0, rmse = 0;
  double log_loss_30d = 0, auc_30d = 0;            // next-30-day purchase
  double churn_accuracy = 0, churn_precision = 0, churn_recall = 0, churn_f1 = 0;  // silent 90 days
  std::vector<double> decile_predicted, decile_actual;  // calibration of purchase_30d
};

struct HoldoutActual {
  std::vector<double> purchases, purchase_30d, silent_90d;
};

// Customer c's purchase days per purchase step, by which a weekly model's purchase weeks
// become purchase days: the model's over all training customers, shrunk towards the
// customer's own calibration weeks with the weight of 2 weeks, (days + 2 g) / (weeks + 2)
// (a household that shops twice a week buys on two days of its purchase weeks). 1 for daily
// steps.
double lcm_purchase_days_per_step(const LcmArtifact& model, const LcmSequences& data, std::size_t c);
HoldoutActual lcm_holdout_actual(const LcmSequences& data);
// Rolls every customer forward from its warmed-up state through the holdout, `rollouts`
// times, with the holdout's logged actions. Probabilities are shares of the rollouts with
// half a rollout added each way. Deterministic for a seed, whatever `threads`.
HoldoutForecast lcm_forecast(const LcmArtifact& model, const LcmSequences& data, int rollouts,
                             std::uint64_t seed, int threads = 1);
// An action as the LCM sees it: the kLcmAction inputs of the day it is taken (kLcmAffinity
// is set per customer from `category`, the category the action promotes; -1 = generic).
struct LcmActionFeatures {
  std::array<float, kLcmActionCount> inputs{};
  int category = -1;
  float* data() { return inputs.data(); }
};
// Per customer and action: expected purchase days and revenue over `horizon_days` days after
// the calibration period when the action is taken on its first day and nothing after.
struct LcmActionOutcomes {
  std::size_t actions = 0;
  std::vector<double> purchases;  // customers x actions; NaN without calibration history
  std::vector<double> revenue;    // expm1 of the log-spend draws, times P(purchase)
};
// Monte Carlo rollouts from each customer's warmed-up state with common random numbers: the
// same streams per (customer, rollout, day) for every action, so differences between actions
// (uplifts) carry little noise. The purchase probability, not its draw, is averaged (the
// draw still feeds the next day). Deterministic for a seed, whatever `threads`.
LcmActionOutcomes lcm_action_outcomes(const LcmArtifact& model, const LcmSequences& data,
                                      const std::vector<LcmActionFeatures>& actions,
                                      int horizon_days, int rollouts, std::uint64_t seed, int threads = 1);
// BG/NBD or Pareto/NBD forecasts from a scored profile table (same customer order).
// `days_30` and `days_90` are the windows of purchase_30d and silent_90d.
HoldoutForecast btyd_forecast(const results::Table& profiles, const BtydScoreReport& fit,
                              double holdout_days, double days_30 = 30, double days_90 = 90);
// Customers with include[c] only (those the BTYD fit covers, for a like-for-like table).
HoldoutScores score_holdout(const HoldoutForecast& forecast, const HoldoutActual& actual,
                            const std::vector<bool>& include);

}  // namespace mirror::twins
