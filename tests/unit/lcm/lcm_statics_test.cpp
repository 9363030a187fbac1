#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <stdexcept>

#include "blank_sequences.hpp"
#include "mirror/ingest/ingest.hpp"
#include "mirror/twins/lcm.hpp"
#include "mirror/twins/lcm_world.hpp"
#include "random_lcm.hpp"
#include "scratch_dir.hpp"

namespace mirror::twins {
namespace {

results::Table attributes() {
  results::Table t;
  t.columns.push_back({"customer", {}, {"c1", "c2", "c3", "c4"}});
  t.columns.push_back({"tier", {}, {"gold", "bronze", "", "gold"}});
  t.columns.push_back({"age", {20, 40, NAN, 30}, {}});
  t.columns.push_back({"phase", {0, 0, 0, 0}, {}});     // the same for all: not read
  t.columns.push_back({"region", {}, {"x", "x", "x", ""}});  // one level: not read
  return t;
}

TEST(LcmStatics, NumbersAreStandardisedAndCategoriesOneHot) {
  const auto t = attributes();
  std::vector<std::string> skipped;
  const auto statics = lcm_choose_statics(t, &skipped);
  ASSERT_EQ(statics.size(), 2u);
  EXPECT_EQ(statics[0].name, "tier");
  EXPECT_EQ(statics[0].levels, (std::vector<std::string>{"bronze", "gold"}));
  EXPECT_EQ(statics[1].name, "age");
  EXPECT_DOUBLE_EQ(statics[1].mean, 30.0);
  EXPECT_DOUBLE_EQ(statics[1].scale, std::sqrt(200.0 / 3.0));  // over the three known ages
  EXPECT_EQ(skipped, (std::vector<std::string>{"phase (the same for every customer)",
                                               "region (the same for every customer)"}));
  EXPECT_EQ(lcm_static_width(statics), 3);
  float s[3];
  lcm_encode_statics(statics, t, 0, s);
  EXPECT_EQ(s[0], 0.0f);
  EXPECT_EQ(s[1], 1.0f);
  EXPECT_FLOAT_EQ(s[2], static_cast<float>(-10.0 / std::sqrt(200.0 / 3.0)));
  lcm_encode_statics(statics, t, 2, s);  // missing tier and age: all zero
  EXPECT_EQ(s[0], 0.0f);
  EXPECT_EQ(s[1], 0.0f);
  EXPECT_EQ(s[2], 0.0f);

  auto other = t;
  other.columns[1].strings[0] = "platinum";  // a level training never saw: all zero
  lcm_encode_statics(statics, other, 0, s);
  EXPECT_EQ(s[0] + s[1], 0.0f);
  other.columns.erase(other.columns.begin() + 2);
  EXPECT_THROW(lcm_encode_statics(statics, other, 0, s), std::invalid_argument);
  LcmWeights w;
  w.statics = statics;
  try {
    lcm_check_attributes(w, other);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'age'"), std::string::npos) << e.what();
  }
}

// Weights of every shape a model reading `t`'s attributes has, drawn at random.
LcmWeights random_weights_with_statics(const results::Table& t, int hidden, std::uint32_t seed) {
  auto w = test_support::random_lcm_weights(hidden, seed, 0.6f);
  w.statics = lcm_choose_statics(t, nullptr);
  test_support::random_static_weights(w, seed + 1);
  return w;
}

TEST(LcmStatics, TheInitialStateIsLibTorchs) {
  const auto t = attributes();
  const auto w = random_weights_with_statics(t, 5, 3);
  std::vector<float> encoded(4 * 3), theirs(4 * 5), ours(5);
  for (std::size_t c = 0; c < 4; ++c) lcm_encode_statics(w.statics, t, c, &encoded[c * 3]);
  lcm_initial_state_libtorch(w, encoded.data(), 4, theirs.data());
  for (std::size_t c = 0; c < 4; ++c) {
    lcm_initial_state(w, t, c, ours.data());
    for (int j = 0; j < 5; ++j) EXPECT_NEAR(ours[j], theirs[c * 5 + j], 1e-6) << c << " " << j;
  }
  LcmWeights none;
  none.hidden = 5;
  lcm_initial_state(none, t, 0, ours.data());
  for (float v : ours) EXPECT_EQ(v, 0.0f);
}

// The attributes also add to every head, before a contact's response is folded in.
TEST(LcmStatics, HeadOffsetsAddToTheLogitsBeforeTheResponse) {
  const auto t = attributes();
  const auto w = random_weights_with_statics(t, 3, 4);
  std::mt19937 rng(5);
  std::normal_distribution<float> n(0.0f, 0.5f);
  float s[3], offsets[2 * kLcmHeadCount];
  lcm_encode_statics(w.statics, t, 3, s);
  lcm_head_offsets(w, t, 3, offsets);
  for (int k = 0; k < kLcmHeadCount; ++k)
    EXPECT_FLOAT_EQ(offsets[k], w.w_static_head[k * 3] * s[0] + w.w_static_head[k * 3 + 1] * s[1] +
                                    w.w_static_head[k * 3 + 2] * s[2]);
  std::vector<float> buffer;
  EXPECT_EQ(lcm_repeated_head_offsets(LcmWeights{}, t, 3, 2, buffer), nullptr);
  const float* repeated = lcm_repeated_head_offsets(w, t, 3, 2, buffer);
  for (int k = 0; k < 2 * kLcmHeadCount; ++k) EXPECT_EQ(repeated[k], offsets[k % kLcmHeadCount]);
  // Row 0 without a contact, row 1 with one.
  std::vector<float> h(2 * 3), x(2 * kLcmInputs), plain(2 * kLcmHeadCount), with(2 * kLcmHeadCount);
  for (auto& v : h) v = std::tanh(n(rng));
  for (auto& v : x) v = n(rng);
  x[kLcmEventCount + kLcmAny] = 0.0f;
  x[kLcmInputs + kLcmEventCount + kLcmAny] = 1.0f;
  lcm_heads(w, h.data(), x.data(), with.data(), 2, repeated);
  lcm_heads(w, h.data(), x.data(), plain.data(), 2);
  for (int k = 0; k < kLcmHeadCount; ++k) EXPECT_FLOAT_EQ(with[k], plain[k] + offsets[k]) << k;
  // The contact row: the response folded into the shifted base.
  std::vector<float> x0(x.begin() + kLcmInputs, x.end()), raw(kLcmHeadCount);
  x0[kLcmEventCount + kLcmAny] = 0.0f;  // the same row without the fold
  lcm_heads(w, h.data() + 3, x0.data(), raw.data(), 1);
  // Without a contact the inputs differ only in the contact flag, which the heads also read:
  // take its weight back out.
  for (int k = 0; k < kLcmHeadCount; ++k) raw[k] += w.w_head[k * (3 + kLcmInputs) + 3 + kLcmEventCount + kLcmAny];
  EXPECT_NEAR(with[kLcmHeadCount + kHeadPurchase],
              lcm_with_response(raw[kHeadPurchase] + offsets[kHeadPurchase],
                                raw[kHeadPurchaseResponse] + offsets[kHeadPurchaseResponse], 1.0f), 1e-5);
  EXPECT_NEAR(with[kLcmHeadCount + kHeadChurn], raw[kHeadChurn] + offsets[kHeadChurn], 1e-5);
}

// Customers arrive over the period; a gold one buys on 30% of its days, a bronze one on 2%.
// Early in a customer's life only its attribute tells them apart, so a model reading it
// predicts the validation days better than one that does not.
LcmSequences tiered_customers(std::size_t n, std::int32_t days) {
  auto s = test_support::blank_sequences(n, days);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  results::Table::Column ids{"customer", {}, {}}, tier{"tier", {}, {}};
  for (std::size_t c = 0; c < n; ++c) {
    const bool gold = c % 2 == 0;
    s.ids.push_back("c" + std::to_string(c));
    ids.strings.push_back(s.ids.back());
    tier.strings.push_back(gold ? "gold" : "bronze");
    const auto birth = static_cast<std::int32_t>(u(rng) * days);
    s.birth.push_back(birth);
    for (std::int32_t d = birth; d < days; ++d) {
      float* e = &s.events[(c * days + d) * kLcmEventCount];
      if (d == birth) e[kLcmVisit] = 1;
      if (u(rng) < (gold ? 0.3 : 0.02)) {
        e[kLcmPurchase] = e[kLcmVisit] = 1;
        e[kLcmLogSpend] = static_cast<float>(std::log1p(30.0) / 4.0);
      }
    }
  }
  s.attributes.columns = {ids, tier};
  return s;
}

class LcmStaticsTraining : public test_support::ScratchDirTest {};

TEST_F(LcmStaticsTraining, AModelReadingTheAttributesPredictsNewCustomersBetter) {
  const auto data = tiered_customers(1000, 60);
  LcmConfig c;
  c.hidden = 8;
  c.epochs = 12;
  c.batch_customers = 100;
  c.learning_rate = 0.03;
  c.threads = 1;
  double with = 0, without = 0;
  const auto a = train_lcm(data, c, [&](const LcmProgress& p) { with = p.validation_loss; });
  c.attributes = false;
  const auto b = train_lcm(data, c, [&](const LcmProgress& p) { without = p.validation_loss; });
  ASSERT_EQ(a.weights.statics.size(), 1u);
  EXPECT_TRUE(b.weights.statics.empty());
  EXPECT_LT(with, without - 0.005) << with << " against " << without;

  // The artifact keeps them, and the warm-up starts gold and bronze apart.
  save_lcm(a, path("m.lcm"));
  const auto back = load_lcm(path("m.lcm"));
  ASSERT_EQ(back.weights.statics.size(), 1u);
  EXPECT_EQ(back.weights.statics[0].levels, (std::vector<std::string>{"bronze", "gold"}));
  EXPECT_EQ(back.weights.w_static, a.weights.w_static);
  EXPECT_EQ(back.weights.w_static_head, a.weights.w_static_head);
  EXPECT_NE(a.weights.w_static_head, std::vector<float>(a.weights.w_static_head.size(), 0.0f));  // it learned
  std::vector<float> gold(8), bronze(8);
  lcm_initial_state(back.weights, data.attributes, 0, gold.data());
  lcm_initial_state(back.weights, data.attributes, 1, bronze.data());
  EXPECT_NE(gold, bronze);
  save_lcm(b, path("n.lcm"));
  EXPECT_TRUE(load_lcm(path("n.lcm")).weights.statics.empty());
}

// The mirror world's population is built block by block: each block's customers start from
// their own attributes, as one customer at a time does (lcm_warm_up over the whole store).
TEST_F(LcmStaticsTraining, EveryBlockOfThePopulationStartsFromItsCustomersAttributes) {
  std::ofstream events(path("events.csv"));
  std::ofstream customers(path("customers.csv"));
  events << "customer_id,timestamp,event_type,amount,channel,item,campaign\n";
  customers << "customer_id,tier,age\n";
  for (int c = 0; c < 40; ++c) {
    customers << "c" << c << "," << (c % 3 == 0 ? "gold" : "bronze") << "," << 20 + c << "\n";
    for (int d = c % 5; d < 40; d += 6 + c % 4)
      events << "c" << c << ",2024-" << (d < 31 ? "01-" : "02-") << (d % 31 < 9 ? "0" : "") << d % 31 + 1
             << "T10:00:00Z,purchase,12.50,,,\n";
  }
  events.close();
  customers.close();
  ingest::IngestOptions o;
  o.format = "events";
  o.inputs = {path("events.csv")};
  o.attributes = path("customers.csv");
  o.out = path("s.h5");
  ASSERT_EQ(ingest::run_ingest(o).rows_quarantined, 0);
  const results::StoreReader reader(o.out);
  const auto data = read_lcm_sequences(reader);
  LcmConfig c;
  c.hidden = 4;
  c.epochs = 1;
  c.validation_days = 7;
  c.threads = 1;
  auto model = train_lcm(data, c);
  ASSERT_EQ(lcm_static_width(model.weights.statics), 3);  // bronze, gold, age
  std::mt19937 rng(1);  // initial-state weights large enough to tell customers apart
  std::normal_distribution<float> n(0.0f, 1.0f);
  for (auto& v : model.weights.w_static) v = n(rng);
  for (auto& v : model.weights.w_static_head) v = n(rng);
  // and a GRU that keeps its state (update gates near 1), so the end of the calibration
  // still shows where each customer started.
  for (int j = 0; j < 4; ++j) model.weights.b_ih[4 + j] = 8.0f;
  save_lcm(model, path("m.lcm"));
  const auto whole = build_lcm_population(o.out, path("m.lcm"), 0, 1);
  const auto blocked = build_lcm_population(o.out, path("m.lcm"), 7, 3);
  ASSERT_EQ(whole->size(), 40u);
  EXPECT_EQ(blocked->ids, whole->ids);
  EXPECT_EQ(blocked->state, whole->state);
  ASSERT_EQ(whole->head_offsets.size(), 40u * kLcmHeadCount);
  EXPECT_EQ(blocked->head_offsets, whole->head_offsets);
  EXPECT_NE(std::vector<float>(whole->state.begin(), whole->state.begin() + 4),
            std::vector<float>(whole->state.begin() + 4, whole->state.begin() + 8));
  const auto back = load_lcm(path("m.lcm"));
  std::vector<float> h(4);
  for (std::size_t k = 0; k < data.size(); ++k) {
    lcm_warm_up(back.weights, data, k, h.data());
    EXPECT_TRUE(std::equal(h.begin(), h.end(), whole->state.begin() + k * 4)) << data.ids[k];
    float offsets[kLcmHeadCount];
    lcm_head_offsets(back.weights, data.attributes, k, offsets);
    EXPECT_TRUE(std::equal(offsets, offsets + kLcmHeadCount, whole->head_offsets.begin() + k * kLcmHeadCount));
  }
  std::vector<float> gold(4), bronze(4);
  lcm_initial_state(back.weights, data.attributes, 0, gold.data());  // c0
  lcm_initial_state(back.weights, data.attributes, 1, bronze.data());  // c1
  EXPECT_NE(gold, bronze);
}

}  // namespace
}  // namespace mirror::twins
