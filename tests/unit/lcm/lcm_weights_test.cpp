// `mirror train --propensity-weights`: each day weighs the stabilised inverse propensity of
// the customer's latest decision.
#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <string>

#include "mirror/ingest/ingest.hpp"
#include "mirror/twins/lcm.hpp"
#include "scratch_dir.hpp"

namespace mirror::twins {
namespace {

class LcmWeights : public test_support::ScratchDirTest {
 protected:
  // Three customers seen on 2024-03-01 (day 0) and 2024-04-15 (day 45), and `decisions`
  // (CSV rows after the header).
  results::StoreReader store(const std::string& decisions) {
    std::ofstream events(path("events.csv")), log(path("decisions.csv"));
    events << "customer_id,timestamp,event_type,amount,channel,item,campaign\n";
    for (const char* c : {"c0", "c1", "c2"})
      for (const char* day : {"2024-03-01", "2024-04-15"}) events << c << "," << day << "T10:00:00Z,visit,,,,\n";
    log << "customer_id,timestamp,arm,policy,channel,message,offer,propensity,cost\n" << decisions;
    events.close();
    log.close();
    ingest::IngestOptions o;
    o.format = "events";
    o.inputs = {path("events.csv")};
    o.decision_inputs = {path("decisions.csv")};
    o.out = path("s.h5");
    if (ingest::run_ingest(o).rows_quarantined != 0) throw std::runtime_error("rows quarantined");
    return results::StoreReader(o.out);
  }
};

// Two decisions of four are an email with ten_off and two none, so each action's share is
// 0.5: c0's offer at propensity 0.25 weighs 2 until its next decision (none at 0.5: 1); c2's
// offer at 0.02 weighs 25, clipped to 10, for 28 days and then 1; c1's none weighs 1.
TEST_F(LcmWeights, TheLatestDecisionsInversePropensityForFourWeeks) {
  const auto reader = store(
      "c0,2024-03-02T08:00:00Z,log,softmax,email,winback,ten_off,0.25,0.01\n"
      "c0,2024-03-09T08:00:00Z,log,softmax,,,,0.5,0\n"
      "c1,2024-03-02T08:00:00Z,log,softmax,,,,0.5,0\n"
      "c2,2024-03-02T08:00:00Z,log,softmax,email,winback,ten_off,0.02,0.01\n");
  LcmReadOptions options;
  options.propensity_weights = true;
  const auto s = read_lcm_sequences(reader, options);
  ASSERT_EQ(s.size(), 3u);
  ASSERT_EQ(s.days, 46);
  ASSERT_EQ(s.weights.size(), 3u * 46);
  const auto w = [&](std::size_t c, int d) { return s.weights[c * s.days + d]; };
  EXPECT_EQ(w(0, 0), 1.0f);  // before any decision
  for (int d = 1; d < 8; ++d) EXPECT_FLOAT_EQ(w(0, d), 2.0f) << d;
  for (int d = 8; d < 36; ++d) EXPECT_FLOAT_EQ(w(0, d), 1.0f) << d;
  for (int d = 0; d < 46; ++d) EXPECT_FLOAT_EQ(w(1, d), 1.0f) << d;
  EXPECT_EQ(w(2, 0), 1.0f);
  for (int d = 1; d < 29; ++d) EXPECT_FLOAT_EQ(w(2, d), static_cast<float>(kLcmMaxPropensityWeight)) << d;
  for (int d = 29; d < 46; ++d) EXPECT_EQ(w(2, d), 1.0f) << d;
  // Without the option no weights, and the same data hash as before the option existed.
  const auto plain = read_lcm_sequences(reader);
  EXPECT_TRUE(plain.weights.empty());
  EXPECT_NE(plain.data_sha256, s.data_sha256);
  options.step_days = kLcmWeekDays;
  EXPECT_THROW(read_lcm_sequences(reader, options), std::invalid_argument);
}

TEST_F(LcmWeights, ADecisionWithoutAPropensityIsNamed) {
  const auto reader = store(
      "c0,2024-03-02T08:00:00Z,log,softmax,email,winback,ten_off,0.25,0.01\n"
      "c1,2024-03-05T08:00:00Z,log,rule,email,winback,ten_off,,0.01\n");
  LcmReadOptions options;
  options.propensity_weights = true;
  try {
    read_lcm_sequences(reader, options);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "propensity weights need every decision's propensity: customer c1's decision of 2024-03-05 has none");
  }
}

}  // namespace
}  // namespace mirror::twins
