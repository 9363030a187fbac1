// The chain a user runs: mirror run -> mirror export -> mirror ope --policy, and a scenario's
// arm as the policy, checked against counts from the results file and IPS by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "mirror/results/results_file.hpp"
#include "mirror/scenario/policy_artifact_file.hpp"
#include "mirror_cli.hpp"

namespace mirror {
namespace {

class ExportCliTest : public test_support::MirrorCliTest {};

constexpr const char* kScenario =
    "name: export_chain\n"
    "seed: 3\n"
    "population: { source: synthetic, size: 400 }\n"
    "horizon_days: 14\n"
    "channels: { email: { cost: 0.002 }, sms: { cost: 0.03 } }\n"
    "offers: { ten_off: { discount: 0.1 } }\n"
    "constraints: { max_per_day: 1, max_per_week: 2 }\n"
    "experiment:\n"
    "  control: nothing\n"
    "  arms:\n"
    "    - { name: nothing, policy: { kind: none } }\n"
    "    - { name: blast, policy: { kind: batch_and_blast, channel: sms, every_days: 2 } }\n"
    "    - name: loyal_sms\n"
    "      policy:\n"
    "        kind: rules\n"
    "        rules:\n"
    "          - { name: loyal, when: \"segment == 'loyal'\", then: { channel: sms } }\n"
    "    - { name: learner, policy: { kind: epsilon_greedy, campaigns: { channels: [sms] } } }\n";

const char* const kSegments[] = {"loyal", "regular", "occasional", "lapsed"};

// A uniform log over none and sms//: round i is segment i % 4, action (i / 4) % 2, reward
// 1 on a fixed pattern.
std::string uniform_log(std::vector<int>& segment, std::vector<int>& action, std::vector<int>& reward) {
  std::string text =
      "customer_id,timestamp,arm,policy,channel,message,offer,propensity,cost,reward,segment\n";
  for (int i = 0; i < 200; ++i) {
    segment.push_back(i % 4);
    action.push_back((i / 4) % 2);
    reward.push_back((i * 7) % 5 == 0 || (action.back() == 1 && i % 3 == 0) ? 1 : 0);
    text += std::to_string(i) + ",2024-01-01T00:00:00Z,log,uniform," +
            (action.back() == 1 ? "sms" : "") + ",,,0.5,0," + std::to_string(reward.back()) + "," +
            kSegments[segment.back()] + "\n";
  }
  return text;
}

double json_estimate(const std::string& out, const std::string& estimator) {
  const auto at = out.find("\"estimator\": \"" + estimator + "\", \"estimate\": ");
  if (at == std::string::npos) return std::nan("");
  return std::stod(out.substr(out.find(": ", at + 14 + estimator.size()) + 2));
}

TEST_F(ExportCliTest, RunExportOpeChain) {
  const auto scenario = write("chain.yaml", kScenario);
  const auto results = path("chain.h5");
  ASSERT_EQ(mirror("run " + scenario + " --out " + results + " --quiet").exit_code, 0);

  const auto policy = path("blast.yaml");
  const auto exported = mirror("export --results " + results + " --arm blast --out " + policy);
  ASSERT_EQ(exported.exit_code, 0) << exported.out;
  EXPECT_NE(exported.out.find("next best action"), std::string::npos) << exported.out;
  const auto artifact = scenario::load_policy_artifact_file(policy);
  ASSERT_TRUE(artifact.ok()) << artifact.errors.front().to_string();

  // Recount from the results file: delivered sms per segment over customers x days.
  const auto days = results::read_integer_attribute(results, "/arms/blast/decisions", "days_logged");
  const auto seg = results::read_column(results, "/arms/blast/customers/segment");
  const auto ids = results::read_column(results, "/arms/blast/customers/customer_id");
  const auto who = results::read_column(results, "/arms/blast/decisions/customer_id");
  const auto status = results::read_column(results, "/arms/blast/decisions/status");
  std::map<double, int> segment_of;
  for (std::size_t i = 0; i < ids.size(); ++i) segment_of[ids[i]] = static_cast<int>(seg[i]);
  std::vector<double> delivered(4, 0.0), customers(4, 0.0);
  for (const double s : seg) customers[static_cast<std::size_t>(s)] += 1;
  for (std::size_t r = 0; r < who.size(); ++r)
    if (status[r] == 0) delivered[segment_of[who[r]]] += 1;
  std::vector<double> p_sms(4, 0.0);
  ASSERT_EQ(artifact.artifact->rules.size(), 4u);
  for (const auto& rule : artifact.artifact->rules)
    for (int s = 0; s < 4; ++s)
      if (rule.when == std::string("segment == '") + kSegments[s] + "'") {
        EXPECT_EQ(rule.count, static_cast<std::int64_t>(customers[s]) * days);
        for (const auto& share : rule.actions)
          if (share.label == "sms//") p_sms[s] = share.probability;
        EXPECT_NEAR(p_sms[s], delivered[s] / (customers[s] * days), 1e-11) << kSegments[s];
        EXPECT_GT(p_sms[s], 0.1);  // every 2 days, at most 2 a week: about 2/7
      }

  std::vector<int> segment, action, reward;
  const auto log = write("log.csv", uniform_log(segment, action, reward));
  const auto ope = mirror("ope --log " + log + " --policy " + policy +
                          " --estimators ips --bootstrap 0 --json");
  ASSERT_EQ(ope.exit_code, 0) << ope.out;
  double ips = 0.0;
  for (std::size_t i = 0; i < segment.size(); ++i) {
    const double pi = action[i] == 1 ? p_sms[segment[i]] : 1.0 - p_sms[segment[i]];
    ips += pi / 0.5 * reward[i];
  }
  EXPECT_NEAR(json_estimate(ope.out, "ips"), ips / segment.size(), 1e-8) << ope.out;

  // The scenario's rules arm: sms to loyal customers every day, nothing to the others.
  double rules_ips = 0.0;
  for (std::size_t i = 0; i < segment.size(); ++i)
    if ((segment[i] == 0) == (action[i] == 1)) rules_ips += reward[i] / 0.5;
  const auto by_scenario = mirror("ope --log " + log + " --policy " + scenario +
                                  "#loyal_sms --estimators ips --bootstrap 0 --json");
  ASSERT_EQ(by_scenario.exit_code, 0) << by_scenario.out;
  EXPECT_NEAR(json_estimate(by_scenario.out, "ips"), rules_ips / segment.size(), 1e-12);

  // A learner cannot be evaluated as a fixed rule (an export of its run can).
  const auto learner = mirror("ope --log " + log + " --policy " + scenario + " --arm learner --bootstrap 0");
  EXPECT_EQ(learner.exit_code, 2);
  EXPECT_NE(learner.out.find("chain.yaml:18:"), std::string::npos) << learner.out;
  EXPECT_NE(learner.out.find("mirror export --results R.h5 --arm learner"), std::string::npos) << learner.out;
}

TEST_F(ExportCliTest, BadPoliciesAndExportsExitWithTwo) {
  std::vector<int> segment, action, reward;
  const auto log = write("log.csv", uniform_log(segment, action, reward));
  const auto bad = write("bad.yaml",
                         "format: mirror-policy-1\n"
                         "rules:\n"
                         "  - when: \"segmnt == 'loyal'\"\n"
                         "    actions: { \"sms//\": 1 }\n"
                         "default: { actions: { none: 1 } }\n");
  const auto o = mirror("ope --log " + log + " --policy " + bad + " --bootstrap 0");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.out.find(bad + ":3:11: rules[0].when: column 1 of the condition: unknown field "
                             "'segmnt' (did you mean 'segment'?)"),
            std::string::npos)
      << o.out;
  const auto sum = write("sum.yaml", "format: mirror-policy-1\ndefault: { actions: { none: 0.5 } }\n");
  const auto s = mirror("ope --log " + log + " --policy " + sum + " --bootstrap 0");
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_NE(s.out.find(sum + ":2:21: default.actions: probabilities sum to 0.5, not 1"), std::string::npos)
      << s.out;
  const auto missing = mirror("export --results " + path("none.h5") + " --arm x");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("no such file"), std::string::npos) << missing.out;
}

}  // namespace
}  // namespace mirror
