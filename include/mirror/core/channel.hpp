// The marketing channels a twin can be contacted on.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mirror::core {

enum class Channel : std::uint8_t { email = 0, sms = 1, push = 2 };
inline constexpr int kChannelCount = 3;
inline constexpr std::array<Channel, kChannelCount> kAllChannels{Channel::email, Channel::sms,
                                                                 Channel::push};

template <class T>
using ChannelArray = std::array<T, kChannelCount>;

constexpr int index_of(Channel c) { return static_cast<int>(c); }
std::string_view channel_name(Channel c);
std::optional<Channel> channel_from_name(std::string_view name);

}  // namespace mirror::core
