#include "mirror/scenario/train_config_file.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace mirror::scenario {
namespace {

std::string errors_of(const TrainConfigFile& f) {
  std::string out;
  for (const auto& e : f.errors) out += e.to_string() + "\n";
  return out;
}

TEST(TrainConfigFile, ReadsEveryKeyAndResolvesPathsAgainstTheFile) {
  const auto f = load_train_config_text(
      "store: data/retail.h5\n"
      "out: /tmp/retail.lcm\n"
      "hidden: 16\n"
      "epochs: 12\n"
      "patience: 3\n"
      "learning_rate: 0.005\n"
      "decay_after: 4\n"
      "batch_customers: 128\n"
      "validation_days: 28\n"
      "seed: 18446744073709551615\n"
      "threads: 0\n"
      "calibration_end: 2024-02-29\n"
      "action_into_state: true\n",
      "configs/lcm.yaml");
  ASSERT_TRUE(f.ok()) << errors_of(f);
  const auto& s = f.settings;
  EXPECT_EQ(*s.store, "configs/data/retail.h5");
  EXPECT_EQ(*s.out, "/tmp/retail.lcm");  // absolute: as written
  EXPECT_EQ(*s.hidden, 16);
  EXPECT_EQ(*s.epochs, 12);
  EXPECT_EQ(*s.patience, 3);
  EXPECT_EQ(*s.learning_rate, 0.005);
  EXPECT_EQ(*s.decay_after, 4);
  EXPECT_EQ(*s.batch_customers, 128);
  EXPECT_EQ(*s.validation_days, 28);
  EXPECT_EQ(*s.seed, 18446744073709551615ull);
  EXPECT_EQ(*s.threads, 0);
  EXPECT_EQ(*s.calibration_end, "2024-02-29");
  EXPECT_EQ(*s.action_into_state, true);
  const auto off = load_train_config_text("action_into_state: false\n", "lcm.yaml");
  ASSERT_TRUE(off.ok()) << errors_of(off);
  EXPECT_EQ(*off.settings.action_into_state, false);
  for (const auto& [text, want] : {std::pair{"true", OfferMemory::on}, std::pair{"false", OfferMemory::off},
                                    std::pair{"auto", OfferMemory::automatic}}) {
    const auto memory = load_train_config_text(std::string("offer_memory: ") + text + "\n", "lcm.yaml");
    ASSERT_TRUE(memory.ok()) << errors_of(memory);
    EXPECT_EQ(*memory.settings.offer_memory, want) << text;
  }
  const auto weighted = load_train_config_text("propensity_weights: true\n", "lcm.yaml");
  ASSERT_TRUE(weighted.ok()) << errors_of(weighted);
  EXPECT_EQ(*weighted.settings.propensity_weights, true);
  EXPECT_FALSE(off.settings.propensity_weights);
  const auto bad_memory = load_train_config_text("offer_memory: 2\n", "lcm.yaml");
  EXPECT_EQ(errors_of(bad_memory), "lcm.yaml:1:15: offer_memory: expected true, false or auto, found '2'\n");
  const auto no_tenure = load_train_config_text("tenure: false\n", "lcm.yaml");
  ASSERT_TRUE(no_tenure.ok()) << errors_of(no_tenure);
  EXPECT_EQ(*no_tenure.settings.tenure, false);
  EXPECT_FALSE(off.settings.tenure);  // not given: the command's default
  EXPECT_FALSE(off.settings.step_days);
  const auto weekly = load_train_config_text("step: week\n", "lcm.yaml");
  ASSERT_TRUE(weekly.ok()) << errors_of(weekly);
  EXPECT_EQ(*weekly.settings.step_days, 7);
  const auto daily = load_train_config_text("step: day\n", "lcm.yaml");
  ASSERT_TRUE(daily.ok()) << errors_of(daily);
  EXPECT_EQ(*daily.settings.step_days, 1);
  EXPECT_EQ(errors_of(load_train_config_text("step: 7\n", "lcm.yaml")),
            "lcm.yaml:1:7: step: expected day or week, found '7'\n");
}

TEST(TrainConfigFile, KeysNotGivenStayUnset) {
  const auto f = load_train_config_text("epochs: 3\n", "lcm.yaml");
  ASSERT_TRUE(f.ok()) << errors_of(f);
  EXPECT_EQ(*f.settings.epochs, 3);
  EXPECT_FALSE(f.settings.hidden);
  EXPECT_FALSE(f.settings.store);
  EXPECT_FALSE(f.settings.seed);
  EXPECT_FALSE(f.settings.action_into_state);
}

TEST(TrainConfigFile, UnknownKeysAndWrongTypesAreLocated) {
  const auto f = load_train_config_text(
      "hiden: 16\n"
      "epochs: many\n"
      "learning_rate: \"0.01\"\n"
      "seed: -1\n"
      "batch_customers: [1, 2]\n"
      "calibration_end: 2024-02-30\n"
      "threads: 1.5\n"
      "action_into_state: yes\n"
      "action_into_sate: true\n",
      "lcm.yaml");
  ASSERT_FALSE(f.ok());
  EXPECT_FALSE(f.settings.epochs);  // nothing is returned from a file with errors
  EXPECT_EQ(errors_of(f),
            "lcm.yaml:1:1: hiden: unknown key 'hiden' (did you mean 'hidden'?)\n"
            "lcm.yaml:2:9: epochs: expected an integer, found 'many'\n"
            "lcm.yaml:3:16: learning_rate: expected a number, found the quoted string \"0.01\" "
            "(remove the quotes)\n"
            "lcm.yaml:4:7: seed: expected an integer in [0, 18446744073709551615], found '-1'\n"
            "lcm.yaml:5:18: batch_customers: expected an integer, found a list\n"
            "lcm.yaml:6:18: calibration_end: expected a date YYYY-MM-DD, found '2024-02-30'\n"
            "lcm.yaml:7:10: threads: expected an integer, found '1.5'\n"
            "lcm.yaml:8:20: action_into_state: expected true or false, found 'yes'\n"
            "lcm.yaml:9:1: action_into_sate: unknown key 'action_into_sate' (did you mean 'action_into_state'?)\n");
}

TEST(TrainConfigFile, RangesDuplicatesAndShapesAreChecked) {
  auto f = load_train_config_text("hidden: 0\nlearning_rate: 0\npatience: 0\nhidden: 8\ndecay_after: -1\n", "a.yaml");
  EXPECT_EQ(errors_of(f),
            "a.yaml:1:9: hidden: must be in [1, 1024], found 0\n"
            "a.yaml:2:16: learning_rate: must be greater than 0, found 0\n"
            "a.yaml:3:11: patience: must be in [1, 1000000], found 0\n"
            "a.yaml:4:1: hidden: duplicate key 'hidden'\n"
            "a.yaml:5:14: decay_after: must be in [0, 1000000], found -1\n");
  f = load_train_config_text("", "b.yaml");
  EXPECT_EQ(errors_of(f), "b.yaml:1:1: the file is empty: expected training settings (a map of keys)\n");
  f = load_train_config_text("- hidden: 8\n", "c.yaml");
  EXPECT_EQ(errors_of(f), "c.yaml:1:1: expected training settings (a map of keys), found a list\n");
  f = load_train_config_text("hidden: [8\n", "d.yaml");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_NE(f.errors[0].to_string().find("d.yaml:"), std::string::npos);
  EXPECT_NE(f.errors[0].message.find("invalid YAML"), std::string::npos);
  f = load_train_config_file("/nonexistent/lcm.yaml");
  EXPECT_EQ(errors_of(f), "/nonexistent/lcm.yaml: cannot read the training config file\n");
}

TEST(TrainConfigFile, TheDocumentedExampleLoads) {
  const auto f = load_train_config_file(std::string(MIRROR_SOURCE_DIR) + "/docs/lcm_train.yaml");
  ASSERT_TRUE(f.ok()) << errors_of(f);
  EXPECT_EQ(*f.settings.hidden, 32);
  EXPECT_EQ(*f.settings.threads, 1);
  EXPECT_EQ(*f.settings.action_into_state, false);
  EXPECT_FALSE(f.settings.calibration_end);  // commented out
  EXPECT_EQ(*f.settings.step_days, 1);
  const auto world = load_train_config_file(std::string(MIRROR_SOURCE_DIR) + "/docs/examples/lcm_train_world.yaml");
  ASSERT_TRUE(world.ok()) << errors_of(world);
  EXPECT_EQ(*world.settings.tenure, false);
  EXPECT_EQ(*world.settings.validation_days, 14);
  EXPECT_EQ(*world.settings.epochs, 10);
  EXPECT_EQ(*world.settings.decay_after, 4);
  EXPECT_EQ(*world.settings.patience, 10);
  EXPECT_FALSE(world.settings.store);  // given on the command line
}

}  // namespace
}  // namespace mirror::scenario
