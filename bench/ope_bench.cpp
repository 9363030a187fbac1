// OPE benchmark: a synthetic logged bandit of N rounds (10 actions, 5 context features,
// softmax logging, Bernoulli rewards), evaluated by 5 estimators with B bootstrap
// resamples. Prints the time of the reward model fit and of the estimators + bootstrap.
// usage: ope_bench [--rounds N] [--bootstrap B] [--threads T]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include "mirror/policies/ope.hpp"

using namespace mirror::policies;

namespace {

constexpr int kActions = 10;
constexpr int kFeatures = 5;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t rounds = 1000000;
  int bootstrap = 200;
  int threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rounds"))
      rounds = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--bootstrap"))
      bootstrap = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads"))
      threads = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: ope_bench [--rounds N] [--bootstrap B] [--threads T]\n");
      return 2;
    }
  }

  auto start = std::chrono::steady_clock::now();
  std::mt19937_64 rng(2026);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  BanditLog log;
  for (int a = 0; a < kActions; ++a) log.action_labels.push_back("action_" + std::to_string(a));
  TargetPolicy target;
  target.actions = kActions;
  target.probability.reserve(rounds * kActions);
  log.action.reserve(rounds);
  log.reward.reserve(rounds);
  log.propensity.reserve(rounds);
  log.context.reserve(rounds * kFeatures);
  log.context_begin.reserve(rounds + 1);
  std::vector<ContextEntry> x(kFeatures);
  double logging[kActions], targeting[kActions];
  double truth = 0.0;  // the target's value on these contexts, from the known click model
  for (std::size_t i = 0; i < rounds; ++i) {
    for (int f = 0; f < kFeatures; ++f) x[f] = {static_cast<std::uint32_t>(f), normal(rng)};
    double logging_total = 0.0, target_total = 0.0;
    for (int a = 0; a < kActions; ++a) {
      const double affinity = 0.4 * x[a % kFeatures].value * (a < kFeatures ? 1 : -1);
      logging_total += logging[a] = std::exp(0.5 * affinity);
      target_total += targeting[a] = std::exp(2.0 * affinity);
    }
    const double u = uniform(rng) * logging_total;
    double cumulative = 0.0;
    int chosen = kActions - 1;
    for (int a = 0; a < kActions; ++a)
      if (u < (cumulative += logging[a])) {
        chosen = a;
        break;
      }
    const auto click = [&](int a) {
      const double affinity = 0.4 * x[a % kFeatures].value * (a < kFeatures ? 1 : -1);
      return 1.0 / (1.0 + std::exp(-(-2.5 + affinity + 0.05 * a)));
    };
    for (int a = 0; a < kActions; ++a) {
      target.probability.push_back(targeting[a] / target_total);
      truth += targeting[a] / target_total * click(a);
    }
    log.add_round(chosen, uniform(rng) < click(chosen) ? 1.0 : 0.0, logging[chosen] / logging_total,
                  x);
  }
  const double build_s = seconds_since(start);

  OpeOptions options;
  options.estimators = {Estimator::kDm, Estimator::kIps, Estimator::kSnips, Estimator::kDr,
                        Estimator::kSndr};
  options.bootstrap = bootstrap;
  options.threads = threads;
  start = std::chrono::steady_clock::now();
  const auto model = fit_reward_model(log, options.reward_model);
  const double fit_s = seconds_since(start);
  options.q_hat = model.q_hat;
  start = std::chrono::steady_clock::now();
  const auto report = evaluate_policy(log, target, options);
  const double evaluate_s = seconds_since(start);

  std::printf(
      "ope_bench: %zu rounds, %d actions, %d features, %zu estimators x %d bootstrap "
      "resamples, %d threads\n",
      rounds, kActions, kFeatures, options.estimators.size(), bootstrap, threads);
  std::printf("  true value %.5f\n", truth / static_cast<double>(rounds));
  for (const auto& e : report.estimates)
    std::printf("  %-6s %.5f [%.5f, %.5f] ESS %.0f\n",
                std::string(estimator_name(e.estimator)).c_str(), e.estimate, e.ci_low, e.ci_high,
                e.weights.effective_sample_size);
  std::printf(
      "build log %.2f s; reward model (logistic, context x action, %d Newton steps) %.2f s; "
      "estimators + bootstrap %.2f s; OPE total %.2f s\n",
      build_s, model.iterations, fit_s, evaluate_s, fit_s + evaluate_s);
  return 0;
}
