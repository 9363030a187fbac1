// The atoms and message types exchanged by twins, shards, policies and the clock. Local
// only for now: types without an inspect() are whitelisted; distribution will add them.
#pragma once

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include <vector>

#include "mirror/core/twin_state.hpp"

namespace mirror {

using tick_atom = caf::atom_constant<caf::atom("tick")>;          // clock -> shard: run a day
using decide_atom = caf::atom_constant<caf::atom("decide")>;      // shard -> policy
using twin_done_atom = caf::atom_constant<caf::atom("twindone")>;  // twin -> shard
using collect_atom = caf::atom_constant<caf::atom("collect")>;    // clock -> shard: totals

using ProposedActions = std::vector<core::ProposedAction>;
using ArmProposals = std::vector<ProposedActions>;  // one per shard

}  // namespace mirror

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(mirror::core::TwinDay)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(mirror::ProposedActions)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(mirror::ArmProposals)
