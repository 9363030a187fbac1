// Small scenarios built in code, for tests that must not depend on the YAML loader.
#pragma once

#include "mirror/core/scenario_spec.hpp"

namespace mirror::test_support {

inline core::PolicySpec blast(core::Channel channel, int every_days, int offer = -1) {
  core::PolicySpec p;
  p.kind = core::PolicySpec::Kind::batch_and_blast;
  p.channel = channel;
  p.every_days = every_days;
  p.offer = offer;
  return p;
}

// A few hundred customers, a control arm and two blasting arms.
inline core::ScenarioSpec small_scenario(std::uint32_t customers = 500, int days = 30) {
  core::ScenarioSpec s;
  s.name = "small";
  s.seed = 7;
  s.population.size = customers;
  s.world = core::default_world();
  s.horizon_days = days;
  s.channels = {{core::Channel::email, 0.002}, {core::Channel::sms, 0.03}};
  s.offers = {{"ten_off", 0.10}};
  s.experiment.arms = {{"control", {}},
                       {"email", blast(core::Channel::email, 7, 0)},
                       {"sms", blast(core::Channel::sms, 3)}};
  s.experiment.control = 0;
  s.outputs.results = "results/small.h5";
  return s;
}

}  // namespace mirror::test_support
