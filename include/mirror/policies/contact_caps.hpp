// The constraints every delivered action obeys, enforced centrally whatever a policy
// proposes: consent per channel, quiet days, contact caps per day, week and month (overall
// and per channel), "not the same offer twice in N days", and the run's budget.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mirror/core/decision_record.hpp"
#include "mirror/core/scenario_spec.hpp"
#include "mirror/core/twin_state.hpp"

namespace mirror::policies {

struct CapCounts {
  std::int64_t blocked_by_caps = 0;     // caps per day, week, month
  std::int64_t blocked_by_consent = 0;
  std::int64_t blocked_by_budget = 0;
  std::int64_t blocked_by_rules = 0;    // quiet days and the offer-repeat rule
};

// One arm's marketing spend so far. The engine charges it in customer id order each day,
// so which contact the budget stops at does not depend on threads or shards.
struct BudgetLedger {
  core::Micros spent = 0;
  core::ChannelArray<core::Micros> spent_by_channel{};
  std::int32_t exhausted_day = core::kNoDay;  // the first day a contact was refused for budget
};

class ContactCaps {
 public:
  ContactCaps(const core::ContactCapsSpec& caps, const std::vector<core::OfferSpec>& offers,
              const core::ChannelArray<core::Micros>& channel_cost = {});

  using Verdict = core::DecisionStatus;
  static constexpr Verdict allowed = Verdict::delivered;

  // Whether one more contact on `channel` today is allowed for one customer, given the
  // contacts already delivered today (`delivered_today`, 0 or 1), the ledger of earlier
  // days, the customer's consent and, for the offer-repeat rule, the day `offer` was last
  // delivered to this customer (kNoDay: never). The budget is checked by enforce().
  Verdict check(std::int32_t day, const core::ContactLedger& ledger, const core::TwinState& twin,
                core::Channel channel, int delivered_today, int offer = -1,
                std::int32_t offer_last_day = core::kNoDay) const;

  bool quiet(std::int32_t day) const;
  // Whether the offer-repeat rule needs each customer's last day per offer.
  bool tracks_offers() const { return caps_.offer_repeat_days > 0 && !discounts_.empty(); }
  std::size_t offer_count() const { return discounts_.size(); }

  // Turns a day's proposals into the day's actions. actions[i] is reset for every customer
  // of the shard, then set for each allowed proposal, in proposal order. Proposals for
  // customers whose eligible flag is 0 are ignored (not counted): they are not in the arm.
  // Optional: `budget` is checked and charged; `offer_days` (size x offer_count(), the day
  // each offer was last delivered, kNoDay for never) is checked and updated; `log`
  // receives one record per proposal, with customer id first_customer + index.
  void enforce(std::int32_t day, const std::vector<core::ProposedAction>& proposals,
               const core::ContactLedger* ledgers, const core::TwinState* twins,
               const std::uint8_t* eligible, std::size_t size, core::DayAction* actions,
               CapCounts& counts, BudgetLedger* budget = nullptr,
               std::int32_t* offer_days = nullptr,
               std::vector<core::DecisionRecord>* log = nullptr,
               std::uint64_t first_customer = 0) const;

 private:
  bool over_budget(const BudgetLedger& b, core::Channel c) const;

  core::ContactCapsSpec caps_;
  std::vector<float> discounts_;  // by offer index
  core::ChannelArray<core::Micros> channel_cost_;
  core::Micros budget_ = -1;
  core::ChannelArray<core::Micros> budget_by_channel_{-1, -1, -1};
};

}  // namespace mirror::policies
