#include "mirror/core/twin_state.hpp"

#include <bitset>
#include <cmath>

namespace mirror::core {

std::uint32_t ContactHistory::shifted(std::int32_t day, Channel c) const {
  const std::int32_t age = day - anchor_day_;
  if (age >= kDays) return 0;
  return masks_[index_of(c)] << age;  // age >= 0: the history only moves forward
}

void ContactHistory::record(std::int32_t day, Channel c) {
  for (Channel k : kAllChannels) masks_[index_of(k)] = shifted(day, k);
  anchor_day_ = day;
  masks_[index_of(c)] |= 1u;
}

int ContactHistory::count(std::int32_t day, int window_days, Channel c) const {
  if (window_days <= 0) return 0;
  const std::uint32_t window =
      window_days >= kDays ? ~0u : ((1u << window_days) - 1u);
  return static_cast<int>(std::bitset<32>(shifted(day, c) & window).count());
}

int ContactHistory::count(std::int32_t day, int window_days) const {
  int total = 0;
  for (Channel c : kAllChannels) total += count(day, window_days, c);
  return total;
}

std::uint32_t ContactLedger::contacts_total() const {
  std::uint32_t total = 0;
  for (auto n : contacts_by_channel) total += n;
  return total;
}

double ContactLedger::fatigue_at(std::int32_t day, double half_life_days) const {
  if (fatigue == 0.0f) return 0.0;
  return fatigue * std::exp2(-(day - fatigue_day) / half_life_days);
}

void ContactLedger::record(std::int32_t day, Channel c, Micros contact_cost,
                           double half_life_days) {
  contacts.record(day, c);
  ++contacts_by_channel[index_of(c)];
  cost += contact_cost;
  fatigue = static_cast<float>(fatigue_at(day, half_life_days) + 1.0);
  fatigue_day = day;
}

}  // namespace mirror::core

#include "mirror/core/decision_record.hpp"

namespace mirror::core {

const char* decision_status_name(DecisionStatus s) {
  switch (s) {
    case DecisionStatus::delivered: return "delivered";
    case DecisionStatus::blocked_by_caps: return "blocked_by_caps";
    case DecisionStatus::blocked_by_consent: return "blocked_by_consent";
    case DecisionStatus::blocked_by_budget: return "blocked_by_budget";
    case DecisionStatus::blocked_quiet_day: return "blocked_quiet_day";
    case DecisionStatus::blocked_offer_repeat: return "blocked_offer_repeat";
  }
  return "?";
}

}  // namespace mirror::core
