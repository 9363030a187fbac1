#include "mirror/policies/contact_caps.hpp"

#include <stdexcept>

namespace mirror::policies {

namespace {
constexpr int kWeek = 7;

bool over(int cap, int count_with_this_one) { return cap >= 0 && count_with_this_one > cap; }
}  // namespace

ContactCaps::ContactCaps(const core::ContactCapsSpec& caps,
                         const std::vector<core::OfferSpec>& offers)
    : caps_(caps) {
  discounts_.reserve(offers.size());
  for (const auto& o : offers) discounts_.push_back(static_cast<float>(o.discount));
}

ContactCaps::Verdict ContactCaps::check(std::int32_t day, const core::ContactLedger& ledger,
                                        const core::TwinState& twin, core::Channel channel,
                                        int delivered_today) const {
  if (!twin.consents(channel)) return Verdict::no_consent;
  // The engine delivers at most one action a day, whatever max_per_day says.
  const int per_day = caps_.max_per_day < 0 ? 1 : std::min(caps_.max_per_day, 1);
  if (over(per_day, delivered_today + 1)) return Verdict::capped;
  // History holds days before today; today's delivered contact is counted separately.
  const int week = ledger.contacts.count(day, kWeek) + delivered_today + 1;
  if (over(caps_.max_per_week, week)) return Verdict::capped;
  const int on_channel = ledger.contacts.count(day, kWeek, channel) + delivered_today + 1;
  if (over(caps_.max_per_week_by_channel[core::index_of(channel)], on_channel))
    return Verdict::capped;
  return Verdict::allowed;
}

void ContactCaps::enforce(std::int32_t day, const std::vector<core::ProposedAction>& proposals,
                          const core::ContactLedger* ledgers, const core::TwinState* twins,
                          const std::uint8_t* eligible, std::size_t size,
                          core::DayAction* actions, CapCounts& counts) const {
  for (std::size_t i = 0; i < size; ++i) actions[i] = core::DayAction{};
  for (const auto& p : proposals) {
    if (p.index >= size) throw std::out_of_range("policy proposed a customer outside its shard");
    if (eligible != nullptr && eligible[p.index] == 0) continue;
    auto& action = actions[p.index];
    // A second proposal for the same customer today is checked against the per-day cap
    // (and, since it would be a second contact, against the weekly caps too).
    const int delivered_today = action.any() ? 1 : 0;
    switch (check(day, ledgers[p.index], twins[p.index], p.channel, delivered_today)) {
      case Verdict::no_consent: ++counts.blocked_by_consent; continue;
      case Verdict::capped: ++counts.blocked_by_caps; continue;
      case Verdict::allowed: break;
    }
    action.channel = static_cast<std::int8_t>(core::index_of(p.channel));
    action.offer = p.offer;
    if (p.offer >= 0) {
      if (static_cast<std::size_t>(p.offer) >= discounts_.size())
        throw std::out_of_range("policy proposed an unknown offer");
      action.discount = discounts_[p.offer];
    }
  }
}

}  // namespace mirror::policies
