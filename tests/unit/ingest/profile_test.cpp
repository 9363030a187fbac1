#include "mirror/ingest/profile.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "mirror/ingest/ingest.hpp"
#include "mirror/twins/btyd_scores.hpp"
#include "mirror/twins/btyd_validation.hpp"

#include <fstream>
#include "scratch_dir.hpp"

namespace mirror::ingest {
namespace {

const std::string kData = std::string(MIRROR_SOURCE_DIR) + "/../shared/data/";

const std::vector<double>& numbers(const results::Table& t, const std::string& name) {
  for (const auto& c : t.columns)
    if (c.name == name) return c.numbers;
  throw std::runtime_error("no column " + name);
}

double sum_finite(const std::vector<double>& v) {
  double s = 0;
  for (double x : v)
    if (std::isfinite(x)) s += x;
  return s;
}

class ProfileTest : public test_support::ScratchDirTest {
 protected:
  std::string ingest(const std::string& format, const std::string& input, const std::string& cal_end) {
    require_file(std::filesystem::exists(kData + input), kData + input);
    IngestOptions o;
    o.format = format;
    o.inputs = {kData + input};
    o.out = path("store.h5");
    o.calibration_end = parse_date(cal_end);
    run_ingest(o);
    return o.out;
  }
  static void require_file(bool ok, const std::string& what) {
    if (!ok) throw std::runtime_error("shared data file missing: " + what);
  }
};

// From raw CDNOW transactions to the published BG/NBD fit: checks the whole chain (ingest,
// same-day purchases merged, calibration split, weeks) against Fader, Hardie & Lee (2005).
TEST_F(ProfileTest, CdnowSampleGivesThePublishedCountsAndFit) {
  const results::StoreReader store(ingest("cdnow", "cdnow/CDNOW_sample.txt", "1997-09-30"));
  auto p = build_profiles(store, {});
  EXPECT_EQ(p.table.rows(), 2357u);
  EXPECT_EQ(sum_finite(numbers(p.table, "frequency")), 2457);         // calibration repeats
  EXPECT_EQ(sum_finite(numbers(p.table, "holdout_purchases")), 1882);  // weeks 40-78
  twins::BtydScoreOptions o;
  o.holdout_days = p.last_day - p.calibration_end_day;
  EXPECT_EQ(o.holdout_days, 273);
  const auto fit = twins::add_btyd_scores(p.table, o);
  EXPECT_NEAR(fit.bg_nbd.params.r, 0.243, 0.01 * 0.243);
  EXPECT_NEAR(fit.bg_nbd.params.alpha, 4.414, 0.01 * 4.414);
  EXPECT_NEAR(fit.bg_nbd.params.a, 0.793, 0.01 * 0.793);
  EXPECT_NEAR(fit.bg_nbd.params.b, 2.426, 0.01 * 2.426);
  EXPECT_NEAR(fit.bg_nbd.log_likelihood, -9582.43, 0.01);
  EXPECT_NEAR(fit.gamma_gamma.params.p, 6.25, 0.01 * 6.25);
  EXPECT_NEAR(fit.gamma_gamma.params.q, 3.74, 0.01 * 3.74);
  EXPECT_NEAR(fit.gamma_gamma.params.gamma, 15.44, 0.01 * 15.44);
  EXPECT_EQ(fit.holdout_actual, 1882);
  for (const double v : numbers(p.table, "p_alive")) ASSERT_TRUE(v >= 0 && v <= 1);
  for (const double v : numbers(p.table, "clv_365d")) ASSERT_TRUE(v > 0);
}

// The weekly cumulative repeat purchases rebuilt from raw transactions equal BTYD's
// published tracking vector, week by week; the model's curve follows it.
TEST_F(ProfileTest, CdnowValidationTracksThePublishedCurve) {
  const results::StoreReader store(ingest("cdnow", "cdnow/CDNOW_sample.txt", "1997-09-30"));
  auto p = build_profiles(store, {});
  const auto fit = twins::add_btyd_scores(p.table, {});
  const auto v = twins::validate_btyd(p.table, p.sequences.at(0),
                                      p.calibration_end_day - p.first_day + 1, fit);
  std::ifstream in(kData + "cdnow/BTYD_cdnowSummary_cu_tracking.csv");
  std::vector<double> published;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) published.push_back(std::stod(line.substr(line.find(',') + 1)));
  ASSERT_EQ(published.size(), 78u);
  EXPECT_EQ(v.tracking_actual, published);
  EXPECT_EQ(v.calibration_weeks, 39);
  EXPECT_EQ(v.holdout_actual, 1882);
  EXPECT_NEAR(v.holdout_expected, 1653, 5);  // about 12% low: see docs/validation.md
  EXPECT_NEAR(v.tracking_model.back(), 4339, 0.05 * 4339);
  EXPECT_NEAR(v.tracking_model[38], 2457, 0.03 * 2457);
  double customers = 0;
  for (double c : v.by_x_customers) customers += c;
  EXPECT_EQ(customers, 2357);
  EXPECT_EQ(v.by_x_customers[0], 1411);
}

TEST_F(ProfileTest, GroceryCalibrationAndHoldoutCountsMatchThePaper) {
  const results::StoreReader store(ingest("grocery", "grocery_btydplus/groceryElog.csv", "2006-12-31"));
  auto p = build_profiles(store, {});
  EXPECT_EQ(sum_finite(numbers(p.table, "frequency")), 5569);
  EXPECT_EQ(sum_finite(numbers(p.table, "holdout_purchases")), 3389);
  const auto fit = twins::add_btyd_scores(p.table, {});
  EXPECT_FALSE(fit.has_spend);  // the grocery log has no amounts
  for (const double v : numbers(p.table, "clv_365d")) EXPECT_TRUE(std::isnan(v));
}

TEST_F(ProfileTest, RfmQuintilesSequencesAndStoredTable) {
  const auto path = ingest("cdnow", "cdnow/CDNOW_sample.txt", "1997-09-30");
  auto p = build_profiles(results::StoreReader(path), {});
  const auto& r = numbers(p.table, "r_score");
  const auto& recency = numbers(p.table, "recency_days");
  int counts[6] = {};
  for (std::size_t i = 0; i < r.size(); ++i) {
    ASSERT_GE(r[i], 1);
    ++counts[static_cast<int>(r[i])];
    for (std::size_t j = 0; j < 50; ++j) {  // more recent never scores lower
      if (recency[j] < recency[i]) {
        ASSERT_GE(r[j], r[i]);
      }
    }
  }
  for (int s = 1; s <= 5; ++s) EXPECT_GT(counts[s], 0) << s;
  // The weekly sequence sums the daily one.
  const auto& daily = p.sequences[0];
  const auto& weekly = p.sequences[1];
  const std::size_t customers = p.table.rows();
  double d = 0, w = 0;
  for (auto v : daily.counts) d += v;
  for (auto v : weekly.counts) w += v;
  EXPECT_EQ(d, w);
  EXPECT_EQ(daily.counts.size(), customers * daily.steps);
  EXPECT_EQ(daily.steps, 546u);  // 1997-01-01 .. 1998-06-30

  results::write_store_table(path, "/profiles", p.table, p.sequences);
  const auto back = results::read_store_table(path, "/profiles");
  ASSERT_EQ(back.columns.size(), p.table.columns.size());
  EXPECT_EQ(back.columns[0].strings, p.table.columns[0].strings);
  EXPECT_EQ(numbers(back, "purchases"), numbers(p.table, "purchases"));
  // The store's events are still there after the update.
  EXPECT_EQ(results::StoreReader(path).event_count(), 6919);
}

}  // namespace
}  // namespace mirror::ingest
