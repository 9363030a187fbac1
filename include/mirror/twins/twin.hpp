// The customer twin: how a day's action and events change what the world knows about a
// customer. The twin actor is the only writer of its TwinState.
#pragma once

#include <caf/fwd.hpp>

#include <atomic>
#include <cstdint>
#include <memory>

#include "mirror/core/twin_state.hpp"

namespace mirror::twins {

// Applies one day to a twin: visits, purchases and their totals, noticed contacts, consent
// (an unsubscribe revokes the day's channel for good), churn. Shared by the twin actor and
// the plain loop. The contact itself is recorded in the shard's ContactLedger.
void apply_day(core::TwinState& twin, const core::TwinDay& day);

// Counts the twins of a shard that still have to apply the message the shard just sent
// them (a chunk of the day's messages). The twin that brings it to zero tells the shard
// (`twin_done_atom`): one message per chunk instead of one acknowledgement per twin. The
// atomic's release/acquire chain makes every twin's writes visible to the shard.
struct DayBarrier {
  std::atomic<std::int64_t> pending{0};
};

// A twin actor. It handles `TwinDay` messages by updating *state (a slot in its shard's
// buffer, which only this actor writes), then counts down the shard's barrier.
// `keep_alive` owns the memory both point into. Spawn it with caf::lazy_init: twins that
// nothing happens to never allocate a behaviour.
caf::behavior twin_actor(caf::event_based_actor* self, core::TwinState* state,
                         DayBarrier* barrier, std::shared_ptr<const void> keep_alive);

}  // namespace mirror::twins
