// What the mirror world knows about one customer twin and what happens to it in a day.
// A twin actor is the only writer of its TwinState; the shard and the policies read it
// between days (the shard's read-only view), never while twins are updating.
#pragma once

#include <cstdint>

#include "mirror/core/channel.hpp"
#include "mirror/core/money.hpp"
#include "mirror/core/random.hpp"

namespace mirror::core {

// Contacts of the last 32 days, one bit per day and channel (a twin receives at most one
// action a day). Enough for weekly and monthly caps.
class ContactHistory {
 public:
  static constexpr int kDays = 32;

  void record(std::int32_t day, Channel c);
  // Contacts on days (day - window_days, day], on any channel or on one.
  int count(std::int32_t day, int window_days) const;
  int count(std::int32_t day, int window_days, Channel c) const;

 private:
  std::uint32_t shifted(std::int32_t day, Channel c) const;
  std::int32_t anchor_day_ = 0;  // bit 0 of each mask is this day
  ChannelArray<std::uint32_t> masks_{};
};

// The company's record of what it sent one customer: the contact log the caps are checked
// against, the marketing cost, and the contact pressure (fatigue) the log implies. Written
// by the shard's central constraints when they deliver an action, read by policies and
// the model; a contact the customer never notices changes only this record.
struct ContactLedger {
  ContactHistory contacts;
  ChannelArray<std::uint32_t> contacts_by_channel{};
  Micros cost = 0;
  float fatigue = 0.0f;  // decayed count of delivered contacts, as of fatigue_day
  std::int32_t fatigue_day = 0;

  std::uint32_t contacts_total() const;
  // Fatigue decayed to `day` with the given half-life.
  double fatigue_at(std::int32_t day, double half_life_days) const;
  // Records a contact delivered on `day` (after that day's model step).
  void record(std::int32_t day, Channel c, Micros contact_cost, double half_life_days);
};

// TwinState::churn_day of a customer who had left before the run (its model says so).
inline constexpr std::int32_t kChurnedBeforeRun = -2;

// What the customer did and decided: owned by the twin actor, its only writer.
struct TwinState {
  Micros revenue = 0;  // net of discounts
  Micros margin = 0;   // gross margin after discounts, before marketing cost
  std::int32_t last_purchase_day = kNoDay;
  std::int32_t churn_day = kNoDay;  // kNoDay while the customer is active; kChurnedBeforeRun
  // What triggered actions wait for (rules policy): the last day with a visit (a purchase
  // is a visit), the last day with a visit that ended without a purchase (the engine's
  // abandoned cart) and the day of the first purchase in the run.
  std::int32_t last_visit_day = kNoDay;
  std::int32_t last_abandon_day = kNoDay;
  std::int32_t first_purchase_day = kNoDay;
  std::uint32_t visits = 0;
  std::uint32_t conversions = 0;
  std::uint32_t notices = 0;  // contacts the customer noticed (opened, read)
  std::uint32_t unsubscribes = 0;
  std::uint8_t consent_mask = (1u << kChannelCount) - 1;

  bool active() const { return churn_day == kNoDay; }
  bool consents(Channel c) const { return (consent_mask >> index_of(c)) & 1u; }
};

// The action a twin receives on a day, after the constraints. channel < 0: no action.
struct DayAction {
  std::int8_t channel = -1;
  std::int8_t message = -1;  // index into the world's categories (what the contact is about); -1 = generic
  std::int16_t offer = -1;  // index into the scenario's offers; -1 = no offer
  float discount = 0.0f;    // that offer's discount, so models need not know the offer list

  bool any() const { return channel >= 0; }
  Channel channel_kind() const { return static_cast<Channel>(channel); }
};

// What the behaviour model drew for a twin on a day.
struct DayOutcome {
  enum Flag : std::uint8_t {
    kVisit = 1,
    kPurchase = 2,
    kNotice = 4,       // the customer noticed today's contact
    kUnsubscribe = 8,  // from today's channel
    kChurn = 16,
  };
  std::uint8_t flags = 0;
  Micros revenue = 0;  // net of discount
  Micros margin = 0;   // after discount

  bool has(Flag f) const { return (flags & f) != 0; }
};

// Everything a twin is told about its day: one message, sent only when something reached
// the customer (a noticed contact, a visit, a purchase, an unsubscribe, churn).
struct TwinDay {
  std::int32_t day = 0;
  DayAction action;
  DayOutcome outcome;
};

// A policy's wish for one customer of a shard; the engine's constraints decide whether it
// is delivered. propensity: the probability with which the policy chose it (1 when
// deterministic), kept for offline policy evaluation.
struct ProposedAction {
  std::uint32_t index = 0;  // customer index within the shard
  Channel channel = Channel::email;
  std::int16_t offer = -1;
  double propensity = 1.0;
  std::int8_t message = -1;  // index into the world's categories; -1 = generic
  // The policy chose "no action" for this customer (a randomised policy's explicit choice,
  // logged with its propensity for OPE); never delivered, never blocked.
  bool hold = false;
};

}  // namespace mirror::core
