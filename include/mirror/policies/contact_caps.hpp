// The constraints every delivered action obeys, enforced centrally whatever a policy
// proposes: consent per channel and contact caps per day, per week and per channel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mirror/core/scenario_spec.hpp"
#include "mirror/core/twin_state.hpp"

namespace mirror::policies {

struct CapCounts {
  std::int64_t blocked_by_caps = 0;
  std::int64_t blocked_by_consent = 0;
};

class ContactCaps {
 public:
  ContactCaps(const core::ContactCapsSpec& caps, const std::vector<core::OfferSpec>& offers);

  enum class Verdict { allowed, no_consent, capped };
  // Whether one more contact on `channel` today is allowed, given the contacts already
  // delivered today (`delivered_today`, 0 or 1), the ledger of earlier days and the
  // customer's consent.
  Verdict check(std::int32_t day, const core::ContactLedger& ledger, const core::TwinState& twin,
                core::Channel channel, int delivered_today) const;

  // Turns a day's proposals into the day's actions. actions[i] is reset for every customer
  // of the shard, then set for each allowed proposal, in proposal order. Proposals for
  // customers whose eligible flag is 0 are ignored (not counted): they are not in the arm.
  void enforce(std::int32_t day, const std::vector<core::ProposedAction>& proposals,
               const core::ContactLedger* ledgers, const core::TwinState* twins,
               const std::uint8_t* eligible, std::size_t size, core::DayAction* actions,
               CapCounts& counts) const;

 private:
  core::ContactCapsSpec caps_;
  std::vector<float> discounts_;  // by offer index
};

}  // namespace mirror::policies
