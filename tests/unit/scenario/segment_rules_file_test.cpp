// Data-driven like the scenario goldens: tests/segment_rules/invalid/NAME.yaml must give the
// errors in NAME.expected, and tests/segment_rules/valid/NAME.yaml the segments listed in
// NAME.expected (name, position of the rule, column where its text starts, rule).
// MIRROR_UPDATE_GOLDEN=1 rewrites the .expected files (read every change before committing).
#include "mirror/scenario/segment_rules_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using mirror::scenario::load_segment_rules_file;
using mirror::scenario::load_segment_rules_text;
using mirror::scenario::segment_rule_error;

namespace {

std::vector<fs::path> yaml_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Compares `actual` with FILE's .expected, or rewrites it when asked to.
void expect_golden(const fs::path& file, const std::string& actual) {
  auto expected_path = file;
  expected_path.replace_extension(".expected");
  if (std::getenv("MIRROR_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(expected_path) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(expected_path)) << "missing " << expected_path;
  EXPECT_EQ(actual, read(expected_path)) << "in " << file;
}

std::string errors_of(const mirror::scenario::SegmentRulesFile& f) {
  std::string out;
  for (const auto& e : f.errors) out += e.to_string() + "\n";
  return out;
}

}  // namespace

TEST(SegmentRulesFile, InvalidFilesGiveTheirExpectedErrors) {
  const auto files = yaml_files("tests/segment_rules/invalid");
  EXPECT_GE(files.size(), 14u);
  for (const auto& file : files) {
    const std::string relative = "tests/segment_rules/invalid/" + file.filename().string();
    const auto result = load_segment_rules_file(relative);
    EXPECT_FALSE(result.ok()) << relative << " loaded without errors";
    EXPECT_TRUE(result.segments.empty()) << relative;
    expect_golden(file, errors_of(result));
  }
}

TEST(SegmentRulesFile, ValidFilesGiveTheirExpectedSegments) {
  const auto files = yaml_files("tests/segment_rules/valid");
  EXPECT_GE(files.size(), 2u);
  for (const auto& file : files) {
    const std::string relative = "tests/segment_rules/valid/" + file.filename().string();
    const auto result = load_segment_rules_file(relative);
    EXPECT_TRUE(result.ok()) << errors_of(result);
    std::ostringstream actual;
    for (const auto& s : result.segments)
      actual << s.name << " " << s.line << ":" << s.column << " text at " << s.text_column << ": "
             << s.rule << "\n";
    expect_golden(file, actual.str());
  }
}

TEST(SegmentRulesFile, UnreadableFile) {
  const auto result = load_segment_rules_file("tests/segment_rules/no_such_file.yaml");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].to_string(),
            "tests/segment_rules/no_such_file.yaml: cannot read file: No such file or directory");
  EXPECT_EQ(load_segment_rules_file("tests/segment_rules").errors.at(0).message,
            "cannot read file: it is a directory");
}

// A rule's column lands on the file's column where the rule is written unchanged on one line.
TEST(SegmentRulesFile, RuleErrorsPointIntoTheFile) {
  const auto f = load_segment_rules_text(
      "segments:\n"
      "  - { name: a, rule: \"p_alive < 0.3 and\" }\n"  // double-quoted: text from column 23
      "  - { name: b, rule: 'p_alive <' }\n"            // single-quoted
      "  - name: c\n"
      "    rule: p_alive > > 1\n"  // plain: text from column 11
      "  - name: d\n"
      "    rule: \"rfm_segment == 'é' or\"\n"  // columns count characters
      "  - name: e\n"
      "    rule: 'rfm_segment == ''x'' or'\n"  // an escape shifts columns: not mapped
      "  - name: f\n"
      "    rule: >\n"
      "      p_alive < 0.3\n"
      "      and\n",
      "rules.yaml");
  ASSERT_TRUE(f.ok()) << errors_of(f);
  ASSERT_EQ(f.segments.size(), 6u);
  EXPECT_EQ(segment_rule_error(f, 0, 18, "expected X").to_string(),
            "rules.yaml:2:40: segments[0].rule: expected X");
  EXPECT_EQ(segment_rule_error(f, 1, 1, "m").to_string(), "rules.yaml:3:23: segments[1].rule: m");
  EXPECT_EQ(segment_rule_error(f, 2, 11, "m").to_string(), "rules.yaml:5:21: segments[2].rule: m");
  EXPECT_EQ(segment_rule_error(f, 3, 22, "m").to_string(), "rules.yaml:7:33: segments[3].rule: m");
  EXPECT_EQ(f.segments[4].rule, "rfm_segment == 'x' or");
  EXPECT_EQ(segment_rule_error(f, 4, 22, "m").to_string(),
            "rules.yaml:9:11: segments[4].rule: m (at column 22 of the rule)");
  EXPECT_EQ(f.segments[5].rule, "p_alive < 0.3 and\n");
  EXPECT_EQ(segment_rule_error(f, 5, 19, "m").to_string(),
            "rules.yaml:11:11: segments[5].rule: m (at column 19 of the rule)");
}

TEST(SegmentRulesFile, ErrorsComeInFileOrder) {
  const auto f = load_segment_rules_text(
      "segments:\n"
      "  - { name: b, rule: x, extra: 1 }\n"
      "  - { name: b, rule: y }\n"
      "other: 1\n",
      "r.yaml");
  EXPECT_EQ(errors_of(f),
            "r.yaml:2:25: segments[0].extra: unknown key 'extra'\n"
            "r.yaml:3:13: segments[1].name: duplicate segment name 'b' (first at line 2)\n"
            "r.yaml:4:1: other: unknown key 'other'\n");
}
