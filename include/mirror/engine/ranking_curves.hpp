// Qini curves of the arms whose policy ranks customers, in the ground-truth world.
#pragma once

#include <vector>

#include "mirror/core/scenario_spec.hpp"
#include "mirror/results/qini.hpp"
#include "mirror/results/run_results.hpp"

namespace mirror::engine {

// Points of the curves: the truth at every percentile, the realized experiment by decile.
inline constexpr int kTrueQiniPoints = 100;
inline constexpr int kRealizedQiniPoints = 10;

// For every arm (not the control) whose policy ranks customers (policies::ranks_customers),
// when the model is the ground-truth world: each customer of the population is scored as on
// day 0 (policies::ranking_score); its true effect is the world's expected profit of that
// day under the arm's action minus without it (GroundTruthWorld::expected_day, minus the
// contact's cost). `truth` ranks the whole population against that effect, `perfect` ranks
// by the effect itself; `realized` ranks the arm's and the control's customers of `run` by
// the same score against their realized profit over the horizon. Empty for other models.
std::vector<results::ArmQini> qini_curves(const core::ScenarioSpec& spec,
                                          const results::RunResults& run);

}  // namespace mirror::engine
