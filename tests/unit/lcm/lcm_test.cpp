#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "mirror/ingest/ingest.hpp"
#include "mirror/twins/lcm.hpp"
#include "mirror/twins/lcm_validation.hpp"
#include "mirror/twins/lcm_world.hpp"
#include "blank_sequences.hpp"
#include "cdnow_store.hpp"
#include "random_lcm.hpp"
#include "scratch_dir.hpp"

namespace mirror::twins {
namespace {

LcmWeights random_weights(int hidden, std::uint32_t seed) { return test_support::random_lcm_weights(hidden, seed); }

float plain_dot(const std::vector<float>& m, int row, int cols, const float* v) {
  float acc = 0.0f;
  for (int k = 0; k < cols; ++k) acc += m[static_cast<std::size_t>(row) * cols + k] * v[k];
  return acc;
}

// The kernel's numbers, written out plainly: each gate and head a sum over its inputs in
// order, then the bias; the gates with the C library's exp.
void plain_step(const LcmWeights& w, const float* h, const float* x, float* h_out) {
  const int H = w.hidden;
  std::vector<float> gi(3 * H), gh(3 * H);
  for (int j = 0; j < 3 * H; ++j) {
    gi[j] = plain_dot(w.w_ih, j, kLcmInputs, x) + w.b_ih[j];
    gh[j] = plain_dot(w.w_hh, j, H, h) + w.b_hh[j];
  }
  const auto sigmoid = [](float v) { return 1.0f / (1.0f + std::exp(-v)); };
  for (int j = 0; j < H; ++j) {
    const float r = sigmoid(gi[j] + gh[j]), z = sigmoid(gi[H + j] + gh[H + j]);
    const float n = 2.0f / (1.0f + std::exp(-2.0f * (gi[2 * H + j] + r * gh[2 * H + j]))) - 1.0f;
    h_out[j] = (1.0f - z) * n + z * h[j];
  }
}

// The heads are exactly the plain sums (blocking and vectorising reorder no sum), and the
// state is within a few float steps of the plain formula (the kernel's own vectorised exp
// is about 2 ulp from the C library's).
TEST(LcmKernel, HeadsAreThePlainSumsAndTheStateThePlainFormula) {
  for (int hidden : {8, 32, 37}) {
    const auto w = random_weights(hidden, 11 + hidden);
    const std::size_t rows = 7;  // not a multiple of the kernel's row blocks
    std::mt19937 rng(5);
    std::normal_distribution<float> n(0.0f, 1.0f);
    std::vector<float> h(rows * hidden), x(rows * kLcmInputs);
    for (auto& v : h) v = std::tanh(n(rng));
    for (auto& v : x) v = 2.0f * n(rng);
    for (std::size_t r = 0; r < rows; ++r) x[r * kLcmInputs + kLcmEventCount + kLcmAny] = r % 2;  // contacts
    std::vector<float> ours(rows * hidden), ours_heads(rows * kLcmHeadCount);
    lcm_step(w, h.data(), x.data(), ours.data(), rows);
    lcm_heads(w, ours.data(), x.data(), ours_heads.data(), rows);
    std::vector<float> plain(hidden);
    for (std::size_t r = 0; r < rows; ++r) {
      plain_step(w, &h[r * hidden], &x[r * kLcmInputs], plain.data());
      for (int j = 0; j < hidden; ++j) ASSERT_NEAR(ours[r * hidden + j], plain[j], 2e-6) << hidden << " " << r;
      std::vector<float> joined(&ours[r * hidden], &ours[(r + 1) * hidden]);
      joined.insert(joined.end(), &x[r * kLcmInputs], &x[(r + 1) * kLcmInputs]);
      float plain_heads[kLcmHeadCount];
      for (int k = 0; k < kLcmHeadCount; ++k)
        plain_heads[k] = plain_dot(w.w_head, k, hidden + kLcmInputs, joined.data()) + w.b_head[k];
      if (r % 2) {
        plain_heads[kHeadPurchase] = lcm_with_response(plain_heads[kHeadPurchase], plain_heads[kHeadPurchaseResponse], 1);
        plain_heads[kHeadVisit] = lcm_with_response(plain_heads[kHeadVisit], plain_heads[kHeadVisitResponse], 1);
      }
      for (int k = 0; k < kLcmHeadCount; ++k)
        ASSERT_EQ(ours_heads[r * kLcmHeadCount + k], plain_heads[k]) << hidden << " " << r << " " << k;
    }
  }
}

// The fused kernel reproduces LibTorch's GRUCell and linear head to 1e-5, and a row's
// result does not depend on the batch it is in.
TEST(LcmKernel, ReproducesLibTorchAndIgnoresTheBatch) {
  for (int hidden : {8, 32, 37}) {
    const auto w = random_weights(hidden, 7 + hidden);
    const std::size_t rows = 100;
    std::mt19937 rng(3);
    std::normal_distribution<float> n(0.0f, 1.0f);
    std::vector<float> h(rows * hidden), x(rows * kLcmInputs);
    for (auto& v : h) v = std::tanh(n(rng));
    for (auto& v : x) v = n(rng);
    for (std::size_t r = 0; r < rows; ++r) x[r * kLcmInputs + kLcmEventCount + kLcmAny] = r % 3 == 0;
    std::vector<float> ours(rows * hidden), ours_heads(rows * kLcmHeadCount);
    std::vector<float> torch_h(rows * hidden), torch_heads(rows * kLcmHeadCount);
    lcm_step(w, h.data(), x.data(), ours.data(), rows);
    lcm_heads(w, ours.data(), x.data(), ours_heads.data(), rows);
    lcm_step_libtorch(w, h.data(), x.data(), torch_h.data(), torch_heads.data(), rows);
    for (std::size_t i = 0; i < ours.size(); ++i) ASSERT_NEAR(ours[i], torch_h[i], 1e-5) << hidden;
    for (std::size_t i = 0; i < ours_heads.size(); ++i) ASSERT_NEAR(ours_heads[i], torch_heads[i], 1e-5);
    std::vector<float> one(hidden);
    lcm_step(w, &h[42 * hidden], &x[42 * kLcmInputs], one.data(), 1);
    for (int j = 0; j < hidden; ++j) ASSERT_EQ(one[j], ours[42 * hidden + j]);  // bit for bit
  }
}

// A contact's response adds (1 - p) r to the probability p of the day's event: the same
// absolute gain for a rare and a frequent buyer with the same response, where a logit shift
// would give the frequent one several times more.
TEST(LcmKernel, AResponseAddsItsChanceToTheCustomersWhoWouldNotHaveBought) {
  const auto sigmoid = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
  for (float base : {-9.0f, -4.5f, -1.0f, 0.0f, 2.5f})
    for (float response : {-8.0f, -3.0f, 0.5f}) {
      const double p = sigmoid(base), r = sigmoid(response);
      EXPECT_NEAR(sigmoid(lcm_with_response(base, response, 1)), 1 - (1 - p) * (1 - r), 1e-6 * (p + r))
          << base << " " << response;
      EXPECT_NEAR(lcm_with_response(base, response, 0), base, 2e-6 * std::max(1.0f, std::abs(base)));
    }
  const double rare = sigmoid(lcm_with_response(-5, -4, 1)) - sigmoid(-5);
  const double frequent = sigmoid(lcm_with_response(-2, -4, 1)) - sigmoid(-2);
  EXPECT_NEAR(frequent / rare, (1 - sigmoid(-2)) / (1 - sigmoid(-5)), 1e-4);  // 0.887, not ~17x
}

// Monetary is the mean scaled log spend of the purchase days so far, and today's discount is
// repeated in the slot of the channel that brought it.
TEST(LcmInputs, MonetaryAndDiscountByChannel) {
  LcmHistory history;
  float x[kLcmInputs];
  lcm_inputs(nullptr, nullptr, 10000, 0, history, x);
  const float* c = x + kLcmEventCount + kLcmActionCount;
  EXPECT_EQ(c[kLcmMonetary], 0.0f);
  float day[kLcmEventCount] = {};
  day[kLcmPurchase] = 1;
  day[kLcmLogSpend] = 0.5f;
  history.observe(day, nullptr, 1);
  day[kLcmLogSpend] = 1.0f;
  history.observe(day, nullptr, 4);
  day[kLcmPurchase] = 0;
  day[kLcmLogSpend] = 0;
  day[kLcmVisit] = 1;
  history.observe(day, nullptr, 5);  // a visit without a purchase leaves it alone
  float action[kLcmActionCount] = {};
  action[kLcmAny] = action[kLcmSms] = 1;
  action[kLcmOffer] = 1;
  action[kLcmDiscount] = 0.5f;
  lcm_inputs(day, action, 10000, 6, history, x);
  EXPECT_FLOAT_EQ(c[kLcmMonetary], 0.75f);
  const float* by_channel = x + kLcmChannelDiscountInputs;
  EXPECT_EQ(by_channel[kLcmEmailDiscount], 0.0f);
  EXPECT_EQ(by_channel[kLcmSmsDiscount], 0.5f);
  EXPECT_EQ(by_channel[kLcmPushDiscount], 0.0f);
}

// The offer in force is the last offer received before today, decayed over a week and over
// four; a contact without an offer leaves it, and today's offer is in today's action only.
TEST(LcmInputs, TheOfferInForceIsTheLastOfferDecayed) {
  LcmHistory history;
  float x[kLcmInputs];
  const float* memory = x + kLcmOfferMemoryInputs;
  float offer[kLcmActionCount] = {};
  offer[kLcmAny] = offer[kLcmSms] = offer[kLcmOffer] = 1;
  offer[kLcmDiscount] = 2.5f;  // 50% off
  lcm_inputs(nullptr, offer, 10000, 3, history, x);
  EXPECT_EQ(memory[kLcmOfferWeek], 0.0f);
  EXPECT_EQ(memory[kLcmOfferMonth], 0.0f);
  float nothing[kLcmEventCount] = {};
  history.observe(nothing, offer, 3);
  float checkin[kLcmActionCount] = {};
  checkin[kLcmAny] = checkin[kLcmEmail] = 1;
  history.observe(nothing, checkin, 5);  // no offer: the coupon stays
  lcm_inputs(nothing, nullptr, 10007, 10, history, x);
  EXPECT_FLOAT_EQ(memory[kLcmOfferWeek], static_cast<float>(2.5 * std::exp(-1.0)));
  EXPECT_FLOAT_EQ(memory[kLcmOfferMonth], static_cast<float>(2.5 * std::exp(-0.25)));
  offer[kLcmDiscount] = 1.0f;  // a newer offer replaces it
  history.observe(nothing, offer, 10);
  lcm_inputs(nothing, nullptr, 10008, 11, history, x);
  EXPECT_FLOAT_EQ(memory[kLcmOfferWeek], static_cast<float>(std::exp(-1.0 / 7)));
}

// A world where a 50% coupon, sent on a weekly decision day to 30% of the customers, halves
// what its customer spends on the `lasting_days` days after it (0: on its own day only).
LcmSequences coupon_world(std::int32_t lasting_days) {
  const std::size_t n = 400;
  const std::int32_t days = 60;
  auto s = test_support::blank_sequences(n, days);
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (std::size_t c = 0; c < n; ++c) {
    s.ids.push_back("c" + std::to_string(c));
    s.birth.push_back(0);
    std::int32_t coupon = -100;
    for (std::int32_t d = 0; d < days; ++d) {
      float* a = &s.actions[(c * days + d) * kLcmActionCount];
      if (d % 7 == 3 && u(rng) < 0.3) {
        a[kLcmAny] = a[kLcmEmail] = a[kLcmOffer] = 1;
        a[kLcmDiscount] = 2.5f;
        coupon = d;
      }
      float* e = &s.events[(c * days + d) * kLcmEventCount];
      if (d == 0 || u(rng) < 0.25) {
        e[kLcmPurchase] = e[kLcmVisit] = 1;
        const bool halved = d >= coupon && d - coupon <= lasting_days;
        const double spend = (halved ? 20.0 : 40.0) * std::exp(0.2 * (u(rng) - 0.5));
        e[kLcmLogSpend] = static_cast<float>(std::log1p(spend) / 4.0);
      }
    }
  }
  return s;
}

LcmConfig coupon_config() {
  LcmConfig c;
  c.hidden = 4;
  c.epochs = 6;
  c.batch_customers = 100;
  c.learning_rate = 0.03;
  c.threads = 1;
  return c;
}

// With offer_memory the spend head learns that an offer in force lowers spend; without it
// the memory's weights stay zero.
TEST(LcmOfferMemory, TheSpendHeadLearnsACouponInForce) {
  const auto s = coupon_world(14);
  auto c = coupon_config();
  const auto memory_weight = [&](const LcmArtifact& a, int input) {
    return a.weights.w_head[kHeadLogSpend * (c.hidden + kLcmInputs) + c.hidden + kLcmOfferMemoryInputs + input];
  };
  const auto without = train_lcm(s, c);
  EXPECT_EQ(memory_weight(without, kLcmOfferWeek), 0.0f);
  EXPECT_EQ(memory_weight(without, kLcmOfferMonth), 0.0f);
  c.offer_memory = true;
  const auto with = train_lcm(s, c);
  // Half the spend is log(2) = 0.69 off log1p(spend); 2.5 x the memory's weights come near it.
  const double week = memory_weight(with, kLcmOfferWeek), month = memory_weight(with, kLcmOfferMonth);
  EXPECT_LT(2.5 * (week + month), -0.3) << week << " " << month;
}

// `--offer-memory auto` keeps the memory where the coupon lasts two weeks, not where it acts
// on its own day only, and trains once on a log without offers. The model it keeps is the
// one that setting alone gives, bit for bit.
TEST(LcmOfferMemory, AutoKeepsItOnlyWhereOffersLast) {
  auto c = coupon_config();
  int runs_with = 0;
  const auto count = [&](bool memory, const LcmProgress& p) { runs_with += memory && p.epoch == 1; };
  const auto lasting = train_lcm_choosing_offer_memory(coupon_world(14), c, count);
  EXPECT_TRUE(lasting.log_has_offers);
  EXPECT_TRUE(lasting.model.config.offer_memory);
  EXPECT_LT(lasting.loss_with, lasting.loss_without * (1 - kLcmOfferMemoryMinGain));
  EXPECT_NE(lasting.model.metrics.find("offer_memory_choice=on\n"), std::string::npos) << lasting.model.metrics;
  c.offer_memory = true;
  EXPECT_EQ(train_lcm(coupon_world(14), c).weights.w_head, lasting.model.weights.w_head);

  const auto same_day = train_lcm_choosing_offer_memory(coupon_world(0), c, count);
  EXPECT_FALSE(same_day.model.config.offer_memory) << same_day.loss_with << " " << same_day.loss_without;
  EXPECT_GT(same_day.loss_with, 0);
  c.offer_memory = false;
  EXPECT_EQ(train_lcm(coupon_world(0), c).weights.w_head, same_day.model.weights.w_head);
  EXPECT_EQ(runs_with, 2);

  auto no_offers = coupon_world(14);
  for (std::size_t i = kLcmDiscount; i < no_offers.actions.size(); i += kLcmActionCount) no_offers.actions[i] = 0;
  EXPECT_FALSE(lcm_log_has_offers(no_offers));
  const auto once = train_lcm_choosing_offer_memory(no_offers, c, count);
  EXPECT_FALSE(once.log_has_offers);
  EXPECT_FALSE(once.model.config.offer_memory);
  EXPECT_EQ(runs_with, 2);
}

// Days of weight 1 train bit for bit as without weights; other weights change the model.
TEST(LcmPropensityWeights, WeighTheTrainingDays) {
  auto s = coupon_world(14);
  auto c = coupon_config();
  c.epochs = 2;
  const auto plain = train_lcm(s, c);
  EXPECT_THROW(train_lcm(s, [&] { auto w = c; w.propensity_weights = true; return w; }()), std::invalid_argument);
  s.weights.assign(s.size() * s.days, 1.0f);
  EXPECT_THROW(train_lcm(s, c), std::invalid_argument);  // weights the config does not ask for
  c.propensity_weights = true;
  const auto ones = train_lcm(s, c);
  EXPECT_EQ(ones.weights.w_head, plain.weights.w_head);
  EXPECT_EQ(ones.weights.w_ih, plain.weights.w_ih);
  for (std::size_t i = 0; i < s.weights.size(); i += 3) s.weights[i] = 4.0f;
  EXPECT_NE(train_lcm(s, c).weights.w_head, plain.weights.w_head);
}

TEST(LcmOfferMemory, TheMemoryMustGainMoreThanNoise) {
  EXPECT_TRUE(lcm_keep_offer_memory(0.20, 0.19));
  EXPECT_FALSE(lcm_keep_offer_memory(0.20, 0.1999));  // 0.05% lower: noise, the simpler model
  EXPECT_FALSE(lcm_keep_offer_memory(0.20, 0.21));
}

TEST(LcmInputs, HistoryFeaturesSaturateAndCountPurchases) {
  LcmHistory history;
  float bought[kLcmEventCount] = {};
  bought[kLcmPurchase] = 1;
  float nothing[kLcmEventCount] = {};
  history.observe(nothing, nullptr, 0);
  EXPECT_EQ(history.birth, -1);
  history.observe(bought, nullptr, 3);
  history.observe(bought, nullptr, 5);
  EXPECT_EQ(history.birth, 3);
  EXPECT_EQ(history.last_purchase, 5);
  EXPECT_EQ(history.purchases, 2);
  float x[kLcmInputs];
  lcm_inputs(bought, nullptr, 10000, 6, history, x);
  const float* c = x + kLcmEventCount + kLcmActionCount;
  EXPECT_NEAR(c[kLcmRecency], 1 - std::exp(-1 / 60.0), 1e-6);
  // Purchase days weighted by exp(-age / 365): it forgets, so a long log does not push it
  // past what training saw.
  const double at_5 = 1 + std::exp(-2 / 365.0);
  EXPECT_NEAR(c[kLcmFrequency], std::log1p(at_5 * std::exp(-1 / 365.0)), 1e-6);
  lcm_inputs(bought, nullptr, 10000, 370, history, x);
  EXPECT_NEAR(c[kLcmFrequency], std::log1p(at_5 * std::exp(-1.0)), 1e-6);
  lcm_inputs(bought, nullptr, 10000, 100000, history, x);
  EXPECT_LE(c[kLcmRecency], 1.0f);
  EXPECT_LE(c[kLcmTenure], 1.0f);
}

TEST(LcmInputs, OfferItemAndCampaignNamingConventions) {
  EXPECT_DOUBLE_EQ(lcm_offer_discount("ten_off"), 0.10);
  EXPECT_DOUBLE_EQ(lcm_offer_discount("twenty_five_off"), 0.25);
  EXPECT_DOUBLE_EQ(lcm_offer_discount("15_off"), 0.15);
  EXPECT_DOUBLE_EQ(lcm_offer_discount("15pct"), 0.15);
  EXPECT_DOUBLE_EQ(lcm_offer_discount("none"), 0.0);
  EXPECT_DOUBLE_EQ(lcm_offer_discount(""), 0.0);
  EXPECT_DOUBLE_EQ(lcm_offer_discount("free_gift"), -1.0);   // an offer of unknown size
  EXPECT_DOUBLE_EQ(lcm_offer_discount("tenn_off"), -1.0);
  EXPECT_DOUBLE_EQ(lcm_offer_discount("150_off"), -1.0);
  EXPECT_EQ(lcm_item_category("electronics-0042"), "electronics");
  EXPECT_EQ(lcm_item_category("home-garden-7"), "home-garden");
  EXPECT_EQ(lcm_item_category("sku42"), "");
  const std::vector<std::string> categories{"apparel", "electronics", "home", "home_garden"};
  EXPECT_EQ(lcm_campaign_category(categories, "electronics_deals"), 1);
  EXPECT_EQ(lcm_campaign_category(categories, "apparel"), 0);
  EXPECT_EQ(lcm_campaign_category(categories, "home_garden_sale"), 3);  // the longest match
  EXPECT_EQ(lcm_campaign_category(categories, "homeware_sale"), -1);
  EXPECT_EQ(lcm_campaign_category(categories, "newsletter"), -1);
  float a[kLcmActionCount] = {};
  EXPECT_EQ(lcm_action_features("sms", "electronics_deals", "twenty_off", categories, a), 1);
  EXPECT_EQ(a[kLcmAny], 1);
  EXPECT_EQ(a[kLcmSms], 1);
  EXPECT_EQ(a[kLcmEmail], 0);
  EXPECT_EQ(a[kLcmOffer], 1);
  EXPECT_FLOAT_EQ(a[kLcmDiscount], 1.0f);  // 20% off
  EXPECT_EQ(a[kLcmTargeted], 1);
  EXPECT_EQ(a[kLcmAffinity], 0);  // set by the caller
  EXPECT_EQ(lcm_action_features("", "newsletter", "none", categories, a), -1);  // no action
  for (int k = 0; k < kLcmActionCount; ++k) EXPECT_EQ(a[k], 0) << k;
}

class LcmStoreTest : public test_support::ScratchDirTest {};

// A generated-style log: the discount, the promoted category and the customer's affinity
// to it (its item events before the contact's day) reach the action inputs.
TEST_F(LcmStoreTest, DecisionsCarryDiscountCategoryAndAffinity) {
  const auto events = write("events.csv",
                            "customer_id,timestamp,event_type,amount,channel,item,campaign\n"
                            "c1,2024-01-01T10:00:00Z,view,,,electronics-0001,\n"
                            "c1,2024-01-01T10:01:00Z,view,,,electronics-0002,\n"
                            "c1,2024-01-02T10:00:00Z,view,,,home-0001,\n"
                            "c1,2024-01-02T10:05:00Z,purchase,20.00,,home-0001,\n"
                            "c1,2024-01-05T10:00:00Z,view,,,electronics-0003,\n"
                            "c2,2024-01-01T10:00:00Z,visit,,,,\n"
                            "c2,2024-01-06T10:00:00Z,visit,,,,\n");
  const auto decisions = write("decisions.csv",
                               "customer_id,timestamp,arm,policy,channel,message,offer,propensity,cost\n"
                               "c1,2024-01-04T08:00:00Z,log,u,sms,electronics_deals,twenty_off,0.5,0.03\n"
                               "c1,2024-01-05T08:00:00Z,log,u,email,newsletter,none,0.5,0.002\n"
                               "c2,2024-01-04T08:00:00Z,log,u,push,home_new,none,0.5,0.001\n"
                               "c2,2024-01-05T08:00:00Z,log,u,,,,0.5,0\n");
  ingest::IngestOptions o;
  o.format = "events";
  o.inputs = {events};
  o.decision_inputs = {decisions};
  o.out = path("s.h5");
  ingest::run_ingest(o);
  const results::StoreReader store(path("s.h5"));
  const auto data = read_lcm_sequences(store);
  EXPECT_EQ(data.categories, (std::vector<std::string>{"electronics", "home"}));
  const std::size_t c1 = data.ids[0] == "c1" ? 0 : 1, c2 = 1 - c1;
  const float* sms = data.actions_at(c1, 3);  // 2024-01-04
  EXPECT_EQ(sms[kLcmSms], 1);
  EXPECT_FLOAT_EQ(sms[kLcmDiscount], 1.0f);
  EXPECT_EQ(sms[kLcmTargeted], 1);
  // Before the 4th: electronics twice, home twice (a view and a purchase): (2 + 1/2) / (4 + 1).
  EXPECT_FLOAT_EQ(sms[kLcmAffinity], 0.5f);
  EXPECT_EQ(data.promoted[c1 * data.days + 3], 0);
  const float* email = data.actions_at(c1, 4);
  EXPECT_EQ(email[kLcmOffer], 0);
  EXPECT_EQ(email[kLcmTargeted], 0);
  EXPECT_EQ(email[kLcmAffinity], 0);
  // c2 has no item events: the prior 1/K.
  EXPECT_FLOAT_EQ(data.actions_at(c2, 3)[kLcmAffinity], 0.5f);
  EXPECT_EQ(data.actions_at(c2, 4)[kLcmAny], 0);  // a logged "no action"
  EXPECT_FLOAT_EQ(data.affinity(c1, 5, 0), (3 + 0.5f) / 6);  // the 5th's view counts from the 6th
}

class LcmCdnowTest : public test_support::ScratchDirTest {
 protected:
  std::string store() { return test_support::ingest_cdnow_sample(path("cdnow.h5")); }
};

// A short training run: reproducible bit for bit with one thread, better than where it
// started, and the saved artifact reads back to the same model.
TEST_F(LcmCdnowTest, TrainingIsReproducibleAndTheArtifactRoundTrips) {
  const results::StoreReader reader(store());
  const auto data = read_lcm_sequences(reader);
  EXPECT_EQ(data.size(), 2357u);
  EXPECT_EQ(data.calibration_days, 273);
  EXPECT_TRUE(data.categories.empty());  // CDNOW: no items, no decisions
  LcmConfig c;
  c.hidden = 8;
  c.epochs = 3;
  c.batch_customers = 512;
  c.threads = 1;
  std::vector<double> losses;
  const auto a = train_lcm(data, c, [&](const LcmProgress& p) { losses.push_back(p.validation_loss); });
  const auto b = train_lcm(data, c);
  EXPECT_EQ(a.weights.w_ih, b.weights.w_ih);
  EXPECT_EQ(a.weights.w_head, b.weights.w_head);
  ASSERT_EQ(losses.size(), 3u);
  EXPECT_LT(losses.back(), losses.front());
  save_lcm(a, path("m.lcm"));
  const auto back = load_lcm(path("m.lcm"));
  EXPECT_EQ(back.weights.w_hh, a.weights.w_hh);
  EXPECT_EQ(back.weights.log_spend_sigma, a.weights.log_spend_sigma);
  EXPECT_EQ(back.data_sha256, data.data_sha256);
  EXPECT_EQ(back.config.hidden, 8);
  EXPECT_NE(back.metrics.find("epochs_run=3"), std::string::npos);
  EXPECT_EQ(a.best_validation_loss, *std::min_element(losses.begin(), losses.end()));
  EXPECT_NEAR(back.best_validation_loss, a.best_validation_loss, 1e-5 * a.best_validation_loss);  // 6 digits
  EXPECT_THROW(load_lcm(path("missing.lcm")), std::runtime_error);
  EXPECT_TRUE(back.config.tenure);

  // Without tenure its weights stay zero, in the GRU and the heads, and the artifact says so.
  auto no_tenure_config = c;
  no_tenure_config.tenure = false;
  no_tenure_config.epochs = 1;
  const auto no_tenure = train_lcm(data, no_tenure_config);
  const int tenure_input = kLcmEventCount + kLcmActionCount + kLcmTenure, H = c.hidden;
  double read = 0, ignored = 0;
  for (int row = 0; row < 3 * H; ++row) {
    read += std::abs(a.weights.w_ih[row * kLcmInputs + tenure_input]);
    ignored += std::abs(no_tenure.weights.w_ih[row * kLcmInputs + tenure_input]);
  }
  for (int head = 0; head < kLcmHeadCount; ++head)
    ignored += std::abs(no_tenure.weights.w_head[head * (H + kLcmInputs) + H + tenure_input]);
  EXPECT_GT(read, 0.0);
  EXPECT_EQ(ignored, 0.0);
  // The weekday reaches the heads, never the GRU state.
  double weekday_state = 0, weekday_heads = 0;
  for (int k : {kLcmDowSin, kLcmDowCos}) {
    const int input = kLcmEventCount + kLcmActionCount + k;
    for (int row = 0; row < 3 * H; ++row) weekday_state += std::abs(a.weights.w_ih[row * kLcmInputs + input]);
    weekday_heads += std::abs(a.weights.w_head[kHeadPurchase * (H + kLcmInputs) + H + input]);
  }
  EXPECT_EQ(weekday_state, 0.0);
  EXPECT_GT(weekday_heads, 0.0);
  save_lcm(no_tenure, path("no_tenure.lcm"));
  EXPECT_FALSE(load_lcm(path("no_tenure.lcm")).config.tenure);
  EXPECT_EQ(back.config.decay_after, 0);

  // The learning rate halves only after `decay_after` epochs: decaying after the last epoch
  // trains the same weights as never, decaying after the first does not; the artifact keeps it.
  auto late = c;
  late.decay_after = 3;
  EXPECT_EQ(train_lcm(data, late).weights.w_head, a.weights.w_head);
  auto early = c;
  early.decay_after = 1;
  const auto decayed = train_lcm(data, early);
  EXPECT_NE(decayed.weights.w_head, a.weights.w_head);
  save_lcm(decayed, path("decayed.lcm"));
  EXPECT_EQ(load_lcm(path("decayed.lcm")).config.decay_after, 1);
  early.decay_after = -1;
  EXPECT_THROW(train_lcm(data, early), std::invalid_argument);

  // The mirror world over these customers gives the same days whatever the shards.
  const auto pop = load_lcm_population(path("cdnow.h5"), path("m.lcm"));
  EXPECT_EQ(pop->size(), 2357u);
  // The population is warmed up in blocks of the store, in one batch per day and on several
  // threads; every state is the one of warming each customer up alone, bit for bit.
  const auto blocked = build_lcm_population(path("cdnow.h5"), path("m.lcm"), 500, 3);
  EXPECT_EQ(blocked->ids, pop->ids);
  EXPECT_EQ(blocked->state, pop->state);
  EXPECT_EQ(blocked->last_events, pop->last_events);
  ASSERT_EQ(blocked->history.size(), pop->history.size());
  std::vector<float> alone(back.weights.hidden);
  for (std::size_t c = 0; c < data.size(); ++c) {
    ASSERT_EQ(data.ids[c], pop->ids[c]);  // every CDNOW customer buys in the calibration period
    const auto history = lcm_warm_up(back.weights, data, c, alone.data());
    ASSERT_TRUE(std::equal(alone.begin(), alone.end(), pop->state.begin() + c * alone.size())) << c;
    ASSERT_EQ(history.purchases, blocked->history[c].purchases);
    ASSERT_EQ(history.last_purchase, blocked->history[c].last_purchase);
    ASSERT_EQ(history.birth, blocked->history[c].birth);
  }
  // Rollouts on any number of threads give the same forecasts and action outcomes.
  const auto one = lcm_forecast(back, data, 2, 9, 1), three = lcm_forecast(back, data, 2, 9, 3);
  EXPECT_EQ(one.purchases, three.purchases);
  EXPECT_EQ(one.purchase_30d, three.purchase_30d);
  EXPECT_EQ(one.silent_90d, three.silent_90d);
  std::vector<LcmActionFeatures> both(2);
  both[0].category = lcm_action_features("", "", "", data.categories, both[0].data());
  both[1].category = lcm_action_features("email", "newsletter", "ten_off", data.categories, both[1].data());
  const auto serial = lcm_action_outcomes(back, data, both, 5, 2, 9, 1);
  const auto parallel = lcm_action_outcomes(back, data, both, 5, 2, 9, 2);
  EXPECT_EQ(serial.purchases, parallel.purchases);
  EXPECT_EQ(serial.revenue, parallel.revenue);
  // A block of the store reads as the same slice of the whole.
  LcmReadOptions part_of;
  part_of.first_customer = 1000;
  part_of.count = 300;
  part_of.hash = false;
  const auto slice = read_lcm_sequences(reader, part_of);
  ASSERT_EQ(slice.size(), 300u);
  EXPECT_EQ(slice.ids.front(), data.ids[1000]);
  EXPECT_TRUE(slice.data_sha256.empty());
  EXPECT_TRUE(std::equal(slice.events.begin(), slice.events.end(), data.events_at(1000, 0)));
  EXPECT_TRUE(std::equal(slice.actions.begin(), slice.actions.end(), data.actions_at(1000, 0)));
  EXPECT_TRUE(std::equal(slice.birth.begin(), slice.birth.end(), data.birth.begin() + 1000));
  LcmWorld whole(pop, 0.4, 5, 0, pop->size());
  LcmWorld tail(pop, 0.4, 5, 2000, pop->size() - 2000);
  std::vector<core::TwinState> twins(pop->size());
  std::vector<core::ContactLedger> ledgers(pop->size());
  std::vector<core::DayAction> actions(pop->size());
  std::vector<core::DayOutcome> all(pop->size()), part(pop->size() - 2000);
  for (int day = 0; day < 20; ++day) {
    whole.step(day, twins.data(), ledgers.data(), actions.data(), all.data());
    tail.step(day, twins.data() + 2000, ledgers.data(), actions.data() + 2000, part.data());
    for (std::size_t i = 0; i < part.size(); ++i) {
      ASSERT_EQ(all[2000 + i].flags, part[i].flags);
      ASSERT_EQ(all[2000 + i].revenue, part[i].revenue);
    }
  }
}

TEST(HoldoutScores, AucLogLossAndChurnOnATinyCase) {
  HoldoutForecast f{{1, 0, 2, 0}, {0.9, 0.1, 0.8, 0.2}, {0.1, 0.9, 0.2, 0.6}};
  HoldoutActual a{{1, 0, 3, 1}, {1, 0, 1, 0}, {0, 1, 0, 1}};
  const auto s = score_holdout(f, a, {true, true, true, true});
  EXPECT_EQ(s.customers, 4);
  EXPECT_DOUBLE_EQ(s.mae, (0 + 0 + 1 + 1) / 4.0);
  EXPECT_DOUBLE_EQ(s.auc_30d, 1.0);  // both buyers ranked above both non-buyers
  EXPECT_NEAR(s.log_loss_30d, -(std::log(0.9) + std::log(0.9) + std::log(0.8) + std::log(0.8)) / 4, 1e-12);
  EXPECT_DOUBLE_EQ(s.churn_accuracy, 1.0);
  EXPECT_DOUBLE_EQ(s.churn_f1, 1.0);
}

}  // namespace
}  // namespace mirror::twins
