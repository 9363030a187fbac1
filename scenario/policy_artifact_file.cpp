// Reads a policy artifact: every structural problem collected with its position; each
// condition parsed here (its columns are checked against the log at OPE time).
#include "mirror/scenario/policy_artifact_file.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include "mirror/ingest/segment_rules.hpp"
#include "yaml_fields.hpp"

namespace mirror::scenario {

namespace {

using policies::ActionDistribution;
using policies::ArtifactPlace;
using policies::PolicyArtifact;
using policies::PolicyRule;

constexpr double kSumTolerance = 1e-6;

const YamlFields::Keys kTopKeys{"format", "source", "rules", "default"};
const YamlFields::Keys kRuleKeys{"when", "actions", "count"};
const YamlFields::Keys kDefaultKeys{"actions", "count"};

class ArtifactReader : YamlFields {
 public:
  using YamlFields::YamlFields;

  PolicyArtifactLoad load(const std::string& text) {
    PolicyArtifactLoad out;
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
      add(e.mark, "", "invalid YAML: " + e.msg);
      out.errors = sorted_errors();
      return out;
    }
    artifact_.label = label_;
    if (!root || root.IsNull()) {
      errors_.push_back({label_, 1, 1, "", "the file is empty: expected a policy artifact (format: " +
                                              std::string(policies::kPolicyArtifactFormat) + ")"});
    } else if (!root.IsMap()) {
      error(root, "", "expected a policy artifact (a map of keys), found " + kind_of(root));
    } else {
      read_root(root);
    }
    if (errors_.empty()) out.artifact = std::move(artifact_);
    out.errors = sorted_errors();
    return out;
  }

 private:
  void read_root(const YAML::Node& root) {
    bool format = false, has_default = false;
    for (const auto& [k, v] : entries(root, "", kTopKeys)) {
      const std::string key = k.Scalar();
      if (key == "format") {
        format = true;
        std::string f;
        text(v, "format", f);
        if (v.IsScalar() && f != policies::kPolicyArtifactFormat)
          error(v, "format", "expected " + std::string(policies::kPolicyArtifactFormat) +
                                 ", found '" + f + "'");
      } else if (key == "source") {
        read_source(v);
      } else if (key == "rules") {
        read_rules(v);
      } else {
        has_default = true;
        read_default(v);
      }
    }
    if (!format)
      error(root, "", "missing required key 'format' (format: " +
                          std::string(policies::kPolicyArtifactFormat) + ")");
    if (!has_default)
      error(root, "", "missing required key 'default' (the distribution when no rule matches)");
  }

  void read_source(const YAML::Node& n) {
    if (!n.IsMap()) {
      error(n, "source", "expected a map of notes, found " + kind_of(n));
      return;
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
      if (!it->first.IsScalar() || !it->second.IsScalar()) {
        error(it->second, "source." + key, "expected a note (name: text)");
        continue;
      }
      artifact_.source.emplace_back(key, it->second.Scalar());
    }
  }

  ArtifactPlace place(const YAML::Node& n, const std::string& key) const {
    const auto m = n.Mark();
    return {m.line >= 0 ? m.line + 1 : 1, m.column >= 0 ? m.column + 1 : 1, key};
  }

  void read_rules(const YAML::Node& n) {
    if (!n.IsSequence()) {
      error(n, "rules", "expected a list of {when, actions}, found " + kind_of(n));
      return;
    }
    for (std::size_t i = 0; i < n.size(); ++i) {
      const std::string p = "rules[" + std::to_string(i) + "]";
      const YAML::Node item = n[i];
      if (!item.IsMap()) {
        error(item, p, "expected a map {when, actions}, found " + kind_of(item));
        continue;
      }
      PolicyRule rule;
      bool when = false, actions = false;
      for (const auto& [k, v] : entries(item, p, kRuleKeys)) {
        const std::string key = k.Scalar();
        const std::string path = join(p, key);
        if (key == "when") {
          when = true;
          rule.when_place = place(v, path);
          if (!scalar(v, path, "a condition (docs/segments.md)")) continue;
          rule.when = v.Scalar();
          const auto parsed = ingest::parse_segment_rule(rule.when);
          if (!parsed.ok())
            error(v, path, "column " + std::to_string(parsed.error->column) +
                               " of the condition: " + parsed.error->message);
        } else if (key == "actions") {
          actions = true;
          rule.actions_place = place(v, path);
          read_distribution(v, path, rule.actions);
        } else {
          read_count(v, path, rule.count);
        }
      }
      if (!when) error(item, p, "missing required key 'when' (a condition)");
      if (!actions) error(item, p, "missing required key 'actions' (action: probability, ...)");
      artifact_.rules.push_back(std::move(rule));
    }
  }

  void read_default(const YAML::Node& n) {
    if (!n.IsMap()) {
      error(n, "default", "expected a map {actions}, found " + kind_of(n));
      return;
    }
    bool actions = false;
    for (const auto& [k, v] : entries(n, "default", kDefaultKeys)) {
      const std::string path = join("default", k.Scalar());
      if (k.Scalar() == "actions") {
        actions = true;
        artifact_.default_place = place(v, path);
        read_distribution(v, path, artifact_.default_actions);
      } else {
        read_count(v, path, artifact_.default_count);
      }
    }
    if (!actions) error(n, "default", "missing required key 'actions' (action: probability, ...)");
  }

  void read_count(const YAML::Node& v, const std::string& path, std::int64_t& out) {
    std::uint64_t count = 0;
    const auto before = errors_.size();
    unsigned_integer(v, path, count);
    if (errors_.size() == before) out = static_cast<std::int64_t>(count);
  }

  void read_distribution(const YAML::Node& n, const std::string& path, ActionDistribution& out) {
    if (!n.IsMap() || n.size() == 0) {
      error(n, path, "expected a map of action: probability (e.g. { \"email//ten_off\": 0.3, none: 0.7 }), found " +
                         kind_of(n));
      return;
    }
    const auto before = errors_.size();
    double sum = 0.0;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!it->first.IsScalar() || it->first.Scalar().empty()) {
        error(it->first, path, "expected an action label (channel/message/offer or none)");
        continue;
      }
      const std::string label = it->first.Scalar();
      for (const auto& s : out)
        if (s.label == label) error(it->first, path + "." + label, "action '" + label + "' appears twice");
      double p = -1.0;
      probability(it->second, path + "." + label, p);
      out.push_back({label, p});
      sum += std::max(p, 0.0);
    }
    if (errors_.size() == before && std::abs(sum - 1.0) > kSumTolerance) {
      std::ostringstream message;
      message.precision(10);
      message << "probabilities sum to " << sum << ", not 1";
      error(n, path, message.str());
    }
  }

  PolicyArtifact artifact_;
};

}  // namespace

PolicyArtifactLoad load_policy_artifact_text(const std::string& text, const std::string& label) {
  return ArtifactReader(label).load(text);
}

PolicyArtifactLoad load_policy_artifact_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    PolicyArtifactLoad out;
    out.errors.push_back({path, 0, 0, "", "cannot read the policy artifact"});
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_policy_artifact_text(text.str(), path);
}

bool looks_like_policy_artifact(const std::string& text) {
  try {
    const YAML::Node root = YAML::Load(text);
    if (!root || !root.IsMap() || root["experiment"]) return false;
    return root["format"] || root["rules"] || root["default"];
  } catch (const YAML::Exception&) {
    return false;
  }
}

}  // namespace mirror::scenario
