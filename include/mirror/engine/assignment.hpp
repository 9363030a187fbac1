// Which arm each customer of the population is in: split (one draw per customer) or
// stratified (exact shares within each segment). Computed once for the whole population,
// so it does not depend on threads or shards.
#pragma once

#include <cstdint>
#include <vector>

#include "mirror/core/scenario_spec.hpp"

namespace mirror::engine {

// Arm index of every customer (ids 0 .. population-1); empty in the paired design.
std::vector<std::int8_t> assign_arms(const core::ScenarioSpec& spec);

// The stratified design's allocation: customers `ids` of one segment (any order) are
// ordered by their assignment draw (ties by id); the first round(holdout_share x n) go to
// the control, the rest in equal blocks to the other arms in scenario order; the block
// sizes differ by at most one, the larger blocks starting at arm offset `rotate` among the
// non-control arms (so remainders do not always favour the same arm). Writes arm[id].
void assign_stratum(const core::ScenarioSpec& spec, std::vector<std::uint64_t> ids, int rotate,
                    std::vector<std::int8_t>& arm);

// The segment label of every customer, from the scenario's behaviour model.
std::vector<std::int32_t> population_segments(const core::ScenarioSpec& spec);

}  // namespace mirror::engine
