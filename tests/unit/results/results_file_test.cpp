#include "mirror/results/results_file.hpp"
#include "scratch_dir.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace mirror;
using namespace mirror::results;

namespace {

using ResultsFile = mirror::test_support::ScratchDirTest;

RunResults sample() {
  RunResults r;
  r.meta.scenario_name = "t";
  r.meta.scenario_text = "name: t\n";
  r.meta.scenario_sha256 = "abc";
  r.meta.seed = 18446744073709551615ull;
  r.meta.design = "paired";
  r.meta.control_arm = "zeta";
  r.meta.horizon_days = 2;
  r.world = core::default_world();
  for (const std::string name : {"zeta", "alpha", "mid"}) {
    ArmResult a;
    a.name = name;
    for (int d = 0; d < 2; ++d) {
      DailyTotals t;
      t.day = d;
      t.revenue = core::to_micros(1.5 + d);
      t.contacts_by_channel = {d, 2 * d, 3 * d};
      t.active = 3 - d;
      a.daily.push_back(t);
    }
    for (std::uint64_t id = 0; id < 3; ++id) {
      CustomerResult c;
      c.customer_id = id;
      c.segment = static_cast<std::int32_t>(id);
      c.revenue = core::to_micros(10.25 * id);
      c.margin = core::to_micros(4.0 * id);
      c.cost = core::to_micros(0.5);
      c.active_at_end = id == 2 ? 0 : 1;
      a.customers.push_back(c);
    }
    r.arms.push_back(a);
  }
  r.summary = summarize(r.arms, 0, core::ExperimentSpec::Design::paired);
  return r;
}

}  // namespace

TEST_F(ResultsFile, RoundTrip) {
  const auto r = sample();
  write_results_file(r, path("out/run.h5"));  // creates the directory
  const auto file = path("out/run.h5");
  EXPECT_EQ(list_group(file, "/"), (std::vector<std::string>{"arms", "meta", "summary"}));
  EXPECT_EQ(list_group(file, "/arms"), (std::vector<std::string>{"alpha", "mid", "zeta"}));
  EXPECT_EQ(read_string_attribute(file, "/meta", "scenario_text"), "name: t\n");
  EXPECT_EQ(read_string_attribute(file, "/meta", "control_arm"), "zeta");
  EXPECT_EQ(read_column(file, "/arms/mid/daily/revenue"), (std::vector<double>{1.5, 2.5}));
  EXPECT_EQ(read_column(file, "/arms/mid/daily/contacts_sms"), (std::vector<double>{0, 2}));
  EXPECT_EQ(read_column(file, "/arms/alpha/customers/revenue"), (std::vector<double>{0, 10.25, 20.5}));
  EXPECT_EQ(read_column(file, "/arms/alpha/customers/profit"), (std::vector<double>{-0.5, 3.5, 7.5}));
  EXPECT_EQ(read_column(file, "/arms/alpha/customers/active_at_end"), (std::vector<double>{1, 1, 0}));
  EXPECT_EQ(read_strings(file, "/meta/world/segments/name"),
            (std::vector<std::string>{"loyal", "regular", "occasional", "lapsed"}));
  const auto arms = read_strings(file, "/summary/arm");
  ASSERT_EQ(arms.size(), 3u * core::kMetricCount);
  EXPECT_EQ(arms.front(), "zeta");  // the scenario's order, not alphabetical
  EXPECT_EQ(read_strings(file, "/summary/metric")[0], "revenue");
  EXPECT_DOUBLE_EQ(read_column(file, "/summary/mean")[0], r.summary[0].mean);
  EXPECT_FALSE(fs::exists(file + ".tmp." + std::to_string(::getpid())));
}

TEST_F(ResultsFile, OverwritesAnExistingFile) {
  auto r = sample();
  write_results_file(r, path("run.h5"));
  r.meta.control_arm = "alpha";
  write_results_file(r, path("run.h5"));
  EXPECT_EQ(read_string_attribute(path("run.h5"), "/meta", "control_arm"), "alpha");
}

TEST_F(ResultsFile, FailedWriteLeavesNothingBehind) {
  std::ofstream(path("plain_file")) << "x";
  EXPECT_THROW(write_results_file(sample(), path("plain_file/run.h5")), ResultsFileError);
  // An arm name HDF5 cannot store as a group fails mid-write: no file, no temporary.
  auto bad = sample();
  bad.arms[1].name = "a/b/../";
  EXPECT_THROW(write_results_file(bad, path("bad.h5")), ResultsFileError);
  EXPECT_FALSE(fs::exists(path("bad.h5")));
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename(), "plain_file") << "left behind: " << e.path();
}

TEST_F(ResultsFile, EmptyArmAndLargeArm) {
  auto r = sample();
  r.arms[1].customers.clear();
  r.arms[2].customers.resize(200000);
  for (std::size_t i = 0; i < r.arms[2].customers.size(); ++i) r.arms[2].customers[i].customer_id = i;
  write_results_file(r, path("big.h5"));
  EXPECT_TRUE(read_column(path("big.h5"), "/arms/alpha/customers/revenue").empty());
  const auto ids = read_column(path("big.h5"), "/arms/mid/customers/customer_id");
  ASSERT_EQ(ids.size(), 200000u);
  EXPECT_EQ(ids.back(), 199999.0);
}

TEST_F(ResultsFile, ReadErrorsNameTheFileAndTheDataset) {
  try {
    read_column(path("none.h5"), "/x");
    FAIL();
  } catch (const ResultsFileError& e) {
    EXPECT_NE(std::string(e.what()).find("none.h5: no such file"), std::string::npos);
  }
  write_results_file(sample(), path("run.h5"));
  try {
    read_column(path("run.h5"), "/arms/nope/daily/revenue");
    FAIL();
  } catch (const ResultsFileError& e) {
    EXPECT_NE(std::string(e.what()).find("/arms/nope/daily/revenue"), std::string::npos) << e.what();
  }
}

// An online learner's regret against the best fixed arm is stored with its arm.
TEST_F(ResultsFile, LearnersGetARegretCurve) {
  auto r = sample();
  r.arms[0].policy = "none";
  r.arms[1].policy = "batch_and_blast";
  r.arms[2].policy = "thompson";
  // 3 customers an arm: day profits (margin - cost) per customer.
  r.arms[0].daily[0].margin = core::to_micros(3.0);   // none: 1, 1
  r.arms[0].daily[1].margin = core::to_micros(3.0);
  r.arms[1].daily[0].margin = core::to_micros(6.0);   // blast: 2, 3 (best fixed)
  r.arms[1].daily[1].margin = core::to_micros(9.0);
  r.arms[2].daily[0].margin = core::to_micros(3.0);   // learner: 1, 2.5
  r.arms[2].daily[1].margin = core::to_micros(7.5);
  const auto curve = regret_curve(r.arms, 2);
  EXPECT_EQ(curve.best_fixed_arm, "alpha");
  ASSERT_EQ(curve.cumulative_regret.size(), 2u);
  EXPECT_DOUBLE_EQ(curve.cumulative_regret[0], 1.0);
  EXPECT_DOUBLE_EQ(curve.cumulative_regret[1], 1.5);
  write_results_file(r, path("regret.h5"));
  EXPECT_EQ(read_column(path("regret.h5"), "/arms/mid/regret/cumulative_regret"),
            (std::vector<double>{1.0, 1.5}));
  EXPECT_EQ(read_string_attribute(path("regret.h5"), "/arms/mid/regret", "best_fixed_arm"), "alpha");
  EXPECT_EQ(list_group(path("regret.h5"), "/arms/alpha"),
            (std::vector<std::string>{"customers", "daily", "decisions"}));
  for (const char* kind : {"epsilon_greedy", "thompson", "linucb"}) EXPECT_TRUE(is_online_learner(kind));
  EXPECT_FALSE(is_online_learner("fatigue_aware"));
}
