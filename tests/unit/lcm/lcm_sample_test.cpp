// `mirror train --customers N`: a seeded sample of the store's customers, read as the same
// rows of the whole store.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <stdexcept>

#include "mirror/ingest/ingest.hpp"
#include "mirror/twins/lcm.hpp"
#include "scratch_dir.hpp"

namespace mirror::twins {
namespace {

TEST(LcmSample, IsSeededAscendingAndNested) {
  const auto a = lcm_sample_customers(1000, 100, 7);
  ASSERT_EQ(a.size(), 100u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(std::set<std::size_t>(a.begin(), a.end()).size(), 100u);
  EXPECT_LT(a.back(), 1000u);
  EXPECT_EQ(lcm_sample_customers(1000, 100, 7), a);
  EXPECT_NE(lcm_sample_customers(1000, 100, 8), a);
  // Not the first hundred, nor bunched: about a tenth of each tenth of the store.
  EXPECT_GT(a.back(), 900u);
  for (std::size_t lo = 0; lo < 1000; lo += 250) {
    const auto in = std::count_if(a.begin(), a.end(), [&](std::size_t c) { return c >= lo && c < lo + 250; });
    EXPECT_GT(in, 10) << lo;
    EXPECT_LT(in, 40) << lo;
  }
  // A smaller sample of the same seed lies within a larger one.
  const auto half = lcm_sample_customers(1000, 50, 7);
  EXPECT_TRUE(std::includes(a.begin(), a.end(), half.begin(), half.end()));
  // Asking for the store or more gives all of it.
  const auto all = lcm_sample_customers(30, 30, 7);
  ASSERT_EQ(all.size(), 30u);
  EXPECT_EQ(all.front(), 0u);
  EXPECT_EQ(all.back(), 29u);
  EXPECT_EQ(lcm_sample_customers(30, 500, 7), all);
}

class LcmSampleRead : public test_support::ScratchDirTest {};

// Events with items, decisions with channels and offers, attributes: every part of a
// customer's sequences comes out of a sampled read as it does out of the whole store's.
TEST_F(LcmSampleRead, ASampledCustomerReadsAsInTheWholeStore) {
  std::ofstream events(path("events.csv")), decisions(path("decisions.csv")), customers(path("customers.csv"));
  events << "customer_id,timestamp,event_type,amount,channel,item,campaign\n";
  decisions << "customer_id,timestamp,arm,policy,channel,message,offer,propensity,cost\n";
  customers << "customer_id,tier,age\n";
  for (int c = 0; c < 30; ++c) {
    customers << "c" << c << "," << (c % 3 == 0 ? "gold" : "bronze") << "," << 20 + c << "\n";
    for (int d = c % 4; d < 28; d += 3 + c % 5) {
      const char* item = d % 2 == 0 ? "electronics-0001" : "apparel-0002";
      events << "c" << c << ",2024-02-" << (d < 9 ? "0" : "") << d + 1 << "T10:00:00Z,"
             << (d % 3 == 0 ? "view,," : "purchase,12.50,") << "," << item << ",\n";
    }
    for (int d = 6; d < 28; d += 7)
      decisions << "c" << c << ",2024-02-" << (d < 9 ? "0" : "") << d + 1 << "T08:00:00Z,log,uniform,"
                << (c % 2 == 0 ? "email,electronics_deals,ten_off" : "sms,newsletter,none") << ",0.5,0.01\n";
  }
  events.close();
  decisions.close();
  customers.close();
  ingest::IngestOptions o;
  o.format = "events";
  o.inputs = {path("events.csv")};
  o.decision_inputs = {path("decisions.csv")};
  o.attributes = path("customers.csv");
  o.out = path("s.h5");
  ASSERT_EQ(ingest::run_ingest(o).rows_quarantined, 0);
  const results::StoreReader reader(o.out);
  const auto whole = read_lcm_sequences(reader);
  ASSERT_EQ(whole.size(), 30u);

  const auto sample = lcm_sample_customers(whole.size(), 11, 5);
  LcmReadOptions options;
  options.customers = &sample;
  const auto part = read_lcm_sequences(reader, options);
  ASSERT_EQ(part.size(), 11u);
  EXPECT_EQ(part.categories, whole.categories);
  EXPECT_EQ(part.days, whole.days);
  EXPECT_NE(part.data_sha256, whole.data_sha256);
  const int days = whole.days;
  bool any_action = false;
  for (std::size_t k = 0; k < sample.size(); ++k) {
    const std::size_t c = sample[k];
    EXPECT_EQ(part.ids[k], whole.ids[c]);
    EXPECT_EQ(part.birth[k], whole.birth[c]);
    EXPECT_TRUE(std::equal(part.events_at(k, 0), part.events_at(k, 0) + days * kLcmEventCount, whole.events_at(c, 0)))
        << k;
    EXPECT_TRUE(std::equal(part.actions_at(k, 0), part.actions_at(k, 0) + days * kLcmActionCount,
                           whole.actions_at(c, 0)))
        << k;
    for (int d = 0; d < days; ++d) {
      EXPECT_EQ(part.promoted[k * days + d], whole.promoted[c * days + d]) << k << " " << d;
      any_action = any_action || part.actions_at(k, d)[kLcmAny] > 0;
      for (int category = 0; category < static_cast<int>(whole.categories.size()); ++category)
        EXPECT_EQ(part.affinity(k, d, category), whole.affinity(c, d, category)) << k << " " << d;
    }
    for (std::size_t col = 0; col < whole.attributes.columns.size(); ++col) {
      const auto& w = whole.attributes.columns[col];
      const auto& p = part.attributes.columns.at(col);
      if (w.strings.empty()) EXPECT_EQ(p.numbers.at(k), w.numbers[c]) << w.name;
      else EXPECT_EQ(p.strings.at(k), w.strings[c]) << w.name;
    }
  }
  EXPECT_TRUE(any_action);
  EXPECT_EQ(whole.categories.size(), 2u);

  const std::vector<std::size_t> descending{5, 3};
  options.customers = &descending;
  EXPECT_THROW(read_lcm_sequences(reader, options), std::invalid_argument);
  const std::vector<std::size_t> outside{3, 30};
  options.customers = &outside;
  EXPECT_THROW(read_lcm_sequences(reader, options), std::invalid_argument);
}

}  // namespace
}  // namespace mirror::twins
