// Rule-based segments: a small boolean language over profile fields, such as
// `clv_365d > 500 and recency_days < 30`. The language is described in docs/segments.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mirror/results/customer_store.hpp"

namespace mirror::ingest {

// A problem in a rule text. `column` is 1-based and counts characters (UTF-8 code points),
// so a caller that knows where the rule sits in a file can point at the exact spot.
struct RuleError {
  int column = 0;
  std::string message;  // says what was expected and what was found
};

enum class FieldKind { kNumber, kText };

struct RuleField {
  std::string name;
  FieldKind kind = FieldKind::kNumber;
};

// The fields a rule may name on `table`: a column is text when it holds strings (so the
// columns of a table without rows all count as numbers).
std::vector<RuleField> rule_fields(const results::Table& table);

struct RuleNode;  // the parsed expression, defined in segment_rules.cpp
struct RuleParse;

// Parses a rule; a syntax error is returned, not thrown.
RuleParse parse_segment_rule(const std::string& text);

// A rule that parsed: syntax is right and conditions and values sit where they belong.
// Whether its fields exist, and hold numbers or text, depends on the table: see check().
class SegmentRule {
 public:
  const std::string& text() const { return text_; }

  // Unknown fields (with a suggestion) and text compared with or computed as numbers, in
  // column order. Empty when the rule can be evaluated on a table with these fields.
  std::vector<RuleError> check(const std::vector<RuleField>& fields) const;

  // The names of the fields the rule reads, each once, in order of first appearance.
  std::vector<std::string> fields() const;

  // The quoted strings the rule tests `field` for equality with (==, !=, in, not in), in
  // column order, so a caller can check them against the values the field can take.
  struct TextLiteral {
    int column = 0;
    std::string value;
  };
  std::vector<TextLiteral> texts_compared_with(const std::string& field) const;

  // One flag per row of `table`, 1 where the rule holds. Any comparison involving a missing
  // value (a NaN number or an empty text) is false, `!=` and `in` included, while `not`
  // negates: `not (x == 1)` holds for a missing x, `x != 1` does not.
  // Throws std::invalid_argument when check() reports a problem for the table's fields.
  std::vector<std::uint8_t> evaluate(const results::Table& table) const;

 private:
  friend RuleParse parse_segment_rule(const std::string& text);
  SegmentRule(std::string text, std::shared_ptr<const RuleNode> root);

  std::string text_;
  std::shared_ptr<const RuleNode> root_;  // shared so that rules copy cheaply
};

// Either a rule or the first syntax error, never both.
struct RuleParse {
  std::optional<SegmentRule> rule;
  std::optional<RuleError> error;

  bool ok() const { return rule.has_value(); }
};

}  // namespace mirror::ingest
