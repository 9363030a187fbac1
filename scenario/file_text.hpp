// A YAML input file's whole text, for the loaders that read one.
#pragma once

#include <optional>
#include <string>

#include "mirror/scenario/load_scenario.hpp"

namespace mirror::scenario {

// The file's text into `text`, or the error to report: "PATH: cannot read file: why".
std::optional<ScenarioError> read_file_text(const std::string& path, std::string& text);

}  // namespace mirror::scenario
