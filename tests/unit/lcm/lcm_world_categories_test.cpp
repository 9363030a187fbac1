// LCM twins and product categories: a scenario message promotes one of the model's
// categories (by name, or store_category), and the twin's affinity to it enters the model.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "mirror/twins/lcm.hpp"
#include "mirror/twins/lcm_world.hpp"
#include "blank_lcm.hpp"
#include "scratch_dir.hpp"

namespace mirror::twins {
namespace {

// A model whose only response is the purchase head's: bias -2, -1 for a targeted contact and
// +4 times the affinity; every other event is (practically) impossible, nobody churns.
LcmArtifact affinity_model() {
  LcmArtifact a = test_support::blank_lcm(2);
  auto& w = a.weights;
  w.b_head[kHeadPurchase] = -2.0f;
  w.b_head[kHeadLogSpend] = 3.0f;
  const int action = 2 + kLcmEventCount;  // the action inputs' first column in a head's row
  w.w_head[kHeadPurchase * (2 + kLcmInputs) + action + kLcmTargeted] = -1.0f;
  w.w_head[kHeadPurchase * (2 + kLcmInputs) + action + kLcmAffinity] = 4.0f;
  lcm_prepare(w);
  a.categories = {"apparel", "home"};
  return a;
}

// `fans` customers with 9 apparel items of 10 and as many with 9 home items of 10.
std::shared_ptr<LcmPopulation> two_kinds_of_customers(std::size_t fans) {
  auto pop = std::make_shared<LcmPopulation>();
  pop->model = affinity_model();
  pop->categories = pop->model.categories;
  pop->start_step = 100;
  for (std::size_t c = 0; c < 2 * fans; ++c) {
    pop->ids.push_back("c" + std::to_string(c + 1));
    const bool fan = c < fans;
    pop->item_counts.push_back(fan ? 9 : 0);  // apparel
    pop->item_counts.push_back(fan ? 0 : 9);  // home
    pop->item_events.push_back(10);
  }
  pop->state.assign(pop->size() * 2, 0.0f);
  pop->last_events.assign(pop->size() * kLcmEventCount, 0.0f);
  pop->history.resize(pop->size());
  return pop;
}

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

TEST(LcmWorldCategories, MessagesMapToTheModelsCategoriesByNameOrStoreCategory) {
  const std::vector<std::string> model{"apparel", "home", "home_garden"};
  std::vector<core::CategorySpec> messages{{"apparel", 0.2, ""},     {"apparel_new", 0.2, ""},
                                           {"newsletter", 0.2, ""},  {"home_garden_sale", 0.2, ""},
                                           {"summer", 0.1, "home"},  {"apparel_news", 0.1, "none"}};
  EXPECT_EQ(lcm_message_categories(model, messages), (std::vector<int>{0, 0, -1, 2, 1, -1}));
  // A model without categories: every message is generic, and none can name one.
  EXPECT_EQ(lcm_message_categories({}, {messages[0], messages[5]}), (std::vector<int>{-1, -1}));
  EXPECT_THROW(lcm_message_categories({}, {messages[4]}), std::invalid_argument);
  messages.push_back({"x", 0.0, "shoes"});
  EXPECT_THROW(lcm_message_categories(model, messages), std::invalid_argument);
}

// A category campaign moves the purchase probability by the model's targeted and affinity
// weights: up for the customers who buy that category, down for the others; a generic
// contact and no contact leave it at the base rate. Checked against the closed form.
TEST(LcmWorldCategories, ACategoryCampaignActsThroughTheTwinsAffinity) {
  const std::size_t fans = 2000;
  const auto pop = two_kinds_of_customers(fans);
  EXPECT_FLOAT_EQ(pop->affinity(0, 0), (9 + 0.5f) / 11);
  EXPECT_FLOAT_EQ(pop->affinity(fans, 0), 0.5f / 11);
  EXPECT_FLOAT_EQ(pop->affinity(fans, 1), (9 + 0.5f) / 11);
  const std::vector<core::CategorySpec> messages{{"apparel", 0.5, ""}, {"newsletter", 0.5, ""}};
  const int days = 5;
  // Purchase shares of fans and others under no contact, a push about apparel and a generic push.
  std::vector<double> share[2];
  for (int message : {-2, 0, 1}) {
    LcmWorld world(pop, 0.4, 7, 0, pop->size(), lcm_message_categories(pop->categories, messages));
    std::vector<core::TwinState> twins(pop->size());
    std::vector<core::ContactLedger> ledgers(pop->size());
    std::vector<core::DayAction> actions(pop->size());
    for (auto& a : actions)
      if (message >= -1) {
        a.channel = static_cast<std::int8_t>(core::index_of(core::Channel::push));
        a.message = static_cast<std::int8_t>(message);
      }
    std::vector<core::DayOutcome> outcomes(pop->size());
    double bought[2] = {0, 0};
    for (int day = 0; day < days; ++day) {
      world.step(day, twins.data(), ledgers.data(), actions.data(), outcomes.data());
      for (std::size_t c = 0; c < pop->size(); ++c) bought[c < fans ? 0 : 1] += outcomes[c].has(core::DayOutcome::kPurchase);
    }
    for (int k : {0, 1}) share[k].push_back(bought[k] / (days * fans));
  }
  const double base = sigmoid(-2), fan = sigmoid(-3 + 4 * 9.5 / 11), other = sigmoid(-3 + 4 * 0.5 / 11);
  const double tolerance = 4 * std::sqrt(0.25 / (days * fans));  // 4 binomial standard errors at most
  for (int k : {0, 1}) {
    EXPECT_NEAR(share[k][0], base, tolerance) << k;
    EXPECT_NEAR(share[k][2], base, tolerance) << k;  // generic: the same as no contact
  }
  EXPECT_NEAR(share[0][1], fan, tolerance);
  EXPECT_NEAR(share[1][1], other, tolerance);
}

// The scenario fixture model tests/scenarios/models/retail_categories.lcm: a tiny artifact
// that lists the retail world's categories, for the golden scenario tests of
// store_category. MIRROR_UPDATE_GOLDEN=1 writes it again.
TEST(LcmWorldCategories, TheScenarioFixtureModelListsTheRetailCategories) {
  const std::string fixture = "tests/scenarios/models/retail_categories.lcm";
  const std::vector<std::string> retail{"apparel", "beauty", "electronics", "home", "sports"};
  if (std::getenv("MIRROR_UPDATE_GOLDEN") != nullptr) {
    auto a = affinity_model();
    a.categories = retail;
    std::filesystem::create_directories("tests/scenarios/models");
    save_lcm(a, fixture);
  }
  EXPECT_EQ(lcm_model_categories(fixture), retail);
  const auto loaded = load_lcm(fixture);
  EXPECT_EQ(loaded.categories, retail);
  // Written in format 5, before the offer memory: it loads with zero weights for it and
  // every other weight where it was.
  EXPECT_EQ(loaded.weights.w_head, affinity_model().weights.w_head);
  EXPECT_EQ(loaded.weights.w_ih.size(), 3u * 2u * kLcmInputs);
}

class LcmArtifactCategories : public test_support::ScratchDirTest {};

TEST_F(LcmArtifactCategories, RoundTripWithAndWithoutCategories) {
  auto a = affinity_model();
  save_lcm(a, path("m.lcm"));
  EXPECT_EQ(load_lcm(path("m.lcm")).categories, a.categories);
  EXPECT_EQ(lcm_model_categories(path("m.lcm")), a.categories);
  a.categories.clear();  // a store without categorised items
  save_lcm(a, path("none.lcm"));
  EXPECT_TRUE(load_lcm(path("none.lcm")).categories.empty());
  EXPECT_THROW(lcm_model_categories(path("missing.lcm")), std::runtime_error);
}

}  // namespace
}  // namespace mirror::twins
