// A company's customer data in columnar batches: events, marketing decisions, and the
// dictionaries that turn their strings into small integers. Ingest fills them, the store
// (results module) persists them, profiles and models read them.
#pragma once

#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mirror/core/money.hpp"

namespace mirror::core {

// Event types of the canonical events format (ARCHITECTURE.md), plus the few that real
// data sets add. Stored as their index; the names are stored beside them.
enum class EventType : std::uint8_t {
  kVisit,
  kView,
  kCartAdd,
  kCartAbandon,
  kPurchase,
  kEmailOpen,
  kClick,
  kUnsubscribe,
  kSupportContact,
  kChurn,
  kReturn,          // goods returned; amount is the refunded value (positive)
  kCouponRedeem,    // a coupon of a campaign was redeemed
};
inline constexpr int kEventTypeCount = 12;

const char* event_type_name(EventType t);
std::optional<EventType> parse_event_type(std::string_view name);
std::vector<std::string> event_type_names();

// Strings to dense ids, in order of first appearance (so the same input gives the same ids).
class Dictionary {
 public:
  std::int32_t id(std::string_view value);
  // -1 for the empty string: "no value".
  std::int32_t id_or_none(std::string_view value) { return value.empty() ? -1 : id(value); }
  const std::string& value(std::int32_t id) const { return values_[id]; }
  std::vector<std::string> values() const { return {values_.begin(), values_.end()}; }
  std::size_t size() const { return values_.size(); }

 private:
  // Keys view the strings in values_, which a deque never moves: no allocation per lookup.
  std::unordered_map<std::string_view, std::int32_t> index_;
  std::deque<std::string> values_;
};

// Seconds since 1970-01-01 UTC.
using Timestamp = std::int64_t;
inline constexpr std::int64_t kSecondsPerDay = 86400;
inline std::int32_t day_of(Timestamp t) {
  return static_cast<std::int32_t>(t >= 0 ? t / kSecondsPerDay : (t - kSecondsPerDay + 1) / kSecondsPerDay);
}

struct EventBatch {
  std::vector<std::uint32_t> customer;  // index into the customer dictionary
  std::vector<Timestamp> timestamp;
  std::vector<std::uint8_t> type;       // EventType
  std::vector<Micros> amount;           // 0 when the event has none
  std::vector<std::int32_t> quantity;   // 0 when the event has none
  std::vector<std::int32_t> channel;    // dictionary ids, -1 = none
  std::vector<std::int32_t> item;
  std::vector<std::int32_t> campaign;

  std::size_t size() const { return customer.size(); }
  void clear();
  void push(std::uint32_t customer_id, Timestamp t, EventType type, Micros amount,
            std::int32_t quantity, std::int32_t channel, std::int32_t item, std::int32_t campaign);
};

inline constexpr double kNoReward = std::numeric_limits<double>::quiet_NaN();

// One row per decision a logging policy took, "no action" included.
struct DecisionBatch {
  std::vector<std::int64_t> customer;   // customer dictionary index, -1 = anonymous
  std::vector<Timestamp> timestamp;
  std::vector<std::int32_t> arm;        // dictionary ids, -1 = none
  std::vector<std::int32_t> policy;
  std::vector<std::int32_t> channel;
  std::vector<std::int32_t> message;
  std::vector<std::int32_t> offer;
  std::vector<double> propensity;       // NaN when the log does not know it
  std::vector<Micros> cost;
  std::vector<std::int32_t> position;   // slot on the page (Open Bandit), 0 = none
  std::vector<double> reward;           // NaN when the log has no reward
  std::vector<float> context;           // row-major, context_width per decision

  std::size_t size() const { return customer.size(); }
  void clear();
};

// Every dictionary of one store.
struct Dictionaries {
  Dictionary customer, channel, item, campaign, arm, policy, message, offer;
};

}  // namespace mirror::core
