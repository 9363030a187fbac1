// Policy artifact files: the round trip through YAML, located errors for bad files, and
// scenario arms turned into artifacts (or refused, with the reason).
#include "mirror/scenario/policy_artifact_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace mirror::scenario {
namespace {

using policies::PolicyArtifact;

std::vector<std::string> messages(const PolicyArtifactLoad& load) {
  std::vector<std::string> out;
  for (const auto& e : load.errors) out.push_back(e.to_string());
  return out;
}

TEST(PolicyArtifactFile, RoundTripKeepsEveryRuleAndProbability) {
  PolicyArtifact a;
  a.source = {{"kind", "export"}, {"arm", "blast"}, {"seed", "42"}};
  policies::PolicyRule r0;
  r0.when = "segment == 'loyal' and recency < 30";
  r0.actions = {{"email/newsletter/", 1.0 / 3.0}, {"none", 2.0 / 3.0}};
  r0.count = 3000;
  policies::PolicyRule r1;
  r1.when = "segment in ['lapsed', \"occasional\"]";
  r1.actions = {{"sms//twenty_off", 1.0}};
  a.rules = {r0, r1};
  a.default_actions = {{"none", 0.9}, {"push/apparel/", 0.1}};
  a.default_count = 17;
  const auto text = policies::policy_artifact_yaml(a);
  EXPECT_TRUE(looks_like_policy_artifact(text));
  const auto back = load_policy_artifact_text(text, "p.yaml");
  ASSERT_TRUE(back.ok()) << messages(back).front();
  const auto& b = *back.artifact;
  EXPECT_EQ(b.label, "p.yaml");
  EXPECT_EQ(b.source, a.source);
  ASSERT_EQ(b.rules.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(b.rules[k].when, a.rules[k].when);
    EXPECT_EQ(b.rules[k].count, a.rules[k].count);
    ASSERT_EQ(b.rules[k].actions.size(), a.rules[k].actions.size());
    for (std::size_t j = 0; j < a.rules[k].actions.size(); ++j) {
      EXPECT_EQ(b.rules[k].actions[j].label, a.rules[k].actions[j].label);
      EXPECT_NEAR(b.rules[k].actions[j].probability, a.rules[k].actions[j].probability, 1e-11);
    }
    EXPECT_EQ(b.rules[k].when_place.key, "rules[" + std::to_string(k) + "].when");
    EXPECT_GT(b.rules[k].when_place.line, 0);
  }
  ASSERT_EQ(b.default_actions.size(), 2u);
  EXPECT_EQ(b.default_actions[1].label, "push/apparel/");
  EXPECT_DOUBLE_EQ(b.default_actions[1].probability, 0.1);
  EXPECT_EQ(b.default_count, 17);
  // And once more: the text is a fixed point.
  EXPECT_EQ(policies::policy_artifact_yaml(b), text);
}

TEST(PolicyArtifactFile, BadFilesGetEveryErrorLocated) {
  const std::string text =
      "format: mirror-policy-2\n"                                   // 1
      "rules:\n"                                                     // 2
      "  - when: \"segment == 'loyal' and\"\n"                       // 3
      "    actions: { \"sms//\": 0.5, none: 0.4 }\n"                 // 4
      "  - when: recency < 10\n"                                     // 5
      "    actions: { \"email//\": 1.5 }\n"                          // 6
      "    cuont: 3\n"                                               // 7
      "  - actions: { none: 1 }\n"                                   // 8
      "default:\n"                                                   // 9
      "  actions: []\n";                                            // 10
  const auto load = load_policy_artifact_text(text, "bad.yaml");
  ASSERT_FALSE(load.ok());
  EXPECT_EQ(messages(load),
            (std::vector<std::string>{
                "bad.yaml:1:9: format: expected mirror-policy-1, found 'mirror-policy-2'",
                "bad.yaml:3:11: rules[0].when: column 23 of the condition: expected a field "
                "name, a number, a quoted string or '(', found the end of the rule",
                "bad.yaml:4:14: rules[0].actions: probabilities sum to 0.9, not 1",
                "bad.yaml:6:27: rules[1].actions.email//: must be in [0, 1], found 1.5",
                "bad.yaml:7:5: rules[1].cuont: unknown key 'cuont' (did you mean 'count'?)",
                "bad.yaml:8:5: rules[2]: missing required key 'when' (a condition)",
                "bad.yaml:10:12: default.actions: expected a map of action: probability (e.g. { "
                "\"email//ten_off\": 0.3, none: 0.7 }), found a list",
            }));
  EXPECT_TRUE(looks_like_policy_artifact("rules: []\n"));  // reported as an artifact
  EXPECT_FALSE(looks_like_policy_artifact("name: x\nexperiment: {}\n"));
  EXPECT_EQ(messages(load_policy_artifact_text("rules: []\n", "x.yaml")),
            (std::vector<std::string>{
                "x.yaml:1:1: missing required key 'format' (format: mirror-policy-1)",
                "x.yaml:1:1: missing required key 'default' (the distribution when no rule matches)"}));
  EXPECT_EQ(messages(load_policy_artifact_file("/nonexistent/p.yaml")),
            std::vector<std::string>{"/nonexistent/p.yaml: cannot read the policy artifact"});
}

class ScenarioPolicy : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("mirror_scenario_policy_" + std::to_string(::getpid()) + ".yaml"))
                .string();
    std::ofstream(path_) << kScenario;
  }
  void TearDown() override { std::filesystem::remove(path_); }

  static constexpr const char* kScenario =
      "name: policies\n"
      "seed: 1\n"
      "population: { source: synthetic, size: 100 }\n"
      "horizon_days: 28\n"
      "channels: { email: {}, sms: {} }\n"
      "offers: { ten_off: { discount: 0.1 } }\n"
      "experiment:\n"
      "  control: nothing\n"
      "  arms:\n"
      "    - { name: nothing, policy: { kind: none } }\n"
      "    - { name: weekly, policy: { kind: batch_and_blast, channel: sms, every_days: 7, segments: [loyal, lapsed] } }\n"
      "    - name: daily_rules\n"
      "      policy:\n"
      "        kind: rules\n"
      "        rules:\n"
      "          - { name: a, when: \"segment == 'loyal'\", then: { channel: email, offer: ten_off } }\n"
      "          - { name: b, when: \"recency_days > 30\", then: none, priority: 5 }\n"
      "          - { name: c, then: { channel: sms } }\n"
      "    - name: slow_rules\n"
      "      policy:\n"
      "        kind: rules\n"
      "        rules:\n"
      "          - { name: a, when: \"segment == 'loyal'\", then: { channel: email }, every_days: 2 }\n"
      "          - { name: b, then: { channel: sms }, every_days: 4 }\n"
      "    - { name: learner, policy: { kind: thompson, campaigns: { channels: [email] } } }\n"
      "    - name: triggered\n"
      "      policy:\n"
      "        kind: rules\n"
      "        rules:\n"
      "          - { name: cart, on: cart_abandon, then: { channel: email } }\n";

  std::string path_;
};

TEST_F(ScenarioPolicy, StationaryKindsBecomeArtifacts) {
  const auto none = policy_artifact_from_scenario(path_, "nothing");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none.artifact->rules.empty());
  ASSERT_EQ(none.artifact->default_actions.size(), 1u);
  EXPECT_EQ(none.artifact->default_actions[0].label, "none");

  // Every 7 days to two segments: probability 1/7 a day there, nothing elsewhere.
  const auto weekly = policy_artifact_from_scenario(path_, "weekly");
  ASSERT_TRUE(weekly.ok());
  ASSERT_EQ(weekly.artifact->rules.size(), 1u);
  EXPECT_EQ(weekly.artifact->rules[0].when, "segment in ['loyal', 'lapsed']");
  ASSERT_EQ(weekly.artifact->rules[0].actions.size(), 2u);
  EXPECT_EQ(weekly.artifact->rules[0].actions[0].label, "sms//");
  EXPECT_DOUBLE_EQ(weekly.artifact->rules[0].actions[0].probability, 1.0 / 7.0);
  EXPECT_EQ(weekly.artifact->default_actions[0].label, "none");

  // Daily rules: priority order (b first), then list order; the unconditional rule is the default.
  const auto daily = policy_artifact_from_scenario(path_, "daily_rules");
  ASSERT_TRUE(daily.ok());
  const auto& d = *daily.artifact;
  ASSERT_EQ(d.rules.size(), 2u);
  EXPECT_EQ(d.rules[0].when, "recency_days > 30");
  EXPECT_EQ(d.rules[0].actions[0].label, "none");
  EXPECT_EQ(d.rules[1].when, "segment == 'loyal'");
  EXPECT_EQ(d.rules[1].actions[0].label, "email//ten_off");
  EXPECT_EQ(d.default_actions[0].label, "sms//");
  EXPECT_EQ(d.rules[1].when_place.line, 16);
  EXPECT_EQ(d.rules[1].when_place.key, "experiment.arms[2].policy.rules[0].when");

  // Every 2 and every 4 days over a 4-day cycle. Loyal: email on days 0 and 2, sms never
  // (day 0 is taken by email) -> email 1/2. Others: sms on day 0 -> 1/4.
  const auto slow = policy_artifact_from_scenario(path_, "slow_rules");
  ASSERT_TRUE(slow.ok());
  const auto& s = *slow.artifact;
  ASSERT_EQ(s.rules.size(), 1u);
  EXPECT_EQ(s.rules[0].when, "(segment == 'loyal')");
  ASSERT_EQ(s.rules[0].actions.size(), 2u);
  EXPECT_EQ(s.rules[0].actions[0].label, "email//");
  EXPECT_DOUBLE_EQ(s.rules[0].actions[0].probability, 0.5);
  ASSERT_EQ(s.default_actions.size(), 2u);
  EXPECT_EQ(s.default_actions[0].label, "sms//");
  EXPECT_DOUBLE_EQ(s.default_actions[0].probability, 0.25);
  EXPECT_DOUBLE_EQ(s.default_actions[1].probability, 0.75);
}

TEST_F(ScenarioPolicy, LearnersAndTriggersAreRefusedWithTheReason) {
  const auto learner = policy_artifact_from_scenario(path_, "learner");
  ASSERT_FALSE(learner.ok());
  ASSERT_EQ(learner.errors.size(), 1u);
  EXPECT_EQ(learner.errors[0].line, 25);
  EXPECT_EQ(learner.errors[0].key_path, "experiment.arms[4].policy.kind");
  EXPECT_NE(learner.errors[0].message.find("'thompson' learns from the outcomes of its own decisions"),
            std::string::npos);
  EXPECT_NE(learner.errors[0].message.find("mirror export --results R.h5 --arm learner"), std::string::npos);

  const auto triggered = policy_artifact_from_scenario(path_, "triggered");
  ASSERT_FALSE(triggered.ok());
  EXPECT_EQ(triggered.errors[0].line, 30);
  EXPECT_NE(triggered.errors[0].message.find("rule 'cart' has a trigger"), std::string::npos);

  const auto unknown = policy_artifact_from_scenario(path_, "weekley");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.errors[0].message.find("no arm 'weekley' (did you mean 'weekly'?)"), std::string::npos);
  EXPECT_FALSE(policy_artifact_from_scenario(path_, "").ok());  // six arms: which one?
}

// The example files docs/ope.md measures with (ctest runs in the source directory).
TEST(PolicyArtifactFile, TheDocsExamplesLoad) {
  const auto mix = load_policy_artifact_file("docs/examples/retail_mix_policy.yaml");
  ASSERT_TRUE(mix.ok()) << mix.errors.front().to_string();
  ASSERT_EQ(mix.artifact->rules.size(), 1u);
  EXPECT_EQ(mix.artifact->rules[0].when, "consent_sms == 1");
  for (const char* arm : {"nothing", "sms_ten_off", "sms_twenty_off", "email_ten_off", "push_apparel",
                          "sms_else_email"}) {
    const auto a = policy_artifact_from_scenario("docs/examples/retail_policies.yaml", arm);
    ASSERT_TRUE(a.ok()) << arm << ": " << a.errors.front().to_string();
  }
  const auto sms = policy_artifact_from_scenario("docs/examples/retail_policies.yaml", "sms_else_email");
  ASSERT_EQ(sms.artifact->rules.size(), 2u);
  EXPECT_EQ(sms.artifact->rules[0].actions[0].label, "sms/newsletter/ten_off");
  EXPECT_EQ(sms.artifact->rules[1].actions[0].label, "email/newsletter/ten_off");
}

}  // namespace
}  // namespace mirror::scenario
