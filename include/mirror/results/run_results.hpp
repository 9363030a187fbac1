// A finished run in plain C++ types: what the engine produces and the results file stores.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "mirror/core/channel.hpp"
#include "mirror/core/decision_record.hpp"
#include "mirror/core/money.hpp"
#include "mirror/core/random.hpp"
#include "mirror/core/scenario_spec.hpp"
#include "mirror/results/qini.hpp"
#include "mirror/results/true_value.hpp"

namespace mirror::results {

// Totals of one arm on one day, summed over its customers (integers: order-independent).
struct DailyTotals {
  std::int32_t day = 0;
  core::Micros revenue = 0;
  core::Micros margin = 0;
  core::Micros cost = 0;
  std::int64_t visits = 0;
  std::int64_t conversions = 0;
  std::int64_t contacts = 0;
  core::ChannelArray<std::int64_t> contacts_by_channel{};
  std::int64_t notices = 0;
  std::int64_t unsubscribes = 0;
  std::int64_t churned = 0;         // customers who churned that day
  std::int64_t active = 0;          // active customers at the end of the day
  std::int64_t blocked_by_caps = 0;     // proposed actions the contact caps refused
  std::int64_t blocked_by_consent = 0;  // proposed actions on a channel without consent
  std::int64_t blocked_by_budget = 0;   // proposed actions the spent budget refused
  std::int64_t blocked_by_rules = 0;    // quiet days and the offer-repeat rule

  DailyTotals& operator+=(const DailyTotals& other);
};

// One customer's totals over the horizon in one arm.
struct CustomerResult {
  std::uint64_t customer_id = 0;
  std::int32_t segment = 0;
  std::int32_t effect_type = 0;  // ground truth: 0 indifferent, 1 persuadable, 2 annoyed
  core::Micros revenue = 0;
  core::Micros margin = 0;
  core::Micros cost = 0;
  std::uint32_t visits = 0;
  std::uint32_t conversions = 0;
  std::uint32_t contacts = 0;
  std::uint32_t unsubscribes = 0;
  std::uint8_t active_at_end = 1;
  // outputs.expected_value only: the model's expected margin of each of the customer's
  // days given its state and the delivered action, summed (NaN when not computed).
  double expected_margin = std::numeric_limits<double>::quiet_NaN();

  double profit() const { return core::from_micros(margin - cost); }
  double expected_profit() const { return expected_margin - core::from_micros(cost); }
};

struct ArmResult {
  std::string name;
  std::string policy;                      // the policy kind
  std::vector<DailyTotals> daily;          // one per day, in day order
  std::vector<CustomerResult> customers;   // the arm's customers, in customer id order
  // The decision log: every proposal, in (day, customer id) order, up to the run's row
  // limit; whole days only (decisions_days_logged days from day 0).
  std::vector<core::DecisionRecord> decisions;
  std::int32_t decisions_days_logged = 0;
  bool decisions_truncated = false;
  std::int32_t budget_exhausted_day = core::kNoDay;
};

// One row of the summary table: an arm's metric, per customer.
struct SummaryRow {
  std::string arm;
  std::string metric;
  std::int64_t n = 0;
  double mean = 0.0;
  double ci_low = 0.0;   // 95% confidence interval of the mean
  double ci_high = 0.0;
  // Against the control arm (0 for the control itself): paired differences in the paired
  // design, Welch's interval in the split design, post-stratified in the stratified one.
  double uplift = 0.0;
  double uplift_ci_low = 0.0;
  double uplift_ci_high = 0.0;
};

struct RunMeta {
  std::string scenario_path;
  std::string scenario_text;
  std::string scenario_sha256;
  std::string scenario_name;
  std::uint64_t seed = 0;
  std::string version;
  std::string git_commit;
  int threads = 0;
  int shards = 0;
  double wall_time_s = 0.0;
  std::string design;        // "paired", "split" or "stratified"
  std::string control_arm;
  std::int32_t horizon_days = 0;
  std::uint32_t population = 0;
};

struct RunResults {
  RunMeta meta;
  core::WorldSpec world;     // the ground-truth parameters, stored for later recovery checks
  std::vector<ArmResult> arms;
  std::vector<SummaryRow> summary;
  std::vector<ArmQini> qini;            // ranking arms in the ground-truth world
  std::vector<TrueValue> true_value;    // mirror run --replications only
};

// An online learner's regret curve against the best fixed arm of the same run (the arm,
// not itself a learner, with the highest profit per customer over the horizon): per day,
// profit (margin - cost) per customer of each, and the cumulative difference.
struct RegretCurve {
  std::string best_fixed_arm;  // empty: no fixed arm to compare with
  std::vector<double> reward, best_reward, cumulative_regret;
};
bool is_online_learner(const std::string& policy_kind);
RegretCurve regret_curve(const std::vector<ArmResult>& arms, std::size_t learner);

// The per-customer value of a metric (what the summary averages).
double metric_value(const CustomerResult& c, core::Metric m);

// The summary table: every arm x every metric, in arm order then core::Metric order.
// Paired design: every arm holds the same customers in the same order.
std::vector<SummaryRow> summarize(const std::vector<ArmResult>& arms, int control_arm,
                                  core::ExperimentSpec::Design design);

}  // namespace mirror::results
