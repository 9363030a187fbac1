// Reads a segment rules file (YAML: a `segments` list of {name, rule}) into plain structs.
// The rules' own language is parsed by ingest/segment_rules; this reader only knows where
// each rule sits in the file, so that errors inside a rule can point into the file.
#pragma once

#include <string>
#include <vector>

#include "mirror/scenario/load_scenario.hpp"

namespace mirror::scenario {

struct SegmentRuleEntry {
  std::string name;
  std::string rule;
  int line = 0;    // 1-based position of the rule's value in the file
  int column = 0;  // in characters
  // The file column of the rule's first character when the rule maps onto the file
  // character for character (a one-line plain or quoted scalar without escapes), else 0.
  int text_column = 0;
};

// The segments in file order, or at least one error, never both.
struct SegmentRulesFile {
  std::string label;  // the file name used in messages
  std::vector<SegmentRuleEntry> segments;
  std::vector<ScenarioError> errors;  // in file order

  bool ok() const { return errors.empty(); }
};

// `label` is the file name used in error messages.
SegmentRulesFile load_segment_rules_text(const std::string& text, const std::string& label);
// Reads the file (an unreadable file is reported as an error at 0:0).
SegmentRulesFile load_segment_rules_file(const std::string& path);

// An error at column `rule_column` (1-based, in characters) of segment `index`'s rule, as
// `FILE:LINE:COL: segments[INDEX].rule: MESSAGE`. Where the rule does not map onto the file
// (it spans lines or has escapes), the position is the rule's and the message says the
// column within the rule.
ScenarioError segment_rule_error(const SegmentRulesFile& file, std::size_t index, int rule_column,
                                 const std::string& message);

}  // namespace mirror::scenario
