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
  double base_visit = 0.0;    // P(visit) without marketing: min(visit_rate * factor, 0.999)
  std::int8_t category = -1;  // preferred category (hidden); -1 when the world has none
};

// The world's true probabilities and expectations for one customer-day, averaged over
// whether the customer notices the action. The yardstick for samplers and learned models.
using ExpectedDay = core::ExpectedOutcome;

CustomerTraits draw_traits(const core::WorldSpec& world, std::uint64_t seed,
                           std::uint64_t customer);

class GroundTruthWorld final : public BehaviourModel {
 public:
  GroundTruthWorld(const core::WorldSpec& world, std::uint64_t seed,
                   std::uint64_t first_customer, std::size_t count);

  std::size_t size() const override { return traits_.size(); }
  std::uint64_t first_customer() const override { return first_customer_; }
  int segment(std::size_t i) const override { return traits_[i].segment; }
  int latent_type(std::size_t i) const override { return static_cast<int>(traits_[i].effect); }
  const CustomerTraits& traits(std::size_t i) const { return traits_[i]; }

  void step(std::int32_t day, const core::TwinState* twins, const core::ContactLedger* ledgers,
            const core::DayAction* actions, core::DayOutcome* outcomes) override;

  ExpectedDay expected_day(std::size_t i, std::int32_t day, const core::TwinState& twin,
                           const core::ContactLedger& ledger,
                           const core::DayAction& action) const;
  bool expected_outcome(std::size_t i, std::int32_t day, const core::TwinState& twin,
                        const core::ContactLedger& ledger, const core::DayAction& action,
                        core::ExpectedOutcome& out) const override {
    out = expected_day(i, day, twin, ledger, action);
    return true;
  }

 private:
  struct SegmentParams {
    double purchase_logit;
    double purchase_rate;
  };
  double visit_probability(const CustomerTraits& t, bool noticed, double fatigue,
                           int message) const;
  double purchase_probability(const CustomerTraits& t, double discount) const;
  double unsubscribe_probability(const CustomerTraits& t, core::Channel c, double fatigue) const;
  double churn_probability(const CustomerTraits& t, bool noticed) const;

  const core::WorldSpec& world_;  // outlives the model (owned by the ScenarioSpec)
  std::uint64_t seed_;
  std::uint64_t first_customer_;
  std::vector<CustomerTraits> traits_;
  std::vector<SegmentParams> segment_params_;
};

}  // namespace mirror::twins
