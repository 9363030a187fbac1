#include "mirror/ingest/customer_attributes.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "mirror/ingest/ingest.hpp"
#include "scratch_dir.hpp"

namespace mirror::ingest {
namespace {

class CustomerAttributesTest : public test_support::ScratchDirTest {
 protected:
  // The message of the IngestError reading `text` throws.
  std::string error_of(const std::string& text) {
    try {
      read_customer_attributes(write("bad.csv", text));
    } catch (const IngestError& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST_F(CustomerAttributesTest, ColumnsAreNumbersOrTextAndRowsFollowTheStoresCustomers) {
  const auto a = read_customer_attributes(write("c.csv",
                                                "segment,customer_id,age,note\n"
                                                "vip,c2,30,\n"
                                                "new,c1,,x\n"
                                                "vip,c9,41.5,\n"));
  EXPECT_EQ(a.names, (std::vector<std::string>{"segment", "age", "note"}));
  // Another id column by name (Complete Journey's demographics.csv has household_id).
  const auto h = read_customer_attributes(write("h.csv", "household_id,age\n7,65+\n"), "household_id");
  EXPECT_EQ(h.ids, (std::vector<std::string>{"7"}));
  EXPECT_EQ(h.names, (std::vector<std::string>{"age"}));
  // A code column kept as text; a name the header lacks is an error.
  const auto coded = read_customer_attributes(write("z.csv", "customer_id,zip,age\nc1,02139,30\n"), "customer_id", {"zip"});
  EXPECT_EQ(coded.numeric, (std::vector<bool>{false, true}));
  EXPECT_EQ(align_customer_attributes(coded, {"c1"}).table.columns[1].strings, (std::vector<std::string>{"02139"}));
  EXPECT_THROW(read_customer_attributes(path("z.csv"), "customer_id", {"zipcode"}), IngestError);
  EXPECT_EQ(a.numeric, (std::vector<bool>{false, true, false}));
  const auto aligned = align_customer_attributes(a, {"c1", "c2", "c3"});
  const auto& t = aligned.table;
  ASSERT_EQ(t.columns.size(), 4u);
  EXPECT_EQ(t.columns[0].strings, (std::vector<std::string>{"c1", "c2", "c3"}));
  EXPECT_EQ(t.columns[1].strings, (std::vector<std::string>{"new", "vip", ""}));
  const auto& age = t.numbers("age");
  EXPECT_TRUE(std::isnan(age[0]));
  EXPECT_EQ(age[1], 30);
  EXPECT_TRUE(std::isnan(age[2]));
  EXPECT_EQ(t.columns[3].strings, (std::vector<std::string>{"x", "", ""}));
  EXPECT_EQ(aligned.customers_without, 1);  // c3
  EXPECT_EQ(aligned.rows_unmatched, 1);     // c9
}

TEST_F(CustomerAttributesTest, BadFilesStopWithTheirLine) {
  EXPECT_EQ(error_of("id,segment\nc1,vip\n"),
            path("bad.csv") + ":1: no customer_id column (a header with customer_id is expected; --attributes-id names another)");
  EXPECT_EQ(error_of("customer_id,segment\nc1,vip\nc1,new\n"), path("bad.csv") + ":3: customer_id: 'c1' has a row already");
  EXPECT_EQ(error_of("customer_id,segment\nc1,vip,x\n"), path("bad.csv") + ":2: 3 fields where the header has 2");
  EXPECT_EQ(error_of("customer_id,segment\n,vip\n"), path("bad.csv") + ":2: customer_id: empty");
  EXPECT_EQ(error_of(""), path("bad.csv") + ": the file is empty");
  EXPECT_EQ(error_of("customer_id,age,age\nc1,1,2\n"), path("bad.csv") + ":1: age: the column appears twice");
  EXPECT_NE(error_of("customer_id,income/yr\nc1,1\n").find(":1: income/yr: not usable as an attribute name"), std::string::npos);
  EXPECT_NE(error_of("customer_id,customer\nc1,1\n").find(":1: customer: not usable"), std::string::npos);
}

// `mirror ingest --attributes`: the store holds them; a bad file leaves no store.
TEST_F(CustomerAttributesTest, IngestStoresThemOrWritesNothing) {
  IngestOptions o;
  o.format = "events";
  o.inputs = {write("events.csv",
                    "customer_id,timestamp,event_type,amount,channel,item,campaign\n"
                    "c1,2024-01-01T10:00:00Z,visit,,,,\n"
                    "c2,2024-01-02T10:00:00Z,purchase,20.00,,,\n")};
  o.attributes = write("customers.csv", "customer_id,segment\nc2,vip\nc1,new\nc3,lapsed\n");
  o.out = path("s.h5");
  const auto report = run_ingest(o);
  EXPECT_EQ(report.attribute_names, (std::vector<std::string>{"segment"}));
  EXPECT_EQ(report.customers_without_attributes, 0);
  EXPECT_EQ(report.attribute_rows_unmatched, 1);
  const results::StoreReader store(o.out);
  const auto customers = store.dictionary("customer");
  const auto t = store.attributes();
  ASSERT_EQ(t.columns.size(), 2u);
  EXPECT_EQ(t.columns[0].strings, customers);
  for (std::size_t i = 0; i < customers.size(); ++i)
    EXPECT_EQ(t.columns[1].strings[i], customers[i] == "c1" ? "new" : "vip");

  o.attributes = write("customers.csv", "customer_id,segment\nc2,vip\nc2,new\n");
  o.out = path("t.h5");
  EXPECT_THROW(run_ingest(o), IngestError);
  EXPECT_FALSE(std::filesystem::exists(o.out));
  // A store without attributes has none.
  o.attributes.clear();
  run_ingest(o);
  EXPECT_TRUE(results::StoreReader(o.out).attributes().columns.empty());
}

}  // namespace
}  // namespace mirror::ingest
