// One row of the decision log: what a policy chose for a customer on a day, with the
// probability it chose it with (for offline policy evaluation), and what the central
// constraints made of it.
#pragma once

#include <cstdint>

#include "mirror/core/money.hpp"

namespace mirror::core {

enum class DecisionStatus : std::uint8_t {
  delivered = 0,           // sent (or, for a "no action" choice, taken)
  blocked_by_caps = 1,     // a per-day, weekly or monthly cap
  blocked_by_consent = 2,  // the customer unsubscribed from the channel
  blocked_by_budget = 3,   // the run's (or the channel's) budget is spent
  blocked_quiet_day = 4,   // no contact on this day
  blocked_offer_repeat = 5,  // the same offer too recently
};
inline constexpr int kDecisionStatusCount = 6;
const char* decision_status_name(DecisionStatus s);

struct DecisionRecord {
  std::uint64_t customer_id = 0;
  std::int32_t day = 0;
  std::int8_t channel = -1;  // -1: the policy chose no action
  std::int8_t message = -1;
  std::int16_t offer = -1;
  double propensity = 1.0;
  DecisionStatus status = DecisionStatus::delivered;
  Micros cost = 0;           // charged only when delivered
};

}  // namespace mirror::core
