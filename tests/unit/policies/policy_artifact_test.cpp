// Policy artifacts against a decisions log: hand-computed target probabilities, IPS of the
// logging policy itself (the on-policy mean), missing support, located errors; and the
// next-best-action export of a hand-made results file against its counts.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <string>

#include "mirror/policies/bandit_log.hpp"
#include "mirror/policies/ope.hpp"
#include "mirror/policies/policy_artifact.hpp"
#include "mirror/policies/policy_export.hpp"
#include "mirror/results/results_file.hpp"
#include "scratch_dir.hpp"

namespace mirror::policies {
namespace {

class PolicyArtifactTest : public test_support::ScratchDirTest {};

constexpr const char* kHeader =
    "customer_id,timestamp,arm,policy,channel,message,offer,propensity,cost,reward,segment,recency\n";

// Five rounds: segment and recency columns; actions none (//), email//ten_off, sms//.
std::string tiny_log() {
  return std::string(kHeader) +
         "1,2024-01-01T00:00:00Z,a,p,,,,0.5,0,1,loyal,3\n"
         "2,2024-01-01T00:00:00Z,a,p,email,,ten_off,0.25,0,0,lapsed,40\n"
         "3,2024-01-01T00:00:00Z,a,p,sms,,,0.25,0,1,loyal,\n"
         "4,2024-01-01T00:00:00Z,a,p,,,,0.5,0,0,regular,12\n"
         "5,2024-01-01T00:00:00Z,a,p,email,,ten_off,0.25,0,1,lapsed,90\n";
}

PolicyArtifact tiny_artifact() {
  PolicyArtifact a;
  a.label = "policy.yaml";
  PolicyRule loyal;
  loyal.when = "segment == 'loyal' and recency < 10";
  loyal.actions = {{"sms//", 0.6}, {"none", 0.4}};
  loyal.when_place = {3, 11, "rules[0].when"};
  PolicyRule lapsed;
  lapsed.when = "recency >= 30";
  lapsed.actions = {{"email//ten_off", 1.0}};
  a.rules = {loyal, lapsed};
  a.default_actions = {{"//", 0.9}, {"email//ten_off", 0.1}};
  return a;
}

TEST_F(PolicyArtifactTest, TargetProbabilitiesFollowTheFirstMatchingRule) {
  auto log = read_decisions_log(write("log.csv", tiny_log()));
  ASSERT_EQ(log.action_labels, (std::vector<std::string>{"//", "email//ten_off", "sms//"}));
  const auto policy = artifact_target_policy(tiny_artifact(), log);
  ASSERT_EQ(policy.actions, 3);
  // Round 0: loyal, recency 3 -> rule 0. Round 1: lapsed, 40 -> rule 1. Round 2: loyal with
  // a missing recency: `recency < 10` is false and so is `recency >= 30` -> default.
  // Round 3: regular, 12 -> default. Round 4: lapsed, 90 -> rule 1.
  const std::vector<std::vector<double>> expected = {
      {0.4, 0.0, 0.6}, {0.0, 1.0, 0.0}, {0.9, 0.1, 0.0}, {0.9, 0.1, 0.0}, {0.0, 1.0, 0.0}};
  for (std::size_t i = 0; i < 5; ++i)
    for (std::int32_t a = 0; a < 3; ++a) EXPECT_DOUBLE_EQ(policy(i, a), expected[i][a]) << i << "," << a;
  validate_target_policy(log, policy);
  // IPS by hand: w r = (0.4/0.5) 1 + (1/0.25) 0 + (0/0.25) 1 + (0.9/0.5) 0 + (1/0.25) 1.
  OpeOptions o;
  o.estimators = {Estimator::kIps};
  o.bootstrap = 0;
  const auto report = evaluate_policy(log, policy, o);
  EXPECT_NEAR(report.estimates[0].estimate, (0.8 + 4.0) / 5.0, 1e-12);
}

TEST_F(PolicyArtifactTest, TheLoggingPolicyItselfGivesIpsEqualToTheOnPolicyMean) {
  // A stochastic logging policy by segment: loyal 0.2 none / 0.8 email, else 0.5 / 0.5.
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::string text = kHeader;
  double reward_sum = 0.0;
  const int n = 400;
  for (int i = 0; i < n; ++i) {
    const bool loyal = i % 3 == 0;
    const double p_email = loyal ? 0.8 : 0.5;
    const bool email = u(rng) < p_email;
    const int r = u(rng) < (email ? 0.3 : 0.1) ? 1 : 0;
    reward_sum += r;
    text += std::to_string(i) + ",2024-01-01T00:00:00Z,a,p," + (email ? "email,,ten_off," : ",,,") +
            std::to_string(email ? p_email : 1.0 - p_email) + ",0," + std::to_string(r) + "," +
            (loyal ? "loyal" : "other") + ",1\n";
  }
  auto log = read_decisions_log(write("log.csv", text));
  PolicyArtifact a;
  a.label = "logging.yaml";
  PolicyRule loyal;
  loyal.when = "segment == 'loyal'";
  loyal.actions = {{"none", 0.2}, {"email//ten_off", 0.8}};
  a.rules = {loyal};
  a.default_actions = {{"none", 0.5}, {"email//ten_off", 0.5}};
  const auto policy = artifact_target_policy(a, log);
  OpeOptions o;
  o.estimators = {Estimator::kIps, Estimator::kSnips};
  o.bootstrap = 0;
  const auto report = evaluate_policy(log, policy, o);
  EXPECT_NEAR(report.estimates[0].estimate, reward_sum / n, 1e-12);
  EXPECT_NEAR(report.estimates[1].estimate, reward_sum / n, 1e-12);
  EXPECT_DOUBLE_EQ(report.estimates[0].weights.max_weight, 1.0);
}

TEST_F(PolicyArtifactTest, AnActionTheLogNeverShowsHasNoSupport) {
  auto log = read_decisions_log(write("log.csv", tiny_log()));
  PolicyArtifact a;
  a.label = "push.yaml";
  a.default_actions = {{"push//", 0.5}, {"none", 0.5}};
  std::vector<std::string> notes;
  const auto policy = artifact_target_policy(a, log, &notes);
  ASSERT_EQ(log.actions(), 4);
  EXPECT_EQ(log.action_labels[3], "push//");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("'push//' never appears in the log"), std::string::npos) << notes[0];
  OpeOptions o;
  o.estimators = {Estimator::kIps};
  o.bootstrap = 0;
  const auto report = evaluate_policy(log, policy, o);
  EXPECT_EQ(report.support.unsupported_actions, std::vector<std::string>{"push//"});
  EXPECT_DOUBLE_EQ(report.support.unsupported_target_mass, 0.5);
  bool warned = false;
  for (const auto& w : report.warnings) warned |= w.find("support") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST_F(PolicyArtifactTest, AMissingPartMatchesWhetherWrittenEmptyOrNone) {
  // mirror generate writes a campaign without an offer as push/apparel/none.
  auto log = read_decisions_log(write("log.csv", std::string(kHeader) +
                                                     "1,2024-01-01T00:00:00Z,a,p,push,apparel,none,0.5,0,1,x,1\n"
                                                     "2,2024-01-01T00:00:00Z,a,p,,,,0.5,0,0,x,1\n"));
  PolicyArtifact a;
  a.label = "p.yaml";
  a.default_actions = {{"push/apparel/", 0.25}, {"none", 0.75}};
  std::vector<std::string> notes;
  const auto policy = artifact_target_policy(a, log, &notes);
  EXPECT_EQ(log.actions(), 2);
  EXPECT_TRUE(notes.empty());
  EXPECT_DOUBLE_EQ(policy(0, 0), 0.25);
  EXPECT_DOUBLE_EQ(policy(0, 1), 0.75);
  // Both spellings in one distribution are the same action twice.
  a.default_actions = {{"push/apparel/", 0.25}, {"push/apparel/none", 0.75}};
  EXPECT_THROW(artifact_target_policy(a, log), BanditLogError);
}

TEST_F(PolicyArtifactTest, BadConditionsAndLabelsAreLocatedInTheArtifact) {
  const auto log_path = write("log.csv", tiny_log());
  const auto error_of = [&](const PolicyArtifact& a) {
    auto log = read_decisions_log(log_path);
    try {
      artifact_target_policy(a, log);
    } catch (const BanditLogError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto a = tiny_artifact();
  a.rules[0].when = "segmnt == 'loyal'";
  EXPECT_EQ(error_of(a),
            "policy.yaml:3:11: rules[0].when: column 1 of the condition: unknown field 'segmnt' "
            "(did you mean 'segment'?) (the log's context columns: segment, recency)");
  a = tiny_artifact();
  a.rules[0].when = "segment > 3";
  EXPECT_NE(error_of(a).find("policy.yaml:3:11: rules[0].when: column "), std::string::npos) << error_of(a);
  a = tiny_artifact();
  a.default_actions = {{"email", 1.0}};
  a.default_place = {9, 12, "default.actions"};
  EXPECT_EQ(error_of(a),
            "policy.yaml:9:12: default.actions: action 'email' is not a label of the log's form: "
            "channel/message/offer (e.g. 'email//ten_off', empty parts allowed) or none");
  a = tiny_artifact();
  a.default_actions = {{"none", 0.5}, {"sms//", 0.4}};
  a.default_place = {9, 12, "default.actions"};
  EXPECT_EQ(error_of(a), "policy.yaml:9:12: default.actions: probabilities sum to 0.9, not 1");
  a = tiny_artifact();
  a.default_actions = {{"none", 0.5}, {"//", 0.5}};
  EXPECT_NE(error_of(a).find("action '//' appears twice"), std::string::npos) << error_of(a);
}

TEST_F(PolicyArtifactTest, YamlTextQuotesEverythingThatCouldBreakIt) {
  PolicyArtifact a;
  a.source = {{"note", "a \"quoted\" text: with # and \\"}};
  PolicyRule r;
  r.when = "segment in ['a', \"b\"]";
  r.actions = {{"email/x: y/", 1.0}};
  r.count = 12;
  a.rules = {r};
  a.default_actions = {{"none", 1.0}};
  const auto text = policy_artifact_yaml(a);
  EXPECT_NE(text.find("format: mirror-policy-1\n"), std::string::npos);
  EXPECT_NE(text.find("  note: \"a \\\"quoted\\\" text: with # and \\\\\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  - when: \"segment in ['a', \\\"b\\\"]\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    actions: { \"email/x: y/\": 1 }\n    count: 12\n"), std::string::npos) << text;
}

// A results file by hand: 3 customers (segments 0, 0, 1) over 4 logged days.
results::RunResults tiny_run() {
  results::RunResults run;
  run.meta.scenario_name = "tiny";
  run.meta.scenario_sha256 = "abc";
  run.meta.seed = 9;
  run.meta.horizon_days = 5;
  run.meta.design = "paired";
  run.world.segments.resize(2);
  run.world.segments[0].name = "loyal";
  run.world.segments[1].name = "lapsed";
  results::ArmResult arm;
  arm.name = "blast";
  arm.policy = "batch_and_blast";
  arm.decisions_days_logged = 4;
  for (std::uint64_t c = 0; c < 3; ++c) {
    results::CustomerResult cr;
    cr.customer_id = c;
    cr.segment = c < 2 ? 0 : 1;
    arm.customers.push_back(cr);
  }
  const auto record = [](std::uint64_t c, std::int32_t day, int channel, int offer,
                         core::DecisionStatus status) {
    core::DecisionRecord r;
    r.customer_id = c;
    r.day = day;
    r.channel = static_cast<std::int8_t>(channel);
    r.offer = static_cast<std::int16_t>(offer);
    r.status = status;
    return r;
  };
  using S = core::DecisionStatus;
  arm.decisions = {
      record(0, 0, 0, 0, S::delivered),       // email//ten_off
      record(1, 0, 0, 0, S::delivered),       // email//ten_off
      record(2, 0, 0, 0, S::blocked_by_caps),  // proposed only
      record(0, 1, 1, -1, S::delivered),      // sms//
      record(0, 1, 0, 0, S::delivered),       // a second record that day: not counted
      record(2, 2, -1, -1, S::delivered),     // an explicit no action
      record(1, 3, 0, 0, S::blocked_by_consent),
      record(2, 4, 0, 0, S::delivered),       // day 4 is past the logged days
  };
  run.arms.push_back(arm);
  return run;
}

std::int64_t count_of(const NextBestActionTable& t, const NextBestActionRow& row, const std::string& label) {
  for (std::size_t k = 0; k < t.labels.size(); ++k)
    if (t.labels[k] == label) return row.counts[k];
  return 0;
}

TEST_F(PolicyArtifactTest, ExportCountsEachCustomerDayOnce) {
  const auto results_path = path("tiny.h5");
  results::write_results_file(tiny_run(), results_path);
  ExportOptions o;
  o.results = results_path;
  o.arm = "blast";
  o.offers = {"ten_off"};
  const auto t = export_next_best_actions(o);
  EXPECT_EQ(t.policy, "batch_and_blast");
  EXPECT_EQ(t.days, 4);
  EXPECT_EQ(t.extra_records, 1);
  ASSERT_EQ(t.rows.size(), 2u);
  // loyal: 2 customers x 4 days = 8 opportunities; 2 email, 1 sms, 5 none.
  EXPECT_EQ(t.rows[0].group, "loyal");
  EXPECT_EQ(t.rows[0].opportunities, 8);
  EXPECT_EQ(count_of(t, t.rows[0], "email//ten_off"), 2);
  EXPECT_EQ(count_of(t, t.rows[0], "sms//"), 1);
  EXPECT_EQ(count_of(t, t.rows[0], "none"), 5);
  // lapsed: 1 customer x 4 days; the blocked proposal and the explicit no action are none.
  EXPECT_EQ(t.rows[1].opportunities, 4);
  EXPECT_EQ(count_of(t, t.rows[1], "none"), 4);
  ASSERT_EQ(t.artifact.rules.size(), 2u);
  EXPECT_EQ(t.artifact.rules[0].when, "segment == 'loyal'");
  EXPECT_EQ(t.artifact.rules[0].count, 8);
  ActionDistribution loyal = t.artifact.rules[0].actions;
  ASSERT_EQ(loyal.size(), 3u);
  EXPECT_EQ(loyal[0].label, "none");
  EXPECT_DOUBLE_EQ(loyal[0].probability, 5.0 / 8.0);
  EXPECT_EQ(loyal[1].label, "email//ten_off");
  EXPECT_DOUBLE_EQ(loyal[1].probability, 2.0 / 8.0);
  EXPECT_DOUBLE_EQ(loyal[2].probability, 1.0 / 8.0);

  // Counting proposals: the lapsed customer's blocked email on day 0 now counts, and the
  // blocked email to customer 1 on day 3.
  o.proposed = true;
  const auto p = export_next_best_actions(o);
  EXPECT_EQ(count_of(p, p.rows[0], "email//ten_off"), 3);
  EXPECT_EQ(count_of(p, p.rows[1], "email//ten_off"), 1);
  EXPECT_EQ(count_of(p, p.rows[1], "none"), 3);

  o.proposed = false;
  o.by_segment = false;
  const auto all = export_next_best_actions(o);
  ASSERT_EQ(all.rows.size(), 1u);
  EXPECT_EQ(all.rows[0].opportunities, 12);
  EXPECT_TRUE(all.artifact.rules.empty());
  EXPECT_EQ(all.artifact.default_count, 12);

  o.arm = "nope";
  EXPECT_THROW(export_next_best_actions(o), std::invalid_argument);
  o.arm = "blast";
  o.by_segment = true;
  o.segments_observable = false;
  EXPECT_THROW(export_next_best_actions(o), std::invalid_argument);
}

}  // namespace
}  // namespace mirror::policies
