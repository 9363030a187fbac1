// The fidelity report: on a generated world, how well do the mirror world (the LCM trained
// on the world's logs) and off-policy evaluation of the same logs estimate what candidate
// policies are truly worth? Each policy's true value comes from the world's exact expected
// outcomes (truth.h5), its mirror-world value from LCM rollouts, its OPE estimates from the
// logged decisions. docs/fidelity.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mirror/policies/ope.hpp"

namespace mirror::fidelity {

// A candidate policy: one action distribution per (observable) segment, taken on the day it
// is evaluated; an action whose channel the customer has no consent for becomes 'none'.
struct CandidatePolicy {
  std::string name;
  std::vector<std::vector<double>> by_segment;  // [segment][action], action 0 = none
  bool uniform_deliverable = false;  // 'random': uniform over none and the deliverable actions
};

// The world as the candidate policies see it: action and segment names.
struct WorldActions {
  std::vector<std::string> actions;   // [0] = "none"
  std::vector<int> channel_index;     // per action: its channel's consent bit (-1 for none)
  std::vector<std::string> channels;  // channel names in consent-bit order
  std::vector<std::string> segments;
};

// What `--policies` can name (docs/fidelity.md):
//   none | random | ACTION | mirror_best | oracle_best | rule:SEG=ACTION+SEG=ACTION...
// `random` is uniform over the actions (and none); `mirror_best` / `oracle_best` take, per
// segment, the action with the best mean value in the mirror world / the truth (the best
// per-segment rule in hindsight: a reference, not a policy anyone could run).
// Throws std::invalid_argument naming the bad entry and what was expected.
std::vector<std::string> default_policy_names(const WorldActions& world);
CandidatePolicy parse_policy(const std::string& spec, const WorldActions& world,
                             const std::vector<std::vector<double>>& mirror_segment_value,
                             const std::vector<std::vector<double>>& true_segment_value);

// Per customer: the observable facts a candidate policy acts on.
struct CustomerContext {
  int segment = 0;
  std::uint32_t consent = 0;  // bit c: consent on channel c
};
// customers.csv of `mirror generate` (quoted fields allowed), by customer id. Throws
// std::runtime_error naming the file and line of a missing column, a row of the wrong
// length or an unknown segment, and ingest::IngestError when the file cannot be read.
std::unordered_map<std::string, CustomerContext> read_customers(const std::string& path,
                                                                const WorldActions& world);
// The distribution a policy gives a customer: consent applied, so it sums to 1.
void policy_distribution(const CandidatePolicy& policy, const WorldActions& world, const CustomerContext& x,
                         std::vector<double>& out);

enum class Metric { kPurchases, kRevenue };

struct FidelityOptions {
  std::string world;               // preset or world file (ignored with `logs`)
  std::uint64_t customers = 10000;
  int days = 180;
  std::uint64_t seed = 1;
  std::string logs;                // an existing `mirror generate` directory instead
  std::string out_dir;             // written atomically: world/ (unless logs), store.h5, model.lcm, fidelity.h5
  std::string model;               // an LCM trained on these logs (checked by its data hash) instead of training
  int ope_days = 0;                // > 0: OPE on the decisions of the log's last days only
  int epochs = 10;                 // LCM training
  int hidden = 32;
  int rollouts = 20;
  Metric metric = Metric::kRevenue;
  std::vector<std::string> policies;  // empty: default_policy_names
  policies::OpeOptions ope;
  int threads = 2;
  std::function<void(const std::string& stage)> on_stage;  // "generate", "ingest", ...
  std::function<void(const std::string& line)> on_training;  // one line per epoch
};

struct PolicyRow {
  std::string name;
  double truth = 0;
  double mirror = 0;
  std::vector<policies::EstimateResult> ope;  // in FidelityOptions::ope.estimators order
};

struct FidelityReport {
  WorldActions world;
  std::size_t customers = 0;   // with a history in the logs (the others have no LCM state)
  std::size_t logged_rounds = 0;  // decisions whose reward window lies inside the log
  double logged_mean_reward = 0;  // the logging policy's own value on those rounds
  int horizon_days = 0;
  Metric metric = Metric::kRevenue;
  std::vector<PolicyRow> rows;
  std::vector<std::string> methods;       // "mirror", then the estimators
  std::vector<double> rank_correlation;   // Spearman with the truth, per method
  std::vector<double> mean_abs_rel_error; // per method
  std::vector<double> pick_regret;        // truth(best) - truth(method's pick), per method
  std::vector<std::string> warnings;
  double seconds = 0;
};

// Runs the whole pipeline. Throws std::invalid_argument (bad options or inputs) and
// std::runtime_error (a stage failed); the output directory is then left absent.
FidelityReport run_fidelity(const FidelityOptions& options);

}  // namespace mirror::fidelity
