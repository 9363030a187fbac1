// A policy artifact (format mirror-policy-1): a stationary stochastic decision rule over a
// decision's context, as `mirror export` writes it and `mirror ope --policy` reads it. An
// ordered list of `when: CONDITION` -> action distribution (first match wins) and a default
// distribution. Conditions are segment-rule conditions (docs/segments.md) over the context
// columns of a decisions log. Format and meaning: docs/export.md.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "mirror/policies/bandit_log.hpp"

namespace mirror::policies {

inline constexpr const char* kPolicyArtifactFormat = "mirror-policy-1";
// The label of "no action" in artifacts; decisions logs write it as "//" (empty channel,
// message and offer), which artifacts accept too.
inline constexpr const char* kNoActionLabel = "none";

// Where a value sits in the artifact's file, for located errors (line 0: not from a file).
struct ArtifactPlace {
  int line = 0;
  int column = 0;
  std::string key;  // e.g. rules[2].when
};

struct ActionShare {
  std::string label;  // channel/message/offer as `mirror ope` names actions, or none
  double probability = 0.0;
};
using ActionDistribution = std::vector<ActionShare>;

struct PolicyRule {
  std::string when;  // a segment-rule condition
  ActionDistribution actions;
  std::int64_t count = -1;  // decision opportunities behind it (export), -1 = not given
  ArtifactPlace when_place;
  ArtifactPlace actions_place;
};

struct PolicyArtifact {
  std::string label;  // the file (or scenario and arm) named in messages
  // Provenance, written and read back, never interpreted: kind, scenario, arm, seed, ...
  std::vector<std::pair<std::string, std::string>> source;
  std::vector<PolicyRule> rules;
  ActionDistribution default_actions;
  std::int64_t default_count = -1;
  ArtifactPlace default_place;
};

// The artifact as YAML text (probabilities to 12 significant digits), and written to
// PATH under a temporary name, renamed when complete. Throws std::runtime_error.
std::string policy_artifact_yaml(const PolicyArtifact& artifact);
void write_policy_artifact(const PolicyArtifact& artifact, const std::string& path);

// "LABEL:LINE:COL: KEY: MESSAGE" (or "LABEL: KEY: MESSAGE" without a line).
std::string located(const PolicyArtifact& artifact, const ArtifactPlace& place,
                    const std::string& message);

// pi_e(. | x_i) for every round of LOG: the distribution of the first rule whose condition
// holds on round i's context columns, else the default. Labels the log never shows are
// added to LOG as actions without rounds (the estimators then warn about missing support);
// `notes` gets one line per such label, with a suggestion when a logged label is close.
// Throws BanditLogError, located in the artifact, for a condition that names a column the
// log does not have or compares it with the wrong type, a label that is not of the log's
// form, and a distribution that is not one.
TargetPolicy artifact_target_policy(const PolicyArtifact& artifact, BanditLog& log,
                                    std::vector<std::string>* notes = nullptr);

}  // namespace mirror::policies
