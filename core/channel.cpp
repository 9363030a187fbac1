#include "mirror/core/channel.hpp"

namespace mirror::core {

namespace {
constexpr std::array<std::string_view, kChannelCount> kNames{"email", "sms", "push"};
}

std::string_view channel_name(Channel c) { return kNames[index_of(c)]; }

std::optional<Channel> channel_from_name(std::string_view name) {
  for (Channel c : kAllChannels)
    if (kNames[index_of(c)] == name) return c;
  return std::nullopt;
}

}  // namespace mirror::core
