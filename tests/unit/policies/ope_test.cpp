// Off-policy estimators against hand arithmetic, closed forms, a simulated bandit with a
// known value, the readers' located errors, and the Open Bandit comparison on real logs.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <string>

#include "mirror/policies/bandit_log.hpp"
#include "mirror/policies/ope.hpp"
#include "scratch_dir.hpp"

namespace mirror::policies {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

const EstimateResult& find(const OpeReport& report, Estimator e) {
  for (const auto& r : report.estimates)
    if (r.estimator == e) return r;
  throw std::runtime_error("estimator missing from report");
}

// Four rounds, two actions, no context; q_hat is given so every number is hand-checkable.
//   round  a  r  p_b   pi_e(0) pi_e(1)  q(0) q(1)
//   0      0  1  0.5   0.8     0.2      0.6  0.3
//   1      1  0  0.5   0.8     0.2      0.6  0.3
//   2      1  1  0.25  0.5     0.5      0.5  0.4
//   3      0  0  0.75  0.5     0.5      0.5  0.4
struct TinyLog {
  BanditLog log;
  TargetPolicy policy;
  std::vector<double> q_hat;

  TinyLog() {
    log.action_labels = {"a", "b"};
    log.add_round(0, 1.0, 0.5);
    log.add_round(1, 0.0, 0.5);
    log.add_round(1, 1.0, 0.25);
    log.add_round(0, 0.0, 0.75);
    policy.actions = 2;
    policy.probability = {0.8, 0.2, 0.8, 0.2, 0.5, 0.5, 0.5, 0.5};
    q_hat = {0.6, 0.3, 0.6, 0.3, 0.5, 0.4, 0.5, 0.4};
  }

  OpeOptions options() const {
    OpeOptions o;
    o.q_hat = q_hat;
    o.bootstrap = 0;
    return o;
  }
};

TEST(OpeEstimators, TinyLogMatchesHandArithmetic) {
  TinyLog t;
  auto o = t.options();
  o.clip = 1.5;
  o.switch_tau = 1.0;
  o.dros_lambda = 1.0;
  const auto report = evaluate_policy(t.log, t.policy, o);
  // w = pi_e(a_i)/p_b: 0.8/0.5 = 1.6, 0.2/0.5 = 0.4, 0.5/0.25 = 2, 0.5/0.75 = 2/3; sum 14/3.
  // d_i = sum_a pi_e q: 0.48+0.06 = 0.54, 0.54, 0.25+0.20 = 0.45, 0.45; sum 1.98.
  // DM = 1.98 / 4 = 0.495
  EXPECT_NEAR(find(report, Estimator::kDm).estimate, 0.495, 1e-12);
  // IPS = (1.6*1 + 0.4*0 + 2*1 + 2/3*0) / 4 = 3.6 / 4 = 0.9
  EXPECT_NEAR(find(report, Estimator::kIps).estimate, 0.9, 1e-12);
  // clipped at 1.5: (1.5 + 0 + 1.5 + 0) / 4 = 0.75; two of four weights cut.
  EXPECT_NEAR(find(report, Estimator::kClippedIps).estimate, 0.75, 1e-12);
  EXPECT_NEAR(find(report, Estimator::kClippedIps).weights.share_clipped, 0.5, 1e-12);
  // SNIPS = 3.6 / (14/3) = 10.8 / 14
  EXPECT_NEAR(find(report, Estimator::kSnips).estimate, 10.8 / 14.0, 1e-12);
  // residuals r - q(a_i): 0.4, -0.3, 0.6, -0.5; times w: 0.64, -0.12, 1.2, -1/3;
  // sum = 1.72 - 1/3 = 4.16/3.
  // DR = (1.98 + 4.16/3) / 4
  EXPECT_NEAR(find(report, Estimator::kDr).estimate, (1.98 + 4.16 / 3.0) / 4.0, 1e-12);
  // SNDR = 1.98/4 + (4.16/3) / (14/3) = 0.495 + 4.16/14
  EXPECT_NEAR(find(report, Estimator::kSndr).estimate, 0.495 + 4.16 / 14.0, 1e-12);
  // Switch-DR, tau = 1: only rounds 1 and 3 (w = 0.4, 2/3) keep their correction:
  // (1.98 - 0.12 - 1/3) / 4
  EXPECT_NEAR(find(report, Estimator::kSwitchDr).estimate, (1.98 - 0.12 - 1.0 / 3.0) / 4.0, 1e-12);
  // DRos, lambda = 1: w~ = w / (w^2 + 1) = 1.6/3.56, 0.4/1.16, 2/5, (2/3)/(13/9) = 6/13;
  // corrections 0.64/3.56, -0.12/1.16, 0.24, -3/13.
  const double dros = (1.98 + 0.64 / 3.56 - 0.12 / 1.16 + 0.24 - 3.0 / 13.0) / 4.0;
  EXPECT_NEAR(find(report, Estimator::kDros).estimate, dros, 1e-12);
  // ESS of the IPS weights: (14/3)^2 / (2.56 + 0.16 + 4 + 4/9)
  const double sum_sq = 2.56 + 0.16 + 4.0 + 4.0 / 9.0;
  EXPECT_NEAR(find(report, Estimator::kIps).weights.effective_sample_size,
              (14.0 / 3.0) * (14.0 / 3.0) / sum_sq, 1e-12);
  EXPECT_NEAR(find(report, Estimator::kIps).weights.max_weight, 2.0, 1e-12);
  EXPECT_NEAR(report.min_propensity, 0.25, 0.0);
  EXPECT_NEAR(report.max_propensity, 0.75, 0.0);
  EXPECT_NEAR(report.logged_mean_reward, 0.5, 1e-12);
  EXPECT_TRUE(report.warnings.empty());
}

// A log where round i's logging distribution is known; REWARD(i, a) is the mean reward.
struct SimulatedLog {
  BanditLog log;
  std::vector<double> logging;      // n x A
  std::vector<double> mean_reward;  // n x A
  std::vector<double> context;      // one feature per round
};

SimulatedLog simulate(std::size_t n, std::uint64_t seed, bool noisy) {
  constexpr int kActions = 3;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  SimulatedLog s;
  s.log.action_labels = {"email", "sms", "none"};
  for (std::size_t i = 0; i < n; ++i) {
    const double x = normal(rng);
    // Logging: softmax of (0.5 x, -0.5 x, 0), so every action keeps some probability.
    double score[kActions] = {0.5 * x, -0.5 * x, 0.0};
    double total = 0.0;
    for (double& v : score) total += (v = std::exp(v));
    const double u = uniform(rng);
    double cumulative = 0.0;
    int chosen = -1;
    for (int a = 0; a < kActions; ++a) {
      s.logging.push_back(score[a] / total);
      cumulative += score[a] / total;
      if (chosen < 0 && (u < cumulative || a == kActions - 1)) chosen = a;
    }
    for (int a = 0; a < kActions; ++a) {
      const double z = -1.0 + 0.8 * x * (a == 0) - 0.6 * x * (a == 1) + 0.3 * a;
      s.mean_reward.push_back(1.0 / (1.0 + std::exp(-z)));
    }
    const double mu = s.mean_reward[i * kActions + chosen];
    const double r = noisy ? (uniform(rng) < mu ? 1.0 : 0.0) : mu;
    s.log.add_round(chosen, r, s.logging[i * kActions + chosen], {{0, x}});
    s.context.push_back(x);
  }
  return s;
}

// A target that prefers email for x > 0 and sms otherwise, 0.1 on each other action.
TargetPolicy threshold_policy(const SimulatedLog& s) {
  TargetPolicy p;
  p.actions = 3;
  for (const double x : s.context) {
    const int best = x > 0 ? 0 : 1;
    for (int a = 0; a < 3; ++a) p.probability.push_back(a == best ? 0.8 : 0.1);
  }
  return p;
}

TEST(OpeEstimators, TargetEqualToLoggingGivesTheOnPolicyMean) {
  const auto s = simulate(2000, 11, true);
  TargetPolicy same;
  same.actions = 3;
  same.probability = s.logging;
  OpeOptions o;
  o.bootstrap = 0;
  const auto report = evaluate_policy(s.log, same, o);
  // Every weight is pi_e / p_b = 1, so IPS = SNIPS = the plain mean of the rewards.
  EXPECT_NEAR(find(report, Estimator::kIps).estimate, report.logged_mean_reward, 1e-12);
  EXPECT_NEAR(find(report, Estimator::kSnips).estimate, report.logged_mean_reward, 1e-12);
  EXPECT_NEAR(find(report, Estimator::kIps).weights.effective_sample_size, 2000.0, 1e-6);
}

TEST(OpeEstimators, DrWithAPerfectRewardModelIsTheTrueValue) {
  const auto s = simulate(500, 12, false);  // rewards are their means: no noise
  const auto target = threshold_policy(s);
  double truth = 0.0;
  for (std::size_t i = 0; i < s.log.rounds(); ++i)
    for (int a = 0; a < 3; ++a) truth += target(i, a) * s.mean_reward[i * 3 + a];
  truth /= static_cast<double>(s.log.rounds());
  OpeOptions o;
  o.bootstrap = 0;
  o.q_hat = s.mean_reward;
  const auto report = evaluate_policy(s.log, target, o);
  EXPECT_NEAR(find(report, Estimator::kDr).estimate, truth, 1e-12);
  EXPECT_NEAR(find(report, Estimator::kDm).estimate, truth, 1e-12);
  EXPECT_NEAR(find(report, Estimator::kSndr).estimate, truth, 1e-12);
}

TEST(OpeEstimators, LimitsOfClipSwitchAndShrinkage) {
  const auto s = simulate(1000, 13, true);
  const auto target = threshold_policy(s);
  OpeOptions o;
  o.bootstrap = 0;
  o.clip = kInf;
  o.switch_tau = kInf;
  o.dros_lambda = kInf;
  const auto open = evaluate_policy(s.log, target, o);
  EXPECT_DOUBLE_EQ(find(open, Estimator::kClippedIps).estimate,
                   find(open, Estimator::kIps).estimate);
  EXPECT_DOUBLE_EQ(find(open, Estimator::kSwitchDr).estimate, find(open, Estimator::kDr).estimate);
  EXPECT_DOUBLE_EQ(find(open, Estimator::kDros).estimate, find(open, Estimator::kDr).estimate);
  o.switch_tau = 0.0;
  o.dros_lambda = 0.0;
  const auto closed = evaluate_policy(s.log, target, o);
  EXPECT_NEAR(find(closed, Estimator::kSwitchDr).estimate, find(closed, Estimator::kDm).estimate,
              1e-15);
  EXPECT_NEAR(find(closed, Estimator::kDros).estimate, find(closed, Estimator::kDm).estimate,
              1e-15);
  EXPECT_DOUBLE_EQ(find(closed, Estimator::kSwitchDr).weights.share_clipped, 1.0);
}

TEST(OpeEstimators, IntervalsCoverTheKnownValueOfASimulatedBandit) {
  const auto s = simulate(20000, 14, true);
  const auto target = threshold_policy(s);
  // The policy's value on these contexts, from the known reward function.
  double truth = 0.0;
  for (std::size_t i = 0; i < s.log.rounds(); ++i)
    for (int a = 0; a < 3; ++a) truth += target(i, a) * s.mean_reward[i * 3 + a];
  truth /= static_cast<double>(s.log.rounds());
  OpeOptions o;
  o.bootstrap = 400;
  o.seed = 5;
  const auto report = evaluate_policy(s.log, target, o);
  EXPECT_TRUE(report.reward_model_fitted);
  EXPECT_EQ(report.reward_model, RewardModelKind::kLogistic);
  for (const auto e : {Estimator::kIps, Estimator::kSnips, Estimator::kDr, Estimator::kSndr}) {
    const auto& r = find(report, e);
    EXPECT_LE(r.ci_low, truth) << estimator_name(e) << " " << r.estimate;
    EXPECT_GE(r.ci_high, truth) << estimator_name(e) << " " << r.estimate;
    EXPECT_LE(r.ci_low, r.estimate);
    EXPECT_GE(r.ci_high, r.estimate);
    EXPECT_NEAR(r.estimate, truth, 0.03) << estimator_name(e);
  }
  // DR's interval is narrower than IPS's when the reward model explains part of the reward.
  EXPECT_LT(find(report, Estimator::kDr).std_error, find(report, Estimator::kIps).std_error);
  // The click model has context x action terms, so DM needs the interaction features.
  EXPECT_NEAR(find(report, Estimator::kDm).estimate, truth, 0.01);
  o.reward_model.interactions = false;
  o.bootstrap = 0;
  const auto additive = evaluate_policy(s.log, target, o);
  EXPECT_GT(std::abs(find(additive, Estimator::kDm).estimate - truth),
            std::abs(find(report, Estimator::kDm).estimate - truth));
}

TEST(OpeEstimators, BootstrapIsDeterministicForASeedWhateverTheThreads) {
  const auto s = simulate(3000, 15, true);
  const auto target = threshold_policy(s);
  OpeOptions o;
  o.bootstrap = 50;
  o.seed = 99;
  o.threads = 1;
  const auto one = evaluate_policy(s.log, target, o);
  o.threads = 3;
  const auto three = evaluate_policy(s.log, target, o);
  for (std::size_t k = 0; k < one.estimates.size(); ++k) {
    EXPECT_EQ(one.estimates[k].ci_low, three.estimates[k].ci_low);
    EXPECT_EQ(one.estimates[k].ci_high, three.estimates[k].ci_high);
    EXPECT_EQ(one.estimates[k].std_error, three.estimates[k].std_error);
  }
  o.seed = 100;
  const auto other = evaluate_policy(s.log, target, o);
  EXPECT_NE(one.estimates[1].ci_low, other.estimates[1].ci_low);
}

TEST(OpeEstimators, WarnsWhenTheTargetTakesActionsNeverLogged) {
  TinyLog t;
  t.log.action_labels.push_back("c");  // an action the log never shows
  t.policy.actions = 3;
  t.policy.probability = {0.5, 0.2, 0.3, 0.5, 0.5, 0.0, 0.5, 0.5, 0.0, 0.5, 0.5, 0.0};
  auto o = t.options();
  o.q_hat = std::vector<double>(12, 0.5);
  const auto report = evaluate_policy(t.log, t.policy, o);
  ASSERT_EQ(report.support.unsupported_actions, std::vector<std::string>{"c"});
  EXPECT_NEAR(report.support.unsupported_target_mass, 0.3 / 4, 1e-12);
  ASSERT_FALSE(report.warnings.empty());
  EXPECT_NE(report.warnings[0].find("missing support"), std::string::npos);
  EXPECT_NE(report.warnings[0].find("'c'"), std::string::npos);
}

TEST(OpeEstimators, RejectsInvalidTargetPolicies) {
  TinyLog t;
  t.policy.probability[0] = 0.7;  // row 0 sums to 0.9
  try {
    evaluate_policy(t.log, t.policy, t.options());
    FAIL() << "expected an error";
  } catch (const BanditLogError& e) {
    EXPECT_NE(std::string(e.what()).find("round 0: probabilities sum to 0.9"), std::string::npos)
        << e.what();
  }
  t.policy.probability.pop_back();
  EXPECT_THROW(evaluate_policy(t.log, t.policy, t.options()), BanditLogError);
}

TEST(RewardModel, LogisticRecoversActionClickRates) {
  BanditLog log;
  log.action_labels = {"a", "b"};
  // action a: 3 of 10 clicked; action b: 1 of 4.
  for (int k = 0; k < 10; ++k) log.add_round(0, k < 3 ? 1.0 : 0.0, 0.5);
  for (int k = 0; k < 4; ++k) log.add_round(1, k < 1 ? 1.0 : 0.0, 0.5);
  RewardModelOptions o;
  o.l2 = 1e-8;
  const auto model = fit_reward_model(log, o);
  EXPECT_EQ(model.kind, RewardModelKind::kLogistic);
  EXPECT_TRUE(model.converged);
  EXPECT_NEAR(model.q_hat[0], 0.3, 1e-5);
  EXPECT_NEAR(model.q_hat[1], 0.25, 1e-5);
  EXPECT_NEAR(model.q_hat[13 * 2 + 0], 0.3, 1e-5);
}

TEST(RewardModel, RidgeRecoversALinearReward) {
  BanditLog log;
  log.action_labels = {"a", "b", "c"};
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(0.0, 1.0);
  // r = 2 + 1.5 x + (0, -1, 0.5)[a], no noise; folds = 3 exercises cross-fitting.
  const double effect[] = {0.0, -1.0, 0.5};
  std::vector<double> xs;
  for (int i = 0; i < 300; ++i) {
    const double x = normal(rng);
    const int a = i % 3;
    log.add_round(a, 2.0 + 1.5 * x + effect[a], 1.0 / 3, {{0, x}});
    xs.push_back(x);
  }
  RewardModelOptions o;
  o.l2 = 1e-9;
  o.folds = 3;
  const auto model = fit_reward_model(log, o);
  EXPECT_EQ(model.kind, RewardModelKind::kRidge);
  for (int i = 0; i < 300; ++i)
    for (int a = 0; a < 3; ++a)
      EXPECT_NEAR(model.q_hat[i * 3 + a], 2.0 + 1.5 * xs[i] + effect[a], 1e-6);
}

class OpeReaders : public test_support::ScratchDirTest {
 protected:
  // Runs F, expects a BanditLogError whose message contains EXPECTED.
  template <class F>
  void expect_error(F f, const std::string& expected) {
    try {
      f();
      FAIL() << "expected an error containing: " << expected;
    } catch (const BanditLogError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  }
  static constexpr const char* kHeader =
      "customer_id,timestamp,arm,policy,channel,message,offer,propensity,cost,reward,segment\n";
};

TEST_F(OpeReaders, ReadsADecisionsLogAndItsPolicy) {
  const auto log_path =
      write("d.csv", std::string(kHeader) +
                         "1,2024-01-01T00:00:00Z,a,p,email,spring,ten_off,0.5,0.01,1,gold\n"
                         "2,2024-01-01T00:00:00Z,a,p,sms,spring,none,0.5,0.02,0,\"silver, old\"\n"
                         "3,2024-01-02T00:00:00Z,a,p,email,spring,ten_off,0.25,0.01,0,7\n");
  auto log = read_decisions_log(log_path);
  ASSERT_EQ(log.rounds(), 3u);
  EXPECT_EQ(log.action_labels,
            (std::vector<std::string>{"email/spring/ten_off", "sms/spring/none"}));
  EXPECT_EQ(log.action, (std::vector<std::int32_t>{0, 1, 0}));
  EXPECT_EQ(log.context_width, 1 + kHashBuckets);
  EXPECT_EQ(log.context_begin.back(), 3u);
  const auto policy_path = write("p.csv",
                                 "sms/spring/none,email/spring/ten_off,push/new/none\n"
                                 "0.5,0.5,0\n1,0,0\n0.2,0.3,0.5\n");
  const auto policy = read_target_policy_csv(policy_path, log);
  EXPECT_EQ(log.actions(), 3);  // push/new/none was added, without rounds
  EXPECT_DOUBLE_EQ(policy(1, 1), 1.0);
  EXPECT_DOUBLE_EQ(policy(2, 0), 0.3);
  EXPECT_DOUBLE_EQ(policy(2, 2), 0.5);
  validate_target_policy(log, policy);
}

TEST_F(OpeReaders, MalformedDecisionsAreLocated) {
  const auto bad_propensity = write("bad_p.csv", std::string(kHeader) +
                                                     "1,t,a,p,email,m,o,0.5,0,1,x\n"
                                                     "2,t,a,p,email,m,o,0,0,1,x\n");
  expect_error([&] { read_decisions_log(bad_propensity); },
               bad_propensity + ":3: propensity: logging propensity 0 is not in (0, 1]");
  const auto bad_reward =
      write("bad_r.csv", std::string(kHeader) + "1,t,a,p,email,m,o,0.5,0,yes,x\n");
  expect_error([&] { read_decisions_log(bad_reward); },
               bad_reward + ":2: reward: expected a number, got 'yes'");
  const auto short_row = write("short.csv", std::string(kHeader) + "1,t,a,p,email,m,o,0.5,0,1\n");
  expect_error([&] { read_decisions_log(short_row); },
               short_row + ":2: row: has 10 fields, the header has 11");
  const auto no_reward = write(
      "no_reward.csv", "customer_id,timestamp,arm,policy,channel,message,offer,propensity,cost\n");
  expect_error([&] { read_decisions_log(no_reward); }, no_reward + ":1: reward: missing column");
}

TEST_F(OpeReaders, MalformedPoliciesAndObdLogsAreLocated) {
  auto log =
      read_decisions_log(write("d.csv", std::string(kHeader) + "1,t,a,p,email,m,o,0.5,0,1,x\n"
                                                               "2,t,a,p,sms,m,o,0.5,0,0,x\n"));
  const auto bad_sum = write("sum.csv", "email/m/o,sms/m/o\n0.5,0.5\n0.5,0.4\n");
  expect_error([&] { read_target_policy_csv(bad_sum, log); },
               bad_sum + ":3: row: probabilities sum to 0.9, not 1");
  const auto missing = write("missing.csv", "email/m/o\n1\n1\n");
  expect_error([&] { read_target_policy_csv(missing, log); },
               missing + ":1: header: no column for the logged action 'sms/m/o'");
  const auto too_few = write("few.csv", "email/m/o,sms/m/o\n0.5,0.5\n");
  expect_error([&] { read_target_policy_csv(too_few, log); },
               "the policy has 1 rows, the log has 2");

  const auto obd = write("obd.csv",
                         ",timestamp,item_id,position,click,propensity_score,user_feature_0,"
                         "user-item_affinity_0,user-item_affinity_1\n"
                         "0,2019-11-24 00:00:00+00:00,1,1,0,0.5,abc,0.0,1.0\n"
                         "1,2019-11-24 00:00:01+00:00,0,4x,0,0.5,abc,0.0,1.0\n");
  expect_error([&] { read_obd_log(obd); }, obd + ":3: position: expected a number, got '4x'");
}

// The real-data check of docs/ope.md, on the shared Open Bandit logs.
TEST(OpeOpenBandit, BtsPolicyFromRandomLogs) {
  const std::string root = std::string(MIRROR_SOURCE_DIR) + "/../shared/data/open_bandit_obd/";
  for (const std::string campaign : {"men", "women"}) {
    const std::string random_path = root + "random/" + campaign + "/" + campaign + ".csv";
    const std::string bts_path = root + "bts/" + campaign + "/" + campaign + ".csv";
    ASSERT_TRUE(std::ifstream(random_path).good())
        << "the Open Bandit data is missing: " << random_path
        << " (see ../shared/data/README.md; this test needs it)";
    ASSERT_TRUE(std::ifstream(bts_path).good()) << "the Open Bandit data is missing: " << bts_path;
    const auto log = read_obd_log(random_path);
    EXPECT_EQ(log.rounds(), 10000u);
    EXPECT_EQ(log.actions(), campaign == "men" ? 34 : 46);
    EXPECT_EQ(log.positions(), 3);
    ObdBtsSummary bts;
    const auto policy = obd_bts_policy(bts_path, log, ObdBtsMethod::kFrequency, &bts);
    EXPECT_FALSE(bts.propensity_constant);  // BTS re-samples its beliefs over the week
    EXPECT_NEAR(bts.on_policy_mean_reward, campaign == "men" ? 0.0069 : 0.0046, 1e-12);
    ObdBtsSummary mean;
    obd_bts_policy(bts_path, log, ObdBtsMethod::kMeanPropensity, &mean);
    for (int k = 0; k < 3; ++k) {
      double frequency_total = 0.0, mean_total = 0.0;
      for (const double p : bts.distribution[k]) frequency_total += p;
      for (const double p : mean.distribution[k]) mean_total += p;
      EXPECT_NEAR(frequency_total, 1.0, 1e-12);
      EXPECT_NEAR(mean_total, 1.0, 1e-12);
    }
    OpeOptions o;
    o.bootstrap = 200;
    const auto report = evaluate_policy(log, policy, o);
    EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();
    for (const auto& r : report.estimates) {
      EXPECT_TRUE(std::isfinite(r.estimate)) << estimator_name(r.estimator);
      EXPECT_LE(r.ci_low, r.estimate);
      EXPECT_GE(r.ci_high, r.estimate);
      // Within a factor of two of the truth: ~50-70 clicks per log allow no more.
      EXPECT_LT(std::abs(r.estimate - bts.on_policy_mean_reward) / bts.on_policy_mean_reward, 1.0)
          << campaign << " " << estimator_name(r.estimator) << " " << r.estimate;
    }
  }
}

}  // namespace
}  // namespace mirror::policies
