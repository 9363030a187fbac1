// The behaviour model interface: how customers act, evaluated for a whole shard at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "mirror/core/outcome_query.hpp"
#include "mirror/core/scenario_spec.hpp"
#include "mirror/core/twin_state.hpp"

namespace mirror::twins {

// One instance per shard; it holds the latent state of the shard's customers in
// contiguous buffers. Implementations draw every random number from
// core::RandomStream(seed, customer_id, day, purpose) so that results do not depend on how
// customers are split into shards. Models that can say what a customer is expected to do
// under an action override core::OutcomeQuery::expected_outcome (policies use it).
class BehaviourModel : public core::OutcomeQuery {
 public:
  virtual ~BehaviourModel() = default;

  virtual std::size_t size() const = 0;
  virtual std::uint64_t first_customer() const = 0;

  // The customer's segment label, which the CRM can see (policies may filter on it).
  virtual int segment(std::size_t i) const = 0;

  // The customer's true latent response type where the model knows one (ground truth:
  // twins::EffectType), else -1. Stored with the results, hidden from policies.
  virtual int latent_type(std::size_t) const { return -1; }

  // The channels the customer may be contacted on when the run starts
  // (TwinState::consent_mask): every channel unless the model's population says otherwise.
  virtual std::uint8_t initial_consent(std::size_t) const { return (1u << core::kChannelCount) - 1; }
  // Whether the customer is still a customer when the run starts: false for one whose
  // churn the model's population holds (its twin is inactive from day 0, never contacted).
  virtual bool initially_active(std::size_t) const { return true; }

  // Draws day `day` for every customer of the shard: twins[i] and ledgers[i] are the state
  // at the start of the day, actions[i] what it receives; writes outcomes[i]. Inactive
  // (churned) twins get an empty outcome.
  virtual void step(std::int32_t day, const core::TwinState* twins,
                    const core::ContactLedger* ledgers, const core::DayAction* actions,
                    core::DayOutcome* outcomes) = 0;
};

}  // namespace mirror::twins
