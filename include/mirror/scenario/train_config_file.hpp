// Reads a training config file for `mirror train --config` (docs/lcm.md): the LCM's
// training settings as YAML. Every key is optional; the command's defaults fill the rest
// and its flags override the file. Errors are located like scenario errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mirror/scenario/load_scenario.hpp"

namespace mirror::scenario {

// `offer_memory`: true, false, or auto (train both ways and keep the better on the
// validation days).
enum class OfferMemory { off, on, automatic };

// What the file sets; unset keys stay empty. Plain values, so that this module needs no
// LCM headers: the command copies them into twins::LcmConfig.
struct TrainSettings {
  std::optional<int> hidden, epochs, patience, batch_customers, validation_days, threads, decay_after;
  std::optional<int> customers;  // train on a random sample of this many of the store's customers
  std::optional<double> learning_rate;
  std::optional<std::uint64_t> seed;
  std::optional<bool> action_into_state;
  std::optional<bool> tenure;
  std::optional<bool> attributes;
  std::optional<OfferMemory> offer_memory;
  std::optional<bool> propensity_weights;
  std::optional<int> step_days;  // `step: day` (1) or `step: week` (7)
  std::optional<std::string> calibration_end;  // YYYY-MM-DD, checked
  std::optional<std::string> store, out;       // relative paths resolved against the file's folder
};

struct TrainConfigFile {
  TrainSettings settings;
  std::vector<ScenarioError> errors;  // in file order; settings are empty when any
  bool ok() const { return errors.empty(); }
};

// `label` is the file name used in messages and the base of relative paths.
TrainConfigFile load_train_config_text(const std::string& text, const std::string& label);
// Reads the file (an unreadable file is reported as an error at 0:0).
TrainConfigFile load_train_config_file(const std::string& path);

}  // namespace mirror::scenario
