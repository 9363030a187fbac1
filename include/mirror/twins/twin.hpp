// The customer twin: how a day's action and events change what the world knows about a
// customer. The twin actor is the only writer of its TwinState.
#pragma once

#include <caf/fwd.hpp>

#include "mirror/core/twin_state.hpp"

namespace mirror::twins {

// Applies one day to a twin: totals, contact history and fatigue, consent (an unsubscribe
// revokes the day's channel for good), churn. Shared by the twin actor and the plain loop.
void apply_day(core::TwinState& twin, const core::TwinDay& day, double fatigue_half_life_days);

// A twin actor. It handles `TwinDay` messages by updating *state (a slot in its shard's
// buffer, which only this actor writes) and answers `twin_done_atom` to the sender.
// Spawn it with caf::lazy_init: twins that nothing happens to never allocate a behaviour.
caf::behavior twin_actor(caf::event_based_actor* self, core::TwinState* state,
                         double fatigue_half_life_days);

}  // namespace mirror::twins
