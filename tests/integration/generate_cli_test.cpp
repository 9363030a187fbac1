// `mirror generate` as a user runs it, and its logs through `mirror ingest`.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "mirror/results/customer_store.hpp"
#include "mirror/results/results_file.hpp"
#include "mirror/results/table_file.hpp"

#include "mirror_cli.hpp"

namespace fs = std::filesystem;

namespace {

class GenerateCliTest : public mirror::test_support::MirrorCliTest {
 protected:
  std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

TEST_F(GenerateCliTest, GeneratesLogsThatIngestCleanly) {
  auto r = mirror("generate --world retail --customers 2000 --days 60 --seed 9 --threads 2 --out " +
                  path("w1"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("retail: 2,000 customers x 60 days"), std::string::npos) << r.out;
  for (const char* f : {"events.csv", "decisions.csv", "customers.csv", "truth.h5", "world.yaml"})
    EXPECT_TRUE(fs::exists(path(std::string("w1/") + f))) << f;
  for (const char* format : {"events", "decisions"}) {
    r = mirror(std::string("ingest --format ") + format + " --input " + path("w1/") + format +
               ".csv --out " + path(std::string(format) + ".h5"));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find(" + 0 quarantined (0.00%)"), std::string::npos) << r.out;
  }
  // The written world file regenerates the same bytes, with any thread count.
  r = mirror("generate --world " + path("w1/world.yaml") +
             " --customers 2000 --days 60 --seed 9 --threads 1 --out " + path("w2"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const char* f : {"events.csv", "decisions.csv", "customers.csv", "world.yaml"})
    EXPECT_TRUE(slurp(path(std::string("w1/") + f)) == slurp(path(std::string("w2/") + f))) << f;
}

// The LCM trained on a generated world's logs, its uplift per segment against the truth.
TEST_F(GenerateCliTest, LcmUpliftIsComparedWithTheTruthPerSegment) {
  auto r = mirror("generate --world retail --customers 400 --days 100 --seed 3 --quiet --out " + path("w"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = mirror("ingest --format events --input " + path("w/events.csv") + " --decisions " +
             path("w/decisions.csv") + " --attributes " + path("w/customers.csv") + " --out " + path("w.h5") +
             " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(" + 0 quarantined (0.00%)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("attributes: segment, region, age_band,"), std::string::npos) << r.out;
  r = mirror("train --store " + path("w.h5") + " --out " + path("w.lcm") +
             " --epochs 2 --validation-days 28 --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("customer attributes read: segment (4 levels), "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("customer attribute not read: check_phase (the same for every customer)"), std::string::npos)
      << r.out;
  // The log holds offers: the default (--offer-memory auto) trains both ways and says which it kept.
  EXPECT_NE(r.out.find("offer_memory auto"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("with it against"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("validation_loss_with_offer_memory="), std::string::npos) << r.out;
  r = mirror("validate --model " + path("w.lcm") + " --truth " + path("w/truth.h5") + " --rollouts 4 " +
             path("w.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("Pearson correlation of true and predicted segment-level uplift over 24"),
            std::string::npos) << r.out;
  const auto summary = mirror::results::read_store_table(path("w.h5"), "/validation/lcm_uplift/summary");
  EXPECT_TRUE(std::isfinite(summary.numbers("value").at(3))) << r.out;
  EXPECT_NE(r.out.find("Scale of the predicted uplifts"), std::string::npos) << r.out;
  const auto table = mirror::results::read_store_table(path("w.h5"), "/validation/lcm_uplift/by_segment");
  EXPECT_EQ(table.rows(), 24u);  // 4 segments x 6 actions
  // The stored scale is the slope of the stored predicted uplifts on the true ones.
  ASSERT_EQ(summary.columns.at(0).strings.at(5), "scale_purchases");
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < table.rows(); ++i) {
    const double t = table.numbers("true_purchases_uplift")[i];
    sxy += t * table.numbers("predicted_purchases_uplift")[i];
    sxx += t * t;
  }
  EXPECT_NEAR(summary.numbers("value").at(5), sxy / sxx, 1e-9 * std::abs(sxy / sxx)) << r.out;

  // The same-day effects on the log's own decision days, per segment and then pooled ('all'):
  // a response only adds, so no LCM uplift is negative, and the pooled rows hold every
  // contact of the segment rows (every customer here is in the truth).
  EXPECT_NE(r.out.find("Same-day effect of the log's own contacts"), std::string::npos) << r.out;
  const auto logged = mirror::results::read_store_table(path("w.h5"), "/validation/lcm_uplift/logged_contacts");
  std::map<std::string, double> contacts_by_action[2];  // segment rows, pooled rows
  for (std::size_t i = 0; i < logged.rows(); ++i) {
    const bool pooled = logged.columns.at(0).strings[i] == "all";
    if (logged.columns.at(1).strings[i] == "none") {  // the model's base on the 'none' days
      EXPECT_EQ(logged.numbers("lcm_uplift")[i], 0.0) << i;
      EXPECT_TRUE(std::isnan(logged.numbers("log_contrast")[i])) << i;
    }
    contacts_by_action[pooled][logged.columns.at(1).strings[i]] += logged.numbers("contacts")[i];
    EXPECT_GE(logged.numbers("lcm_uplift")[i], 0.0) << i;
    EXPECT_GT(logged.numbers("lcm_rate")[i], 0.0) << i;
    EXPECT_LT(logged.numbers("lcm_rate")[i], 1.0) << i;
    EXPECT_GE(logged.numbers("actual_rate")[i], 0.0) << i;
    EXPECT_LE(logged.numbers("actual_rate")[i], 1.0) << i;
    EXPECT_TRUE(std::isfinite(logged.numbers("lcm_revenue_uplift")[i])) << i;  // a discount may make it negative
  }
  EXPECT_NE(r.out.find("purchases: the log's contrasts"), std::string::npos) << r.out;
  EXPECT_EQ(contacts_by_action[1].size(), 7u);  // 'none' and the world's six actions, by name
  EXPECT_TRUE(contacts_by_action[1].count("sms_twenty_off"));
  EXPECT_EQ(contacts_by_action[0], contacts_by_action[1]);

  // The levels with no action beside the uplifts: the true one of a segment is truth.h5's
  // 'none' column averaged over its customers with an event in the store.
  const auto ids = mirror::results::read_strings(path("w.h5"), "/dictionaries/customer");
  std::set<std::string> in_store;
  for (double k : mirror::results::read_column(path("w.h5"), "/events/customer"))
    in_store.insert(ids.at(static_cast<std::size_t>(k)));
  std::size_t width = 0;
  const auto purchases = mirror::results::read_matrix(path("w/truth.h5"), "/outcomes/purchases", width);
  const auto truth_customers = mirror::results::read_store_table(path("w/truth.h5"), "/customers");
  const auto segment_names =
      mirror::results::read_store_table(path("w/truth.h5"), "/world/segments").columns.at(0).strings;
  std::map<std::string, std::pair<double, double>> none_by_segment;  // customers, sum of purchases
  for (std::size_t i = 0; i < truth_customers.rows(); ++i) {
    const auto id = "c" + std::to_string(static_cast<long long>(truth_customers.numbers("customer")[i]) + 1);
    if (in_store.count(id) == 0) continue;
    auto& level = none_by_segment[segment_names.at(static_cast<std::size_t>(truth_customers.numbers("segment")[i]))];
    level.first += 1;
    level.second += purchases[i * width];
  }
  const auto levels = mirror::results::read_store_table(path("w.h5"), "/validation/lcm_uplift/levels");
  ASSERT_EQ(levels.rows(), none_by_segment.size());
  for (std::size_t r = 0; r < levels.rows(); ++r) {
    const auto& [n, sum] = none_by_segment.at(levels.columns.at(0).strings[r]);
    EXPECT_EQ(levels.numbers("customers")[r], n);
    EXPECT_NEAR(levels.numbers("true_purchases")[r], sum / n, 1e-12);
    EXPECT_GT(levels.numbers("predicted_purchases")[r], 0.0);
    EXPECT_GT(levels.numbers("predicted_revenue")[r], levels.numbers("predicted_purchases")[r]);  // baskets over 1
  }

  // A world where nobody opted in to sms: an sms contact cannot be delivered, so the truth
  // and the prediction both count it as 'none' (uplift exactly 0), while email still acts.
  std::string world = slurp(path("w/world.yaml"));
  const auto sms = world.find("unsubscribe_rate: 0.015, optin_rate: 0.5 }");
  ASSERT_NE(sms, std::string::npos) << world;
  world.replace(sms, std::string("unsubscribe_rate: 0.015, optin_rate: 0.5 }").size(),
                "unsubscribe_rate: 0.015, optin_rate: 0 }");
  write("no_sms.yaml", world);
  r = mirror("generate --world " + path("no_sms.yaml") + " --customers 400 --days 100 --seed 3 --quiet --out " +
             path("n"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = mirror("ingest --format events --input " + path("n/events.csv") + " --decisions " + path("n/decisions.csv") +
             " --attributes " + path("n/customers.csv") + " --out " + path("n.h5") + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = mirror("validate --model " + path("w.lcm") + " --truth " + path("n/truth.h5") + " --rollouts 4 " + path("n.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // The model reads the attributes: a store without them is refused, by name.
  r = mirror("ingest --format events --input " + path("n/events.csv") + " --decisions " + path("n/decisions.csv") +
             " --out " + path("plain.h5") + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto refused = mirror("validate --model " + path("w.lcm") + " --truth " + path("n/truth.h5") + " " + path("plain.h5"));
  EXPECT_EQ(refused.exit_code, 2) << refused.out;
  EXPECT_NE(refused.out.find("the model reads the customer attribute 'segment', which the store does not have"),
            std::string::npos) << refused.out;
  const auto no_sms = mirror::results::read_store_table(path("n.h5"), "/validation/lcm_uplift/by_segment");
  std::vector<std::string> action;
  for (const auto& c : no_sms.columns)
    if (c.name == "action") action = c.strings;
  ASSERT_EQ(action.size(), no_sms.rows());
  std::size_t sms_rows = 0, email_moved = 0;
  for (std::size_t i = 0; i < no_sms.rows(); ++i) {
    const bool is_sms = action[i].rfind("sms_", 0) == 0;
    for (const char* column : {"true_purchases_uplift", "predicted_purchases_uplift", "predicted_revenue_uplift"}) {
      const double v = no_sms.numbers(column)[i];
      if (is_sms) {
        EXPECT_EQ(v, 0.0) << action[i] << " " << column;
      } else if (action[i].rfind("email_", 0) == 0 && column[0] == 'p') {
        email_moved += v != 0.0;
      }
    }
    sms_rows += is_sms;
  }
  EXPECT_EQ(sms_rows, 8u);        // 4 segments x 2 sms actions
  EXPECT_GT(email_moved, 0u);     // the model does move email customers

  // The model as twins: a push about apparel (by its name, as in training) against a generic
  // one; the same results for any threads and shards.
  write("w/lcm.yaml",
        "name: lcm\nseed: 4\npopulation: { source: store, path: ../w.h5 }\n"
        "model: { kind: lcm, path: ../w.lcm }\nhorizon_days: 21\nchannels: { push: { cost: 0.01 } }\n"
        "world: { categories: [ { name: apparel_new }, { name: newsletter } ] }\n"
        "experiment:\n  control: base\n  arms:\n    - { name: base, policy: { kind: none } }\n"
        "    - { name: apparel, policy: { kind: batch_and_blast, channel: push, message: apparel_new, every_days: 2 } }\n"
        "    - { name: generic, policy: { kind: batch_and_blast, channel: push, message: newsletter, every_days: 2 } }\n");
  r = mirror("check " + path("w/lcm.yaml"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("LCM messages: apparel_new -> apparel, newsletter -> generic\n"), std::string::npos) << r.out;
  r = mirror("run " + path("w/lcm.yaml") + " --quiet --out " + path("lcm1.h5") + " --threads 1 --shards 1");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = mirror("run " + path("w/lcm.yaml") + " --quiet --out " + path("lcm2.h5") + " --threads 2 --shards 5");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const char* arm : {"base", "apparel", "generic"})
    for (const std::string part : {"/customers", "/daily"}) {
      const std::string group = std::string("/arms/") + arm + part;
      const auto columns = mirror::results::list_group(path("lcm1.h5"), group);
      EXPECT_GE(columns.size(), 3u) << group;
      for (const auto& column : columns)
        EXPECT_EQ(mirror::results::read_column(path("lcm1.h5"), group + "/" + column),
                  mirror::results::read_column(path("lcm2.h5"), group + "/" + column)) << group << "/" << column;
    }
  // Twins start with their customers' consent at the end of the log (opt-in attributes and
  // unsubscribes in the store): the push reaches exactly the customers the world's truth has
  // consenting to push then (bit 2: retail's channels are email, sms, push).
  std::map<std::string, std::uint32_t> consent_at_end;
  for (std::size_t i = 0; i < truth_customers.rows(); ++i)
    consent_at_end["c" + std::to_string(static_cast<long long>(truth_customers.numbers("customer")[i]) + 1)] =
        static_cast<std::uint32_t>(truth_customers.numbers("consent_at_end")[i]);
  std::vector<std::string> twin_ids;  // the store's customers with an event, in its order
  for (const auto& id : ids)
    if (in_store.count(id)) twin_ids.push_back(id);
  const auto twin = mirror::results::read_column(path("lcm1.h5"), "/arms/apparel/customers/customer_id");
  const auto contacts = mirror::results::read_column(path("lcm1.h5"), "/arms/apparel/customers/contacts");
  ASSERT_EQ(twin.size(), twin_ids.size());
  std::array<int, 3> consenting{};
  for (std::size_t i = 0; i < twin.size(); ++i) {
    const auto& id = twin_ids.at(static_cast<std::size_t>(twin[i]));
    for (int channel = 0; channel < 3; ++channel) consenting[channel] += consent_at_end.at(id) >> channel & 1u;
    EXPECT_EQ(contacts[i] > 0, (consent_at_end.at(id) >> 2 & 1u) != 0) << id;
  }
  EXPECT_GT(consenting[2], 0);
  EXPECT_LT(consenting[2], static_cast<int>(twin.size()));
  const std::string events = slurp(path("w/events.csv"));
  std::size_t unsubscribes = 0;
  for (auto at = events.find(",unsubscribe,"); at != std::string::npos; at = events.find(",unsubscribe,", at + 1))
    ++unsubscribes;
  ASSERT_GT(unsubscribes, 1u);
  r = mirror("check " + path("w/lcm.yaml"));
  EXPECT_NE(r.out.find("store consent at the start (email_optin, sms_optin, push_optin; " + std::to_string(unsubscribes) +
                       " unsubscribes): email " + std::to_string(consenting[0]) + "; sms " +
                       std::to_string(consenting[1]) + "; push " + std::to_string(consenting[2]) + " (of " +
                       std::to_string(twin.size()) + " twins)\n"),
            std::string::npos) << r.out;
  // With common random numbers the two pushes would give the same days if the campaign's
  // category did not reach the model. (A model without the attributes: in this tiny one the
  // attributes take over the difference the affinity makes.)
  r = mirror("train --store " + path("w.h5") + " --out " + path("w0.lcm") +
             " --epochs 2 --validation-days 28 --threads 1 --no-attributes --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::string plain_model = slurp(path("w/lcm.yaml"));
  plain_model.replace(plain_model.find("../w.lcm"), 8, "../w0.lcm");
  write("w/lcm0.yaml", plain_model);
  r = mirror("run " + path("w/lcm0.yaml") + " --quiet --out " + path("lcm0.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(mirror::results::read_column(path("lcm0.h5"), "/arms/apparel/customers/revenue"),
            mirror::results::read_column(path("lcm0.h5"), "/arms/generic/customers/revenue"));
  write("w/typo.yaml",
        "name: typo\npopulation: { source: store, path: ../w.h5 }\nmodel: { kind: lcm, path: ../w.lcm }\n"
        "world: { categories: [ { name: gear, store_category: sport } ] }\n"
        "experiment:\n  control: base\n  arms:\n    - { name: base, policy: { kind: none } }\n");
  r = mirror("run " + path("w/typo.yaml") + " --quiet --out " + path("typo.h5"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("typo.yaml:4:54: world.categories[0].store_category: unknown store category 'sport' (did "
                       "you mean 'sports'?); the model knows: apparel, beauty, electronics, home, sports, or none"),
            std::string::npos) << r.out;

  // A truth that does not start the day after the store's data is refused.
  r = mirror("generate --world retail --customers 50 --days 90 --seed 3 --quiet --out " + path("other"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = mirror("validate --model " + path("w.lcm") + " --truth " + path("other/truth.h5") + " " + path("w.h5"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("do not start the day after"), std::string::npos) << r.out;
  // So is the truth of another world over the same days: its decisions per day are not the log's.
  r = mirror("generate --world retail --customers 400 --days 100 --seed 4 --quiet --out " + path("seed4"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto before = fs::last_write_time(path("w.h5"));
  r = mirror("validate --model " + path("w.lcm") + " --truth " + path("seed4/truth.h5") + " " + path("w.h5"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("seed4/truth.h5 is not the truth of " + path("w.h5") + "'s log: on 2024-01-0"),
            std::string::npos) << r.out;
  EXPECT_EQ(fs::last_write_time(path("w.h5")), before);  // nothing written to the store
}

// A store customer whose churn the log holds has left: its twin is inactive from day 0 and
// buys nothing, however the model would respond to a contact (it never saw one after a
// churn in training, and extrapolates).
TEST_F(GenerateCliTest, TwinsOfCustomersWhoLeftStayGone) {
  auto r = mirror("generate --world subscription_churn --customers 300 --days 70 --seed 3 --quiet --out " + path("s"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = mirror("ingest --format events --input " + path("s/events.csv") + " --decisions " + path("s/decisions.csv") +
             " --out " + path("s.h5") + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = mirror("train --store " + path("s.h5") + " --out " + path("s.lcm") + " --hidden 4 --epochs 1 --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::set<std::string> churned;  // by the world's own log
  std::ifstream events(path("s/events.csv"));
  for (std::string line; std::getline(events, line);)
    if (line.find(",churn,") != std::string::npos) churned.insert(line.substr(0, line.find(',')));
  ASSERT_GT(churned.size(), 50u);
  write("blast.yaml",
        "name: blast\nseed: 2\npopulation: { source: store, path: s.h5 }\nmodel: { kind: lcm, path: s.lcm }\n"
        "horizon_days: 1\nchannels: { email: { cost: 0.01 } }\n"
        "experiment:\n  control: base\n  arms:\n    - { name: base, policy: { kind: none } }\n"
        "    - { name: blast, policy: { kind: batch_and_blast, channel: email } }\n");
  r = mirror("run " + path("blast.yaml") + " --quiet --out " + path("blast.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const std::string arm : {"base", "blast"}) {
    const auto active = mirror::results::read_column(path("blast.h5"), "/arms/" + arm + "/customers/active_at_end");
    const auto revenue = mirror::results::read_column(path("blast.h5"), "/arms/" + arm + "/customers/revenue");
    ASSERT_EQ(active.size(), 300u);  // every customer has history
    std::size_t gone = 0, gone_idle = 0;
    for (std::size_t i = 0; i < active.size(); ++i)
      if (active[i] == 0) ++gone, gone_idle += revenue[i] == 0 ? 1 : 0;
    // Those who left before the run, and the odd one who renews and leaves on its one day.
    EXPECT_GE(gone_idle, churned.size()) << arm;
    EXPECT_LE(gone, churned.size() + 3) << arm;
  }
}

TEST_F(GenerateCliTest, BadInputWritesNothing) {
  const auto world = write("bad.yaml", "preset: retail\nbehaviour:\n  fatigue_strenght: 1\n");
  auto r = mirror("generate --world " + world + " --customers 10 --days 5 --out " + path("x"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("bad.yaml:3:3: behaviour.fatigue_strenght: unknown key 'fatigue_strenght' "
                       "(did you mean 'fatigue_strength'?)"),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists(path("x")));

  r = mirror("generate --world retial --customers 10 --days 5 --out " + path("x"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("did you mean 'retail'?"), std::string::npos) << r.out;

  fs::create_directories(path("full"));
  write("full/keep.txt", "x");
  r = mirror("generate --world retail --customers 10 --days 5 --out " + path("full"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("not an empty directory"), std::string::npos) << r.out;

  r = mirror("generate --world retail --customers 0 --out " + path("x"));
  EXPECT_EQ(r.exit_code, 2);
  r = mirror("generate --customers 10 --out " + path("x"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("missing --world"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(path("x")));
}

}  // namespace
