// `mirror export`: the next-best-action table of one arm of a run, read from its results
// file, and the policy artifact that plays it (docs/export.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mirror/policies/policy_artifact.hpp"

namespace mirror::policies {

struct ExportOptions {
  std::string results;  // results.h5 of `mirror run`
  std::string arm;
  bool by_segment = true;       // one distribution per segment, else one for everyone
  bool segments_observable = true;  // false: the run's model gives customers no segment label
  bool proposed = false;        // count what the policy proposed, not what was delivered
  // Names for the decision log's indices (the scenario's offers and world categories), so
  // that labels read as `mirror ope` names actions: channel/message/offer.
  std::vector<std::string> offers;
  std::vector<std::string> messages;
};

// One group of decision opportunities (a segment, or everyone).
struct NextBestActionRow {
  std::string group;      // segment name, or "all"
  std::int64_t customers = 0;
  std::int64_t opportunities = 0;  // customers x logged days
  std::vector<std::int64_t> counts;  // per NextBestActionTable::labels
};

struct NextBestActionTable {
  std::string arm;
  std::string policy;                // the arm's policy kind
  std::int32_t days = 0;             // days of the decision log (0 .. days-1)
  bool truncated = false;            // the run's decision log stopped early
  std::vector<std::string> labels;   // [0] = none, then in order of first appearance
  std::vector<NextBestActionRow> rows;
  std::int64_t extra_records = 0;    // records beyond the first of a customer's day (not counted)
  PolicyArtifact artifact;           // rules per segment (or just the default)
};

// A decision opportunity is one customer of the arm on one logged day; its action is the
// arm's first delivered (or, with `proposed`, proposed) decision that day, and "none" when
// there is none (no proposal, an explicit no-action, or a blocked proposal). Throws
// std::invalid_argument for a missing arm or decision log, results::ResultsFileError for an
// unreadable file.
NextBestActionTable export_next_best_actions(const ExportOptions& options);

}  // namespace mirror::policies
