// Weekly steps (`mirror train --step week`): how a store's days become weeks, and a weekly
// model trained, saved and used for forecasts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "mirror/ingest/ingest.hpp"
#include "mirror/ingest/profile.hpp"
#include "mirror/twins/lcm.hpp"
#include "mirror/twins/lcm_validation.hpp"
#include "mirror/twins/lcm_world.hpp"
#include "cdnow_store.hpp"
#include "scratch_dir.hpp"

namespace mirror::twins {
namespace {

class LcmWeeksTest : public test_support::ScratchDirTest {};

std::int32_t day(const char* date) { return core::day_of(*ingest::parse_date(date)); }

// Calibration to Jan 17 (17 days): weeks end on it, so step 0 is Jan 1-3, step 1 Jan 4-10,
// step 2 Jan 11-17, and the holdout step 3 Jan 18-24; Jan 25-26 make no whole week.
TEST_F(LcmWeeksTest, StepsEndOnTheCalibrationEndAndSumTheirDays) {
  const auto events = write("events.csv",
                            "customer_id,timestamp,event_type,amount,channel,item,campaign\n"
                            "c1,2024-01-02T10:00:00Z,purchase,20.00,,,\n"
                            "c1,2024-01-05T10:00:00Z,purchase,10.00,,,\n"
                            "c1,2024-01-07T10:00:00Z,purchase,30.00,,,\n"
                            "c1,2024-01-12T10:00:00Z,visit,,,,\n"
                            "c1,2024-01-19T10:00:00Z,purchase,5.00,,,\n"
                            "c1,2024-01-25T10:00:00Z,purchase,5.00,,,\n"
                            "c2,2024-01-09T10:00:00Z,visit,,,,\n"
                            "c2,2024-01-26T10:00:00Z,purchase,8.00,,,\n"
                            "c3,2024-01-01T10:00:00Z,visit,,,,\n");
  const auto decisions = write("decisions.csv",
                               "customer_id,timestamp,arm,policy,channel,message,offer,propensity,cost\n"
                               "c1,2024-01-04T08:00:00Z,log,u,sms,sale,twenty_off,0.5,0.03\n"
                               "c1,2024-01-06T08:00:00Z,log,u,email,sale,ten_off,0.5,0.002\n"
                               "c2,2024-01-12T08:00:00Z,log,u,push,news,none,0.5,0.001\n");
  ingest::IngestOptions o;
  o.format = "events";
  o.inputs = {events};
  o.decision_inputs = {decisions};
  o.out = path("s.h5");
  o.calibration_end = ingest::parse_date("2024-01-17");
  ingest::run_ingest(o);
  const results::StoreReader store(path("s.h5"));
  LcmReadOptions weekly;
  weekly.step_days = kLcmWeekDays;
  const auto w = read_lcm_sequences(store, weekly);
  const auto d = read_lcm_sequences(store);
  ASSERT_EQ(w.ids, d.ids);
  const auto index = [&](const char* id) {
    return static_cast<std::size_t>(std::find(w.ids.begin(), w.ids.end(), id) - w.ids.begin());
  };
  const std::size_t c1 = index("c1"), c2 = index("c2");
  ASSERT_LT(c2, w.size());

  EXPECT_EQ(w.step_days, 7);
  EXPECT_EQ(w.calibration_days, 3);
  EXPECT_EQ(w.days, 4);
  EXPECT_EQ(w.first_day, day("2024-01-01"));
  EXPECT_EQ(w.calendar_day(0), day("2024-01-01"));
  EXPECT_EQ(w.calendar_day(1), day("2024-01-04"));
  EXPECT_EQ(w.calendar_day(3), day("2024-01-18"));
  EXPECT_EQ(w.calibration_end_day(), day("2024-01-17"));
  EXPECT_EQ(w.end_day(), day("2024-01-25"));
  EXPECT_EQ(d.calibration_end_day(), day("2024-01-17"));
  EXPECT_EQ(d.end_day(), day("2024-01-27"));  // daily steps keep every day
  EXPECT_EQ(w.birth[c1], 0);
  EXPECT_EQ(w.birth[c2], 1);

  // A week's events are any of its days'; its spend is the week's, its purchase days counted.
  const float* week1 = w.events_at(c1, 1);
  EXPECT_EQ(week1[kLcmPurchase], 1.0f);
  EXPECT_FLOAT_EQ(week1[kLcmLogSpend], static_cast<float>(std::log1p(40.0) / 4));
  EXPECT_EQ(w.purchase_days_at(c1, 1), 2.0f);
  EXPECT_EQ(w.purchase_days_at(c1, 0), 1.0f);
  EXPECT_EQ(w.events_at(c1, 2)[kLcmPurchase], 0.0f);
  EXPECT_EQ(w.events_at(c1, 2)[kLcmVisit], 1.0f);
  EXPECT_EQ(w.purchase_days_at(c1, 3), 1.0f);  // Jan 19; Jan 25 is past the last whole week
  EXPECT_EQ(w.events_at(c2, 3)[kLcmPurchase], 0.0f);
  EXPECT_EQ(d.purchase_days_at(c1, 4), 1.0f);  // Jan 5: daily steps read the events

  // Its contacts are counted, its other action inputs the largest of its days'.
  const float* contacts = w.actions_at(c1, 1);
  EXPECT_EQ(contacts[kLcmAny], 2.0f);
  EXPECT_EQ(contacts[kLcmSms], 1.0f);
  EXPECT_EQ(contacts[kLcmEmail], 1.0f);
  EXPECT_FLOAT_EQ(contacts[kLcmDiscount], 1.0f);  // 20% off, not 20% + 10%
  EXPECT_EQ(w.actions_at(c2, 2)[kLcmPush], 1.0f);
  EXPECT_EQ(w.actions_at(c1, 0)[kLcmAny], 0.0f);

  // History runs in days: the purchase of step 1 is 7 days before step 2 starts.
  EXPECT_EQ(w.day(1), 3);
  EXPECT_EQ(w.day(2), 10);
  LcmHistory history;
  history.observe(w, c1, 1);
  float x[kLcmInputs];
  lcm_inputs(w.events_at(c1, 1), w.actions_at(c1, 2), w.calendar_day(2), w.day(2), history, x);
  EXPECT_FLOAT_EQ(x[kLcmEventCount + kLcmActionCount + kLcmRecency], static_cast<float>(1 - std::exp(-7.0 / 60)));

  EXPECT_NE(w.data_sha256, d.data_sha256);
  EXPECT_EQ(lcm_window_steps(7, 30), 4);
  EXPECT_EQ(lcm_window_steps(7, 90), 13);
  EXPECT_EQ(lcm_window_steps(7, 14), 2);
  EXPECT_EQ(lcm_window_steps(1, 30), 30);
  weekly.step_days = 3;
  EXPECT_THROW(read_lcm_sequences(store, weekly), std::invalid_argument);
}

// On CDNOW (39 weeks of calibration, 39 of holdout): a weekly model trains, keeps its steps
// and its purchase days per week, forecasts purchase days, and is refused as twins.
TEST_F(LcmWeeksTest, AWeeklyModelOnCdnow) {
  const results::StoreReader reader(test_support::ingest_cdnow_sample(path("cdnow.h5")));
  LcmReadOptions weekly;
  weekly.step_days = kLcmWeekDays;
  const auto data = read_lcm_sequences(reader, weekly);
  EXPECT_EQ(data.calibration_days, 39);
  EXPECT_EQ(data.days, 78);
  EXPECT_EQ(data.step_offset, 0);
  LcmConfig c;
  c.hidden = 8;
  c.epochs = 2;
  c.batch_customers = 512;
  c.threads = 1;
  EXPECT_THROW(train_lcm(data, c), std::invalid_argument);  // daily config, weekly data
  c.step_days = kLcmWeekDays;
  const auto model = train_lcm(data, c);
  EXPECT_EQ(model.calibration_end_day, day("1997-09-30"));
  // Purchase days per purchase week over the training weeks (37 of 39: 2 for validation).
  double days = 0, weeks = 0;
  for (std::size_t i = 0; i < data.size(); ++i)
    for (std::int32_t s = 0; s < 37; ++s)
      if (data.events_at(i, s)[kLcmPurchase] > 0) days += data.purchase_days_at(i, s), weeks += 1;
  EXPECT_GT(days, weeks);
  EXPECT_DOUBLE_EQ(model.purchase_days_per_step, days / weeks);
  EXPECT_NE(model.metrics.find("training_days=259\nvalidation_days=14\n"), std::string::npos) << model.metrics;

  save_lcm(model, path("w.lcm"));
  const auto back = load_lcm(path("w.lcm"));
  EXPECT_EQ(back.config.step_days, 7);
  EXPECT_EQ(back.purchase_days_per_step, model.purchase_days_per_step);
  EXPECT_EQ(back.weights.w_head, model.weights.w_head);
  EXPECT_EQ(lcm_model_step_days(path("w.lcm")), 7);
  try {
    load_lcm_population(path("cdnow.h5"), path("w.lcm"));
    ADD_FAILURE() << "a weekly model built twins";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("steps a week at a time"), std::string::npos) << e.what();
  }

  // A rollout's purchase week counts as the customer's purchase days per purchase week: its
  // own calibration weeks' and two weeks' worth of everyone's.
  const int rollouts = 3;
  const auto f = lcm_forecast(back, data, rollouts, 5, 2);
  double total = 0, most = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    double own_days = 0, own_weeks = 0;
    for (std::int32_t s = 0; s < 39; ++s)
      if (data.events_at(i, s)[kLcmPurchase] > 0) own_days += data.purchase_days_at(i, s), own_weeks += 1;
    const double per_week = lcm_purchase_days_per_step(back, data, i);
    ASSERT_DOUBLE_EQ(per_week, (own_days + 2 * back.purchase_days_per_step) / (own_weeks + 2));
    const double purchase_weeks = f.purchases[i] * rollouts / per_week;
    ASSERT_NEAR(purchase_weeks, std::round(purchase_weeks), 1e-9);
    total += f.purchases[i];
    most = std::max(most, per_week);
  }
  EXPECT_GT(total, 0.0);
  EXPECT_GT(most, 1.5);  // someone buys on several days of a week
  // The holdout's purchase days are the daily steps' (39 whole weeks lose no day).
  const auto sum = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0); };
  EXPECT_EQ(sum(lcm_holdout_actual(data).purchases), sum(lcm_holdout_actual(read_lcm_sequences(reader)).purchases));
  // A horizon in whole weeks only.
  std::vector<LcmActionFeatures> none(1);
  EXPECT_THROW(lcm_action_outcomes(back, data, none, 10, 1, 1, 1), std::invalid_argument);
  EXPECT_EQ(lcm_action_outcomes(back, data, none, 14, 1, 1, 1).purchases.size(), data.size());
}

}  // namespace
}  // namespace mirror::twins
