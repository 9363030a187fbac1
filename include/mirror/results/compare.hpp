// The arms of a results file ranked by one metric, with confidence intervals: what
// `mirror compare` prints. Computed from the per-customer columns, so any metric of
// /arms/<arm>/customers can be compared, overall and per segment.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mirror/results/true_value.hpp"

namespace mirror::results {

struct ArmComparison {
  int rank = 0;  // 1 = the highest mean
  std::string arm;
  std::string policy;
  std::int64_t n = 0;
  double mean = 0, ci_low = 0, ci_high = 0;  // per customer, 95% t interval
  // Against the control (0 for the control): paired differences in the paired design,
  // Welch in the split design, post-stratified by segment in the stratified design; the
  // adjusted interval is Bonferroni's over all comparisons
  // with the control (family-wise 95%).
  double uplift = 0, uplift_ci_low = 0, uplift_ci_high = 0;
  double uplift_adj_low = 0, uplift_adj_high = 0;
  // This arm minus the top-ranked arm (0 for the top one), same method, 95%.
  double vs_best = 0, vs_best_ci_low = 0, vs_best_ci_high = 0;
};

struct SegmentComparison {
  std::string arm;
  std::int32_t segment = 0;
  std::string segment_name;
  std::int64_t n = 0;
  double mean = 0, ci_low = 0, ci_high = 0;
  double uplift = 0, uplift_ci_low = 0, uplift_ci_high = 0;  // against the control, 95%
};

// A ranking arm's areas under its Qini curves (/qini; docs/policies.md).
struct QiniSummary {
  std::string arm, score;
  double auuc_true = 0, auuc_perfect = 0, auuc_random = 0;
  double auuc_realized = 0, auuc_realized_random = 0;
};

struct Comparison {
  std::string path;
  std::string metric;
  std::string design;   // paired, split or stratified
  std::string control;
  int comparisons = 0;  // arms other than the control
  std::vector<ArmComparison> arms;        // by rank
  std::vector<SegmentComparison> segments;  // arm order of the file, then segment
  std::vector<QiniSummary> qini;            // empty when the file has none
  std::vector<TrueValue> true_value;        // mirror run --replications; else empty
};

// Metrics that can be compared: columns of /arms/<arm>/customers.
const std::vector<std::string>& comparable_metrics();

// Throws ResultsFileError (unreadable file) or std::invalid_argument (unknown metric).
Comparison compare_results(const std::string& path, const std::string& metric);

}  // namespace mirror::results
