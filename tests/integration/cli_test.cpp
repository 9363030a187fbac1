// Runs the `mirror` program as a user would and reads the results file back.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <vector>
#include <sstream>
#include <string>

#include "mirror/results/results_file.hpp"
#include "mirror_cli.hpp"

namespace fs = std::filesystem;
using mirror::results::list_group;
using mirror::results::read_column;
using mirror::results::read_strings;

namespace {

class CliTest : public mirror::test_support::MirrorCliTest {};

}  // namespace

TEST_F(CliTest, HelpAndVersion) {
  auto help = mirror("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("run SCENARIO"), std::string::npos);
  auto version = mirror("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("mirror ", 0), 0u);
  auto run_help = mirror("run --help");
  EXPECT_EQ(run_help.exit_code, 0);
  EXPECT_NE(run_help.out.find("--threads"), std::string::npos);
}

TEST_F(CliTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(mirror("").exit_code, 2);
  EXPECT_EQ(mirror("fly").exit_code, 2);
  EXPECT_EQ(mirror("run").exit_code, 2);
  EXPECT_EQ(mirror("run tests/integration/small.yaml --threads -3").exit_code, 2);
  EXPECT_EQ(mirror("run tests/integration/small.yaml --bogus").exit_code, 2);
}

TEST_F(CliTest, CheckAcceptsAValidScenario) {
  auto r = mirror("check tests/integration/small.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("ok"), std::string::npos);
}

TEST_F(CliTest, InvalidScenarioIsReportedAndNothingIsWritten) {
  std::ofstream(path("bad.yaml")) << "name: bad\nhorizon_day: 3\nexperiment:\n  arms: []\n";
  auto check = mirror("check " + path("bad.yaml"));
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.out.find("bad.yaml:2:1: horizon_day: unknown key"), std::string::npos)
      << check.out;
  auto run = mirror("run " + path("bad.yaml") + " --out " + path("bad.h5"));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_FALSE(fs::exists(path("bad.h5")));
  EXPECT_EQ(mirror("run " + path("missing.yaml")).exit_code, 2);
}

TEST_F(CliTest, UnwritableOutputFailsBeforeRunning) {
  std::ofstream(path("file")) << "x";
  auto r = mirror("run tests/integration/small.yaml --quiet --out " + path("file/x.h5"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("cannot write results"), std::string::npos) << r.out;
}

// The acceptance check of determinism: the same datasets for 1 thread / 1 shard and
// 2 threads / 7 shards.
TEST_F(CliTest, ResultsAreIdenticalForAnyThreadsAndShards) {
  auto a = mirror("run tests/integration/small.yaml --quiet --threads 1 --shards 1 --out " +
                  path("a.h5"));
  ASSERT_EQ(a.exit_code, 0) << a.out;
  auto b = mirror("run tests/integration/small.yaml --quiet --threads 2 --shards 7 --out " +
                  path("b.h5"));
  ASSERT_EQ(b.exit_code, 0) << b.out;
  const auto arms = list_group(path("a.h5"), "/arms");
  ASSERT_EQ(arms.size(), 3u);
  ASSERT_EQ(arms, list_group(path("b.h5"), "/arms"));
  int compared = 0;
  for (const auto& arm : arms) {
    for (const std::string part : {"customers", "daily", "decisions"}) {
      const std::string group = "/arms/" + arm + "/" + part;
      for (const auto& column : list_group(path("a.h5"), group)) {
        EXPECT_EQ(read_column(path("a.h5"), group + "/" + column),
                  read_column(path("b.h5"), group + "/" + column))
            << group << "/" << column;
        ++compared;
      }
    }
  }
  for (const auto& column : list_group(path("a.h5"), "/summary")) {
    if (column == "arm" || column == "metric") {
      EXPECT_EQ(read_strings(path("a.h5"), "/summary/" + column),
                read_strings(path("b.h5"), "/summary/" + column));
    } else {
      EXPECT_EQ(read_column(path("a.h5"), "/summary/" + column),
                read_column(path("b.h5"), "/summary/" + column))
          << column;
    }
    ++compared;
  }
  EXPECT_GT(compared, 20);
}

// The quickstart as shipped: the emailed arm earns more than control, with an interval
// that excludes 0, and loses more subscribers, as the world's parameters imply.
TEST_F(CliTest, QuickstartShowsTheExpectedEffects) {
  auto r = mirror("run scenarios/quickstart.yaml --out " + path("q.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("weekly_email"), std::string::npos) << r.out;
  const auto arm = read_strings(path("q.h5"), "/summary/arm");
  const auto metric = read_strings(path("q.h5"), "/summary/metric");
  const auto mean = read_column(path("q.h5"), "/summary/mean");
  const auto uplift = read_column(path("q.h5"), "/summary/uplift");
  const auto low = read_column(path("q.h5"), "/summary/uplift_ci_low");
  bool checked_revenue = false, checked_unsubscribes = false;
  double control_unsubscribes = -1;
  for (std::size_t i = 0; i < arm.size(); ++i)
    if (arm[i] == "no_action" && metric[i] == "unsubscribes") control_unsubscribes = mean[i];
  for (std::size_t i = 0; i < arm.size(); ++i) {
    if (arm[i] != "weekly_email") continue;
    if (metric[i] == "revenue") {
      EXPECT_GT(uplift[i], 0.0);
      EXPECT_GT(low[i], 0.0) << "revenue uplift interval should exclude 0";
      checked_revenue = true;
    }
    if (metric[i] == "unsubscribes") {
      EXPECT_GT(mean[i], control_unsubscribes);
      EXPECT_GT(low[i], 0.0);
      checked_unsubscribes = true;
    }
  }
  EXPECT_TRUE(checked_revenue);
  EXPECT_TRUE(checked_unsubscribes);
  EXPECT_EQ(control_unsubscribes, 0.0);
  const auto sha = mirror::results::read_string_attribute(path("q.h5"), "/meta", "scenario_sha256");
  EXPECT_EQ(sha.size(), 64u);
}

// The simulated decision log: one row per proposal in the results file (delivered or
// blocked), the delivered ones as canonical decisions CSV that `mirror ingest` reads with
// nothing quarantined.
TEST_F(CliTest, DecisionLogIsWrittenAndIngestsCleanly) {
  auto r = mirror("run tests/integration/small.yaml --quiet --out " + path("d.h5") +
                  " --decisions " + path("decisions.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto status = read_column(path("d.h5"), "/arms/sms/decisions/status");
  const auto day = read_column(path("d.h5"), "/arms/sms/decisions/day");
  const auto customer = read_column(path("d.h5"), "/arms/sms/decisions/customer_id");
  const auto propensity = read_column(path("d.h5"), "/arms/sms/decisions/propensity");
  // sms every 2 days to 2,000 customers for 28 days: 14 days x 2,000 proposals.
  ASSERT_EQ(status.size(), 14u * 2000u);
  double delivered = 0, blocked = 0;
  for (std::size_t i = 0; i < status.size(); ++i) {
    (status[i] == 0 ? delivered : blocked) += 1;
    EXPECT_EQ(propensity[i], 1.0);
    if (i > 0) {
      ASSERT_TRUE(day[i - 1] < day[i] || (day[i - 1] == day[i] && customer[i - 1] < customer[i]));
    }
  }
  // max_per_week 2: at most 2 of the 4 proposals in any week get through.
  double contacts = 0;
  for (double c : read_column(path("d.h5"), "/arms/sms/daily/contacts")) contacts += c;
  EXPECT_EQ(delivered, contacts);
  EXPECT_GT(blocked, 0);
  EXPECT_TRUE(read_column(path("d.h5"), "/arms/control/decisions/day").empty());

  std::ifstream csv(path("decisions.csv"));
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "customer_id,timestamp,arm,policy,channel,message,offer,propensity,cost");
  std::string first;
  std::getline(csv, first);
  EXPECT_NE(first.find(",2024-01-01T00:00:00Z,"), std::string::npos) << first;
  auto in = mirror("ingest --format decisions --input " + path("decisions.csv") + " --out " +
                   path("store.h5"));
  EXPECT_EQ(in.exit_code, 0) << in.out;
  EXPECT_NE(in.out.find("+ 0 quarantined"), std::string::npos) << in.out;
}

// mirror compare: the arms ranked with intervals, as a table and as JSON; bad input is a
// usage error.
TEST_F(CliTest, CompareRanksTheArms) {
  auto r = mirror("run tests/integration/small.yaml --quiet --out " + path("c.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto table = mirror("compare " + path("c.h5") + " --metric contacts --by-segment");
  ASSERT_EQ(table.exit_code, 0) << table.out;
  // sms every 2 days (capped at 2 a week) contacts more than email every 7 days.
  const auto sms = table.out.find("\n1     sms");
  const auto email = table.out.find("\n2     email");
  EXPECT_NE(sms, std::string::npos) << table.out;
  EXPECT_NE(email, std::string::npos) << table.out;
  EXPECT_NE(table.out.find("Bonferroni"), std::string::npos);
  EXPECT_NE(table.out.find("occasional"), std::string::npos);
  auto json = mirror("compare " + path("c.h5") + " --json");
  ASSERT_EQ(json.exit_code, 0) << json.out;
  EXPECT_EQ(json.out.rfind("{\"file\":", 0), 0u) << json.out;
  EXPECT_NE(json.out.find("\"metric\":\"profit\""), std::string::npos);
  EXPECT_NE(json.out.find("\"rank\":3"), std::string::npos);
  EXPECT_EQ(mirror("compare " + path("c.h5") + " --metric proft").exit_code, 2);
  EXPECT_EQ(mirror("compare " + path("missing.h5")).exit_code, 2);
}

// A stratified run with a ranking arm and --replications: the compare table shows the
// post-stratified uplift stored in /summary, the Qini areas and the true value with the
// run's error; the JSON carries both; a single replication is a usage error.
TEST_F(CliTest, StratifiedRunWithQiniAndTrueValue) {
  std::ifstream in("tests/integration/small.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find("design: paired");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 14, "design: stratified\n  holdout_share: 0.4");
  text.replace(text.find("size: 2000"), 10, "size: 1200");
  text += "    - name: top\n      policy: { kind: propensity_top_k, channel: email, share: 0.2 }\n";
  std::ofstream(path("strat.yaml")) << text;
  EXPECT_EQ(mirror("run " + path("strat.yaml") + " --quiet --replications 1 --out " + path("s.h5")).exit_code, 2);
  auto r = mirror("run " + path("strat.yaml") + " --quiet --replications 3 --out " + path("s.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto arms = read_strings(path("s.h5"), "/summary/arm");
  const auto metric = read_strings(path("s.h5"), "/summary/metric");
  const auto uplift = read_column(path("s.h5"), "/summary/uplift");
  auto json = mirror("compare " + path("s.h5") + " --json");
  ASSERT_EQ(json.exit_code, 0) << json.out;
  EXPECT_NE(json.out.find("\"design\":\"stratified\""), std::string::npos);
  for (std::size_t i = 0; i < arms.size(); ++i)
    if (arms[i] == "top" && metric[i] == "profit") {
      char buf[64];
      std::snprintf(buf, sizeof buf, "\"uplift\":%.17g", uplift[i]);
      EXPECT_NE(json.out.find(buf), std::string::npos) << buf << "\n" << json.out;
    }
  EXPECT_NE(json.out.find("\"qini\":[{\"arm\":\"top\""), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"replications\":3"), std::string::npos) << json.out;
  EXPECT_EQ(read_column(path("s.h5"), "/arms/top/qini/share").size(), 101u);
  EXPECT_EQ(read_column(path("s.h5"), "/arms/top/qini/realized_uplift").size(), 11u);
  const auto value = read_column(path("s.h5"), "/true_value/value");
  const auto run_value = read_column(path("s.h5"), "/true_value/run_value");
  const auto error = read_column(path("s.h5"), "/true_value/run_error");
  ASSERT_EQ(value.size(), 4u);
  for (std::size_t a = 0; a < 4; ++a) EXPECT_DOUBLE_EQ(error[a], run_value[a] - value[a]);
  auto table = mirror("compare " + path("s.h5"));
  EXPECT_NE(table.out.find("AUUC true"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("3 independent replications"), std::string::npos) << table.out;
}

// Seed 002's acceptance: 24 campaigns, at most 3 messages a week and 1 a day; the
// fatigue-aware audience builder earns more profit than batch-and-blast and propensity
// top-share, with 95% intervals that do not overlap, and no customer ever gets more
// messages than the caps allow.
TEST_F(CliTest, CrmAudienceFatigueAwareWinsWithinTheCaps) {
  auto r = mirror("run scenarios/crm_audience.yaml --quiet --out " + path("crm.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto arm = read_strings(path("crm.h5"), "/summary/arm");
  const auto metric = read_strings(path("crm.h5"), "/summary/metric");
  const auto low = read_column(path("crm.h5"), "/summary/ci_low");
  const auto high = read_column(path("crm.h5"), "/summary/ci_high");
  double fatigue_low = 0, others_high = -1e9;
  for (std::size_t i = 0; i < arm.size(); ++i) {
    if (metric[i] != "profit") continue;
    if (arm[i] == "fatigue_aware") fatigue_low = low[i];
    if (arm[i] == "blast" || arm[i] == "top_share") others_high = std::max(others_high, high[i]);
  }
  EXPECT_GT(fatigue_low, others_high);
  for (const std::string a : {"blast", "top_share", "fatigue_aware"}) {
    const std::string g = "/arms/" + a + "/decisions/";
    const auto customer = read_column(path("crm.h5"), g + "customer_id");
    const auto day = read_column(path("crm.h5"), g + "day");
    const auto status = read_column(path("crm.h5"), g + "status");
    std::map<std::uint64_t, std::vector<int>> days;
    for (std::size_t i = 0; i < status.size(); ++i)
      if (status[i] == 0) days[static_cast<std::uint64_t>(customer[i])].push_back(static_cast<int>(day[i]));
    ASSERT_FALSE(days.empty()) << a;
    int violations = 0;
    for (auto& [c, d] : days) {
      std::sort(d.begin(), d.end());
      for (std::size_t i = 0; i < d.size(); ++i) {
        if (i > 0 && d[i] == d[i - 1]) ++violations;                 // 1 a day
        if (i >= 3 && d[i] - d[i - 3] < 7) ++violations;              // 3 in any 7 days
      }
    }
    EXPECT_EQ(violations, 0) << a;
  }
}

// Every policy kind and every constraint (ranking across shards, learners, budgets) gives
// the same results and the same decision log for any threads and shards.
TEST_F(CliTest, EveryPolicyIsIdenticalForAnyThreadsAndShards) {
  const std::string scenario = "tests/scenarios/valid/policies_and_constraints.yaml";
  auto a = mirror("run " + scenario + " --quiet --threads 1 --shards 1 --out " + path("a.h5") +
                  " --decisions " + path("a.csv"));
  ASSERT_EQ(a.exit_code, 0) << a.out;
  auto b = mirror("run " + scenario + " --quiet --threads 2 --shards 7 --out " + path("b.h5") +
                  " --decisions " + path("b.csv"));
  ASSERT_EQ(b.exit_code, 0) << b.out;
  const auto arms = list_group(path("a.h5"), "/arms");
  ASSERT_EQ(arms.size(), 12u);
  std::size_t decisions = 0;
  for (const auto& arm : arms)
    for (const std::string part : {"customers", "daily", "decisions"}) {
      const std::string group = "/arms/" + arm + "/" + part;
      for (const auto& column : list_group(path("a.h5"), group)) {
        const auto x = read_column(path("a.h5"), group + "/" + column);
        EXPECT_EQ(x, read_column(path("b.h5"), group + "/" + column)) << group << "/" << column;
        if (part == "decisions" && column == "day") decisions += x.size();
      }
    }
  EXPECT_GT(decisions, 1000u);
  std::ifstream ca(path("a.csv")), cb(path("b.csv"));
  std::stringstream sa, sb;
  sa << ca.rdbuf();
  sb << cb.rdbuf();
  EXPECT_EQ(sa.str(), sb.str());
}

// The shipped lifecycle scenario: each trigger sends its own message (the message names the
// rule), anniversaries only from day 365, and the triggers add profit to the same segment
// rules, with a paired 95% interval above 0 (docs/policies.md).
TEST_F(CliTest, LifecycleRulesTriggersFireAndAddToTheSegmentRules) {
  auto r = mirror("run scenarios/lifecycle_rules.yaml --quiet --out " + path("l.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // world.categories: cart_reminder, win_back, anniversary, offer, newsletter
  std::map<std::string, std::map<int, int>> sent;  // arm -> message -> delivered
  for (const std::string arm : {"segment_rules", "lifecycle"}) {
    const std::string g = "/arms/" + arm + "/decisions/";
    const auto day = read_column(path("l.h5"), g + "day");
    const auto message = read_column(path("l.h5"), g + "message");
    const auto status = read_column(path("l.h5"), g + "status");
    for (std::size_t i = 0; i < status.size(); ++i) {
      if (status[i] != 0) continue;
      ++sent[arm][static_cast<int>(message[i])];
      if (message[i] == 2) {
        EXPECT_GE(day[i], 365) << "an anniversary before a year has passed";
      }
    }
  }
  for (int m : {0, 1, 2}) {
    EXPECT_EQ(sent["segment_rules"][m], 0) << m;
    EXPECT_GT(sent["lifecycle"][m], 1000) << m;
  }
  const auto a = read_column(path("l.h5"), "/arms/lifecycle/customers/profit");
  const auto b = read_column(path("l.h5"), "/arms/segment_rules/customers/profit");
  ASSERT_EQ(a.size(), b.size());
  double sum = 0, sum2 = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sum += a[i] - b[i];
    sum2 += (a[i] - b[i]) * (a[i] - b[i]);
  }
  const double n = static_cast<double>(a.size());
  const double mean = sum / n;
  const double se = std::sqrt((sum2 / n - mean * mean) * n / (n - 1) / n);
  EXPECT_GT(mean - 1.96 * se, 0.0) << "uplift " << mean << " +- " << 1.96 * se;
}
