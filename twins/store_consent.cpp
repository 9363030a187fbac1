// A store customer's consent when its twin starts: opt-in attributes and unsubscribe events.
#include "mirror/twins/store_consent.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "mirror/core/channel.hpp"
#include "mirror/core/customer_log.hpp"

namespace mirror::twins {

std::vector<std::uint8_t> store_consent(const results::StoreReader& store, std::int32_t last_day,
                                        const std::vector<std::string>& ids, std::string* sources) {
  constexpr std::uint8_t kAll = (1u << core::kChannelCount) - 1;
  const auto customers = store.dictionary("customer");
  std::vector<std::uint8_t> mask(customers.size(), kAll);  // by dictionary index

  std::string said;  // the attributes and unsubscribes read
  const auto attributes = store.attributes();
  for (core::Channel channel : core::kAllChannels) {
    const std::string name = std::string(core::channel_name(channel)) + "_optin";
    for (const auto& column : attributes.columns) {
      if (column.name != name) continue;
      said += (said.empty() ? "" : ", ") + name;
      if (!column.strings.empty() || column.numbers.size() != customers.size())
        throw std::runtime_error("attribute " + name + ": expected 0 or 1 for every customer, found text");
      for (std::size_t c = 0; c < customers.size(); ++c) {
        const double v = column.numbers[c];
        if (std::isnan(v) || v == 1.0) continue;  // no value: as without the attribute
        if (v != 0.0) {
          std::ostringstream found;
          found << v;
          throw std::runtime_error("attribute " + name + ", customer " + customers[c] + ": expected 0 or 1, found " +
                                   found.str());
        }
        mask[c] &= static_cast<std::uint8_t>(~(1u << core::index_of(channel)));
      }
    }
  }

  // The store's channel dictionary as twins' channels (-1: not one of them).
  const auto channel_names = store.dictionary("channel");
  std::vector<int> bit(channel_names.size(), -1);
  for (std::size_t k = 0; k < channel_names.size(); ++k)
    if (const auto c = core::channel_from_name(channel_names[k])) bit[k] = core::index_of(*c);
  std::int64_t unsubscribes = 0;
  store.for_each_event_batch(1 << 16, [&](const core::EventBatch& b) {
    for (std::size_t i = 0; i < b.size(); ++i) {
      if (b.type[i] != static_cast<std::uint8_t>(core::EventType::kUnsubscribe) ||
          core::day_of(b.timestamp[i]) > last_day)
        continue;
      ++unsubscribes;
      const std::int32_t channel = b.channel[i];
      if (channel < 0) {
        mask[b.customer[i]] = 0;
      } else if (bit[static_cast<std::size_t>(channel)] >= 0) {
        mask[b.customer[i]] &= static_cast<std::uint8_t>(~(1u << bit[static_cast<std::size_t>(channel)]));
      }
    }
  });

  if (unsubscribes > 0)
    said += (said.empty() ? "" : "; ") + std::to_string(unsubscribes) + (unsubscribes == 1 ? " unsubscribe" : " unsubscribes");
  if (sources) *sources = said;

  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t c = 0; c < customers.size(); ++c) index.emplace(customers[c], c);
  std::vector<std::uint8_t> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    const auto it = index.find(id);
    if (it == index.end()) throw std::runtime_error("customer " + id + " is not in the store");
    out.push_back(mask[it->second]);
  }
  return out;
}

}  // namespace mirror::twins
