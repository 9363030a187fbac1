// Reads a segment rules file: every structural problem is collected with its position, and
// each rule's place in the file is kept so that errors inside rules can be located too.
#include "mirror/scenario/segment_rules_file.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

#include "did_you_mean.hpp"
#include "file_text.hpp"

namespace mirror::scenario {

namespace {

using Keys = std::vector<std::string>;
using Entries = std::vector<std::pair<YAML::Node, YAML::Node>>;

const Keys kTopKeys{"segments"};
const Keys kSegmentKeys{"name", "rule"};

// Segment names become store datasets and CSV headers, so they are identifiers.
bool valid_segment_name(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool is_continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

class RulesReader {
 public:
  RulesReader(const std::string& text, std::string label) : text_(text), label_(std::move(label)) {}

  SegmentRulesFile read() {
    SegmentRulesFile out;
    out.label = label_;
    YAML::Node root;
    try {
      root = YAML::Load(text_);
    } catch (const YAML::ParserException& e) {
      add(e.mark, "", "invalid YAML: " + e.msg);
      out.errors = std::move(errors_);
      return out;
    }
    if (!root || root.IsNull()) {
      errors_.push_back(
          {label_, 1, 1, "", "the file is empty: expected a map with a 'segments' list"});
    } else if (!root.IsMap()) {
      error(root, "", "expected a map with a 'segments' list, found " + kind_of(root));
    } else {
      read_root(root);
    }
    std::stable_sort(errors_.begin(), errors_.end(), [](const auto& a, const auto& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    if (errors_.empty()) out.segments = std::move(segments_);
    out.errors = std::move(errors_);
    return out;
  }

 private:
  // yaml-cpp counts columns in bytes; editors and the rule parser count characters.
  int character_column(const YAML::Mark& mark) const {
    if (mark.pos < 0 || mark.column < 0 || static_cast<std::size_t>(mark.pos) > text_.size() ||
        mark.column > mark.pos)
      return mark.column >= 0 ? mark.column + 1 : 1;
    int column = 1;
    for (int i = mark.pos - mark.column; i < mark.pos; ++i)
      if (!is_continuation_byte(text_[static_cast<std::size_t>(i)])) ++column;
    return column;
  }

  void add(const YAML::Mark& mark, const std::string& path, const std::string& message) {
    errors_.push_back(
        {label_, mark.line >= 0 ? mark.line + 1 : 1, character_column(mark), path, message});
  }
  void error(const YAML::Node& node, const std::string& path, const std::string& message) {
    add(node.Mark(), path, message);
  }

  static std::string kind_of(const YAML::Node& n) {
    if (n.IsMap()) return "a map";
    if (n.IsSequence()) return "a list";
    if (n.IsNull()) return "nothing";
    return "'" + n.Scalar() + "'";
  }

  // The map's entries in file order, after reporting duplicate, non-scalar and unknown keys.
  Entries entries(const YAML::Node& map, const std::string& path, const Keys& allowed) {
    Entries out;
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node key = it->first;
      const std::string at = path.empty() ? "" : path + ".";
      if (!key.IsScalar()) {
        error(key, path, "expected a name as key, found " + kind_of(key));
        continue;
      }
      const std::string& name = key.Scalar();
      if (!seen.insert(name).second) {
        error(key, at + name, "duplicate key '" + name + "'");
        continue;
      }
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        error(key, at + name, "unknown key '" + name + "'" + suggestion(name, allowed));
        continue;
      }
      out.emplace_back(key, it->second);
    }
    return out;
  }

  static const YAML::Node* find(const Entries& entries, const std::string& key) {
    for (const auto& [k, v] : entries)
      if (k.Scalar() == key) return &v;
    return nullptr;
  }

  void read_root(const YAML::Node& root) {
    const auto top = entries(root, "", kTopKeys);
    const YAML::Node* list = find(top, "segments");
    if (list == nullptr) {
      error(root, "", "missing required key 'segments'");
      return;
    }
    if (!list->IsSequence()) {
      error(*list, "segments", "expected a list of segments, found " + kind_of(*list));
      return;
    }
    if (list->size() == 0) {
      error(*list, "segments", "expected at least one segment, found an empty list");
      return;
    }
    for (std::size_t i = 0; i < list->size(); ++i)
      read_segment((*list)[i], "segments[" + std::to_string(i) + "]");
  }

  void read_segment(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap()) {
      error(node, path, "expected a map with 'name' and 'rule', found " + kind_of(node));
      return;
    }
    const auto keys = entries(node, path, kSegmentKeys);
    SegmentRuleEntry entry;
    bool ok = true;
    if (const auto* name = find(keys, "name")) {
      ok = read_name(*name, path + ".name", entry.name) && ok;
    } else {
      error(node, path, "missing required key 'name'");
      ok = false;
    }
    if (const auto* rule = find(keys, "rule")) {
      ok = read_rule(*rule, path + ".rule", entry) && ok;
    } else {
      error(node, path, "missing required key 'rule'");
      ok = false;
    }
    if (ok) segments_.push_back(std::move(entry));
  }

  bool read_name(const YAML::Node& n, const std::string& path, std::string& out) {
    if (!n.IsScalar()) {
      error(n, path, "expected a segment name, found " + kind_of(n));
      return false;
    }
    out = n.Scalar();
    if (!valid_segment_name(out)) {
      error(n, path,
            "expected a name of letters, digits and '_' that does not start with a digit, found '" +
                out + "'");
      return false;
    }
    if (out == "customer_id") {
      error(n, path, "'customer_id' is the key column of the segments table; choose another name");
      return false;
    }
    const auto [first, inserted] = name_lines_.emplace(out, n.Mark().line + 1);
    if (!inserted) {
      error(n, path,
            "duplicate segment name '" + out + "' (first at line " + std::to_string(first->second) +
                ")");
      return false;
    }
    return true;
  }

  bool read_rule(const YAML::Node& n, const std::string& path, SegmentRuleEntry& entry) {
    if (!n.IsScalar()) {
      error(n, path, "expected a rule such as \"recency_days < 30\", found " + kind_of(n));
      return false;
    }
    entry.rule = n.Scalar();
    const YAML::Mark mark = n.Mark();
    entry.line = mark.line + 1;
    entry.column = character_column(mark);
    entry.text_column = text_column(mark, entry.rule, entry.column);
    return true;
  }

  // Where the rule's characters start in the file, if the file holds them unchanged on one
  // line: as a plain scalar, or between quotes with no escapes (folding or '' would shift
  // columns).
  int text_column(const YAML::Mark& mark, const std::string& rule, int column) const {
    if (mark.pos < 0 || rule.find('\n') != std::string::npos) return 0;
    const auto pos = static_cast<std::size_t>(mark.pos);
    if (pos >= text_.size()) return 0;
    const char first = text_[pos];
    if (first == '"' || first == '\'') {
      const std::size_t end = pos + 1 + rule.size();
      if (text_.compare(pos + 1, rule.size(), rule) == 0 && end < text_.size() &&
          text_[end] == first)
        return column + 1;
      return 0;
    }
    return text_.compare(pos, rule.size(), rule) == 0 ? column : 0;
  }

  const std::string& text_;
  std::string label_;
  std::vector<ScenarioError> errors_;
  std::vector<SegmentRuleEntry> segments_;
  std::map<std::string, int> name_lines_;
};

}  // namespace

SegmentRulesFile load_segment_rules_text(const std::string& text, const std::string& label) {
  return RulesReader(text, label).read();
}

SegmentRulesFile load_segment_rules_file(const std::string& path) {
  std::string text;
  if (auto error = read_file_text(path, text)) {
    SegmentRulesFile r;
    r.label = path;
    r.errors.push_back(std::move(*error));
    return r;
  }
  return load_segment_rules_text(text, path);
}

ScenarioError segment_rule_error(const SegmentRulesFile& file, std::size_t index, int rule_column,
                                 const std::string& message) {
  const auto& entry = file.segments.at(index);
  const std::string path = "segments[" + std::to_string(index) + "].rule";
  if (entry.text_column > 0)
    return {file.label, entry.line, entry.text_column + rule_column - 1, path, message};
  return {file.label, entry.line, entry.column, path,
          message + " (at column " + std::to_string(rule_column) + " of the rule)"};
}

}  // namespace mirror::scenario
