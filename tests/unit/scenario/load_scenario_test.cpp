#include "mirror/scenario/load_scenario.hpp"

#include <gtest/gtest.h>

using namespace mirror;
using scenario::load_scenario_file;
using scenario::load_scenario_text;

namespace {
core::ScenarioSpec must_load(const std::string& path) {
  auto r = load_scenario_file(path);
  std::string errors;
  for (const auto& e : r.errors) errors += e.to_string() + "\n";
  EXPECT_TRUE(r.ok()) << errors;
  return r.ok() ? *r.spec : core::ScenarioSpec{};
}
}  // namespace

TEST(LoadScenario, MinimalGetsEveryDefault) {
  const auto s = must_load("tests/scenarios/valid/minimal.yaml");
  EXPECT_EQ(s.name, "minimal");
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.population.size, 10000u);
  EXPECT_EQ(s.horizon_days, 90);
  EXPECT_EQ(s.world.segments.size(), core::default_world().segments.size());
  EXPECT_TRUE(s.channels.empty());
  EXPECT_TRUE(s.offers.empty());
  EXPECT_EQ(s.constraints.max_per_day, 1);
  EXPECT_EQ(s.constraints.max_per_week, -1);
  EXPECT_EQ(s.experiment.design, core::ExperimentSpec::Design::paired);
  EXPECT_EQ(s.experiment.control, 0);
  ASSERT_EQ(s.experiment.arms.size(), 1u);
  EXPECT_EQ(s.experiment.arms[0].policy.kind, core::PolicySpec::Kind::none);
  EXPECT_EQ(s.metrics.size(), static_cast<std::size_t>(core::kMetricCount));
  EXPECT_EQ(s.outputs.results, "results/minimal.h5");
  EXPECT_EQ(s.source_path, "tests/scenarios/valid/minimal.yaml");
  EXPECT_NE(s.source_text.find("name: minimal"), std::string::npos);
}

TEST(LoadScenario, FullReadsEveryKey) {
  const auto s = must_load("tests/scenarios/valid/full.yaml");
  EXPECT_EQ(s.name, "full.scenario-1");
  EXPECT_EQ(s.seed, 18446744073709551615ull);
  EXPECT_EQ(s.population.size, 2500u);
  EXPECT_EQ(s.horizon_days, 120);
  EXPECT_DOUBLE_EQ(s.world.contact_lift, 1.2);
  EXPECT_DOUBLE_EQ(s.world.annoyance_penalty, core::default_world().annoyance_penalty);
  ASSERT_EQ(s.channels.size(), 3u);
  EXPECT_EQ(s.channels[1].channel, core::Channel::sms);
  EXPECT_DOUBLE_EQ(s.channel_cost(core::Channel::sms), 0.05);
  EXPECT_DOUBLE_EQ(s.channel_cost(core::Channel::push), 0.0);
  ASSERT_EQ(s.offers.size(), 3u);
  EXPECT_EQ(s.offers[1].name, "half_off");
  EXPECT_DOUBLE_EQ(s.offers[1].discount, 0.5);
  EXPECT_DOUBLE_EQ(s.offers[2].discount, 0.0);
  EXPECT_EQ(s.constraints.max_per_day, 0);
  EXPECT_EQ(s.constraints.max_per_week, 2);
  EXPECT_EQ(s.constraints.max_per_week_by_channel, (core::ChannelArray<int>{1, -1, 0}));
  EXPECT_EQ(s.experiment.control, 1);
  const auto& p = s.experiment.arms[0].policy;
  EXPECT_EQ(p.kind, core::PolicySpec::Kind::batch_and_blast);
  EXPECT_EQ(p.channel, core::Channel::sms);
  EXPECT_EQ(p.offer, 1);
  EXPECT_EQ(p.every_days, 30);
  EXPECT_EQ(p.start_day, 119);
  EXPECT_EQ(p.segments, (std::vector<int>{3, 0}));  // lapsed, loyal in the default world
  EXPECT_EQ(s.metrics, (std::vector<core::Metric>{core::Metric::profit, core::Metric::revenue}));
  EXPECT_EQ(s.outputs.results, "out/full.h5");
}

TEST(LoadScenario, SplitDesign) {
  const auto s = must_load("tests/scenarios/valid/split_design.yaml");
  EXPECT_EQ(s.experiment.design, core::ExperimentSpec::Design::split);
  EXPECT_DOUBLE_EQ(s.experiment.holdout_share, 0.25);
  EXPECT_EQ(s.experiment.control, 1);
  EXPECT_EQ(s.experiment.arms[0].policy.start_day, 5);
  EXPECT_EQ(s.experiment.arms[0].policy.offer, -1);
}

TEST(LoadScenario, StratifiedDesign) {
  const auto s = must_load("tests/scenarios/valid/stratified_design.yaml");
  EXPECT_EQ(s.experiment.design, core::ExperimentSpec::Design::stratified);
  EXPECT_DOUBLE_EQ(s.experiment.holdout_share, 0.25);
  EXPECT_STREQ(core::design_name(s.experiment.design), "stratified");
}

TEST(LoadScenario, CustomWorldReplacesTheSegments) {
  const auto s = must_load("tests/scenarios/valid/custom_world.yaml");
  const auto& w = s.world;
  EXPECT_DOUBLE_EQ(w.contact_lift, 2.0);
  EXPECT_DOUBLE_EQ(w.fatigue_half_life_days, 14.0);
  EXPECT_DOUBLE_EQ(w.unsubscribe_rate[1], 0.05);
  EXPECT_DOUBLE_EQ(w.unsubscribe_rate[0], core::default_world().unsubscribe_rate[0]);
  EXPECT_DOUBLE_EQ(w.heterogeneity, 0.0);
  ASSERT_EQ(w.segments.size(), 2u);
  EXPECT_EQ(w.segments[0].name, "fans");
  EXPECT_DOUBLE_EQ(w.segments[0].spend_mean, 80.0);
  EXPECT_DOUBLE_EQ(w.segments[0].notice_rate[0], 0.6);
  EXPECT_DOUBLE_EQ(w.segments[0].notice_rate[1], core::SegmentSpec{}.notice_rate[1]);
  EXPECT_DOUBLE_EQ(w.segments[0].notice_rate[2], 0.7);
  EXPECT_DOUBLE_EQ(w.segments[1].visit_rate, core::SegmentSpec{}.visit_rate);
  EXPECT_EQ(s.experiment.arms[1].policy.segments, std::vector<int>{0});
}

TEST(LoadScenario, ErrorFormat) {
  scenario::ScenarioError e{"s.yaml", 14, 7, "experiment.arms[2].policy.kind", "unknown"};
  EXPECT_EQ(e.to_string(), "s.yaml:14:7: experiment.arms[2].policy.kind: unknown");
  scenario::ScenarioError f{"s.yaml", 0, 0, "", "cannot read file: x"};
  EXPECT_EQ(f.to_string(), "s.yaml: cannot read file: x");
}

TEST(LoadScenario, UnreadableFile) {
  const auto r = load_scenario_file("tests/scenarios/no_such_file.yaml");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].to_string(),
            "tests/scenarios/no_such_file.yaml: cannot read file: No such file or directory");
  const auto d = load_scenario_file("tests/scenarios");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.errors[0].message.find("directory"), std::string::npos);
}

TEST(LoadScenario, ErrorsComeInFileOrderAndNoSpecIsReturned) {
  const auto r = load_scenario_text("horizon_days: -1\nname: 'a b'\n", "t.yaml");
  EXPECT_FALSE(r.spec.has_value());
  ASSERT_EQ(r.errors.size(), 3u);
  // A missing key is reported where its parent map starts (here the top, 1:1).
  EXPECT_EQ(r.errors[0].to_string(), "t.yaml:1:1: missing required key 'experiment'");
  EXPECT_EQ(r.errors[1].key_path, "horizon_days");
  EXPECT_EQ(r.errors[1].column, 15);
  EXPECT_EQ(r.errors[2].key_path, "name");
  EXPECT_EQ(r.errors[2].line, 2);
}

// A learner's exploration share defaults by kind, the same whether the spec is read from a
// scenario or built in C++ (epsilon_greedy 0.1, linucb 0: it explores by its bonus).
TEST(LoadScenario, EpsilonDefaultsByKindAsInCpp) {
  const auto r = load_scenario_text(
      "name: eps\n"
      "channels: { email: {} }\n"
      "experiment:\n"
      "  arms:\n"
      "    - { name: greedy, policy: { kind: epsilon_greedy, campaigns: { channels: [email] } } }\n"
      "    - { name: ucb, policy: { kind: linucb, campaigns: { channels: [email] } } }\n"
      "    - { name: ucb_eps, policy: { kind: linucb, campaigns: { channels: [email] }, epsilon: 0.2 } }\n",
      "eps.yaml");
  ASSERT_TRUE(r.ok()) << r.errors.front().to_string();
  const auto& arms = r.spec->experiment.arms;
  core::PolicySpec greedy, ucb;
  greedy.kind = core::PolicySpec::Kind::epsilon_greedy;
  ucb.kind = core::PolicySpec::Kind::linucb;
  EXPECT_EQ(arms[0].policy.epsilon_or_default(), 0.1);
  EXPECT_EQ(arms[0].policy.epsilon_or_default(), greedy.epsilon_or_default());
  EXPECT_EQ(arms[1].policy.epsilon_or_default(), 0.0);
  EXPECT_EQ(arms[1].policy.epsilon_or_default(), ucb.epsilon_or_default());
  EXPECT_EQ(arms[2].policy.epsilon_or_default(), 0.2);
}
