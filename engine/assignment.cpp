#include "mirror/engine/assignment.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "mirror/core/random.hpp"
#include "mirror/engine/shard.hpp"

namespace mirror::engine {

namespace {
double assignment_draw(const core::ScenarioSpec& spec, std::uint64_t id) {
  return core::RandomStream(spec.seed, id, core::kNoDay, core::Purpose::assignment).uniform();
}
}  // namespace

std::vector<std::int32_t> population_segments(const core::ScenarioSpec& spec) {
  const auto model = make_model(spec, 0, spec.population.size);
  std::vector<std::int32_t> s(spec.population.size);
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = model->segment(i);
  return s;
}

void assign_stratum(const core::ScenarioSpec& spec, std::vector<std::uint64_t> ids, int rotate,
                    std::vector<std::int8_t>& arm) {
  const auto& ex = spec.experiment;
  std::vector<std::pair<double, std::uint64_t>> order;
  order.reserve(ids.size());
  for (auto id : ids) order.emplace_back(assignment_draw(spec, id), id);
  std::sort(order.begin(), order.end());
  const auto n = static_cast<std::int64_t>(order.size());
  const int others = static_cast<int>(ex.arms.size()) - 1;
  const std::int64_t control =
      others == 0 ? n : static_cast<std::int64_t>(std::llround(ex.holdout_share * static_cast<double>(n)));
  std::int64_t next = 0;
  for (; next < control; ++next) arm[order[next].second] = static_cast<std::int8_t>(ex.control);
  if (others == 0) return;
  const std::int64_t rest = n - control, base = rest / others, extra = rest % others;
  for (int k = 0; k < others; ++k) {
    // The `extra` larger blocks go to the non-control arms rotate, rotate+1, ... (mod others).
    const int from_rotate = ((k - rotate) % others + others) % others;
    const std::int64_t size = base + (from_rotate < extra ? 1 : 0);
    const int a = k < ex.control ? k : k + 1;  // the k-th arm that is not the control
    for (std::int64_t j = 0; j < size; ++j, ++next)
      arm[order[next].second] = static_cast<std::int8_t>(a);
  }
}

std::vector<std::int8_t> assign_arms(const core::ScenarioSpec& spec) {
  const auto& ex = spec.experiment;
  const std::uint32_t n = spec.population.size;
  switch (ex.design) {
    case core::ExperimentSpec::Design::paired:
      return {};
    case core::ExperimentSpec::Design::split: {
      std::vector<std::int8_t> arm(n, static_cast<std::int8_t>(ex.control));
      for (std::size_t a = 0; a < ex.arms.size(); ++a) {
        const auto m = arm_membership(spec, static_cast<int>(a), 0, n);
        for (std::uint32_t i = 0; i < n; ++i)
          if (m[i] != 0) arm[i] = static_cast<std::int8_t>(a);
      }
      return arm;
    }
    case core::ExperimentSpec::Design::stratified: {
      std::vector<std::int8_t> arm(n, -1);
      std::map<std::int32_t, std::vector<std::uint64_t>> strata;
      const auto segments = population_segments(spec);
      for (std::uint32_t i = 0; i < n; ++i) strata[segments[i]].push_back(i);
      int rotate = 0;
      for (auto& [segment, ids] : strata) assign_stratum(spec, std::move(ids), rotate++, arm);
      return arm;
    }
  }
  return {};
}

}  // namespace mirror::engine
