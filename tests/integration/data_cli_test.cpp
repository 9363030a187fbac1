// The data commands as a user runs them: ingest (exit codes, quarantine), profile,
// validate, and a scenario over the ingested customers.
#include <gtest/gtest.h>

#include <filesystem>

#include "mirror/results/results_file.hpp"
#include "mirror_cli.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kData = std::string(MIRROR_SOURCE_DIR) + "/../shared/data/";

class DataCliTest : public mirror::test_support::MirrorCliTest {};

TEST_F(DataCliTest, IngestExitCodesAndQuarantine) {
  const auto bad = write("events.csv",
                         "customer_id,timestamp,event_type,amount\n"
                         "c1,2024-01-01,purchase,10\n"
                         "c1,2024-01-32,purchase,10\n"
                         "c2,2024-01-02,purchase,-1\n"
                         "c3,2024-01-03,purchase\n");
  // 3 of 4 rows bad: above the default 1%, exit 2 and no store.
  auto r = mirror("ingest --format events --input " + bad + " --out " + path("s.h5"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("4 rows read = 1 accepted + 3 quarantined"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no store was written"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(path("s.h5")));
  EXPECT_TRUE(fs::exists(path("s.quarantine.csv")));

  r = mirror("ingest --format events --input " + bad + " --out " + path("s.h5") +
             " --max-bad-fraction 0.9 --quarantine " + path("bad.csv"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(fs::exists(path("s.h5")));
  EXPECT_NE(r.out.find("negative amount"), std::string::npos) << r.out;
  std::ifstream q(path("bad.csv"));
  int lines = 0;
  for (std::string line; std::getline(q, line);) ++lines;
  EXPECT_EQ(lines, 4);  // header + 3 rejected rows

  r = mirror("ingest --format evnts --input " + bad + " --out " + path("t.h5"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("unknown format 'evnts'"), std::string::npos) << r.out;
  r = mirror("ingest --format events --out " + path("t.h5"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("missing --input"), std::string::npos) << r.out;
  r = mirror("ingest --format events --input " + bad + " --out " + path("t.h5") +
             " --calibration-end 2024-13-01");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(fs::exists(path("t.h5")));
}

// 20,000 customers over three centuries: the dense training arrays would take hundreds of
// GiB. `train` says so before it reads anything, and names the sample that would fit.
TEST_F(DataCliTest, TrainingThatCannotFitInMemoryIsRefusedUpFront) {
  std::string csv = "customer_id,timestamp,event_type,amount\n";
  for (int i = 0; i < 20000; ++i) {
    const auto id = "c" + std::to_string(i);
    csv += id + ",1900-01-01,purchase,10\n" + id + ",2200-01-01,purchase,10\n";
  }
  auto r = mirror("ingest --format events --input " + write("wide.csv", csv) + " --out " + path("wide.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = mirror("train --store " + path("wide.h5") + " --out " + path("wide.lcm"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("train failed: 20,000 customers x 109,574 days needs about "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("GiB are available: take a random sample with --customers "), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(path("wide.lcm")));
}

TEST_F(DataCliTest, CdnowFromIngestToTheMirrorWorld) {
  ASSERT_TRUE(fs::exists(kData + "cdnow/CDNOW_sample.txt")) << "shared data missing";
  const auto store = path("cdnow.h5");
  auto r = mirror("ingest --format cdnow --input " + kData + "cdnow/CDNOW_sample.txt --out " +
                  store + " --calibration-end 1997-09-30");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = mirror("profile " + store + " --out " + path("p.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("r=0.2426 alpha=4.4136 a=0.7929 b=2.4259  LL=-9582.43"), std::string::npos)
      << r.out;
  r = mirror("validate --model btyd " + store);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("actual 1882"), std::string::npos) << r.out;
  const auto tracking = mirror::results::read_column(store, "/validation/bg_nbd/tracking/actual_cumulative");
  ASSERT_EQ(tracking.size(), 78u);
  EXPECT_EQ(tracking.back(), 4339);

  const auto scenario = write("holdout.yaml",
                              "name: holdout\nseed: 3\n"
                              "population: { source: store, path: cdnow.h5 }\n"
                              "model: { kind: btyd }\nhorizon_days: 273\n"
                              "experiment:\n  control: base\n  arms:\n"
                              "    - { name: base, policy: { kind: none } }\n");
  r = mirror("run " + scenario + " --quiet --out " + path("one.h5") + " --threads 1 --shards 1");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = mirror("run " + scenario + " --quiet --out " + path("two.h5") + " --threads 2 --shards 7");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto one = mirror::results::read_column(path("one.h5"), "/arms/base/customers/conversions");
  const auto two = mirror::results::read_column(path("two.h5"), "/arms/base/customers/conversions");
  ASSERT_EQ(one.size(), 2357u);
  EXPECT_EQ(one, two);
  double purchases = 0;
  for (double c : one) purchases += c;
  EXPECT_NEAR(purchases, 1653, 0.08 * 1653);  // the model's forecast; the actual was 1,882

  // Segments filter the population: only the repeat buyers become twins.
  write("rules.yaml", "segments:\n  - { name: repeaters, rule: \"frequency >= 1\" }\n");
  r = mirror("segment " + store + " --rules " + path("rules.yaml"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  write("repeaters.yaml",
        "name: repeaters\npopulation: { source: store, path: cdnow.h5, segment: repeaters }\n"
        "model: { kind: btyd }\nhorizon_days: 10\n"
        "experiment:\n  control: base\n  arms:\n    - { name: base, policy: { kind: none } }\n");
  r = mirror("check " + path("repeaters.yaml"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("946 customers"), std::string::npos) << r.out;  // 2,357 - 1,411 with x = 0
  write("typo.yaml",
        "name: typo\npopulation: { source: store, path: cdnow.h5, segment: repeater }\n"
        "model: { kind: btyd }\n"
        "experiment:\n  control: base\n  arms:\n    - { name: base, policy: { kind: none } }\n");
  r = mirror("run " + path("typo.yaml") + " --out " + path("typo.h5"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("no segment 'repeater' (it has: repeaters)"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(path("typo.h5")));

  // The LCM from the same store: train a small one, validate it, run it as twins.
  r = mirror("train --store " + store + " --out " + path("m.lcm") + " --hidden 8 --epochs 2 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = mirror("validate --model " + path("m.lcm") + " " + store + " --rollouts 2");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("per-customer MAE"), std::string::npos) << r.out;
  write("lcm.yaml",
        "name: lcm\nseed: 4\npopulation: { source: store, path: cdnow.h5 }\n"
        "model: { kind: lcm, path: m.lcm }\nhorizon_days: 30\nchannels: { email: { cost: 0.01 } }\n"
        "experiment:\n  control: base\n  arms:\n    - { name: base, policy: { kind: none } }\n"
        "    - { name: mail, policy: { kind: batch_and_blast, channel: email, every_days: 7 } }\n");
  r = mirror("run " + path("lcm.yaml") + " --quiet --out " + path("lcm1.h5") + " --threads 1 --shards 1");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = mirror("run " + path("lcm.yaml") + " --quiet --out " + path("lcm2.h5") + " --threads 2 --shards 7");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const char* arm : {"base", "mail"}) {
    const std::string dataset = std::string("/arms/") + arm + "/customers/revenue";
    EXPECT_EQ(mirror::results::read_column(path("lcm1.h5"), dataset),
              mirror::results::read_column(path("lcm2.h5"), dataset)) << arm;
  }
  // A config file: its settings, flags given on the command line over them, located errors.
  write("train.yaml",
        "store: cdnow.h5\nhidden: 4\nepochs: 1\nlearning_rate: 0.02\ndecay_after: 1\naction_into_state: true\n"
        "tenure: false\nattributes: false\noffer_memory: true\n");
  r = mirror("train --config " + path("train.yaml") + " --out " + path("c.lcm") + " --epochs 2 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("settings: hidden 4, epochs 2, patience 5, learning_rate 0.02, decay_after 1,"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("seed 1, threads 1, action_into_state true, tenure false, attributes false, "
                       "offer_memory true, propensity_weights false, step day\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("epochs_run=2"), std::string::npos) << r.out;
  write("bad_train.yaml", "store: cdnow.h5\nhidden: 4\nepoch: 1\naction_into_state: 1\n");
  r = mirror("train --config " + path("bad_train.yaml") + " --out " + path("b.lcm"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("bad_train.yaml:3:1: epoch: unknown key 'epoch' (did you mean 'epochs'?)"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bad_train.yaml:4:20: action_into_state: expected true or false, found '1'"),
            std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(path("b.lcm")));
  r = mirror("train --config " + path("train.yaml"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("missing --out"), std::string::npos) << r.out;
  r = mirror("train --store " + store + " --out " + path("x.lcm") + " --validation-days 300");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("too short"), std::string::npos) << r.out;
  // A random sample of the customers (the training seed draws it), from a flag or the file.
  r = mirror("train --store " + store + " --out " + path("s.lcm") + " --customers 500 --hidden 4 --epochs 1 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("a random sample of 500 of the store's 2,357 customers (seed 1)\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("cdnow.h5: 500 customers, "), std::string::npos) << r.out;
  // Validated on a sample too: the LCM and BG/NBD scored on the same customers.
  r = mirror("validate --model " + path("s.lcm") + " " + store + " --customers 300 --rollouts 2");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("a random sample of 300 of the store's 2,357 customers (seed 1)\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("customers                              300.0000     300.0000"), std::string::npos) << r.out;
  r = mirror("validate " + store + " --customers 300");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--customers needs --model MODEL.lcm"), std::string::npos) << r.out;
  write("sample.yaml", "store: cdnow.h5\nhidden: 4\nepochs: 1\ncustomers: 0\n");
  r = mirror("train --config " + path("sample.yaml") + " --out " + path("s2.lcm"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("sample.yaml:4:"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(path("s2.lcm")));
  r = mirror("train --store " + store + " --out " + path("s2.lcm") + " --customers 0");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--customers must be at least 1"), std::string::npos) << r.out;

  // Weekly steps: trained from the config file, validated beside BG/NBD over the same whole
  // weeks, refused as twins where the scenario names the model; a located error for a bad step.
  write("weekly.yaml", "store: cdnow.h5\nhidden: 4\nepochs: 1\nstep: week\n");
  r = mirror("train --config " + path("weekly.yaml") + " --out " + path("w.lcm") + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("2357 customers, 39 calibration weeks to 1997-09-30 (2 for validation)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("attributes true, offer_memory auto, propensity_weights false, step week\n"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("offer memory: off, the log holds no offer of a known size\n"), std::string::npos) << r.out;
  r = mirror("train --config " + path("weekly.yaml") + " --out " + path("w2.lcm") + " --offer-memory maybe");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--offer-memory 'maybe': expected on, off or auto"), std::string::npos) << r.out;
  // Propensity weights need daily steps, and decisions (CDNOW has none); nothing is written.
  r = mirror("train --config " + path("weekly.yaml") + " --out " + path("w2.lcm") + " --propensity-weights");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("train failed: propensity weights need daily steps"), std::string::npos) << r.out;
  r = mirror("train --store " + store + " --out " + path("w2.lcm") + " --propensity-weights");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("train failed: propensity weights need decisions, and the store holds none"),
            std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(path("w2.lcm")));
  r = mirror("validate --model " + path("w.lcm") + " " + store + " --rollouts 2");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("weekly steps: the holdout is 39 whole weeks; the 30-day scores are over 28 days, churn "
                       "over 91 (both models)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("repeat purchases: actual              1882.0000    1882.0000"), std::string::npos) << r.out;
  write("weekly_twins.yaml", "name: w\nseed: 4\npopulation: { source: store, path: cdnow.h5 }\n"
                             "model: { kind: lcm, path: w.lcm }\nhorizon_days: 30\n"
                             "experiment:\n  control: base\n  arms:\n    - { name: base, policy: { kind: none } }\n");
  r = mirror("run " + path("weekly_twins.yaml") + " --quiet --out " + path("w.h5"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("weekly_twins.yaml:4:27: model.path: the model '"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("steps a week at a time, and twins step a day"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(path("w.h5")));
  write("bad_step.yaml", "store: cdnow.h5\nstep: fortnight\n");
  r = mirror("train --config " + path("bad_step.yaml") + " --out " + path("b.lcm"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("bad_step.yaml:2:7: step: expected day or week, found 'fortnight'"), std::string::npos) << r.out;
  r = mirror("train --store " + store + " --out " + path("b.lcm") + " --step month");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--step 'month': expected day or week"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(path("b.lcm")));

  // A store without a holdout cannot be validated: a clear message, exit 2.
  r = mirror("validate --model btyd " + store + " --calibration-end 1998-06-30");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("has no holdout"), std::string::npos) << r.out;
}

}  // namespace
