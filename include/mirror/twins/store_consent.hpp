// Which channels a store customer's twin may be contacted on when the simulation starts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mirror/results/customer_store.hpp"

namespace mirror::twins {

// The consent mask (bit core::index_of(c): channel c allowed, as TwinState::consent_mask) of
// each customer in `ids`, after the store's data up to `last_day` (inclusive):
// - an attribute `<channel>_optin` (email_optin, sms_optin, push_optin, as in a generated
//   world's customers.csv) of 0 takes the channel away; 1 or no value leaves it;
// - an `unsubscribe` event on or before `last_day` takes its channel away, or every channel
//   when the event names none.
// Everything else (no such attribute, other channels such as `mail`) leaves the channels on.
// `sources`, when given, receives what the store said: "email_optin, sms_optin; 169
// unsubscribes" (empty: nothing, every channel stays on).
// Throws std::runtime_error for an optin attribute that is not 0/1, naming it and the customer.
std::vector<std::uint8_t> store_consent(const results::StoreReader& store, std::int32_t last_day,
                                        const std::vector<std::string>& ids, std::string* sources = nullptr);

}  // namespace mirror::twins
