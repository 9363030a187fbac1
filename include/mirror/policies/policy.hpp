// Policies decide each day which customers of an arm to contact, with what, from what the
// CRM can observe (segment label, contact ledger, consent, purchases) and from the
// behaviour model's predictions (the company's model; in the ground-truth world, the truth).
#pragma once

#include <caf/fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "mirror/core/outcome_query.hpp"
#include "mirror/core/scenario_spec.hpp"
#include "mirror/core/twin_state.hpp"

namespace mirror::policies {

// The read-only view of one shard that a policy sees. The pointed-to buffers belong to the
// shard and are only read between simulated days.
struct ShardView {
  std::uint64_t first_customer = 0;
  std::size_t size = 0;
  const core::TwinState* twins = nullptr;
  const core::ContactLedger* ledgers = nullptr;  // what the company sent each customer
  const std::int32_t* segments = nullptr;    // observable segment label per customer
  const std::uint8_t* eligible = nullptr;    // null = all; else 1 where the arm may act
  const core::OutcomeQuery* model = nullptr;  // expected outcomes under an action
  // The previous day's delivered actions and outcomes (null before day 0 or when unknown):
  // what online learners learn from.
  const core::DayAction* last_actions = nullptr;
  const core::DayOutcome* last_outcomes = nullptr;

  bool in_arm(std::size_t i) const { return eligible == nullptr || eligible[i] != 0; }
};

// One arm's proposals, one vector per shard (shards in customer id order).
using ArmProposals = std::vector<std::vector<core::ProposedAction>>;

class Policy {
 public:
  virtual ~Policy() = default;
  // Appends one shard's proposals for the day to `out`.
  virtual void decide(std::int32_t day, const ShardView& view,
                      std::vector<core::ProposedAction>& out) = 0;
  // The whole arm's proposals: out[k] for shards[k]. The engine calls this one. The
  // default asks decide() shard by shard; policies that rank customers across the arm or
  // learn from all of them override it, so their choices do not depend on the sharding.
  virtual void decide_arm(std::int32_t day, const std::vector<ShardView>& shards,
                          ArmProposals& out);
};

// Policies that rank customers across the whole arm or learn from all of it implement
// decide_arm() and get decide() as a one-shard arm.
class ArmPolicy : public Policy {
 public:
  void decide(std::int32_t day, const ShardView& view, std::vector<core::ProposedAction>& out) override;
};

// A policy instance for a spec that needs nothing from the scenario (none, batch_and_blast).
std::unique_ptr<Policy> make_policy(const core::PolicySpec& spec);
// The policy of arm `arm` of a scenario (one instance per arm).
std::unique_ptr<Policy> make_policy(const core::ScenarioSpec& scenario, int arm);

// The policy actor of an arm: answers (decide_atom, day) with the day's ArmProposals for
// `shards`. `keep_alive` owns the buffers the views point into.
caf::behavior policy_actor(caf::event_based_actor* self, std::shared_ptr<Policy> policy,
                           std::vector<ShardView> shards, std::shared_ptr<const void> keep_alive);

}  // namespace mirror::policies
