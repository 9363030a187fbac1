// Reading policy artifacts (format mirror-policy-1, docs/export.md) with located errors, and
// turning a scenario's arm into the same artifact when its policy is a stationary function
// of what a decisions log records.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mirror/policies/policy_artifact.hpp"
#include "mirror/scenario/load_scenario.hpp"

namespace mirror::scenario {

// Either an artifact or at least one error, never both.
struct PolicyArtifactLoad {
  std::optional<policies::PolicyArtifact> artifact;
  std::vector<ScenarioError> errors;  // in file order

  bool ok() const { return artifact.has_value(); }
};

// `label` is the file name used in messages.
PolicyArtifactLoad load_policy_artifact_text(const std::string& text, const std::string& label);
PolicyArtifactLoad load_policy_artifact_file(const std::string& path);

// True when TEXT is YAML whose top-level map has `format`, `rules` or `default` and no
// `experiment`: an artifact (perhaps a broken one), not a scenario.
bool looks_like_policy_artifact(const std::string& text);

// The policy of arm ARM ("" when the scenario has one arm) of the scenario file PATH, as an
// artifact. Kinds that are a stationary function of a decision's context only: none,
// batch_and_blast (its campaign with probability 1 / every_days on every day: the time
// average of its schedule) and rules without triggers or cooldowns (conditions with
// every_days > 1 become the time average over the cycle of their schedules). Other kinds,
// which learn, rank the arm or score customers with the behaviour model, give an error that
// says why and points to `mirror export`.
PolicyArtifactLoad policy_artifact_from_scenario(const std::string& path, const std::string& arm);

}  // namespace mirror::scenario
