#include "mirror/twins/twin.hpp"

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>

#include "mirror/core/messages.hpp"

namespace mirror::twins {

using core::DayOutcome;

void apply_day(core::TwinState& twin, const core::TwinDay& day, double fatigue_half_life_days) {
  const auto& out = day.outcome;
  if (day.action.any()) {
    const core::Channel c = day.action.channel_kind();
    twin.contacts.record(day.day, c);
    ++twin.contacts_by_channel[core::index_of(c)];
    twin.fatigue = static_cast<float>(twin.fatigue_at(day.day, fatigue_half_life_days) + 1.0);
    twin.fatigue_day = day.day;
    twin.cost += day.cost;
    if (out.has(DayOutcome::kNotice)) ++twin.notices;
    if (out.has(DayOutcome::kUnsubscribe) && twin.consents(c)) {
      twin.consent_mask &= static_cast<std::uint8_t>(~(1u << core::index_of(c)));
      ++twin.unsubscribes;
    }
  }
  if (out.has(DayOutcome::kVisit)) ++twin.visits;
  if (out.has(DayOutcome::kPurchase)) {
    ++twin.conversions;
    twin.revenue += out.revenue;
    twin.margin += out.margin;
    twin.last_purchase_day = day.day;
  }
  if (out.has(DayOutcome::kChurn) && twin.active()) twin.churn_day = day.day;
}

caf::behavior twin_actor(caf::event_based_actor* self, core::TwinState* state,
                         DayBarrier* barrier, double fatigue_half_life_days) {
  return {
    [=](const core::TwinDay& day) {
      apply_day(*state, day, fatigue_half_life_days);
      if (barrier->pending.fetch_sub(1, std::memory_order_acq_rel) == 1)
        self->send(caf::actor_cast<caf::actor>(self->current_sender()), twin_done_atom::value);
    },
  };
}

}  // namespace mirror::twins
