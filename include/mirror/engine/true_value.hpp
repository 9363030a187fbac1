// The true value of each arm's policy by independent replications of the whole run.
#pragma once

#include <cstdint>
#include <functional>

#include "mirror/core/scenario_spec.hpp"
#include "mirror/engine/engine.hpp"
#include "mirror/results/run_results.hpp"
#include "mirror/results/true_value.hpp"

namespace mirror::engine {

// The seed of replication r (0-based): a mix of the scenario's seed and r, never the seed
// itself, so the replications are independent of the main run.
std::uint64_t replication_seed(std::uint64_t seed, int r);

// Runs the scenario `replications` more times with replication_seed(spec.seed, r) (a new
// population drawn from the same world, new days; no decision log, no curves) and returns
// each arm's value: the mean over replications of its profit per customer, with the
// Monte-Carlo standard error, and the error of `main` (the run with spec.seed) against it.
// on_replication(r) is called after each replication. Throws std::invalid_argument when
// replications < 2.
std::vector<results::TrueValue> estimate_true_value(
    const core::ScenarioSpec& spec, int replications, const RunOptions& options,
    const results::RunResults& main, const std::function<void(int)>& on_replication = {});

}  // namespace mirror::engine
