#include "mirror/engine/true_value.hpp"

#include <cmath>
#include <stdexcept>

#include "mirror/core/random.hpp"

namespace mirror::engine {

std::uint64_t replication_seed(std::uint64_t seed, int r) {
  return core::mix64(seed ^ core::mix64(0x7275655f76616c75ULL + static_cast<std::uint64_t>(r)));
}

namespace {
double mean_of(const results::ArmResult& arm, bool expected) {
  if (arm.customers.empty()) return std::nan("");
  double sum = 0.0;
  for (const auto& c : arm.customers) sum += expected ? c.expected_profit() : c.profit();
  return sum / static_cast<double>(arm.customers.size());
}
}  // namespace

std::vector<results::TrueValue> estimate_true_value(const core::ScenarioSpec& spec,
                                                    int replications, const RunOptions& options,
                                                    const results::RunResults& main,
                                                    const std::function<void(int)>& on_replication) {
  if (replications < 2)
    throw std::invalid_argument("true value: at least 2 replications (for a standard error)");
  std::vector<std::string> names;
  for (const auto& a : spec.experiment.arms) names.push_back(a.name);
  RunOptions quiet = options;
  quiet.on_progress = nullptr;
  quiet.on_delivered = nullptr;
  quiet.ranking_curves = false;
  std::vector<std::vector<double>> means;
  for (int r = 0; r < replications; ++r) {
    core::ScenarioSpec rep = spec;
    rep.seed = replication_seed(spec.seed, r);
    rep.outputs.decisions_max_rows = 0;
    rep.outputs.expected_value = false;
    const auto run = run_scenario(rep, quiet);
    std::vector<double> m;
    for (const auto& arm : run.arms) m.push_back(mean_of(arm, false));
    means.push_back(std::move(m));
    if (on_replication) on_replication(r);
  }
  std::vector<double> run_means, run_expected;
  for (const auto& arm : main.arms) {
    run_means.push_back(mean_of(arm, false));
    run_expected.push_back(spec.outputs.expected_value ? mean_of(arm, true) : std::nan(""));
  }
  return results::true_values(names, spec.experiment.control, means, run_means, run_expected);
}

}  // namespace mirror::engine
