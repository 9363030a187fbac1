// One shard of customers [first, first + n) for driving a policy by hand: every customer in
// segment 0 and with nothing delivered yesterday until a test sets otherwise.
#pragma once

#include <cstdint>
#include <vector>

#include "mirror/policies/policy.hpp"

namespace mirror::test_support {

struct PolicyShard {
  PolicyShard(std::uint64_t first, std::size_t n)
      : twins(n), ledgers(n), segments(n, 0), actions(n), outcomes(n), first_customer(first) {}
  std::vector<core::TwinState> twins;
  std::vector<core::ContactLedger> ledgers;
  std::vector<std::int32_t> segments;
  std::vector<core::DayAction> actions;    // what was delivered yesterday
  std::vector<core::DayOutcome> outcomes;  // and what the customers did
  std::uint64_t first_customer;

  // No model: policies that score customers need a view with one (see policy_library_test).
  policies::ShardView view() const {
    policies::ShardView v;
    v.first_customer = first_customer;
    v.size = twins.size();
    v.twins = twins.data();
    v.ledgers = ledgers.data();
    v.segments = segments.data();
    v.last_actions = actions.data();
    v.last_outcomes = outcomes.data();
    return v;
  }
};

}  // namespace mirror::test_support
