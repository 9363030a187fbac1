#include "mirror/core/twin_state.hpp"

#include <gtest/gtest.h>

using mirror::core::Channel;
using mirror::core::ContactHistory;

TEST(ContactHistory, CountsARollingWindow) {
  ContactHistory h;
  h.record(0, Channel::email);
  h.record(3, Channel::sms);
  h.record(6, Channel::email);
  EXPECT_EQ(h.count(6, 7), 3);                  // days 0..6
  EXPECT_EQ(h.count(7, 7), 2);                  // days 1..7: day 0 left the window
  EXPECT_EQ(h.count(6, 7, Channel::email), 2);
  EXPECT_EQ(h.count(6, 7, Channel::sms), 1);
  EXPECT_EQ(h.count(6, 7, Channel::push), 0);
  EXPECT_EQ(h.count(6, 1), 1);                  // today only
  EXPECT_EQ(h.count(10, 1), 0);
}

TEST(ContactHistory, ForgetsAfterItsMemory) {
  ContactHistory h;
  h.record(0, Channel::email);
  EXPECT_EQ(h.count(31, 32), 1);
  EXPECT_EQ(h.count(32, 32), 0);
  h.record(100, Channel::push);
  EXPECT_EQ(h.count(100, 32), 1);
  EXPECT_EQ(h.count(100, 32, Channel::email), 0);
}

TEST(ContactHistory, ZeroWindowCountsNothing) {
  ContactHistory h;
  h.record(5, Channel::email);
  EXPECT_EQ(h.count(5, 0), 0);
}
