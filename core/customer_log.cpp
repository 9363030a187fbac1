#include "mirror/core/customer_log.hpp"

#include <array>

namespace mirror::core {

namespace {
constexpr std::array<const char*, kEventTypeCount> kEventTypeNames = {
    "visit",  "view",  "cart_add",    "cart_abandon",    "purchase", "email_open",
    "click",  "unsubscribe", "support_contact", "churn", "return",   "coupon_redeem"};
}  // namespace

const char* event_type_name(EventType t) { return kEventTypeNames[static_cast<int>(t)]; }

std::optional<EventType> parse_event_type(std::string_view name) {
  for (int i = 0; i < kEventTypeCount; ++i)
    if (name == kEventTypeNames[i]) return static_cast<EventType>(i);
  return std::nullopt;
}

std::vector<std::string> event_type_names() {
  return {kEventTypeNames.begin(), kEventTypeNames.end()};
}

std::int32_t Dictionary::id(std::string_view value) {
  auto it = index_.find(value);
  if (it != index_.end()) return it->second;
  const auto id = static_cast<std::int32_t>(values_.size());
  values_.emplace_back(value);
  index_.emplace(values_.back(), id);
  return id;
}

void EventBatch::clear() {
  customer.clear();
  timestamp.clear();
  type.clear();
  amount.clear();
  quantity.clear();
  channel.clear();
  item.clear();
  campaign.clear();
}

void EventBatch::push(std::uint32_t customer_id, Timestamp t, EventType event_type, Micros value,
                      std::int32_t count, std::int32_t channel_id, std::int32_t item_id,
                      std::int32_t campaign_id) {
  customer.push_back(customer_id);
  timestamp.push_back(t);
  type.push_back(static_cast<std::uint8_t>(event_type));
  amount.push_back(value);
  quantity.push_back(count);
  channel.push_back(channel_id);
  item.push_back(item_id);
  campaign.push_back(campaign_id);
}

void DecisionBatch::clear() {
  customer.clear();
  timestamp.clear();
  arm.clear();
  policy.clear();
  channel.clear();
  message.clear();
  offer.clear();
  propensity.clear();
  cost.clear();
  position.clear();
  reward.clear();
  context.clear();
}

}  // namespace mirror::core
