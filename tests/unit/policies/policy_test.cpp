#include "mirror/policies/policy.hpp"

#include <gtest/gtest.h>

using namespace mirror;

namespace {
struct Shard {
  std::vector<core::TwinState> twins;
  std::vector<std::int32_t> segments;
  policies::ShardView view() const {
    return {1000, twins.size(), twins.data(), nullptr, segments.data(), nullptr};
  }
};
}  // namespace

TEST(Policy, NoneNeverActs) {
  Shard s{std::vector<core::TwinState>(10), std::vector<std::int32_t>(10, 0)};
  auto p = policies::make_policy(core::PolicySpec{});
  std::vector<core::ProposedAction> out;
  for (int d = 0; d < 30; ++d) p->decide(d, s.view(), out);
  EXPECT_TRUE(out.empty());
}

TEST(Policy, BatchAndBlastContactsTheSegmentEveryNDays) {
  Shard s{std::vector<core::TwinState>(6), {0, 1, 2, 1, 0, 1}};
  core::PolicySpec spec;
  spec.kind = core::PolicySpec::Kind::batch_and_blast;
  spec.channel = core::Channel::sms;
  spec.offer = 1;
  spec.every_days = 3;
  spec.start_day = 2;
  spec.segments = {1};
  auto p = policies::make_policy(spec);
  for (int d = 0; d < 12; ++d) {
    std::vector<core::ProposedAction> out;
    p->decide(d, s.view(), out);
    const bool due = d >= 2 && (d - 2) % 3 == 0;
    ASSERT_EQ(out.size(), due ? 3u : 0u) << "day " << d;
    for (const auto& a : out) {
      EXPECT_EQ(s.segments[a.index], 1);
      EXPECT_EQ(a.channel, core::Channel::sms);
      EXPECT_EQ(a.offer, 1);
      EXPECT_EQ(a.propensity, 1.0f);
    }
  }
}

TEST(Policy, BatchAndBlastSkipsCustomersOutsideTheArm) {
  Shard s{std::vector<core::TwinState>(4), std::vector<std::int32_t>(4, 0)};
  const std::uint8_t eligible[] = {1, 0, 0, 1};
  auto view = s.view();
  view.eligible = eligible;
  core::PolicySpec spec;
  spec.kind = core::PolicySpec::Kind::batch_and_blast;
  auto p = policies::make_policy(spec);
  std::vector<core::ProposedAction> out;
  p->decide(0, view, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].index, 0u);
  EXPECT_EQ(out[1].index, 3u);
}
