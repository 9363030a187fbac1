#include "mirror/ingest/ingest.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "mirror/results/customer_store.hpp"
#include "scratch_dir.hpp"

namespace mirror::ingest {
namespace {

namespace fs = std::filesystem;
const std::string kData = std::string(MIRROR_SOURCE_DIR) + "/../shared/data/";

std::string shared(const std::string& relative) {
  const auto p = kData + relative;
  if (!fs::exists(p)) ADD_FAILURE() << "shared data file missing: " << p;
  return p;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class IngestTest : public test_support::ScratchDirTest {
 protected:
  IngestOptions options(const std::string& format, std::vector<std::string> inputs) {
    IngestOptions o;
    o.format = format;
    o.inputs = std::move(inputs);
    o.out = path("store.h5");
    return o;
  }
};

TEST_F(IngestTest, EveryKindOfBadEventRowIsQuarantinedWithItsLineAndReason) {
  const auto input = write("events.csv",
                           "customer_id,timestamp,event_type,amount,channel,item,campaign\n"
                           "c1,2024-01-01T10:00:00Z,purchase,12.50,,sku1,\n"        // ok
                           ",2024-01-01,purchase,1,,,\n"                            // 3: no customer
                           "c2,2024-02-30,visit,,,,\n"                              // 4: bad date
                           "c2,2024-01-02,purchse,1,,,\n"                           // 5: bad type
                           "c2,2024-01-02,purchase,abc,,,\n"                        // 6: bad number
                           "c2,2024-01-02,purchase,-3,,,\n"                         // 7: negative
                           "c2,2024-01-02,purchase,3\n"                             // 8: short row
                           "c2,2024-01-03,email_open,,email,,spring\n"              // ok
                           "\"c3\",\"2024-01-04\",\"purchase\",\"1,5\",,,\n");     // 10: bad number
  auto o = options("events", {input});
  o.max_bad_fraction = 1.0;
  const auto report = run_ingest(o);
  EXPECT_EQ(report.rows_read, 9);
  EXPECT_EQ(report.rows_accepted, 2);
  EXPECT_EQ(report.rows_quarantined, 7);
  EXPECT_EQ(report.rows_read, report.rows_accepted + report.rows_quarantined);
  EXPECT_EQ(report.quarantined_by_reason.at("unparseable number"), 2);
  EXPECT_EQ(report.quarantined_by_reason.at("wrong number of fields"), 1);
  const auto q = lines_of(path("store.quarantine.csv"));
  ASSERT_EQ(q.size(), 8u);
  EXPECT_EQ(q[0], "input,line,reason,raw");
  EXPECT_NE(q[1].find("\",3,\"missing customer id\",\",2024-01-01,purchase,1,,,\""), std::string::npos) << q[1];
  EXPECT_NE(q[2].find(",4,\"unparseable date or timestamp\""), std::string::npos) << q[2];
  EXPECT_NE(q[3].find(",5,\"unknown event_type\""), std::string::npos) << q[3];
  EXPECT_NE(q[5].find(",7,\"negative amount\""), std::string::npos) << q[5];
  EXPECT_NE(q[7].find(",10,\"unparseable number\""), std::string::npos) << q[7];

  const results::StoreReader store(o.out);
  EXPECT_EQ(store.event_count(), 2);
  EXPECT_EQ(store.meta().rows_quarantined, 7);
  EXPECT_EQ(store.dictionary("customer"), (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(store.dictionary("campaign"), (std::vector<std::string>{"spring"}));
  std::vector<core::Micros> amounts;
  store.for_each_event_batch(1, [&](const core::EventBatch& b) { amounts.push_back(b.amount[0]); });
  EXPECT_EQ(amounts, (std::vector<core::Micros>{12'500'000, 0}));
}

TEST_F(IngestTest, TooManyBadRowsWritesNoStoreButKeepsTheQuarantine) {
  const auto input = write("events.csv",
                           "customer_id,timestamp,event_type\n"
                           "c1,2024-01-01,visit\n"
                           "c1,not a date,visit\n");
  auto o = options("events", {input});
  o.max_bad_fraction = 0.4;
  const auto report = run_ingest(o);
  EXPECT_TRUE(report.too_many_bad);
  EXPECT_DOUBLE_EQ(report.bad_fraction(), 0.5);
  EXPECT_FALSE(fs::exists(o.out));
  EXPECT_TRUE(fs::exists(path("store.quarantine.csv")));
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << entry.path();
}

TEST_F(IngestTest, WrongHeaderOrFormatStopsWithALocatedError) {
  const auto input = write("events.csv", "customer,timestamp,event_type\nc1,2024-01-01,visit\n");
  try {
    run_ingest(options("events", {input}));
    FAIL() << "expected an IngestError";
  } catch (const IngestError& e) {
    EXPECT_NE(std::string(e.what()).find("events.csv:1: missing column 'customer_id'"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(path("store.h5")));
  EXPECT_THROW(run_ingest(options("evnts", {input})), IngestError);
  EXPECT_THROW(run_ingest(options("events", {path("missing.csv")})), IngestError);
}

TEST_F(IngestTest, DecisionsKeepPropensityCostAndReward) {
  const auto input = write("decisions.csv",
                           "customer_id,timestamp,arm,policy,channel,message,offer,propensity,cost,reward\n"
                           "c1,2024-01-01,a,uniform,email,m1,ten_off,0.25,0.001,1\n"
                           "c2,2024-01-01,a,uniform,,,,1,0,\n"
                           "c3,2024-01-01,a,uniform,sms,m1,,1.5,0.02,0\n");  // bad propensity
  auto o = options("decisions", {input});
  o.max_bad_fraction = 0.5;
  const auto report = run_ingest(o);
  EXPECT_EQ(report.quarantined_by_reason.at("propensity outside (0, 1]"), 1);
  const results::StoreReader store(o.out);
  const auto d = store.read_decisions();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_DOUBLE_EQ(d.propensity[0], 0.25);
  EXPECT_EQ(d.cost[0], 1000);
  EXPECT_DOUBLE_EQ(d.reward[0], 1.0);
  EXPECT_TRUE(std::isnan(d.reward[1]));
  EXPECT_EQ(d.channel[1], -1);  // no action
}

TEST_F(IngestTest, DecisionInputsJoinTheEventsInOneStoreWithOneCustomerDictionary) {
  const auto events = write("events.csv",
                            "customer_id,timestamp,event_type,amount\n"
                            "c1,2024-01-01T10:00:00Z,purchase,12.5\n"
                            "c2,2024-01-02T10:00:00Z,visit,\n");
  const auto decisions = write("decisions.csv",
                               "customer_id,timestamp,arm,policy,channel,message,offer,propensity,cost\n"
                               "c2,2024-01-03T08:00:00Z,a,uniform,email,m1,,0.5,0.002\n"
                               "c3,2024-01-03T08:00:00Z,a,uniform,,,,0.5,0\n"
                               "c1,2024-01-03T08:00:00Z,a,uniform,sms,m1,,2,0.03\n");  // bad propensity
  auto o = options("events", {events});
  o.decision_inputs = {decisions};
  o.max_bad_fraction = 0.5;
  const auto report = run_ingest(o);
  ASSERT_EQ(report.inputs.size(), 2u);
  EXPECT_EQ(report.inputs[1].path, decisions);
  EXPECT_EQ(report.inputs[1].rows_read, 3);
  EXPECT_EQ(report.rows_read, 5);
  EXPECT_EQ(report.rows_accepted + report.rows_quarantined, report.rows_read);
  EXPECT_EQ(report.quarantined_by_reason.at("propensity outside (0, 1]"), 1);
  EXPECT_EQ(lines_of(report.quarantine_path).size(), 2u);  // header + the bad row
  EXPECT_EQ(report.events, 2);
  EXPECT_EQ(report.decisions, 2);
  EXPECT_EQ(report.customers, 3);
  const results::StoreReader store(o.out);
  EXPECT_EQ(store.meta().inputs.size(), 2u);
  EXPECT_EQ(store.dictionary("customer"), (std::vector<std::string>{"c1", "c2", "c3"}));
  const auto d = store.read_decisions();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d.customer[0], 1);  // c2: the events' index
  EXPECT_EQ(d.customer[1], 2);

  o.decision_inputs = {path("missing.csv")};
  EXPECT_THROW(run_ingest(o), IngestError);
}

TEST_F(IngestTest, CdnowSampleAndMasterReconcile) {
  auto o = options("cdnow", {shared("cdnow/CDNOW_sample.txt")});
  const auto sample = run_ingest(o);
  EXPECT_EQ(sample.rows_read, 6919);
  EXPECT_EQ(sample.rows_quarantined, 0);
  EXPECT_EQ(sample.customers, 2357);
  const results::StoreReader store(o.out);
  EXPECT_EQ(store.meta().inputs.at(0).rows_read, 6919);
  EXPECT_EQ(store.meta().inputs.at(0).sha256.size(), 64u);

  auto m = options("cdnow", {shared("cdnow/CDNOW_master.txt")});
  m.out = path("master.h5");
  const auto master = run_ingest(m);
  EXPECT_EQ(master.rows_read, 69659);
  EXPECT_EQ(master.customers, 23570);
  double dollars = 0;
  std::int64_t cds = 0;
  results::StoreReader(m.out).for_each_event_batch(1 << 14, [&](const core::EventBatch& b) {
    for (std::size_t i = 0; i < b.size(); ++i) {
      dollars += core::from_micros(b.amount[i]);
      cds += b.quantity[i];
    }
  });
  EXPECT_EQ(cds, 167881);                // published totals (shared/data/README.md)
  EXPECT_NEAR(dollars, 2500315.63, 0.005);
}

TEST_F(IngestTest, OnlineRetailQuarantinesRowsWithoutCustomers) {
  auto o = options("online-retail", {shared("uci_online_retail/onlineretail.csv.xz")});
  o.max_bad_fraction = 0.3;
  const auto r = run_ingest(o);
  EXPECT_EQ(r.rows_read, 541909);
  EXPECT_EQ(r.rows_read, r.rows_accepted + r.rows_quarantined);
  EXPECT_EQ(r.quarantined_by_reason.at("missing customer id"), 135080);
  EXPECT_GT(r.quarantined_by_reason.at("cancellation without a matching invoice"), 0);
  EXPECT_EQ(r.customers, 4372);
  // With the default limit of 1% the same input fails and writes no store.
  o.max_bad_fraction = 0.01;
  o.out = path("strict.h5");
  EXPECT_TRUE(run_ingest(o).too_many_bad);
  EXPECT_FALSE(fs::exists(o.out));
}

TEST_F(IngestTest, GroceryCompleteJourneyAndOpenBanditIngest) {
  auto grocery = options("grocery", {shared("grocery_btydplus/groceryElog.csv")});
  const auto g = run_ingest(grocery);
  EXPECT_EQ(g.rows_read, 10483);
  EXPECT_EQ(g.customers, 1525);

  const std::string cj = "dunnhumby_completejourney/";
  auto journey = options("complete-journey",
                         {shared(cj + "transactions_sample.csv.gz"), shared(cj + "campaigns.csv"),
                          shared(cj + "coupon_redemptions.csv"),
                          shared(cj + "campaign_descriptions.csv")});
  journey.out = path("cj.h5");
  const auto j = run_ingest(journey);
  EXPECT_EQ(j.rows_quarantined, 0);
  EXPECT_EQ(j.events, 75000 + j.inputs.at(3).rows_accepted);  // purchases + redemptions
  EXPECT_EQ(j.decisions, j.inputs.at(2).rows_accepted);      // one per campaign mailing
  EXPECT_EQ(j.inputs.at(0).path, shared(cj + "campaign_descriptions.csv"));  // read first

  auto bandit = options("obd", {shared("open_bandit_obd/random/men/men.csv")});
  bandit.out = path("obd.h5");
  const auto b = run_ingest(bandit);
  EXPECT_EQ(b.decisions, 10000);
  const results::StoreReader store(bandit.out);
  const auto d = store.read_decisions();
  EXPECT_EQ(store.meta().context_names.size(), d.context.size() / d.size());
  EXPECT_EQ(store.dictionary("policy"), (std::vector<std::string>{"random"}));
  for (std::size_t i = 0; i < d.size(); ++i) {
    ASSERT_GT(d.propensity[i], 0.0);
    ASSERT_TRUE(d.reward[i] == 0.0 || d.reward[i] == 1.0);
    ASSERT_GE(d.position[i], 1);
  }
}

}  // namespace
}  // namespace mirror::ingest
