// The summary table printed after a run: arms x metrics, means with 95% intervals and
// uplift against the control arm.
#pragma once

#include <string>
#include <vector>

#include "mirror/core/scenario_spec.hpp"
#include "mirror/results/run_results.hpp"

namespace mirror::cli {

std::string format_summary_table(const results::RunResults& run,
                                 const std::vector<core::Metric>& metrics);

}  // namespace mirror::cli
