#include "mirror/scenario/load_world.hpp"

#include <gtest/gtest.h>

namespace mirror::scenario {
namespace {

std::string first_error(const LoadWorldResult& r) {
  return r.errors.empty() ? "" : r.errors.front().to_string();
}

TEST(LoadWorld, PresetsRoundTripThroughTheirYaml) {
  for (const auto& name : core::world_preset_names()) {
    const auto preset = *core::world_preset(name);
    const auto r = load_world_text(core::world_to_yaml(preset), name + ".yaml");
    ASSERT_TRUE(r.ok()) << first_error(r);
    EXPECT_EQ(core::world_to_yaml(*r.world), core::world_to_yaml(preset)) << name;
  }
}

TEST(LoadWorld, PresetWithOverrides) {
  const auto r = load_world_text(
      "preset: crm_fatigue\n"
      "name: my_crm\n"
      "behaviour: { fatigue_strength: 0.9, churn_observed: true }\n"
      "logging_policy: { kind: uniform, every_days: 3, phase_day: 1 }\n",
      "w.yaml");
  ASSERT_TRUE(r.ok()) << first_error(r);
  EXPECT_EQ(r.world->name, "my_crm");
  EXPECT_EQ(r.world->behaviour.fatigue_strength, 0.9);
  EXPECT_TRUE(r.world->behaviour.churn_observed);
  EXPECT_EQ(r.world->logging.kind, core::WorldLoggingPolicy::Kind::uniform);
  EXPECT_EQ(r.world->categories.size(), 8u);  // the preset's
  EXPECT_EQ(r.world->actions.front().channel_index, 0);
}

TEST(LoadWorld, MisspeltKeysAreLocatedWithASuggestion) {
  const auto r = load_world_text(
      "preset: retail\n"
      "behaviour:\n"
      "  fatigue_strenght: 0.5\n",
      "w.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(first_error(r),
            "w.yaml:3:3: behaviour.fatigue_strenght: unknown key 'fatigue_strenght' (did you mean "
            "'fatigue_strength'?)");
}

TEST(LoadWorld, UnknownReferencesPointAtTheirKey) {
  const auto r = load_world_text(
      "preset: retail\n"
      "actions:\n"
      "  - { name: a1, channel: emial, campaign: newsletter, offer: none }\n",
      "w.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(first_error(r),
            "w.yaml:3:26: actions[0].channel: unknown channel 'emial' (did you mean 'email'?)");
}

TEST(LoadWorld, RangesSharesAndKindsAreChecked) {
  auto r = load_world_text("preset: retail\nchannels:\n  - { name: email, notice_rate: 1.5 }\n", "w.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(first_error(r), "w.yaml:3:33: channels[0].notice_rate: must be in [0, 1], found 1.5");

  r = load_world_text(
      "preset: retail\n"
      "segments:\n"
      "  - { name: a, share: 0.5, visit_rate: 0.1 }\n"
      "  - { name: b, share: 0.4, visit_rate: 0.1 }\n",
      "w.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(first_error(r), "w.yaml:3:3: segments: shares must sum to 1, found 0.9");

  r = load_world_text("preset: retail\nlogging_policy: { kind: softmx }\n", "w.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(first_error(r),
            "w.yaml:2:25: logging_policy.kind: unknown logging policy 'softmx' (did you mean "
            "'softmax'?); available: uniform, epsilon_greedy, softmax");

  // A quoted value is a string, for integers as for numbers.
  r = load_world_text("preset: retail\ntruth_horizon_days: \"90\"\n", "w.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(first_error(r),
            "w.yaml:2:21: truth_horizon_days: expected an integer, found the quoted string \"90\" "
            "(remove the quotes)");

  r = load_world_text("preset: retial\n", "w.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(first_error(r), "w.yaml:1:9: preset: unknown preset 'retial' (did you mean 'retail'?)");
}

TEST(LoadWorld, PresetNameOrFile) {
  EXPECT_TRUE(load_world("subscription_churn").ok());
  const auto r = load_world("retial");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(first_error(r).find("did you mean 'retail'?"), std::string::npos) << first_error(r);
}

}  // namespace
}  // namespace mirror::scenario
