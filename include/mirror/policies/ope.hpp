// Off-policy evaluation: what a target policy would have earned, estimated from a log that
// another (logging) policy collected, with bootstrap intervals and weight diagnostics.
// Formulas follow Saito et al. 2021 (Open Bandit Pipeline, arXiv:2008.07146), Dudik et al.
// 2014 (DR), Wang et al. 2017 (Switch-DR) and Su et al. 2020 (DRos); see docs/ope.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mirror/policies/bandit_log.hpp"

namespace mirror::policies {

enum class Estimator { kDm, kIps, kClippedIps, kSnips, kDr, kSndr, kSwitchDr, kDros };

inline constexpr Estimator kAllEstimators[] = {
    Estimator::kDm, Estimator::kIps,  Estimator::kClippedIps, Estimator::kSnips,
    Estimator::kDr, Estimator::kSndr, Estimator::kSwitchDr,   Estimator::kDros};

// "dm", "ips", "clipped-ips", "snips", "dr", "sndr", "switch-dr", "dros".
std::string_view estimator_name(Estimator e);
std::optional<Estimator> parse_estimator(std::string_view name);
// "all" or a comma-separated list of names; nullopt (with the bad name in `bad`) otherwise.
std::optional<std::vector<Estimator>> parse_estimator_list(const std::string& list, std::string& bad);

enum class RewardModelKind {
  kAuto,      // logistic when every reward is 0 or 1, else ridge
  kLogistic,  // L2-regularised logistic regression (Newton / IRLS)
  kRidge,     // ridge regression (normal equations)
};

// The reward model q(x, a) of DM and the DR family. Features: intercept, position one-hot,
// the round's context, the (round, action) features, and per action its intercept and, with
// interactions, its own coefficients on the context (context x action).
struct RewardModelOptions {
  RewardModelKind kind = RewardModelKind::kAuto;
  bool interactions = true;
  double l2 = 1.0;  // penalty on every coefficient but the intercept
  int folds = 1;    // > 1: cross-fitting, each round predicted by a model fitted without its fold
  int max_iterations = 50;
};

// q_hat(x_i, a) for every round and action, n x A row-major.
struct RewardModel {
  RewardModelKind kind = RewardModelKind::kLogistic;
  std::vector<double> q_hat;
  int iterations = 0;  // Newton steps of the last fold (0 for ridge)
  bool converged = true;
};

RewardModel fit_reward_model(const BanditLog& log, const RewardModelOptions& options);

struct OpeOptions {
  std::vector<Estimator> estimators{std::begin(kAllEstimators), std::end(kAllEstimators)};
  int bootstrap = 200;  // resamples for the interval; 0 = no interval
  std::uint64_t seed = 20260101;
  double confidence = 0.95;
  double clip = 10.0;          // clipped IPS: weights above it are set to it
  double switch_tau = 10.0;    // Switch-DR: rounds with weight above it use DM only
  double dros_lambda = 100.0;  // DRos shrinkage: w -> lambda w / (w^2 + lambda)
  int threads = 2;             // results do not depend on it
  RewardModelOptions reward_model;
  // When set (n x A), used instead of fitting: tests use a known reward function.
  std::optional<std::vector<double>> q_hat;
};

// How the weights of one estimator behave. The weight of round i is what multiplies its
// reward (or residual): w_i = pi_e(a_i|x_i) / p_b(a_i|x_i), clipped, switched or shrunk.
struct WeightDiagnostics {
  double effective_sample_size = 0.0;  // (sum w)^2 / sum w^2; n for DM
  double max_weight = 0.0;
  double mean_weight = 0.0;    // about 1 when the policies overlap well
  double share_clipped = 0.0;  // rounds whose weight was cut (clip, switch)
};

struct EstimateResult {
  Estimator estimator = Estimator::kIps;
  double estimate = 0.0;
  double ci_low = 0.0;  // percentile bootstrap interval; NaN without bootstrap
  double ci_high = 0.0;
  double std_error = 0.0;  // standard deviation of the bootstrap estimates
  WeightDiagnostics weights;
};

// Actions the target policy may take but the log never shows: their rewards are invisible
// to IPS-type estimators, which therefore count them as zero.
struct SupportReport {
  std::vector<std::string> unsupported_actions;
  double unsupported_target_mass = 0.0;  // mean over rounds of pi_e(unlogged actions | x_i)
};

struct OpeReport {
  std::vector<EstimateResult> estimates;
  std::vector<std::string> warnings;
  SupportReport support;
  std::size_t rounds = 0;
  std::int32_t actions = 0;
  double logged_mean_reward = 0.0;  // the logging policy's own value
  double min_propensity = 0.0;
  double max_propensity = 0.0;
  RewardModelKind reward_model = RewardModelKind::kLogistic;
  bool reward_model_fitted = false;
};

// Throws BanditLogError on an invalid policy (see validate_target_policy) and
// std::invalid_argument on invalid options.
OpeReport evaluate_policy(const BanditLog& log, const TargetPolicy& policy,
                          const OpeOptions& options);

}  // namespace mirror::policies
