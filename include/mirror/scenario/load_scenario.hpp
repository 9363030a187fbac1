// Reads a scenario YAML file into a validated core::ScenarioSpec. The only yaml-cpp user.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mirror/core/scenario_spec.hpp"

namespace mirror::scenario {

// One problem in a scenario file, printed as `FILE:LINE:COL: key.path: message`.
// line and column are 1-based.
struct ScenarioError {
  std::string file;
  int line = 0;
  int column = 0;
  std::string key_path;  // e.g. experiment.arms[2].policy.kind
  std::string message;   // e.g. unknown policy 'blst' (did you mean 'batch_and_blast'?)

  std::string to_string() const;
};

// Either a spec or at least one error, never both.
struct LoadResult {
  std::optional<core::ScenarioSpec> spec;
  std::vector<ScenarioError> errors;  // in file order

  bool ok() const { return spec.has_value(); }
};

// `label` is the file name used in error messages.
LoadResult load_scenario_text(const std::string& text, const std::string& label);
// Reads the file (an unreadable file is reported as an error at 0:0).
LoadResult load_scenario_file(const std::string& path);

}  // namespace mirror::scenario
