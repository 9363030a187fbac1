#include "mirror/ingest/segment_rules.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

using mirror::ingest::FieldKind;
using mirror::ingest::parse_segment_rule;
using mirror::ingest::rule_fields;
using mirror::ingest::RuleError;
using mirror::results::Table;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Five customers; c3 has no model scores and no purchases.
Table profiles() {
  Table t;
  t.columns.push_back({"customer_id", {}, {"c0", "c1", "c2", "c3", "c4"}});
  t.columns.push_back(
      {"first_purchase", {}, {"1997-01-01", "1997-02-10", "1997-03-05", "", "1997-01-20"}});
  t.columns.push_back({"rfm_segment", {}, {"R5F5M5", "R1F1M1", "R5F5M5", "none", "R3F2M4"}});
  t.columns.push_back({"recency_days", {10, 200, 25, kNaN, 40}, {}});
  t.columns.push_back({"total_spend", {600, 50, 150, 0, 120}, {}});
  t.columns.push_back({"purchases", {12, 1, 3, 0, 2}, {}});
  t.columns.push_back({"p_alive", {0.9, 0.1, 0.25, kNaN, 0.5}, {}});
  t.columns.push_back({"clv_365d", {800, 5, 60, kNaN, 510}, {}});
  return t;
}

// The indices of the rows a rule selects.
std::vector<int> selected(const std::string& rule) {
  const auto parsed = parse_segment_rule(rule);
  EXPECT_TRUE(parsed.ok()) << rule << ": column " << parsed.error->column << ": "
                           << parsed.error->message;
  if (!parsed.ok()) return {-1};
  const auto flags = parsed.rule->evaluate(profiles());
  std::vector<int> out;
  for (std::size_t i = 0; i < flags.size(); ++i)
    if (flags[i]) out.push_back(static_cast<int>(i));
  return out;
}

// "COLUMN: MESSAGE" of the syntax error, or "" when the rule parses.
std::string syntax_error(const std::string& rule) {
  const auto parsed = parse_segment_rule(rule);
  if (parsed.ok()) return "";
  EXPECT_FALSE(parsed.rule.has_value());
  return std::to_string(parsed.error->column) + ": " + parsed.error->message;
}

// The check's errors against profiles(), one "COLUMN: MESSAGE" per line.
std::string check_errors(const std::string& rule) {
  const auto parsed = parse_segment_rule(rule);
  EXPECT_TRUE(parsed.ok()) << rule;
  if (!parsed.ok()) return "syntax error";
  std::string out;
  for (const auto& e : parsed.rule->check(rule_fields(profiles())))
    out += std::to_string(e.column) + ": " + e.message + "\n";
  return out;
}

using Rows = std::vector<int>;

}  // namespace

TEST(SegmentRules, ComparesNumbersAndText) {
  EXPECT_EQ(selected("clv_365d > 500"), (Rows{0, 4}));
  EXPECT_EQ(selected("clv_365d >= 510"), (Rows{0, 4}));
  EXPECT_EQ(selected("recency_days <= 25"), (Rows{0, 2}));
  EXPECT_EQ(selected("purchases == 1"), (Rows{1}));
  EXPECT_EQ(selected("rfm_segment == 'R5F5M5'"), (Rows{0, 2}));
  EXPECT_EQ(selected("rfm_segment == \"R5F5M5\""), (Rows{0, 2}));
  EXPECT_EQ(selected("rfm_segment != 'R5F5M5'"), (Rows{1, 3, 4}));
  // Text orders byte by byte, which orders ISO dates by time.
  EXPECT_EQ(selected("first_purchase < '1997-02-01'"), (Rows{0, 4}));
  EXPECT_EQ(selected("'R5F5M5' == rfm_segment"), (Rows{0, 2}));
  EXPECT_EQ(selected("500 < clv_365d"), (Rows{0, 4}));
}

TEST(SegmentRules, AndBindsTighterThanOrAndNotTighterThanAnd) {
  // or(R1F1M1, and(p_alive < 0.3, total_spend >= 100)): c1 by segment, c2 by the rest.
  EXPECT_EQ(selected("rfm_segment == 'R1F1M1' or p_alive < 0.3 and total_spend >= 100"),
            (Rows{1, 2}));
  // and(or(R1F1M1, p_alive < 0.3), total_spend >= 100): c1 is dropped by its spend.
  EXPECT_EQ(selected("(rfm_segment == 'R1F1M1' or p_alive < 0.3) and total_spend >= 100"),
            (Rows{2}));
  EXPECT_EQ(selected("(rfm_segment == 'R5F5M5' or p_alive < 0.3) and total_spend < 100"),
            (Rows{1}));
  EXPECT_EQ(selected("purchases > 1 and purchases < 10 or purchases == 0"), (Rows{2, 3, 4}));
  EXPECT_EQ(selected("purchases == 0 or purchases > 1 and purchases < 10"), (Rows{2, 3, 4}));
  // not(a) and b, not not(a and b).
  EXPECT_EQ(selected("not purchases > 2 and total_spend > 10"), (Rows{1, 4}));
  EXPECT_EQ(selected("not (purchases > 2 and total_spend > 200)"), (Rows{1, 2, 3, 4}));
  EXPECT_EQ(selected("not not purchases > 2"), (Rows{0, 2}));
}

TEST(SegmentRules, ArithmeticFollowsTheUsualPrecedence) {
  EXPECT_EQ(selected("total_spend / purchases > 55"), (Rows{4}));  // 50, 50, 50, 0/0, 60
  EXPECT_EQ(selected("total_spend - 10 * purchases > 100"), (Rows{0, 2}));
  EXPECT_EQ(selected("(total_spend - 10) * purchases > 1000"), (Rows{0}));
  EXPECT_EQ(selected("-recency_days > -20"), (Rows{0}));
  EXPECT_EQ(selected("purchases - 1 - 1 == 0"), (Rows{4}));  // left to right
  EXPECT_EQ(selected("purchases / 2 / 2 == 3"), (Rows{0}));
  EXPECT_EQ(selected("p_alive * clv_365d >= 250"), (Rows{0, 4}));
  EXPECT_EQ(selected("clv_365d > 1e3 or clv_365d < .1e2"), (Rows{1}));
}

TEST(SegmentRules, ComparisonsWithMissingValuesAreFalse) {
  EXPECT_EQ(selected("p_alive < 2"), (Rows{0, 1, 2, 4}));
  EXPECT_EQ(selected("p_alive != 0.5"), (Rows{0, 1, 2}));
  EXPECT_EQ(selected("p_alive == p_alive"), (Rows{0, 1, 2, 4}));
  EXPECT_EQ(selected("recency_days + 1 > 0"), (Rows{0, 1, 2, 4}));          // NaN + 1 is missing
  EXPECT_EQ(selected("total_spend / purchases >= 0"), (Rows{0, 1, 2, 4}));  // 0/0
  EXPECT_EQ(selected("p_alive not in [0.5]"), (Rows{0, 1, 2}));
  // `not` negates the comparison's result, so it selects the missing row.
  EXPECT_EQ(selected("not p_alive < 2"), (Rows{3}));
  // An empty text is missing too.
  EXPECT_EQ(selected("first_purchase < '1999'"), (Rows{0, 1, 2, 4}));
  EXPECT_EQ(selected("first_purchase != '1997-01-01'"), (Rows{1, 2, 4}));
  EXPECT_EQ(selected("first_purchase == ''"), (Rows{}));
}

TEST(SegmentRules, InLists) {
  EXPECT_EQ(selected("rfm_segment in ['R5F5M5', \"R3F2M4\"]"), (Rows{0, 2, 4}));
  EXPECT_EQ(selected("rfm_segment not in ['R5F5M5', 'none']"), (Rows{1, 4}));
  EXPECT_EQ(selected("purchases in [1, 2, -3]"), (Rows{1, 4}));
  EXPECT_EQ(selected("purchases * 2 in [4]"), (Rows{4}));
  EXPECT_EQ(selected("not rfm_segment in ['none'] and purchases in [12]"), (Rows{0}));
}

TEST(SegmentRules, ColumnsCountCharactersNotBytes) {
  EXPECT_EQ(
      syntax_error("rfm_segment == 'é' or"),
      "22: expected a field name, a number, a quoted string or '(', found the end of the rule");
}

TEST(SegmentRules, SyntaxErrorsSayWhereAndWhatWasExpected) {
  const std::string atom = "expected a field name, a number, a quoted string or '(', found ";
  const std::string comparison = "expected a comparison (< <= > >= == != in, not in), found ";
  EXPECT_EQ(syntax_error(""), "1: " + atom + "the end of the rule");
  EXPECT_EQ(syntax_error("   "), "4: " + atom + "the end of the rule");
  EXPECT_EQ(syntax_error("clv_365d > 500 and"), "19: " + atom + "the end of the rule");
  EXPECT_EQ(syntax_error("clv_365d > and x"), "12: " + atom + "'and'");
  EXPECT_EQ(syntax_error("clv_365d > )"), "12: " + atom + "')'");
  EXPECT_EQ(syntax_error("clv_365d"), "9: " + comparison + "the end of the rule");
  EXPECT_EQ(syntax_error("recency_days 30"), "14: " + comparison + "the number 30");
  EXPECT_EQ(syntax_error("clv_365d and p_alive > 1"), "10: " + comparison + "'and'");
  EXPECT_EQ(syntax_error("p_alive > 1 or clv_365d"), "24: " + comparison + "the end of the rule");
  EXPECT_EQ(syntax_error("not (clv_365d + 1)"), "19: " + comparison + "the end of the rule");
  EXPECT_EQ(syntax_error("clv_365d > 1 clv_365d"),
            "14: expected 'and', 'or' or the end of the rule, found 'clv_365d'");
  EXPECT_EQ(
      syntax_error("(clv_365d > 1"),
      "14: expected 'and', 'or' or ')' to close the '(' at column 1, found the end of the rule");
  EXPECT_EQ(
      syntax_error("(clv_365d + 1 > 2"),
      "18: expected 'and', 'or' or ')' to close the '(' at column 1, found the end of the rule");
  EXPECT_EQ(syntax_error("(clv_365d 1) > 2"),
            "11: expected an operator or ')' to close the '(' at column 1, found the number 1");
  EXPECT_EQ(syntax_error("clv_365d > 1)"),
            "13: expected 'and', 'or' or the end of the rule, found ')'");
  EXPECT_EQ(syntax_error("0 < clv_365d < 9"),
            "14: expected 'and' or 'or' between two comparisons, found '<' (comparisons do not "
            "chain)");
  EXPECT_EQ(syntax_error("p_alive > 0.5 and (p_alive > 0.1) + 1 > 0"),
            "19: expected a value before '+', found a condition");
  EXPECT_EQ(syntax_error("(p_alive > 0.5) == (p_alive > 0.1)"),
            "1: expected a value before '==', found a condition");
  EXPECT_EQ(syntax_error("clv_365d * (p_alive > 1) > 0"),
            "12: expected a value after '*', found a condition");
  EXPECT_EQ(syntax_error("-(p_alive > 1)"), "2: expected a value after '-', found a condition");
  EXPECT_EQ(syntax_error("clv_365d + not p_alive"), "12: " + atom + "'not'");
}

TEST(SegmentRules, TokenErrorsSayWhereAndWhatWasExpected) {
  EXPECT_EQ(syntax_error("rfm_segment == 'R5F5M5"),
            "16: expected a closing ' to end the string, found the end of the rule");
  EXPECT_EQ(syntax_error("rfm_segment == \"R5"),
            "16: expected a closing \" to end the string, found the end of the rule");
  EXPECT_EQ(syntax_error("recency_days < 30days"), "16: expected a number, found '30days'");
  EXPECT_EQ(syntax_error("recency_days < 1.2.3"), "16: expected a number, found '1.2.3'");
  EXPECT_EQ(syntax_error("recency_days = 30"), "14: expected '==' to compare, found '='");
  EXPECT_EQ(syntax_error("!(recency_days > 30)"), "1: expected 'not' or '!=', found '!'");
  EXPECT_EQ(syntax_error("p_alive > 1 && p_alive < 2"), "13: expected 'and', found '&&'");
  EXPECT_EQ(syntax_error("p_alive > 1 || p_alive < 2"), "13: expected 'or', found '||'");
  EXPECT_EQ(syntax_error("p_alive > 1 # comment"),
            "13: expected a field name, a number, a quoted string, an operator or a "
            "parenthesis, found '#'");
  // A bad token after an earlier mistake: the earlier one is reported.
  EXPECT_EQ(syntax_error("p_alive > > 1 # x"),
            "11: expected a field name, a number, a quoted string or '(', found '>'");
}

TEST(SegmentRules, ListErrors) {
  EXPECT_EQ(syntax_error("rfm_segment in 'R5F5M5'"),
            "16: expected '[' after 'in', found the string 'R5F5M5'");
  EXPECT_EQ(syntax_error("rfm_segment not in ('R5F5M5')"),
            "20: expected '[' after 'not in', found '('");
  EXPECT_EQ(syntax_error("rfm_segment in []"),
            "17: expected a number or a quoted string in the list, found ']'");
  EXPECT_EQ(syntax_error("rfm_segment in [segment]"),
            "17: expected a number or a quoted string in the list, found 'segment'");
  EXPECT_EQ(syntax_error("rfm_segment in ['a' 'b']"),
            "21: expected ',' or ']' to close the '[' at column 16, found the string 'b'");
  EXPECT_EQ(syntax_error("rfm_segment in ['a',"),
            "21: expected a number or a quoted string in the list, found the end of the rule");
}

TEST(SegmentRules, UnknownFieldsAreReportedWithASuggestion) {
  EXPECT_EQ(check_errors("recncy_days < 30"),
            "1: unknown field 'recncy_days' (did you mean 'recency_days'?)\n");
  EXPECT_EQ(check_errors("p_alive > 0.1 and churn < 1"), "19: unknown field 'churn'\n");
  // Every unknown field, in column order.
  EXPECT_EQ(check_errors("clv > 1 or (xyz + p_alve) * 2 < 3"),
            "1: unknown field 'clv'\n"
            "13: unknown field 'xyz'\n"
            "19: unknown field 'p_alve' (did you mean 'p_alive'?)\n");
  EXPECT_EQ(check_errors("clv_365d > 1 and p_alive < 1"), "");
}

TEST(SegmentRules, TextAndNumbersDoNotMix) {
  EXPECT_EQ(check_errors("rfm_segment == 5"),
            "16: expected a quoted string to compare with the text field 'rfm_segment', found "
            "the number 5\n");
  EXPECT_EQ(check_errors("total_spend >= '100'"),
            "16: expected a number to compare with the number field 'total_spend', found the "
            "string '100'\n");
  EXPECT_EQ(check_errors("5 == rfm_segment"),
            "1: expected a quoted string to compare with the text field 'rfm_segment', found "
            "the number 5\n");
  EXPECT_EQ(check_errors("rfm_segment == total_spend"),
            "16: expected a quoted string to compare with the text field 'rfm_segment', found "
            "the number field 'total_spend'\n");
  EXPECT_EQ(check_errors("'a' < -1"),
            "7: expected a quoted string to compare with the string 'a', found the number -1\n");
  EXPECT_EQ(check_errors("rfm_segment + 1 > 2"),
            "1: expected a number for '+', found the text field 'rfm_segment'\n");
  EXPECT_EQ(check_errors("-rfm_segment > 2"),
            "2: expected a number for '-', found the text field 'rfm_segment'\n");
  EXPECT_EQ(check_errors("purchases * 'x' > 2"),
            "13: expected a number for '*', found the string 'x'\n");
  EXPECT_EQ(check_errors("rfm_segment in ['R5F5M5', 5, 'x']"),
            "27: expected a quoted string in the list for the text field 'rfm_segment', found "
            "the number 5\n");
  EXPECT_EQ(check_errors("purchases not in [1, 'two']"),
            "22: expected a number in the list for the number field 'purchases', found the "
            "string 'two'\n");
  // An unknown field is reported once, not again as a mismatch.
  EXPECT_EQ(check_errors("segment == 5"), "1: unknown field 'segment'\n");
}

TEST(SegmentRules, EvaluatingAnUncheckedRuleThrows) {
  const auto parsed = parse_segment_rule("churn > 1");
  ASSERT_TRUE(parsed.ok());
  EXPECT_THROW(parsed.rule->evaluate(profiles()), std::invalid_argument);
}

TEST(SegmentRules, FieldsOfATable) {
  const auto fields = rule_fields(profiles());
  ASSERT_EQ(fields.size(), 8u);
  EXPECT_EQ(fields[2].name, "rfm_segment");
  EXPECT_EQ(fields[2].kind, FieldKind::kText);
  EXPECT_EQ(fields[3].kind, FieldKind::kNumber);
}

TEST(SegmentRules, RulesCopyAndKeepTheirText) {
  const auto parsed = parse_segment_rule("purchases > 2");
  ASSERT_TRUE(parsed.ok());
  const auto copy = *parsed.rule;
  EXPECT_EQ(copy.text(), "purchases > 2");
  EXPECT_EQ(copy.evaluate(profiles()), (std::vector<std::uint8_t>{1, 0, 1, 0, 0}));
}

TEST(SegmentRules, FieldsListsEachNamedFieldOnceInOrder) {
  const auto parsed =
      parse_segment_rule("p_alive < 0.3 and (total_spend > 10 * purchases or p_alive in [1, 2]) "
                         "and not rfm_segment == 'x'");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.rule->fields(),
            (std::vector<std::string>{"p_alive", "total_spend", "purchases", "rfm_segment"}));
  EXPECT_TRUE(parse_segment_rule("1 < 2").rule->fields().empty());
}

TEST(SegmentRules, TextsComparedWithAFieldForEquality) {
  const auto parsed = parse_segment_rule(
      "rfm_segment in ['R5F5M5', 'R1'] or 'R3' == rfm_segment and rfm_segment < 'R9' and "
      "first_purchase != '1997' and not rfm_segment != \"R2\"");
  ASSERT_TRUE(parsed.ok());
  const auto texts = parsed.rule->texts_compared_with("rfm_segment");
  ASSERT_EQ(texts.size(), 4u);
  EXPECT_EQ(texts[0].value, "R5F5M5");
  EXPECT_EQ(texts[0].column, 17);
  EXPECT_EQ(texts[1].value, "R1");
  EXPECT_EQ(texts[2].value, "R3");
  EXPECT_EQ(texts[2].column, 36);
  EXPECT_EQ(texts[3].value, "R2");
}
