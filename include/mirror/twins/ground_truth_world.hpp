// The hand-specified world whose parameters and action effects are known: the default
// behaviour model of the quickstart and the yardstick for learned models.
#pragma once

#include <cstdint>
#include <vector>

#include "mirror/core/scenario_spec.hpp"
#include "mirror/twins/behaviour_model.hpp"

namespace mirror::twins {

// How a customer reacts to a contact it notices. Hidden from policies.
enum class EffectType : std::uint8_t { indifferent = 0, persuadable = 1, annoyed = 2 };

// A customer's latent traits, a pure function of (seed, customer id, world).
struct CustomerTraits {
  std::uint8_t segment = 0;
  EffectType effect = EffectType::indifferent;
  float visit_factor = 1.0f;  // log-normal heterogeneity of the visit rate, mean 1
};

CustomerTraits draw_traits(const core::WorldSpec& world, std::uint64_t seed,
                           std::uint64_t customer);

class GroundTruthWorld final : public BehaviourModel {
 public:
  GroundTruthWorld(const core::WorldSpec& world, std::uint64_t seed,
                   std::uint64_t first_customer, std::size_t count);

  std::size_t size() const override { return traits_.size(); }
  std::uint64_t first_customer() const override { return first_customer_; }
  int segment(std::size_t i) const override { return traits_[i].segment; }
  const CustomerTraits& traits(std::size_t i) const { return traits_[i]; }

  void step(std::int32_t day, const core::TwinState* twins, const core::DayAction* actions,
            core::DayOutcome* outcomes) override;

 private:
  const core::WorldSpec& world_;  // outlives the model (owned by the ScenarioSpec)
  std::uint64_t seed_;
  std::uint64_t first_customer_;
  std::vector<CustomerTraits> traits_;
};

}  // namespace mirror::twins
