// Fits BTYD models to a profile table (ingest::build_profiles) and adds each customer's
// scores: P(alive), expected purchases and spend over a horizon, and CLV.
#pragma once

#include <string>

#include "mirror/results/customer_store.hpp"
#include "mirror/twins/btyd.hpp"

namespace mirror::twins {

struct BtydScoreOptions {
  std::string model = "bg_nbd";       // or "pareto_nbd"
  double horizon_days = 365.0;
  double annual_discount_rate = 0.10;
  double holdout_days = 0.0;          // > 0: also forecast the holdout period
};

struct BtydScoreReport {
  std::string model;
  std::size_t customers_fitted = 0;   // customers with a calibration purchase and T > 0
  FitResult<BgNbdParams> bg_nbd;      // set when model == "bg_nbd"
  FitResult<ParetoNbdParams> pareto_nbd;
  bool has_spend = false;             // false when no repeat purchase has a positive value
  std::size_t spend_customers = 0;
  FitResult<GammaGammaParams> gamma_gamma;
  // Over the fitted customers, when holdout_days > 0: the model's expected repeat purchases
  // in the holdout and the actual count (column holdout_purchases).
  double holdout_expected = 0.0;
  double holdout_actual = 0.0;
};

// Reads columns frequency, t_x_weeks, t_cal_weeks and repeat_monetary; appends p_alive,
// expected_purchases, expected_spend and clv (NaN where a customer has no calibration
// purchase, or spend where the data has no amounts). Throws std::invalid_argument.
BtydScoreReport add_btyd_scores(results::Table& profiles, const BtydScoreOptions& options);

}  // namespace mirror::twins
