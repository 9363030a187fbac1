// customers.csv as `mirror fidelity` reads it: quoted fields, and errors with file and line.
#include <gtest/gtest.h>

#include <fstream>

#include "mirror/fidelity/fidelity.hpp"
#include "scratch_dir.hpp"

namespace {

using mirror::fidelity::read_customers;
using mirror::fidelity::WorldActions;

class CustomersFile : public mirror::test_support::ScratchDirTest {
 protected:
  std::string write(const std::string& text) {
    const auto path = (dir_ / "customers.csv").string();
    std::ofstream(path) << text;
    return path;
  }
  static WorldActions world() {
    WorldActions w;
    w.channels = {"email", "sms"};
    w.segments = {"new", "vip, gold"};
    return w;
  }
};

TEST_F(CustomersFile, QuotedFieldsKeepTheirCommasAndQuotes) {
  const auto path = write(
      "customer_id,segment,email_optin,sms_optin,note\n"
      "c1,new,1,0,plain\n"
      "\"c2\",\"vip, gold\",0,1,\"said \"\"hi\"\", then left\"\n"
      "c3,\"new\",1,1,\n");
  const auto customers = read_customers(path, world());
  ASSERT_EQ(customers.size(), 3u);
  EXPECT_EQ(customers.at("c1").segment, 0);
  EXPECT_EQ(customers.at("c1").consent, 0b01u);
  EXPECT_EQ(customers.at("c2").segment, 1);  // the comma inside quotes is part of the name
  EXPECT_EQ(customers.at("c2").consent, 0b10u);
  EXPECT_EQ(customers.at("c3").segment, 0);
  EXPECT_EQ(customers.at("c3").consent, 0b11u);
}

std::string error_of(const std::string& path, const WorldActions& w) {
  try {
    read_customers(path, w);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST_F(CustomersFile, ErrorsNameTheFileAndLine) {
  auto path = write("customer_id,segment,email_optin,sms_optin\nc1,new,1,0\n\nc2,new,1\n");
  EXPECT_EQ(error_of(path, world()), path + ":4: expected 4 fields, found 3");
  path = write("customer_id,segment,email_optin,sms_optin\nc1,\"vip,gold\",1,0\n");
  EXPECT_EQ(error_of(path, world()), path + ":2: segment: unknown segment 'vip,gold'");
  path = write("customer_id,segment,email_optin\nc1,new,1\n");
  EXPECT_EQ(error_of(path, world()), path + ":1: no column 'sms_optin'");
}

}  // namespace
