// Reads a world file for `mirror generate` (docs/worlds.md) into a resolved
// core::SyntheticWorldSpec: a preset to start from, then any section replaced or any
// behaviour / logging_policy key overridden. Errors are located like scenario errors.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mirror/core/synthetic_world.hpp"
#include "mirror/scenario/load_scenario.hpp"

namespace mirror::scenario {

struct LoadWorldResult {
  std::optional<core::SyntheticWorldSpec> world;
  std::vector<ScenarioError> errors;  // in file order

  bool ok() const { return world.has_value(); }
};

LoadWorldResult load_world_text(const std::string& text, const std::string& label);
LoadWorldResult load_world_file(const std::string& path);
// A preset's name, or else a world file's path.
LoadWorldResult load_world(const std::string& preset_or_path);

}  // namespace mirror::scenario
