#include "mirror/twins/store_consent.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "mirror/core/channel.hpp"
#include "mirror/ingest/ingest.hpp"
#include "mirror/twins/btyd_world.hpp"
#include "scratch_dir.hpp"

namespace mirror::twins {
namespace {

constexpr std::uint8_t kEmail = 1u << core::index_of(core::Channel::email);
constexpr std::uint8_t kSms = 1u << core::index_of(core::Channel::sms);
constexpr std::uint8_t kPush = 1u << core::index_of(core::Channel::push);
constexpr std::uint8_t kAll = kEmail | kSms | kPush;

class StoreConsentTest : public test_support::ScratchDirTest {
 protected:
  // A store of five customers' purchases and unsubscribes in January 2024, with `attributes`
  // (a CSV's text; empty: none).
  std::string store(const std::string& attributes) {
    ingest::IngestOptions o;
    o.format = "events";
    o.inputs = {write("events.csv",
                      "customer_id,timestamp,event_type,amount,channel\n"
                      "c1,2024-01-01T10:00:00Z,purchase,10.00,\n"
                      "c1,2024-01-03T10:00:00Z,unsubscribe,,email\n"
                      "c2,2024-01-01T10:00:00Z,purchase,10.00,\n"
                      "c2,2024-01-20T10:00:00Z,unsubscribe,,sms\n"  // after the last day below
                      "c3,2024-01-02T10:00:00Z,purchase,10.00,\n"
                      "c3,2024-01-04T10:00:00Z,unsubscribe,,\n"  // no channel: every channel
                      "c4,2024-01-02T10:00:00Z,purchase,10.00,\n"
                      "c4,2024-01-05T10:00:00Z,unsubscribe,,mail\n"  // not a twin's channel
                      "c5,2024-01-02T10:00:00Z,purchase,10.00,\n"
                      "c5,2024-01-25T10:00:00Z,purchase,10.00,\n")};
    if (!attributes.empty()) o.attributes = write("customers.csv", attributes);
    o.out = path("s.h5");
    ingest::run_ingest(o);
    return o.out;
  }
  static std::int32_t day(int january) { return 19723 + january - 1; }  // days since 1970
};

TEST_F(StoreConsentTest, UnsubscribesUpToTheLastDayTakeTheirChannel) {
  const results::StoreReader s(store(""));
  std::string sources;
  const auto consent = store_consent(s, day(10), {"c1", "c2", "c3", "c4", "c5"}, &sources);
  EXPECT_EQ(consent, (std::vector<std::uint8_t>{kSms | kPush, kAll, 0, kAll, kAll}));
  EXPECT_EQ(sources, "3 unsubscribes");  // c4's on `mail` is read, and changes nothing
  store_consent(s, day(2), {"c1"}, &sources);
  EXPECT_EQ(sources, "");  // nothing said: every channel stays on
  // On the unsubscribe's own day it counts; the day before it does not.
  EXPECT_EQ(store_consent(s, day(3), {"c1"}), std::vector<std::uint8_t>{kSms | kPush});
  EXPECT_EQ(store_consent(s, day(2), {"c1"}), std::vector<std::uint8_t>{kAll});
  EXPECT_EQ(store_consent(s, day(31), {"c2"}), std::vector<std::uint8_t>{kEmail | kPush});
  EXPECT_THROW(store_consent(s, day(31), {"c9"}), std::runtime_error);
}

TEST_F(StoreConsentTest, OptInAttributesOfZeroTakeTheirChannel) {
  const results::StoreReader s(store("customer_id,sms_optin,push_optin,tier\n"
                                     "c1,1,1,a\n"
                                     "c2,0,1,b\n"
                                     "c3,1,1,a\n"
                                     "c4,0,0,b\n"));  // c5 has no row: no value
  std::string sources;
  const auto consent = store_consent(s, day(10), {"c5", "c4", "c2", "c1"}, &sources);
  EXPECT_EQ(consent, (std::vector<std::uint8_t>{kAll, kEmail, kEmail | kPush, kSms | kPush}));
  EXPECT_EQ(sources, "sms_optin, push_optin; 3 unsubscribes");
}

TEST_F(StoreConsentTest, AnOptInThatIsNotZeroOrOneIsAnError) {
  const results::StoreReader s(store("customer_id,email_optin\nc1,1\nc2,2\n"));
  try {
    store_consent(s, day(10), {"c1"});
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "attribute email_optin, customer c2: expected 0 or 1, found 2");
  }
  const results::StoreReader text(store("customer_id,email_optin\nc1,yes\nc2,no\n"));
  EXPECT_THROW(store_consent(text, day(10), {"c1"}), std::runtime_error);
}

// BTYD twins start with their customers' consent at the calibration end, here the last
// event (25 January): c2's sms unsubscribe counts.
TEST_F(StoreConsentTest, StoreTwinsStartWithTheirCustomersConsent) {
  const auto pop = load_btyd_population(store("customer_id,push_optin\nc2,0\n"), "bg_nbd");
  ASSERT_EQ(pop->consent.size(), pop->size());
  const BtydWorld world(pop, 0.4, 1, 0, pop->size());
  for (std::size_t i = 0; i < pop->size(); ++i) {
    const auto& id = pop->ids[i];
    const std::uint8_t expected = id == "c1" ? kSms | kPush : id == "c2" ? kEmail : id == "c3" ? 0 : kAll;
    EXPECT_EQ(world.initial_consent(i), expected) << pop->ids[i];
  }
}

}  // namespace
}  // namespace mirror::twins
