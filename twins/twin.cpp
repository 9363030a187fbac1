#include "mirror/twins/twin.hpp"

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>

#include "mirror/core/messages.hpp"

namespace mirror::twins {

using core::DayOutcome;

void apply_day(core::TwinState& twin, const core::TwinDay& day) {
  const auto& out = day.outcome;
  if (out.has(DayOutcome::kNotice)) ++twin.notices;
  if (out.has(DayOutcome::kUnsubscribe) && day.action.any() &&
      twin.consents(day.action.channel_kind())) {
    twin.consent_mask &= static_cast<std::uint8_t>(~(1u << day.action.channel));
    ++twin.unsubscribes;
  }
  if (out.has(DayOutcome::kVisit)) {
    ++twin.visits;
    twin.last_visit_day = day.day;
    if (!out.has(DayOutcome::kPurchase)) twin.last_abandon_day = day.day;
  }
  if (out.has(DayOutcome::kPurchase)) {
    ++twin.conversions;
    twin.last_visit_day = day.day;
    if (twin.first_purchase_day == core::kNoDay) twin.first_purchase_day = day.day;
    twin.revenue += out.revenue;
    twin.margin += out.margin;
    twin.last_purchase_day = day.day;
  }
  if (out.has(DayOutcome::kChurn) && twin.active()) twin.churn_day = day.day;
}

caf::behavior twin_actor(caf::event_based_actor* self, core::TwinState* state,
                         DayBarrier* barrier, std::shared_ptr<const void> keep_alive) {
  return {
    [self, state, barrier, keep_alive = std::move(keep_alive)](const core::TwinDay& day) {
      apply_day(*state, day);
      if (barrier->pending.fetch_sub(1, std::memory_order_acq_rel) == 1)
        self->send(caf::actor_cast<caf::actor>(self->current_sender()), twin_done_atom::value);
    },
  };
}

}  // namespace mirror::twins
