#include "mirror/policies/contact_caps.hpp"

#include <algorithm>
#include <stdexcept>

namespace mirror::policies {

namespace {
constexpr int kWeek = 7;
constexpr int kMonth = 30;

bool over(int cap, int count_with_this_one) { return cap >= 0 && count_with_this_one > cap; }
}  // namespace

ContactCaps::ContactCaps(const core::ContactCapsSpec& caps,
                         const std::vector<core::OfferSpec>& offers,
                         const core::ChannelArray<core::Micros>& channel_cost)
    : caps_(caps), channel_cost_(channel_cost) {
  discounts_.reserve(offers.size());
  for (const auto& o : offers) discounts_.push_back(static_cast<float>(o.discount));
  if (caps.budget >= 0) budget_ = core::to_micros(caps.budget);
  for (int c = 0; c < core::kChannelCount; ++c)
    if (caps.budget_by_channel[c] >= 0) budget_by_channel_[c] = core::to_micros(caps.budget_by_channel[c]);
  std::sort(caps_.quiet_days.begin(), caps_.quiet_days.end());
}

bool ContactCaps::quiet(std::int32_t day) const {
  if (day >= 0 && ((caps_.quiet_weekdays >> (day % kWeek)) & 1u)) return true;
  return std::binary_search(caps_.quiet_days.begin(), caps_.quiet_days.end(), day);
}

ContactCaps::Verdict ContactCaps::check(std::int32_t day, const core::ContactLedger& ledger,
                                        const core::TwinState& twin, core::Channel channel,
                                        int delivered_today, int offer,
                                        std::int32_t offer_last_day) const {
  if (!twin.consents(channel)) return Verdict::blocked_by_consent;
  if (quiet(day)) return Verdict::blocked_quiet_day;
  // The engine delivers at most one action a day, whatever max_per_day says.
  const int per_day = caps_.max_per_day < 0 ? 1 : std::min(caps_.max_per_day, 1);
  if (over(per_day, delivered_today + 1)) return Verdict::blocked_by_caps;
  // History holds days before today; today's delivered contact is counted separately.
  const int c = core::index_of(channel);
  const int with_this = delivered_today + 1;
  if (over(caps_.max_per_week, ledger.contacts.count(day, kWeek) + with_this) ||
      over(caps_.max_per_week_by_channel[c], ledger.contacts.count(day, kWeek, channel) + with_this) ||
      over(caps_.max_per_month, ledger.contacts.count(day, kMonth) + with_this) ||
      over(caps_.max_per_month_by_channel[c], ledger.contacts.count(day, kMonth, channel) + with_this))
    return Verdict::blocked_by_caps;
  if (offer >= 0 && caps_.offer_repeat_days > 0 && offer_last_day != core::kNoDay &&
      day - offer_last_day < caps_.offer_repeat_days)
    return Verdict::blocked_offer_repeat;
  return Verdict::delivered;
}

bool ContactCaps::over_budget(const BudgetLedger& b, core::Channel ch) const {
  const int c = core::index_of(ch);
  const core::Micros cost = channel_cost_[c];
  if (budget_ >= 0 && b.spent + cost > budget_) return true;
  return budget_by_channel_[c] >= 0 && b.spent_by_channel[c] + cost > budget_by_channel_[c];
}

void ContactCaps::enforce(std::int32_t day, const std::vector<core::ProposedAction>& proposals,
                          const core::ContactLedger* ledgers, const core::TwinState* twins,
                          const std::uint8_t* eligible, std::size_t size,
                          core::DayAction* actions, CapCounts& counts, BudgetLedger* budget,
                          std::int32_t* offer_days, std::vector<core::DecisionRecord>* log,
                          std::uint64_t first_customer) const {
  for (std::size_t i = 0; i < size; ++i) actions[i] = core::DayAction{};
  const std::size_t offers = discounts_.size();
  for (const auto& p : proposals) {
    if (p.index >= size) throw std::out_of_range("policy proposed a customer outside its shard");
    if (eligible != nullptr && eligible[p.index] == 0) continue;
    if (p.offer >= 0 && static_cast<std::size_t>(p.offer) >= offers)
      throw std::out_of_range("policy proposed an unknown offer");
    core::DecisionRecord rec;
    rec.customer_id = first_customer + p.index;
    rec.day = day;
    rec.propensity = p.propensity;
    if (p.hold) {  // "no action" is always allowed; it is logged for OPE
      if (log != nullptr) log->push_back(rec);
      continue;
    }
    rec.channel = static_cast<std::int8_t>(core::index_of(p.channel));
    rec.message = p.message;
    rec.offer = p.offer;
    auto& action = actions[p.index];
    // A second proposal for the same customer today is checked against the per-day cap
    // (and, since it would be a second contact, against the weekly caps too).
    const int delivered_today = action.any() ? 1 : 0;
    const std::int32_t offer_last =
        offer_days != nullptr && p.offer >= 0 ? offer_days[p.index * offers + p.offer] : core::kNoDay;
    Verdict v = check(day, ledgers[p.index], twins[p.index], p.channel, delivered_today, p.offer,
                      offer_last);
    if (v == Verdict::delivered && budget != nullptr && over_budget(*budget, p.channel)) {
      v = Verdict::blocked_by_budget;
      if (budget->exhausted_day == core::kNoDay) budget->exhausted_day = day;
    }
    rec.status = v;
    switch (v) {
      case Verdict::blocked_by_consent: ++counts.blocked_by_consent; break;
      case Verdict::blocked_by_caps: ++counts.blocked_by_caps; break;
      case Verdict::blocked_by_budget: ++counts.blocked_by_budget; break;
      case Verdict::blocked_quiet_day:
      case Verdict::blocked_offer_repeat: ++counts.blocked_by_rules; break;
      case Verdict::delivered: break;
    }
    if (v == Verdict::delivered) {
      const int c = core::index_of(p.channel);
      rec.cost = channel_cost_[c];
      if (budget != nullptr) {
        budget->spent += channel_cost_[c];
        budget->spent_by_channel[c] += channel_cost_[c];
      }
      if (offer_days != nullptr && p.offer >= 0) offer_days[p.index * offers + p.offer] = day;
      action.channel = static_cast<std::int8_t>(c);
      action.message = p.message;
      action.offer = p.offer;
      action.discount = p.offer >= 0 ? discounts_[p.offer] : 0.0f;
    }
    if (log != nullptr) log->push_back(rec);
  }
}

}  // namespace mirror::policies
