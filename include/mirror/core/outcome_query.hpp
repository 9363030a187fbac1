// The question every policy that scores customers asks its behaviour model: what is this
// customer expected to do today if we take action a (or none)? Model-agnostic, so the
// ground-truth world, BTYD twins and the LCM can all answer it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mirror/core/twin_state.hpp"

namespace mirror::core {

// Probabilities and expectations of one customer-day, averaged over the model's draws.
struct ExpectedOutcome {
  double notice = 0.0;
  double visit = 0.0;
  double purchase = 0.0;  // P(visit and purchase)
  double revenue = 0.0;   // expected net revenue
  double margin = 0.0;    // expected margin after discount, before marketing cost
  double unsubscribe = 0.0;
  double churn = 0.0;
};

class OutcomeQuery {
 public:
  virtual ~OutcomeQuery() = default;
  // The expected outcome of customer i (index within the shard) on `day` under `action`
  // (action.any() false: no action), given its state and contact ledger at the start of
  // the day. Returns false when the model cannot answer.
  virtual bool expected_outcome(std::size_t /*i*/, std::int32_t /*day*/, const TwinState& /*twin*/,
                                const ContactLedger& /*ledger*/, const DayAction& /*action*/,
                                ExpectedOutcome& /*out*/) const {
    return false;
  }
};

}  // namespace mirror::core
