// The true value of each arm's policy (the expectation of its profit per customer over all
// the simulation's randomness, estimated by independent replications) and the error of
// one run against it.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace mirror::results {

struct TrueValue {
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::string arm;
  int replications = 0;
  double value = 0.0, value_se = 0.0;    // profit per customer: mean over replications, its SE
  double uplift = 0.0, uplift_se = 0.0;  // value minus the control's, per replication
  double run_value = 0.0;                // the main run's profit per customer
  double run_error = 0.0;                // run_value - value
  double run_uplift = 0.0, run_uplift_error = 0.0;  // the main run's arm mean minus control mean
  double run_expected_value = kNaN;      // the main run's expected profit (outputs.expected_value)
  double run_expected_error = kNaN;      // run_expected_value - value
};

// From each replication's per-arm mean profit (replicate_means[r][arm]) and the main run's
// per-arm mean profit and expected profit (NaN when not computed).
std::vector<TrueValue> true_values(const std::vector<std::string>& arms, int control,
                                   const std::vector<std::vector<double>>& replicate_means,
                                   const std::vector<double>& run_means,
                                   const std::vector<double>& run_expected_means);

}  // namespace mirror::results
