// Policies decide each day which customers of a shard to contact, from what the CRM can
// observe (segment label, contact ledger, consent, purchases), never from hidden state.
#pragma once

#include <caf/fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

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
};

class Policy {
 public:
  virtual ~Policy() = default;
  // Appends the day's proposals, in customer order, to `out`.
  virtual void decide(std::int32_t day, const ShardView& view,
                      std::vector<core::ProposedAction>& out) = 0;
};

// A policy instance for one shard (policies may keep per-shard state).
std::unique_ptr<Policy> make_policy(const core::PolicySpec& spec);

// The policy actor of an arm for one shard: answers (decide_atom, day) with the day's
// ProposedActions. `keep_alive` owns the buffers the view points into.
caf::behavior policy_actor(caf::event_based_actor* self, std::shared_ptr<Policy> policy,
                           ShardView view, std::shared_ptr<const void> keep_alive);

}  // namespace mirror::policies
